"""No two chart labels overlap, and no label sits on a line it does not name (docs/theme.md#charts).

Over every goal of the example plans (plans/*.md), of the valid corpus, of 20 generated
plans (bench/generate.py: 200 goals) and 200 more goals drawn by Hypothesis with a fixed
seed (bands, interim targets, negative, huge and tiny figures, far-apart dates). Every
rendering of a chart (wide and narrow) is checked. Text boxes come from the shipped DejaVu
Sans metrics; tests/test_chart_text_size.py checks in Chromium that real text is no wider.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from chart_geometry import collisions, labels, lines, svgs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from smartdoc.load import load_plan
from smartdoc.model import Goal
from smartdoc.site.charts import ChartData, chart_data_from_goal, render_chart

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "plans").glob("*.md")) + sorted(
    (REPO / "tests" / "corpus" / "valid").glob("*.md")
)


def _goals(path: Path, root: Path, plans_dir: Path) -> list[Goal]:
    plan = load_plan(path, root, plans_dir).plan
    assert plan is not None, path
    return list(plan.goals or [])


def _check(data: ChartData, name: str) -> list[str]:
    problems = []
    for root in svgs(render_chart(data, id_prefix="g")):
        variant = root.attrib.get("class", "")
        problems += [f"{name} [{variant}]: {p}" for p in collisions(root)]
    return problems


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_charts_have_no_collisions(path: Path) -> None:
    root = path.parent.parent if path.parent.name == "plans" else path.parent
    goals = _goals(path, root, path.parent)
    assert goals
    problems = [p for g in goals for p in _check(chart_data_from_goal(g), f"{path.name}:{g.id}")]
    assert problems == []


def test_generated_plans_have_no_collisions(tmp_path: Path) -> None:
    files = generate(tmp_path, 20, seed=7)
    goals = [g for f in files for g in _goals(f, tmp_path, tmp_path / "plans")]
    assert len(goals) == 200
    problems = [p for g in goals for p in _check(chart_data_from_goal(g), f"{g.title}")]
    assert problems == []


# --- Hypothesis: wilder goals ---------------------------------------------------------------

REGIMES = ((0.0, 1.0), (0.0, 100.0), (1_000.0, 60_000.0), (-50.0, 50.0), (0.0, 2e9))
UNITS = ("", "%", "EUR", "followers", "sessions per month")


@st.composite
def chart_data(draw: st.DrawFn) -> ChartData:
    """Return a goal's chart numbers: any direction, 0-16 check-ins, dates days to years apart."""
    low, high = draw(st.sampled_from(REGIMES))
    value = st.floats(low, high, allow_nan=False, allow_infinity=False)
    start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)))
    spacing = draw(st.sampled_from((1, 7, 30, 91, 365)))
    count = draw(st.integers(0, 16))
    offsets = sorted(draw(st.lists(st.integers(0, 14 * spacing), min_size=count, max_size=count)))
    checkins = tuple((start + dt.timedelta(days=o + 1), draw(value)) for o in offsets)
    direction = draw(st.sampled_from(("increase", "decrease", "at-least", "at-most", "range")))
    target: float | tuple[float, float] = draw(value)
    if direction == "range":
        target = tuple(sorted((draw(value), draw(value))))  # type: ignore[assignment]
    last = start + dt.timedelta(days=(offsets[-1] if offsets else 0) + 1)
    deadline = last + dt.timedelta(days=draw(st.integers(0, 20 * spacing)))
    interim = tuple(
        (start + dt.timedelta(days=draw(st.integers(1, 14 * spacing))), draw(value))
        for _ in range(draw(st.integers(0, 3)))
    )
    final = None
    if draw(st.booleans()):
        final = (deadline + dt.timedelta(days=draw(st.integers(0, 40))), draw(value))
    return ChartData(
        "Goal",
        metric="Figure",
        unit=draw(st.sampled_from(UNITS)),
        direction=direction,
        baseline=(start, draw(value)) if draw(st.booleans()) else None,
        checkins=checkins,
        final=final,
        target=target if draw(st.integers(0, 9)) else None,
        deadline=deadline if draw(st.integers(0, 9)) else None,
        interim=tuple(sorted(interim)),
    )


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(chart_data())
def test_drawn_goals_have_no_collisions(data: ChartData) -> None:
    assert _check(data, "drawn") == []


# --- the checker itself -----------------------------------------------------------------------


def test_checker_sees_an_overlap_and_a_label_on_a_line() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" font-size="11">'
        '<line class="target" x1="0" y1="50" x2="300" y2="50"/>'
        '<polyline class="series" points="0,100 300,100"/>'
        '<text x="10" y="20">Jan 2026</text><text x="30" y="20">Feb 2026</text>'
        '<text x="100" y="54" data-names="series" font-weight="bold">3,210</text>'
        '<text x="100" y="104" data-names="series">ok on its own line</text>'
        "</svg>"
    )
    (root,) = svgs(svg)
    assert len(labels(root)) == 4 and {line.name for line in lines(root)} == {"target", "series"}
    assert collisions(root) == [
        "'3,210' sits on the target line",
        "'Jan 2026' overlaps 'Feb 2026'",
    ]
