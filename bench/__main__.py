"""`make bench`: smartdoc against the libraries' floor and a peer, as ratios of one run.

    python -m bench [-n 1000] [--runs 3] [--pdf-sample 20] [--no-flatness] [--no-mkdocs]

Generates N plans (bench/generate.py) into bench/out/, then measures, as the median (min-max)
of --runs runs, side by side on this machine:

- the floor, in this process, on the same content: YAML compose with CSafeLoader (the parse
  with line marks smartdoc does), markdown-it-py on the narratives, Jinja on the same
  templates with the same contexts, WeasyPrint on the same scorecard and handout HTML;
- `smartdoc lint`, `smartdoc build --no-pdf` (cache dropped first), a no-op rebuild, a
  rebuild after one plan changed; `smartdoc build` with PDFs at -j 1 and -j all cores on a
  sample of --pdf-sample plans (PDFs take ~0.5 s each: 1,000 would take many minutes);
- `mkdocs build` of the same N narratives as plain pages (mkdocs lives in bench/.venv, made
  on first use; never in the project's own virtualenv);
- the peak RSS of each command (the largest process, from getrusage of its children);
- memory flatness: the peak RSS of `build --no-pdf` at 250, 1,000 and 4,000 plans.

Prints one table and writes it to bench/results.md with the machine and versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import generate

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VENV = HERE / ".venv"
TODAY = "2026-11-23"
SMARTDOC = [sys.executable, "-m", "smartdoc.cli"]
RSS_PROBE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,\n"
    "                      stderr=subprocess.PIPE).returncode\n"
    "t = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(code, t, rss)\n"
)


# --- measuring ----------------------------------------------------------------------------


class Measure:
    """Runs of one thing: seconds and peak RSS (KiB)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seconds: list[float] = []
        self.rss: list[int] = []

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self, per: float = 1.0, unit: float = 1.0) -> str:
        values = [s / per * unit for s in self.seconds]
        return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def run_command(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command in a fresh probe process; return (seconds, peak RSS KiB of its largest)."""
    probe = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    code, seconds, rss = probe.stdout.split()
    if code != "0":
        raise SystemExit(f"bench: {' '.join(args)} failed (exit {code}): {probe.stderr[-2000:]}")
    return float(seconds), int(rss)


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# --- projects -------------------------------------------------------------------------------


def project(count: int, name: str | None = None) -> Path:
    """Return a generated project of `count` plans (made once, reused)."""
    root = OUT / (name or f"plans-{count}")
    if not (root / "smartdoc.yml").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, count)
        (root / "smartdoc.yml").write_text("site_name: Bench\n", encoding="utf-8")
    return root


def drop_outputs(root: Path) -> None:
    """Remove the site and the project's build cache (a cold build follows)."""
    from smartdoc.cache import project_cache_dir

    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(project_cache_dir(root), ignore_errors=True)


def mkdocs_project(root: Path) -> Path:
    """Return a mkdocs project with the narratives of `root`'s plans as plain pages."""
    from smartdoc.source import decode, split

    peer = root.parent / f"{root.name}-mkdocs"
    if not (peer / "mkdocs.yml").exists():
        docs = peer / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        for plan in sorted((root / "plans").glob("*.md")):
            text, _ = decode(plan.read_bytes(), plan.name)
            assert text is not None
            _, _, body, _, _ = split(text, plan.name)
            (docs / plan.name).write_text(body, encoding="utf-8")
        (docs / "index.md").write_text("# Plans\n", encoding="utf-8")
        (peer / "mkdocs.yml").write_text(
            "site_name: Bench\nmarkdown_extensions: [tables]\n", encoding="utf-8"
        )
    return peer


def mkdocs_bin() -> Path | None:
    binary = VENV / "bin" / "mkdocs"
    if binary.exists():
        return binary
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "mkdocs"], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"bench: mkdocs not installed ({exc}); the peer row is skipped", file=sys.stderr)
        return None
    return binary


# --- the floor ------------------------------------------------------------------------------


