"""What the goal charts cost WeasyPrint: one generated 10-goal scorecard, with and without charts.

    python -m bench.chart_cost [--runs 5] [--stat median|min] [--calls] [--compare OLD.html]

Makes one plan with `bench.generate` (10 goals, 12 check-ins each), builds its scorecard HTML
the way `smartdoc build` does (`SiteRenderer.render_plan` -> `pdf.get_scorecard_html`),
and a copy of that HTML where every chart is an empty `<svg>` with the same class and viewBox
(so the print stylesheet gives it the same box) and every chart key is empty. Both are laid
out and written by raw WeasyPrint in this one process, interleaved A/B, and the medians of
`--runs` runs are printed for CPU and wall seconds, with the charts' share of the
scorecard's time. The target of issue 11 is a share of at most 15%. A third row leaves out
the narrow (phone) SVG of each chart, which the PDF hides but WeasyPrint still parses: what
`render_chart(..., narrow=False)` in the PDF's context would give.

On a busy machine timings swing by a third; `--stat min` is steadier, and `--calls` counts
Python function calls instead (deterministic; it misses time spent in C such as Pango).

To compare with another version, save its scorecard and time both in one run:

    PYTHONPATH=/path/to/other/checkout python bench/chart_cost.py --runs 0 --save-html old.html
    python -m bench.chart_cost --compare old.html
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate

TODAY = dt.date(2026, 11, 23)
TARGET_SHARE = 0.15
# A chart is one or two <svg class="smartdoc-chart ..."> ... </svg> (wide, narrow); no nesting.
CHART = re.compile(r'<svg\b[^>]*class="smartdoc-chart[^"]*"[^>]*>.*?</svg>', re.DOTALL)
KEY = re.compile(r'<p class="smartdoc-chart__key">.*?</p>', re.DOTALL)
NARROW = re.compile(
    r'<svg\b[^>]*class="smartdoc-chart smartdoc-chart--narrow"[^>]*>.*?</svg>', re.DOTALL
)
KEEP_ATTRS = re.compile(r'\s(?:class|viewBox|width|height|xmlns)="[^"]*"')


def scorecard_html(root: Path) -> str:
    """Return the scorecard HTML of the one plan in `root`, made as the build makes it."""
    from smartdoc import pdf as pdf_stage
    from smartdoc.config import load_config
    from smartdoc.options import make_options
    from smartdoc.pipeline.check import check_plans
    from smartdoc.site.pages import SiteRenderer

    config = load_config(root / "smartdoc.yml")
    checked = check_plans(config, make_options(today=TODAY, jobs=1), keep_loaded=True)
    plan = checked.plans[0]
    assert plan.loaded is not None
    renderer = SiteRenderer(config, TODAY, base_url=None, with_pdf=True, slugs=[plan.slug])
    rendered = renderer.render_plan(plan.loaded, plan.findings)
    return pdf_stage.get_scorecard_html(
        renderer.env,
        site=renderer.site,
        plan=rendered.context,
        page_size=config.pdf.page_size,
        epoch=pdf_stage.get_epoch(TODAY, None),
    )


def without_charts(html: str) -> tuple[str, int]:
    """Return `html` with every chart emptied (same class and viewBox), and the chart count."""

    def empty(match: re.Match[str]) -> str:
        opening = match.group(0).split(">", 1)[0]
        attrs = "".join(KEEP_ATTRS.findall(opening))
        return f"<svg{attrs}></svg>"

    emptied, _ = CHART.subn(empty, html)
    emptied = KEY.sub('<p class="smartdoc-chart__key"></p>', emptied)  # the key is chart too
    return emptied, len(re.findall(r'class="smartdoc-chart(?: smartdoc-chart--wide)?"', html))


def count_calls(html: str, base_url: str) -> tuple[float, float]:
    """Lay out and write `html` once under cProfile; return (Python calls, 0).

    A proxy for CPU time that does not move when the machine is busy (it misses time spent
    in C: Pango shaping, zlib), for comparing variants on a shared machine.
    """
    import cProfile
    import pstats

    import weasyprint

    profile = cProfile.Profile()
    profile.enable()
    weasyprint.HTML(string=html, base_url=base_url).render().write_pdf()
    profile.disable()
    calls = sum(row[1] for row in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]
    return float(calls), 0.0


def measure(html: str, base_url: str) -> tuple[float, float]:
    """Lay out and write `html` once; return (CPU seconds, wall seconds)."""
    import weasyprint

    cpu, wall = time.process_time(), time.perf_counter()
    weasyprint.HTML(string=html, base_url=base_url).render().write_pdf()
    return time.process_time() - cpu, time.perf_counter() - wall


def interleaved(
    runs: int, jobs: dict[str, Callable[[], tuple[float, float]]], stat: str = "median"
) -> dict[str, tuple[float, float]]:
    """Run every job once per round, `runs` rounds; return the median (or min) per job."""
    pick: Callable[[list[float]], float] = min if stat == "min" else statistics.median
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
    for job in jobs.values():  # warm-up: imports, font caches
        job()
    for _ in range(runs):
        for name, job in jobs.items():
            samples[name].append(job())
    return {
        name: (pick([c for c, _ in got]), pick([w for _, w in got]))
        for name, got in samples.items()
    }


def describe(name: str, html: str) -> str:
    """Return one line on a scorecard's charts: how many, and how much text they draw."""
    _, charts = without_charts(html)
    drawn = [m.group(0) for m in CHART.finditer(NARROW.sub("", html))]
    texts = sum(svg.count("<text") for svg in drawn)
    letters = sum(len("".join(re.findall(r"<text[^>]*>([^<]*)<", svg))) for svg in drawn)
    return (
        f"{name}: {charts} charts; the drawn SVGs hold {texts} <text> nodes, {letters} letters "
        f"(WeasyPrint lays SVG text out letter by letter); {len(html):,} bytes of HTML"
    )


