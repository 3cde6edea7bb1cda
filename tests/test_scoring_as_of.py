"""Issue 12, scoring: as-of judging, the stale marker, band goals with `hold`, "n of m inside".

Worked examples with the numbers written out (docs/scoring.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smartdoc import scoring
from smartdoc.cadence import staleness_window
from smartdoc.model import Goal, Period
from smartdoc.site import plans_json

D = dt.date.fromisoformat
PERIOD_2026 = Period(start=D("2026-01-01"), end=D("2026-12-31"))


def goal(**fields: Any) -> Goal:
    """Return a goal; figures are written as (date, value) pairs."""
    for key in ("baseline", "final"):
        if isinstance(fields.get(key), tuple):
            day, value = fields[key]
            fields[key] = {"date": D(day), "value": value}
    for key in ("measurements", "interim"):
        if key in fields:
            fields[key] = [{"date": D(day), "value": value} for day, value in fields[key]]
    if isinstance(fields.get("deadline"), str):
        fields["deadline"] = D(fields["deadline"])
    return Goal.model_validate(fields)


def cost(*checkins: tuple[str, float], **extra: Any) -> Goal:
    """Cost per lead 100 -> 60 EUR from 1 January to 31 December 2027 (364 days)."""
    fields: dict[str, Any] = {
        "id": "cost",
        "baseline": ("2027-01-01", 100),
        "target": 60,
        "deadline": "2027-12-31",
        "frequency": "monthly",
        "measurements": list(checkins),
    }
    return goal(**{**fields, **extra})


# --- as-of date: a goal is judged on the figure it has --------------------------------------


def test_goal_is_judged_at_the_date_of_its_latest_figure_not_at_today() -> None:
    # 82 on 2 July: p = 18 / 40 = 0.45; on 2 July 182 of 364 days have passed, e = 0.50
    g = cost(("2027-07-02", 82))
    on_the_day = scoring.score_goal(g, D("2027-07-02"))
    four_weeks_on = scoring.score_goal(g, D("2027-07-30"))
    for score in (on_the_day, four_weeks_on):
        assert score.as_of == D("2027-07-02")
        assert score.progress == pytest.approx(0.45)
        assert score.expected == 0.5
        assert score.expected_value == 80  # 100 - 0.5 x 40
        assert score.status == "on-track"  # 0.45 >= 0.50 - 0.10
    # judged at today (the old rule) the same figure would read at risk on 30 July:
    # 210 / 364 = 0.577 expected, and 0.45 < 0.577 - 0.10
    assert scoring.decide_status(
        is_started=True,
        has_figure=True,
        band_met=None,
        progress=0.45,
        expected=scoring.get_expected(g, D("2027-07-30")),
        is_past_deadline=False,
    ) == ("at-risk")


def test_the_example_newsletter_goal_no_longer_slides_between_check_ins() -> None:
    # init's example: 2,000 on 31 Dec 2025 -> 3,200 by 31 Dec 2026, 2,600 by 30 June;
    # 1 November: 2,950. Interim pace on 1 Nov: 2,600 + 600 x 124/184 = 3,004.3 subscribers,
    # e = 1,004.3 / 1,200 = 0.8370; p = 950 / 1,200 = 0.7917: on track (0.79 >= 0.74)
    g = goal(
        baseline=("2025-12-31", 2000),
        target=3200,
        deadline="2026-12-31",
        interim=[("2026-06-30", 2600)],
        measurements=[("2026-10-01", 2860), ("2026-11-01", 2950)],
    )
    for today in ("2026-11-01", "2026-11-23"):
        score = scoring.score_goal(g, D(today), period=PERIOD_2026)
        assert score.expected == pytest.approx((2600 + 600 * 124 / 184 - 2000) / 1200)
        assert score.progress == pytest.approx(950 / 1200)
        assert score.status == "on-track", today
    # at today (23 November, 146/184 of the second leg) it would have asked 0.9058: at risk
    assert scoring.get_expected(g, D("2026-11-23")) == pytest.approx(
        (2600 + 600 * 146 / 184 - 2000) / 1200
    )


def test_a_final_figure_sets_the_as_of_date() -> None:
    g = cost(("2027-06-01", 80), final=("2027-12-20", 64))
    score = scoring.score_goal(g, D("2028-01-10"))
    assert score.as_of == D("2027-12-20")
    assert score.expected == pytest.approx(353 / 364)
    assert score.status == "missed"  # the deadline has passed and p = 0.9 < 1


def test_figures_after_today_are_ignored_for_the_as_of_date() -> None:
    g = cost(("2027-06-01", 80), ("2027-07-01", 70))
    score = scoring.score_goal(g, D("2027-06-20"))
    assert score.as_of == D("2027-06-01")
    assert score.current is not None and score.current.value == 80
    assert score.expected == pytest.approx(151 / 364)


def test_without_a_figure_there_is_no_as_of_date_and_no_pace() -> None:
    score = scoring.score_goal(cost(), D("2027-06-01"))
    assert (score.as_of, score.expected, score.expected_value) == (None, None, None)
    assert score.status == "no-data"


# --- stale: the latest figure older than the cadence allows (P101's window) ----------------


@pytest.mark.parametrize(
    ("today", "days", "stale"),
    [
        ("2027-07-05", 34, False),  # monthly: 31 days + 3 of grace = 34 allowed
        ("2027-07-06", 35, True),
        ("2027-08-23", 83, True),
    ],
)
def test_a_monthly_goal_is_stale_after_34_days(today: str, days: int, stale: bool) -> None:
    score = scoring.score_goal(cost(("2027-06-01", 80)), D(today))
    assert (score.stale is not None) is stale
    if stale:
        assert score.stale == scoring.Staleness(last=D("2027-06-01"), days=days, window=34)
    assert score.status == "on-track"  # stale stands beside the status, never instead


def test_staleness_counts_from_the_latest_check_in_not_the_first() -> None:
    # check-ins on 1 February and 1 June; on 20 June the latest is 19 days old (window 34)
    score = scoring.score_goal(cost(("2027-02-01", 95), ("2027-06-01", 80)), D("2027-06-20"))
    assert score.stale is None
    later = scoring.score_goal(cost(("2027-02-01", 95), ("2027-06-01", 80)), D("2027-07-06"))
    assert later.stale == scoring.Staleness(last=D("2027-06-01"), days=35, window=34)


def test_without_a_frequency_the_configured_staleness_days_apply() -> None:
    g = cost(("2027-06-01", 80), frequency=None)
    assert staleness_window(g).days == 45
    assert scoring.score_goal(g, D("2027-07-16")).stale is None  # 45 days
    assert scoring.score_goal(g, D("2027-07-17")).stale is not None  # 46 days
    assert scoring.score_goal(g, D("2027-07-10"), staleness_days=30).stale is not None


@pytest.mark.parametrize(
    ("g", "today"),
    [
        (cost(("2027-06-01", 80), final=("2027-09-01", 70)), "2027-11-01"),  # final is in
        (cost(("2027-06-01", 80)), "2028-01-15"),  # after the deadline: P102 asks for a final
        (cost(), "2027-11-01"),  # no figure at all: the status says no-data
        (cost(("2026-12-01", 80)), "2026-12-20"),  # before the baseline date: nothing is due
    ],
    ids=["final", "after-deadline", "no-figure", "before-baseline"],
)
def test_no_stale_marker_while_check_ins_are_not_due(g: Goal, today: str) -> None:
    assert scoring.score_goal(g, D(today)).stale is None


def test_stale_in_plans_json_beside_its_as_of_date() -> None:
    data = plans_json.goal_to_json(scoring.score_goal(cost(("2027-06-01", 80)), D("2027-08-23")))
    assert (data["stale"], data["as_of"], data["status"]) == (True, "2027-06-01", "on-track")


# --- band goals: hold, and one "n of m inside" ---------------------------------------------

#: Kessler's open rate per 2026 issue: 33.5, 34.8 and 34.6 are below 35%.
OPEN_RATES = [
    ("2026-02-01", 33.5),
    ("2026-03-01", 34.8),
    ("2026-04-01", 36.1),
    ("2026-05-01", 35.7),
    ("2026-06-01", 37.2),
    ("2026-07-01", 36.4),
    ("2026-08-01", 34.6),
    ("2026-09-01", 36.9),
    ("2026-10-01", 37.5),
    ("2026-11-01", 38.1),
]


def open_rate(**extra: Any) -> Goal:
    """Keep the newsletter open rate at 35% or above for every 2026 issue."""
    return goal(
        id="open-rate",
        direction="at-least",
        baseline=("2025-12-31", 31),
        target=35,
        deadline="2026-12-31",
        measurements=OPEN_RATES,
        **extra,
    )


@pytest.mark.parametrize(
    ("hold", "status"),
    [
        (None, "breached"),  # all (the default): 3 of 10 issues were below 35%
        ("all", "breached"),
        ("latest", "met"),  # the current figure, 38.1%, is inside
        (0.7, "met"),  # 7 of 10 = 0.7 >= 0.7
        (0.75, "breached"),  # 7 of 10 < 7.5
    ],
)
def test_every_issue_means_every_check_in(hold: Any, status: str) -> None:
    extra = {} if hold is None else {"hold": hold}
    score = scoring.score_goal(open_rate(**extra), D("2026-11-23"), period=PERIOD_2026)
    assert score.band is not None
    assert (score.band.inside, score.band.total) == (7, 10)
    assert score.band.current_inside is True
    assert score.status == status
    assert score.attainment == 0.7  # a band goal counts as its share inside
    assert plans_json.goal_to_json(score)["inside"] == {"n": 7, "m": 10}


def test_the_final_figure_counts_as_a_check_in() -> None:
    # at most 4 hours: 3.5 and 4.5 are check-ins, 4.0 the final: 2 of 3 inside, everywhere
    g = goal(
        direction="at-most",
        target=4,
        measurements=[("2027-02-01", 3.5), ("2027-03-01", 4.5)],
        final=("2027-03-25", 4.0),
    )
    score = scoring.score_goal(g, D("2027-04-01"))
    assert score.band is not None
    assert (score.band.inside, score.band.total) == (2, 3)
    assert score.status == "breached"  # 4.5 broke the ceiling in March
    assert plans_json.goal_to_json(score)["inside"] == {"n": 2, "m": 3}
    # before the final is dated, it is not counted
    early = scoring.score_goal(g, D("2027-03-20"))
    assert early.band is not None and (early.band.inside, early.band.total) == (1, 2)


def test_band_bounds_stay_inclusive_with_a_hold() -> None:
    g = goal(direction="range", target={"min": 70, "max": 85}, measurements=[("2026-08-01", 70)])
    g85 = goal(direction="range", target={"min": 70, "max": 85}, measurements=[("2026-08-01", 85)])
    for band_goal in (g, g85):
        score = scoring.score_goal(band_goal, D("2026-09-01"))
        assert score.status == "met"