def floor(root: Path, runs: int, pdf_root: Path | None) -> dict[str, Measure]:
    """Time the libraries alone on the content smartdoc handles (this process)."""
    import yaml
    from markdown_it import MarkdownIt

    from smartdoc.config import load_config
    from smartdoc.source import decode, split

    texts = []
    for plan in sorted((root / "plans").glob("*.md")):
        text, _ = decode(plan.read_bytes(), plan.name)
        assert text is not None
        yaml_text, _, body, _, _ = split(text, plan.name)
        texts.append((yaml_text, body))
    # YAML and Markdown first, in a heap that holds only the texts: a floor measured beside the
    # whole built site in memory would be inflated by the garbage collector walking it
    measures = {name: Measure(name) for name in ("yaml", "markdown", "jinja")}
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    for _ in range(runs):
        gc.collect()
        # each result is dropped at once, as a parse-then-use pipeline does; a list holding
        # all 1,000 node trees makes the collector rescan them and the floor 5x slower
        measures["yaml"].seconds.append(
            timed(lambda: [yaml.compose(y, Loader=yaml.CSafeLoader) and None for y, _ in texts])
        )
        measures["markdown"].seconds.append(
            timed(lambda: [markdown.render(b) and None for _, b in texts])
        )
    # the same contexts and templates smartdoc renders: build them once, in memory
    jobs = jinja_jobs(load_config(root / "smartdoc.yml"))

    # the big heap of contexts built above is not the floor's garbage to scan again and again
    gc.collect()
    gc.freeze()
    for _ in range(runs):
        measures["jinja"].seconds.append(
            timed(lambda: [template.render(**variables) for _, template, variables in jobs])
        )
    gc.unfreeze()
    if pdf_root is not None:
        measures["weasyprint"] = weasyprint_floor(pdf_root, runs)
    return measures


def rendered_contexts(config: Any, *, with_pdf: bool) -> tuple[Any, list[Any], list[Any]]:
    """Return (the site renderer, plan contexts, plan summaries) as the build makes them."""
    from smartdoc.options import make_options
    from smartdoc.pipeline.check import check_plans
    from smartdoc.pipeline.site import select_published
    from smartdoc.site.pages import SiteRenderer

    today = dt.date.fromisoformat(TODAY)
    checked = check_plans(config, make_options(today=today, jobs=1), keep_loaded=True)
    published, _ = select_published(checked, False)
    renderer = SiteRenderer(
        config, today, base_url=None, with_pdf=with_pdf, slugs=[p.slug for p in published]
    )
    rendered = [renderer.render_plan(p.loaded, p.findings) for p in published if p.loaded]
    contexts = [r.context for r in rendered]
    return renderer, contexts, [r.summary for r in rendered]


