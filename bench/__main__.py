"""`make bench`: smartdoc against the libraries' floor and a peer, as ratios of one run.

    python -m bench [-n 1000] [--runs 3] [--pdf-sample 20] [--no-flatness] [--no-mkdocs]
                    [--no-history]

Generates N plans (bench/generate.py) into bench/out/, then measures, as the median (min-max)
of --runs runs, side by side on this machine, CPU seconds (the process and every worker it
waited for) and wall seconds, with the peak RSS of the largest process:

- the floor, in this process, on the same content, CPU seconds on one core: YAML compose with
  CSafeLoader (the parse with line marks smartdoc does), markdown-it-py on the narratives,
  Jinja on the same templates with the same contexts, WeasyPrint laying out and writing each
  scorecard's HTML once;
- `smartdoc build --no-pdf` (cache dropped first) and `mkdocs build` of the same N narratives
  as plain pages (mkdocs lives in bench/.venv, made on first use from requirements/bench.txt),
  interleaved run by run; `smartdoc lint`; a no-op rebuild; a rebuild after one plan changed;
  `smartdoc build` with PDFs on a sample of --pdf-sample plans (scorecards and the handout);
- a chart's share of its scorecard's WeasyPrint time (bench/chart_cost.py);
- lint of a generated git repository (N plans, 100 commits) with the H rules and without
  (bench/history_bench.py builds the repository);
- memory flatness: the peak RSS of `build --no-pdf` at 250, 1,000 and 4,000 plans.

Prints the targets table (issue 11) and writes everything to bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import importlib.metadata
import json
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
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, t, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)\n"
)


# --- measuring ----------------------------------------------------------------------------


class Measure:
    """Runs of one thing: wall seconds, CPU seconds and peak RSS (KiB)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seconds: list[float] = []
        self.cpu: list[float] = []
        self.rss: list[int] = []

    @property
    def median(self) -> float:
        """Return the median wall seconds."""
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        """Return the median CPU seconds (for the in-process floors: their only figure)."""
        return statistics.median(self.cpu or self.seconds)

    def spread(self, per: float = 1.0, unit: float = 1.0, *, cpu: bool = False) -> str:
        values = [s / per * unit for s in (self.cpu if cpu else self.seconds)]
        if not values:
            return "—"
        return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def run_command(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, int]:
    """Run a command in a fresh probe process; return (wall s, CPU s, peak RSS KiB).

    CPU seconds are those of the command and of every process it waited for (its workers);
    the RSS is that of the largest of them."""
    probe = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    code, seconds, cpu, rss = probe.stdout.split()
    if code != "0":
        raise SystemExit(f"bench: {' '.join(args)} failed (exit {code}): {probe.stderr[-2000:]}")
    return float(seconds), float(cpu), int(rss)


def timed(function: Callable[[], object]) -> float:
    """Return the CPU seconds of `function` in this process (the floors run on one core)."""
    started = time.process_time()
    function()
    return time.process_time() - started


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
        lock = HERE.parent / "requirements" / "bench.txt"
        spec = ["--require-hashes", "-r", str(lock)] if lock.exists() else ["mkdocs"]
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", *spec], check=True)
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
    """Time raw WeasyPrint laying out and writing each scorecard's HTML once (CPU, one core)."""
    import weasyprint

    from smartdoc import pdf as pdf_stage
    from smartdoc.config import load_config

    config = load_config(root / "smartdoc.yml")
    renderer, contexts, _ = rendered_contexts(config, with_pdf=True)
    base_url = pdf_stage.get_base_url(config.root)
    epoch = pdf_stage.get_epoch(dt.date.fromisoformat(TODAY), None)
    pages = [
        pdf_stage.get_scorecard_html(
            renderer.env, site=renderer.site, plan=plan, page_size=config.pdf.page_size, epoch=epoch
        )
        for plan in contexts
    ]
    measure = Measure("weasyprint")
    for _ in range(runs):
        measure.seconds.append(
            timed(lambda: [weasyprint.HTML(string=h, base_url=base_url).write_pdf() for h in pages])
        )
    return measure


# --- smartdoc and the peer ------------------------------------------------------------------


