"""Issue 12, units and numbers: percentage points, singular units, the precision written.

Each case is a worked example: the figure, its unit, and what a reader sees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from smartdoc import scoring
from smartdoc.load import load_plan
from smartdoc.model import Band
from smartdoc.site.format import (
    MAX_DECIMALS,
    format_age,
    format_change,
    format_inside,
    format_quantity,
    format_target,
    get_goal_precision,
)


@pytest.mark.parametrize(
    ("change", "pct", "unit", "digits", "expected"),
    [
        (7.1, 50.7, "%", 1, "+7.1 pts (+50.7%)"),  # not "+7.1% pts"
        (-0.1, -2.083, "%", 1, "−0.1 pts (−2.1%)"),
        (1800, 15.0, "followers", 0, "+1,800 (+15.0%)"),
        (-0.16, -17.02, "EUR per click", 2, "−0.16 (−17.0%)"),
        (20, None, "%", 0, "+20 pts"),  # from a baseline of 0: no relative change
        (None, None, "%", 0, "—"),
    ],
)
def test_change_of_a_percentage_is_in_points(
    change: float | None, pct: float | None, unit: str, digits: int, expected: str
) -> None:
    assert format_change(change, pct, unit, digits) == expected


@pytest.mark.parametrize(
    ("value", "unit", "digits", "expected"),
    [
        (1, "positions", None, "1 position"),
        (6.6, "positions", None, "6.6 positions"),
        (1, "leads per month", None, "1 lead per month"),  # the noun before "per" agrees
        (2, "leads per month", None, "2 leads per month"),
        (1, "hours", None, "1 hour"),
        (1, "Instagram followers", None, "1 Instagram follower"),
        (1, "days of stock", None, "1 day of stock"),
        (1, "replies", None, "1 reply"),
        (1, "boxes", None, "1 box"),
        (1, "news", None, "1 news"),  # not a plural
        (1, "EUR per click", None, "1 EUR per click"),  # codes are never changed
        (1, "kWh", None, "1 kWh"),
        (1, "position", None, "1 position"),
        (6.6, "position", None, "6.6 position"),  # nothing is made plural: write "positions"
        (1.0, "hours", 1, "1.0 hours"),  # only a number printed as exactly 1 is singular
        (0, "hours", None, "0 hours"),
        (1, "%", None, "1%"),
    ],
)
def test_a_plural_unit_is_singular_for_exactly_one(
    value: float, unit: str, digits: int | None, expected: str
) -> None:
    assert format_quantity(value, unit, digits) == expected


def test_targets_inside_counts_and_ages_read_as_sentences() -> None:
    assert format_target(0.8, "at-most", "EUR per click", (2, 2)) == "at most 0.80 EUR per click"
    assert format_target(35, "at-least", "%") == "at least 35%"
    assert format_target(Band(min=70, max=85), "range", "%") == "70–85%"
    assert format_inside(2, 3) == "2 of 3 inside"
    assert format_inside(0, 0) == "—"
    assert format_age(83) == "last figure 83 days ago"
    assert format_age(1) == "last figure 1 day ago"


PLAN = """\
---
title: Precision
period: {start: 2026-01-01, end: 2026-12-31}
goals:
  - id: paid-cpc
    title: Keep the cost per click of paid social at or below EUR 0.80 through 2026
    unit: EUR per click
    direction: at-most
    deadline: 2026-12-31
    baseline: {date: 2025-12-31, value: 0.94}
    target: 0.80
    measurements:
      - {date: 2026-02-01, value: 0.9}
      - {date: 2026-03-01, value: 0.86}
  - id: awareness
    title: Raise aided awareness from 14% to 22% by December 2026
    unit: "%"
    deadline: 2026-12-15
    baseline: {date: 2025-12-15, value: 14}
    target: 22
    measurements: data/awareness.csv
---
"""
CSV = "date,value\n2026-03-31,16\n2026-06-30,18.50\n2026-09-30,20.5\n"


def test_figures_print_with_the_decimals_their_author_wrote(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    (plans / "data").mkdir(parents=True)
    (plans / "precision.md").write_text(PLAN, encoding="utf-8")
    (plans / "data" / "awareness.csv").write_text(CSV, encoding="utf-8")
    loaded = load_plan(plans / "precision.md", tmp_path, plans)
    assert loaded.plan is not None and not loaded.problems
    cpc, awareness = loaded.plan.goals
    assert cpc.target == 0.8  # YAML reads 0.80 as 0.8 ...
    precision = get_goal_precision(cpc, loaded.decimals, 0)
    # ... and the page still says 0.80, as the title does
    assert format_target(cpc.target, "at-most", cpc.unit, precision.target) == (
        "at most 0.80 EUR per click"
    )
    figures = cpc.checkins_by_date
    assert [format_quantity(c.value, None, precision.of(c)) for c in figures] == ["0.9", "0.86"]
    assert precision.widest == 2  # computed figures (change, expected) get 2 decimals
    score = scoring.score_goal(cpc, dt.date(2026, 3, 15))
    change = score.phases.change
    assert format_change(change.abs, change.pct, cpc.unit, precision.widest) == "−0.08 (−8.5%)"
    # a CSV keeps what it wrote too: 18.50 stays 18.50, 16 stays 16; the target 22 stays 22
    written = get_goal_precision(awareness, loaded.decimals, 1)
    shown = [format_quantity(c.value, "%", written.of(c)) for c in awareness.checkins_by_date]
    assert shown == ["16%", "18.50%", "20.5%"]
    assert format_target(awareness.target, None, "%", written.target) == "22%"


def test_a_dropped_check_in_does_not_shift_the_decimals_of_the_next(tmp_path: Path) -> None:
    text = PLAN.replace("value: 0.9}", "value: TBD}")  # dropped by validation (E111)
    plans = tmp_path / "plans"
    (plans / "data").mkdir(parents=True)
    (plans / "precision.md").write_text(text, encoding="utf-8")
    (plans / "data" / "awareness.csv").write_text(CSV, encoding="utf-8")
    loaded = load_plan(plans / "precision.md", tmp_path, plans)
    assert loaded.plan is not None
    cpc = loaded.plan.goals[0]
    assert [c.value for c in cpc.measurements or []] == [0.86]
    precision = get_goal_precision(cpc, loaded.decimals, 0)
    assert precision.of(cpc.checkins_by_date[0]) == 2


def test_a_figure_with_thousands_of_decimals_prints_with_at_most_ten(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    text = PLAN.replace("value: 0.86}", "value: 0.86" + "0" * 5000 + "}").replace(
        "    measurements: data/awareness.csv\n", ""
    )
    (plans / "precision.md").write_text(text, encoding="utf-8")
    loaded = load_plan(plans / "precision.md", tmp_path, plans)
    assert loaded.plan is not None
    cpc = loaded.plan.goals[0]
    precision = get_goal_precision(cpc, loaded.decimals, 0)
    assert precision.widest == MAX_DECIMALS == 10
    shown = format_quantity(
        cpc.checkins_by_date[-1].value, None, precision.of(cpc.checkins_by_date[-1])
    )
    assert shown == "0.8600000000"