def report(name: str, result: dict[str, tuple[float, float]], calls: bool) -> float:
    """Print the rows of one scorecard; return the charts' share of its CPU time (or calls)."""
    rows = {
        "with charts": result[name],
        "charts as empty boxes": result[f"{name}, empty boxes"],
    }
    if f"{name}, no narrow SVGs" in result:
        rows["no narrow (phone) SVGs"] = result[f"{name}, no narrow SVGs"]
    for label, (cpu, wall) in rows.items():
        if calls:
            print(f"  {name + ', ' + label:40} {cpu:>12,.0f}")
        else:
            print(f"  {name + ', ' + label:40} {cpu:7.3f}  {wall:7.3f}")
    bare_cpu, bare_wall = rows["charts as empty boxes"]
    shares = {}
    for label in ("with charts", "no narrow (phone) SVGs"):
        if label not in rows:
            continue
        cpu, wall = rows[label]
        shares[label] = (cpu - bare_cpu) / cpu
        what = "charts' share" if label == "with charts" else "share without the narrow SVGs"
        wall_share = "" if calls else f"  {(wall - bare_wall) / wall:7.1%}"
        print(f"  {name + ': ' + what:40} {shares[label]:7.1%}{wall_share}")
    return shares["with charts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--stat",
        choices=("median", "min"),
        default="median",
        help="min is steadier on a busy machine (other work only ever adds time)",
    )
    parser.add_argument(
        "--calls",
        action="store_true",
        help="count Python function calls instead of timing (steady on a busy machine)",
    )
    parser.add_argument("--save-html", type=Path, help="write the scorecard HTML here")
    parser.add_argument(
        "--compare", type=Path, help="also time this scorecard HTML (e.g. from another version)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chart-cost-") as folder:
        root = Path(folder)
        generate(root, 1, args.seed)
        (root / "smartdoc.yml").write_text("site_name: Bench\n", encoding="utf-8")
        scorecards = {"this": scorecard_html(root)}
        if args.save_html:
            args.save_html.write_text(scorecards["this"], encoding="utf-8")
        if args.compare:
            scorecards["compared"] = args.compare.read_text(encoding="utf-8")
        if args.runs < 1:
            return
        base_url = root.as_uri() + "/"
        jobs: dict[str, Callable[[], tuple[float, float]]] = {}
        run = count_calls if args.calls else measure
        for name, html in scorecards.items():
            bare, _ = without_charts(html)
            wide_only = NARROW.sub("", html)
            jobs[name] = functools.partial(run, html, base_url)
            jobs[f"{name}, empty boxes"] = functools.partial(run, bare, base_url)
            if wide_only != html:
                jobs[f"{name}, no narrow SVGs"] = functools.partial(run, wide_only, base_url)
        result = interleaved(args.runs, jobs, args.stat)
    for name, html in scorecards.items():
        print(describe(name, html))
    if args.calls:
        print("Python function calls of one layout and write (a steady proxy for CPU time)")
    else:
        print(
            f"{args.stat}s of {args.runs}, interleaved{' ' * (23 - len(args.stat))}CPU s   wall s"
        )
    shares = {name: report(name, result, args.calls) for name in scorecards}
    verdict = "met" if shares["this"] <= TARGET_SHARE else "missed"
    print(f"target: charts <= {TARGET_SHARE:.0%} of the scorecard's CPU time: {verdict}")


if __name__ == "__main__":
    main()