def commands(root: Path, runs: int, pdf_root: Path, mkdocs: Path | None) -> dict[str, Measure]:
    """Time smartdoc's commands and mkdocs as subprocesses, interleaved run by run."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    base = SMARTDOC
    measures: dict[str, Measure] = {}

    def record(
        name: str, args: list[str], cwd: Path, before: Callable[[], None] | None = None
    ) -> None:
        measure = measures.setdefault(name, Measure(name))
        if before:
            before()
        seconds, cpu, rss = run_command(args, cwd, env)
        measure.seconds.append(seconds)
        measure.cpu.append(cpu)
        measure.rss.append(rss)

    build = [*base, "build", "-q", "--no-pdf", "--today", TODAY]
    plan = root / "plans" / "plan-00007.md"
    original = plan.read_bytes()
    peer = mkdocs_project(root) if mkdocs is not None else None
    try:
        for run in range(runs):
            record("build --no-pdf", build, root, before=lambda: drop_outputs(root))
            if mkdocs is not None and peer is not None:
                record(
                    "mkdocs build",
                    [str(mkdocs), "build", "-q"],
                    peer,
                    before=lambda p=peer: shutil.rmtree(p / "site", ignore_errors=True),
                )
            record("lint", [*base, "lint", "-q", "--today", TODAY], root)
            record("no-op rebuild", build, root)
            plan.write_bytes(original + f"\nEdited in run {run}.\n".encode())
            record("one plan changed", build, root)
            record(
                "build --no-pdf (PDF sample)",
                build,
                pdf_root,
                before=lambda: drop_outputs(pdf_root),
            )
            # -j 1: the PDF workers are children of the pool's fork server, which the build
            # does not wait for, so their CPU seconds are not counted; with one worker the
            # PDF stage's wall time is its CPU time (on a quiet machine)
            for jobs in ("1", "auto"):
                record(
                    f"build with PDFs -j {jobs} (PDF sample)",
                    [*base, "build", "-q", "--pdf", "-j", jobs, "--today", TODAY],
                    pdf_root,
                    before=lambda: drop_outputs(pdf_root),
                )
    finally:
        plan.write_bytes(original)
    return measures


def flatness(sizes: list[int]) -> list[tuple[int, float, float, int]]:
    """Return (plans, wall s, CPU s, peak RSS KiB) of a clean `build --no-pdf` at each size."""
    found = []
    for count in sizes:
        root = project(count)
        drop_outputs(root)
        seconds, cpu, rss = run_command(
            [*SMARTDOC, "build", "-q", "--no-pdf", "--today", TODAY], root
        )
        found.append((count, seconds, cpu, rss))
    return found


def chart_share(runs: int) -> float:
    """Return a chart's share of its scorecard's WeasyPrint CPU time (bench/chart_cost.py)."""
    import tempfile

    from bench import chart_cost

    with tempfile.TemporaryDirectory(prefix="chart-cost-") as folder:
        root = Path(folder)
        generate(root, 1)
        (root / "smartdoc.yml").write_text("site_name: Bench\n", encoding="utf-8")
        html = chart_cost.scorecard_html(root)
        bare, _ = chart_cost.without_charts(html)
        base_url = root.as_uri() + "/"
        result = chart_cost.interleaved(
            max(runs, 3),
            {
                "with": functools.partial(chart_cost.measure, html, base_url),
                "without": functools.partial(chart_cost.measure, bare, base_url),
            },
            "min",  # other work on the machine only ever adds time
        )
    return 1 - result["without"][0] / result["with"][0]


def history_rows(count: int, runs: int) -> dict[str, Measure]:
    """Time `smartdoc lint` of a git repository (100 commits) with and without the H rules."""
    from bench import history_bench

    repo = OUT / f"history-{count}"
    if not (repo / ".git").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        history_bench.build_repository(repo, count, commits=100, per_commit=10, seed=1)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    measures = {name: Measure(name) for name in ("lint, history", "lint, no history")}
    args = {
        "lint, history": [*SMARTDOC, "lint", "-q", "--today", TODAY, "--exit-zero"],
        "lint, no history": [
            *SMARTDOC,
            "lint",
            "-q",
            "--today",
            TODAY,
            "--exit-zero",
            "--ignore",
            "H",
        ],
    }
    for _ in range(runs):
        for name, command in args.items():
            seconds, cpu, rss = run_command(command, repo, env)
            measures[name].seconds.append(seconds)
            measures[name].cpu.append(cpu)
            measures[name].rss.append(rss)
    return measures


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
    flat: list[tuple[int, float, float, int]],
    chart: float | None,
    history: dict[str, Measure],
) -> str:
    """Return bench/results.md: every measure, then the targets of issue 11 (and 14)."""
    ms = 1000.0
    lines = [
        f"# smartdoc bench: {n} plans, median (min–max) of {runs} runs",
        "",
        f"Generated {dt.date.today()} by `make bench N={n}`; `today` fixed at {TODAY}.",
        *machine(),
        "",
        "| measure | wall s | CPU s | CPU per plan ms | peak RSS MiB |",
        "|---|---|---|---|---|",
    ]
    labels = {
        "yaml": "floor: YAML compose (CSafeLoader, marks)",
        "markdown": "floor: markdown-it-py, narratives",
        "jinja": "floor: Jinja, index + plan pages, same contexts",
        "weasyprint": f"floor: WeasyPrint, {sample} scorecards, each laid out and written once",
    }
    for name, measure in floor_m.items():
        count = sample if name == "weasyprint" else n
        lines.append(
            f"| {labels[name]} | (in process) | {measure.spread()} | "
            f"{measure.spread(count, ms)} | (in process) |"
        )
    for name, measure in {**cmd, **history}.items():
        count = sample if "PDF" in name else n
        rss = max(measure.rss) / 1024
        shown = f"{name} ({sample} plans)" if "PDF" in name else name
        shown = f"{shown} (peer, narratives only)" if name.startswith("mkdocs") else shown
        lines.append(
            f"| {shown} | {measure.spread()} | {measure.spread(cpu=True)} | "
            f"{measure.spread(count, ms, cpu=True)} | {rss:.0f} |"
        )
    build = cmd["build --no-pdf"]
    lines += ["", "| target | measured | goal | met |", "|---|---|---|---|"]

    def target(label: str, value: float, goal: str, met: bool, fmt: str = "{:.2f}x") -> None:
        shown = fmt.format(value) if "{" in fmt else fmt  # else fmt is the figure as written
        lines.append(f"| {label} | {shown} | {goal} | {'yes' if met else 'NO'} |")

    if "mkdocs build" in cmd:
        faster = cmd["mkdocs build"].median / build.median
        target(
            f"`build --no-pdf` vs `mkdocs build`, {n} plans, wall (times faster)",
            faster,
            ">= 2x faster (moonshot 5x)",
            faster >= 2,
        )
    floor_site = sum(floor_m[k].cpu_median for k in ("yaml", "markdown", "jinja"))
    cpu_ratio = build.cpu_median / floor_site
    target(
        "`build --no-pdf` CPU s / single-core floor (YAML + Markdown + Jinja)",
        cpu_ratio,
        "<= 1.5x",
        cpu_ratio <= 1.5,
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parallel = build.median / build.cpu_median
    target(
        f"`build --no-pdf` wall / its own CPU s ({cores} cores)",
        parallel,
        "<= 0.6",
        parallel <= 0.6,
        "{:.2f}",
    )
    if flat:
        peaks = [rss / 1024 for _, _, _, rss in flat]
        sizes = " / ".join(f"{count:,}" for count, *_ in flat)
        target(
            f"peak RSS of `build --no-pdf` at {sizes} plans",
            max(peaks),
            "<= 300 MiB each (flat)",
            max(peaks) <= 300,
            " / ".join(f"{p:.0f}" for p in peaks) + " MiB",
        )
    one = cmd["one plan changed"].median / build.median
    target("one plan changed / full build (wall)", one * 100, "<= 5%", one <= 0.05, "{:.1f}%")
    noop = cmd["no-op rebuild"].median / build.median
    target("no-op rebuild / full build (wall)", noop * 100, "<= 3%", noop <= 0.03, "{:.1f}%")
    if "weasyprint" in floor_m:
        stage = (
            cmd["build with PDFs -j 1 (PDF sample)"].median
            - cmd["build --no-pdf (PDF sample)"].median
        )
        ratio = stage / floor_m["weasyprint"].cpu_median
        target(
            f"PDF stage ({sample} scorecards + handout, -j 1 wall) / raw WeasyPrint, CPU",
            ratio,
            "<= 1.2x",
            ratio <= 1.2,
        )
    if chart is not None:
        target(
            "a chart's share of its scorecard's WeasyPrint CPU time",
            chart * 100,
            "<= 15%",
            chart <= 0.15,
            "{:.1f}%",
        )
    if history:
        ratio = history["lint, history"].cpu_median / history["lint, no history"].cpu_median
        target(
            f"lint with git history / without ({n} plans, 100 commits), CPU s",
            ratio,
            "<= 2x",
            ratio <= 2,
        )
    if flat:
        lines += [
            "",
            "Memory flatness: clean `build --no-pdf` (render workers are forked per build):",
            "",
            "| plans | wall s | CPU s | peak RSS MiB | RSS per plan KiB |",
            "|---|---|---|---|---|",
        ]
        for count, seconds, cpu, rss in flat:
            lines.append(
                f"| {count} | {seconds:.1f} | {cpu:.1f} | {rss / 1024:.0f} | {rss / count:.0f} |"
            )
    lines += [
        "",
        f"PDF rows use a sample of {sample} plans (plus the handout); the other rows use all "
        f"{n}. CPU s count every process a command waited for (its workers). Ratios are of "
        "medians measured side by side in this run; smartdoc and mkdocs run in turn.",
    ]
    return "\n".join(lines) + "\n"


def _write_raw(path: Path, raw: tuple[Any, ...]) -> None:
    """Keep every figure of a run as JSON (`--table-from` makes the tables again from it)."""
    n, runs, sample, floor_m, cmd, flat, chart, history = raw

    def measures(group: dict[str, Measure]) -> dict[str, Any]:
        return {k: {"seconds": m.seconds, "cpu": m.cpu, "rss": m.rss} for k, m in group.items()}

    data = {
        "plans": n,
        "runs": runs,
        "pdf_sample": sample,
        "floor": measures(floor_m),
        "commands": measures(cmd),
        "flatness": flat,
        "chart_share": chart,
        "history": measures(history),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _read_raw(path: Path) -> tuple[Any, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))

    def measures(group: dict[str, Any]) -> dict[str, Measure]:
        made = {}
        for name, figures in group.items():
            measure = Measure(name)
            measure.seconds, measure.cpu, measure.rss = (
                figures["seconds"],
                figures["cpu"],
                figures["rss"],
            )
            made[name] = measure
        return made

    return (
        data["plans"],
        data["runs"],
        data["pdf_sample"],
        measures(data["floor"]),
        measures(data["commands"]),
        [tuple(row) for row in data["flatness"]],
        data["chart_share"],
        measures(data["history"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--plans", type=int, default=int(os.environ.get("N", "1000")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    parser.add_argument("--pdf-sample", type=int, default=20)
    parser.add_argument("--no-flatness", action="store_true")
    parser.add_argument("--no-mkdocs", action="store_true")
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--results", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--table-from",
        type=Path,
        metavar="RAW.json",
        help="measure nothing: write the tables from a run's raw figures (bench/out/raw-N.json)",
    )
    args = parser.parse_args()
    if args.table_from is not None:
        text = table(*_read_raw(args.table_from))
        print(text)
        args.results.write_text(text, encoding="utf-8")
        return

    root = project(args.plans)
    pdf_root = project(args.pdf_sample, f"pdf-sample-{args.pdf_sample}")
    mkdocs = None if args.no_mkdocs else mkdocs_bin()
    say = functools.partial(print, file=sys.stderr)
    say(f"bench: {args.plans} plans in {root}; {args.runs} runs")
    say("bench: the floor")
    floor_m = floor(root, args.runs, pdf_root)
    say("bench: smartdoc and mkdocs")
    cmd = commands(root, args.runs, pdf_root, mkdocs)
    say("bench: a chart's cost")
    chart = chart_share(args.runs)
    say("bench: history")
    history = {} if args.no_history else history_rows(args.plans, args.runs)
    say("bench: memory flatness")
    flat = [] if args.no_flatness else flatness(sorted({250, args.plans, 4000}))
    raw = (args.plans, args.runs, args.pdf_sample, floor_m, cmd, flat, chart, history)
    raw_file = HERE / "out" / f"raw-{args.plans}.json"
    _write_raw(raw_file, raw)  # a run's figures outlive a mistake in the tables below
    say(f"bench: raw figures in {raw_file}")
    text = table(*raw)
    print(text)
    args.results.write_text(text, encoding="utf-8")
    say(f"bench: wrote {args.results}")


if __name__ == "__main__":
    main()