def jinja_jobs(config: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """Return (page path, template, variables) of the index and every plan page, made the
    way the build makes them, so the Jinja floor renders exactly the pages smartdoc does."""
    from smartdoc import scoring
    from smartdoc.site import context

    renderer, contexts, summaries = rendered_contexts(config, with_pdf=False)
    env, site = renderer.env, renderer.site
    index_page = context.get_page(
        config.site_name,
        "index.html",
        "index",
        base_url=None,
        description=f"Strategy plans and SMART goals: {config.site_name}",
    )
    portfolio = context.get_portfolio_context(
        [s.card for s in summaries],
        [g for s in summaries for g in s.goals],
        scoring.score_portfolio(summaries),
    )
    jobs = [
        (
            "index.html",
            env.get_template("index.html"),
            {"site": site, "page": index_page, "portfolio": portfolio},
        ),
    ]
    plan_template = env.get_template("plan.html")
    for plan in contexts:
        path = f"{plan['slug']}.html"
        page = context.get_page(
            plan["title"], path, "plan", base_url=None, description=plan["summary"]
        )
        jobs.append((path, plan_template, {"site": site, "page": page, "plan": plan}))
    return jobs


def floor_pages(config: Any) -> dict[str, str]:
    """Return the pages the Jinja floor renders, by path (a test checks they are smartdoc's)."""
    return {path: template.render(**variables) for path, template, variables in jinja_jobs(config)}


def weasyprint_floor(root: Path, runs: int) -> Measure:
    """Time WeasyPrint alone on the scorecard and handout HTML smartdoc makes for `root`."""
    import weasyprint

    from smartdoc import pdf as pdf_stage
    from smartdoc.config import load_config

    config = load_config(root / "smartdoc.yml")
    renderer, contexts, _ = rendered_contexts(config, with_pdf=True)
    jobs = pdf_stage.get_pdf_jobs(
        renderer.env,
        site=renderer.site,
        plans=contexts,
        root=config.root,
        page_size=config.pdf.page_size,
    )
    measure = Measure("weasyprint")
    measure.count = len(jobs)  # type: ignore[attr-defined]
    for _ in range(runs):
        measure.seconds.append(
            timed(
                lambda: [
                    weasyprint.HTML(string=job.html, base_url=job.base_url).write_pdf()
                    for job in jobs
                ]
            )
        )
    return measure


# --- smartdoc and the peer ------------------------------------------------------------------


def commands(root: Path, runs: int, pdf_root: Path, mkdocs: Path | None) -> dict[str, Measure]:
    """Time smartdoc's commands (and mkdocs) as subprocesses."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    base = SMARTDOC
    measures: dict[str, Measure] = {}

    def record(
        name: str, args: list[str], cwd: Path, before: Callable[[], None] | None = None
    ) -> None:
        measure = measures.setdefault(name, Measure(name))
        if before:
            before()
        seconds, rss = run_command(args, cwd, env)
        measure.seconds.append(seconds)
        measure.rss.append(rss)

    plan = root / "plans" / "plan-00007.md"
    original = plan.read_bytes()
    try:
        for run in range(runs):
            record("lint", [*base, "lint", "-q", "--today", TODAY], root)
            record(
                "build --no-pdf",
                [*base, "build", "-q", "--no-pdf", "--today", TODAY],
                root,
                before=lambda: drop_outputs(root),
            )
            record("no-op rebuild", [*base, "build", "-q", "--no-pdf", "--today", TODAY], root)
            plan.write_bytes(original + f"\nEdited in run {run}.\n".encode())
            record("one plan changed", [*base, "build", "-q", "--no-pdf", "--today", TODAY], root)
            for jobs in ("1", str(os.cpu_count() or 1)):
                record(
                    f"build, PDFs, -j {jobs}",
                    [*base, "build", "-q", "--pdf", "-j", jobs, "--today", TODAY],
                    pdf_root,
                    before=lambda: drop_outputs(pdf_root),
                )
            record(
                "build --no-pdf (PDF sample)",
                [*base, "build", "-q", "--no-pdf", "--today", TODAY],
                pdf_root,
                before=lambda: drop_outputs(pdf_root),
            )
            if mkdocs is not None:
                peer = mkdocs_project(root)
                record(
                    "mkdocs build",
                    [str(mkdocs), "build", "-q"],
                    peer,
                    before=lambda p=peer: shutil.rmtree(p / "site", ignore_errors=True),
                )
    finally:
        plan.write_bytes(original)
    return measures


def flatness(sizes: list[int]) -> list[tuple[int, float, int]]:
    """Return (plans, seconds, peak RSS KiB) of a clean `build --no-pdf` at each size."""
    found = []
    for count in sizes:
        root = project(count)
        drop_outputs(root)
        seconds, rss = run_command([*SMARTDOC, "build", "-q", "--no-pdf", "--today", TODAY], root)
        found.append((count, seconds, rss))
    return found


# --- the table ------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{int(memory.split()[1]) / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        mem = "unknown"
    versions = []
    for package in ("smartdoc", "pyyaml", "markdown-it-py", "jinja2", "weasyprint", "pydantic"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} missing")
    mkdocs = VENV / "bin" / "mkdocs"
    if mkdocs.exists():
        out = subprocess.run(
            [str(mkdocs), "--version"], capture_output=True, text=True, check=False
        ).stdout.split(" from ")[0]
        versions.append(out.strip())
    return [
        f"- machine: {os.cpu_count()} cores ({cpu}), {mem} memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; " + ", ".join(versions),
    ]


def table(
    n: int,
    runs: int,
    sample: int,
    floor_m: dict[str, Measure],
    cmd: dict[str, Measure],
    flat: list[tuple[int, float, int]],
) -> str:
    ms = 1000.0
    lines = [
        f"# smartdoc bench: {n} plans, median (min–max) of {runs} runs",
        "",
        f"Generated {dt.date.today()} by `make bench N={n}`; `today` fixed at {TODAY}.",
        *machine(),
        "",
        "| measure | total s | per plan ms | peak RSS MiB |",
        "|---|---|---|---|",
    ]
    for name, measure in floor_m.items():
        count = getattr(measure, "count", n)
        label = {
            "yaml": "floor: YAML compose (CSafeLoader, marks)",
            "markdown": "floor: markdown-it-py, narratives",
            "jinja": "floor: Jinja, index + plan pages, same contexts",
            "weasyprint": f"floor: WeasyPrint, {sample} scorecards + handout (per PDF)",
        }[name]
        lines.append(
            f"| {label} | {measure.spread()} | {measure.spread(count, ms)} | (in process) |"
        )
    for name, measure in cmd.items():
        count = sample if "PDF" in name else n
        rss = max(measure.rss) / 1024
        shown = name if "PDF" not in name else f"{name} ({sample} plans)"
        lines.append(
            f"| smartdoc {shown} | {measure.spread()} | {measure.spread(count, ms)} | {rss:.0f} |"
            if not name.startswith("mkdocs")
            else f"| {shown} (peer, narratives only) | {measure.spread()} | "
            f"{measure.spread(count, ms)} | {rss:.0f} |"
        )
    floor_site = sum(floor_m[k].median for k in ("yaml", "markdown", "jinja"))
    build = cmd["build --no-pdf"].median
    lines += ["", "| target | measured | goal | met |", "|---|---|---|---|"]

    def target(label: str, value: float, goal: str, met: bool, fmt: str = "{:.2f}x") -> None:
        lines.append(f"| {label} | {fmt.format(value)} | {goal} | {'yes' if met else 'NO'} |")

    target(
        "build --no-pdf / floor (YAML + Markdown + Jinja)",
        build / floor_site,
        "<= 1.5x",
        build / floor_site <= 1.5,
    )
    if "mkdocs build" in cmd:
        speed = cmd["mkdocs build"].median / build
        target("mkdocs build / build --no-pdf", speed, ">= 5x faster", speed >= 5)
    lint = cmd["lint"].median / floor_m["yaml"].median
    target("lint / YAML floor", lint, "<= 1.5x", lint <= 1.5)
    if "weasyprint" in floor_m:
        docs = getattr(floor_m["weasyprint"], "count", sample + 1)
        pdf_cost = (
            cmd["build, PDFs, -j 1"].median - cmd["build --no-pdf (PDF sample)"].median
        ) / docs
        raw = floor_m["weasyprint"].median / docs
        target(
            "PDF per document (-j 1, minus the --no-pdf build) / raw WeasyPrint",
            pdf_cost / raw,
            "<= 1.15x",
            pdf_cost / raw <= 1.15,
        )
        cores = os.cpu_count() or 1
        pdf_all = cmd[f"build, PDFs, -j {cores}"].median - cmd["build --no-pdf (PDF sample)"].median
        scale = (pdf_cost * docs) / pdf_all
        target(f"PDF throughput -j {cores} / -j 1", scale, ">= 1.7x", scale >= 1.7)
    noop = cmd["no-op rebuild"].median / build
    target("no-op rebuild / full build", noop * 100, "<= 5%", noop <= 0.05, "{:.1f}%")
    one = cmd["one plan changed"].median / build
    target("one plan changed / full build", one * 100, "<= 10%", one <= 0.10, "{:.1f}%")
    peak = max(max(m.rss) for m in cmd.values()) / 1024
    target("peak RSS of any smartdoc run", peak, "< 1024 MiB", peak < 1024, "{:.0f} MiB")
    if flat:
        lines += [
            "",
            "Memory flatness: clean `build --no-pdf` (PDF workers are separate "
            "processes recycled every 25 PDFs; the PDF runs above peak as shown):",
            "",
            "| plans | seconds | peak RSS MiB | RSS per plan KiB |",
            "|---|---|---|---|",
        ]
        for count, seconds, rss in flat:
            lines.append(f"| {count} | {seconds:.1f} | {rss / 1024:.0f} | {rss / count:.0f} |")
    lines += [
        "",
        f"PDF rows use a sample of {sample} plans (plus the handout); the other rows "
        f"use all {n}. Ratios are of medians measured side by side in this run.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--plans", type=int, default=int(os.environ.get("N", "1000")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    parser.add_argument("--pdf-sample", type=int, default=20)
    parser.add_argument("--no-flatness", action="store_true")
    parser.add_argument("--no-mkdocs", action="store_true")
    parser.add_argument("--results", type=Path, default=HERE / "results.md")
    args = parser.parse_args()

    root = project(args.plans)
    pdf_root = project(args.pdf_sample, f"pdf-sample-{args.pdf_sample}")
    mkdocs = None if args.no_mkdocs else mkdocs_bin()
    print(f"bench: {args.plans} plans in {root}; {args.runs} runs", file=sys.stderr)
    floor_m = floor(root, args.runs, pdf_root)
    cmd = commands(root, args.runs, pdf_root, mkdocs)
    flat = [] if args.no_flatness else flatness(sorted({250, args.plans, 4000}))
    text = table(args.plans, args.runs, args.pdf_sample, floor_m, cmd, flat)
    print(text)
    args.results.write_text(text, encoding="utf-8")
    print(f"bench: wrote {args.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
