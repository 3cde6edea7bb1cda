"""Scores and status (docs/scoring.md): worked examples to check by hand, then properties."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsontree import assert_json_equal

from smartdoc import scoring
from smartdoc.model import Checkin, Goal, Period, Plan
from smartdoc.scoring import STATUSES
from smartdoc.site import plans_json

D = dt.date.fromisoformat
TODAY = D("2027-06-15")
PERIOD_2027 = {"start": D("2027-01-01"), "end": D("2027-12-31")}


def figure(day: str, value: float, note: str | None = None) -> dict[str, Any]:
    """Return a check-in mapping as the loader hands it to the model."""
    return {"date": D(day), "value": value, **({"note": note} if note else {})}


def make_goal(**fields: Any) -> Goal:
    """Return a goal; `deadline` may be a string, figures are `figure(...)` mappings."""
    if isinstance(fields.get("deadline"), str):
        fields["deadline"] = D(fields["deadline"])
    return Goal.model_validate(fields)


def cost_goal(*checkins: tuple[str, float], **extra: Any) -> Goal:
    """Return the running example of a decrease goal: cost 100 -> 60 during 2027."""
    fields: dict[str, Any] = {
        "id": "cost",
        "title": "Cut cost per lead from 100 to 60 EUR by December 2027",
        "baseline": figure("2027-01-01", 100),
        "target": 60,
        "deadline": "2027-12-31",
        "measurements": [figure(day, value) for day, value in checkins],
    }
    return make_goal(**{**fields, **extra})


def followers_goal(**extra: Any) -> Goal:
    """Return the Northwind Instagram goal: 12,000 -> 18,000 by 30 June 2027."""
    fields: dict[str, Any] = {
        "id": "ig-followers",
        "title": "Grow Instagram followers from 12,000 to 18,000",
        "kind": "quantitative",
        "unit": "followers",
        "direction": "increase",
        "deadline": "2027-06-30",
        "baseline": figure("2026-12-31", 12000),
        "target": 18000,
        "interim": [figure("2027-03-31", 14000)],
        "measurements": [
            figure("2027-02-01", 12900, "Reels test started"),
            figure("2027-03-01", 13800),
        ],
        "final": figure("2027-07-01", 17650),
        "weight": 2,
    }
    fields.update(extra)
    return make_goal(**fields)


# --- progress -----------------------------------------------------------------------------


def test_decrease_goal_halfway_has_progress_one_half() -> None:
    score = scoring.score_goal(cost_goal(("2027-06-01", 80)), TODAY)
    assert score.direction == "decrease"
    assert score.progress == 0.5


def test_decrease_goal_moving_away_has_negative_progress() -> None:
    assert scoring.get_progress(cost_goal(("2027-06-01", 110)), TODAY) == -0.25


def test_increase_goal_moving_away_has_negative_progress() -> None:
    goal = followers_goal(measurements=[figure("2027-03-01", 11400)], final=None)
    assert scoring.get_progress(goal, TODAY) == pytest.approx(-0.1)


def test_progress_is_not_clamped_above_one() -> None:
    assert scoring.get_progress(cost_goal(("2027-06-01", 40)), TODAY) == 1.5


def test_current_value_is_latest_by_date_not_best_nor_last_listed() -> None:
    goal = followers_goal(
        final=None,
        measurements=[
            figure("2027-03-01", 13800),
            figure("2027-01-15", 15000),
            figure("2027-02-01", 12900),
        ],
    )
    current = scoring.current_checkin(goal, TODAY)
    assert current is not None and current.value == 13800
    assert scoring.get_progress(goal, TODAY) == pytest.approx(0.3)
    assert [c.value for c in scoring.score_goal(goal, TODAY).phases.during] == [15000, 12900, 13800]


def test_final_overrides_checkins() -> None:
    goal = followers_goal(measurements=[figure("2027-06-20", 18500)])
    score = scoring.score_goal(goal, D("2027-07-15"))
    assert score.current is not None and score.current.value == 17650
    assert score.progress == pytest.approx(0.941667, abs=1e-6)
    assert score.status == "missed"  # the check-in reached 18,500 but the final says 17,650


def test_figures_dated_after_today_are_ignored() -> None:
    goal = followers_goal()  # final dated 2027-07-01
    score = scoring.score_goal(goal, TODAY)
    assert score.phases.after is None
    assert score.current is not None and score.current.value == 13800


def test_progress_is_none_without_numbers() -> None:
    checkin = [figure("2027-02-01", 5)]
    assert scoring.get_progress(make_goal(target=10, measurements=checkin), TODAY) is None
    no_target = make_goal(baseline=figure("2027-01-01", 1), measurements=checkin)
    assert scoring.get_progress(no_target, TODAY) is None
    flat = make_goal(baseline=figure("2027-01-01", 10), target=10, measurements=checkin)
    assert scoring.get_progress(flat, TODAY) is None
    no_figure = make_goal(baseline=figure("2027-01-01", 1), target=10)
    assert scoring.get_progress(no_figure, TODAY) is None


@pytest.mark.parametrize(
    ("fields", "direction"),
    [
        ({"target": {"min": 40, "max": 60}}, "range"),
        ({"target": 18, "baseline": figure("2027-01-01", 12)}, "increase"),
        ({"target": 12, "baseline": figure("2027-01-01", 12)}, "increase"),
        ({"target": 6, "baseline": figure("2027-01-01", 12)}, "decrease"),
        ({"target": 6}, None),
        ({"target": 6, "baseline": figure("2027-01-01", 12), "direction": "at-most"}, "at-most"),
    ],
)
def test_direction_is_inferred_when_missing(fields: dict[str, Any], direction: str | None) -> None:
    assert scoring.infer_direction(make_goal(**fields)) == direction


# --- bands --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (40, "met"),
        (60, "met"),
        (50, "met"),
        (39.99, "breached"),
        (60.01, "breached"),
    ],
)
def test_range_bounds_are_inclusive(value: float, status: str) -> None:
    goal = make_goal(
        target={"min": 40, "max": 60},
        deadline="2027-12-31",
        baseline=figure("2027-01-01", 30),
        measurements=[figure("2027-05-01", value)],
    )
    assert scoring.get_status(goal, TODAY) == status


@pytest.mark.parametrize(
    ("direction", "value", "met"),
    [
        ("at-least", 4.5, True),
        ("at-least", 4.49, False),
        ("at-least", 9, True),
        ("at-most", 2.0, True),
        ("at-most", 2.1, False),
        ("at-most", -3, True),
    ],
)
def test_floor_and_ceiling_bounds_are_inclusive(direction: str, value: float, met: bool) -> None:
    target = 4.5 if direction == "at-least" else 2.0
    goal = make_goal(direction=direction, target=target, measurements=[figure("2027-05-01", value)])
    band = scoring.get_band(goal, TODAY)
    assert band is not None and band.met is met
    assert scoring.get_progress(goal, TODAY) is None  # bands are met or breached, not paced


def test_band_history_counts_checkins_inside() -> None:
    goal = make_goal(
        target={"min": 40, "max": 60},
        measurements=[
            figure("2027-01-31", 35),
            figure("2027-02-28", 45),
            figure("2027-03-31", 60),
            figure("2027-04-30", 65),
        ],
    )
    band = scoring.get_band(goal, TODAY)
    assert band == scoring.BandScore(
        low=40, high=60, met=False, inside=2, total=4, hold="all", current_inside=False
    )
    assert scoring.get_status(goal, TODAY) == "breached"


def test_band_goal_met_after_deadline_is_not_missed() -> None:
    goal = make_goal(
        direction="at-least",
        target=4.5,
        deadline="2027-03-31",
        measurements=[figure("2027-05-01", 4.6)],
    )
    assert scoring.get_status(goal, TODAY) == "met"


# --- expected pace ------------------------------------------------------------------------


def test_expected_is_share_of_time_passed() -> None:
    goal = cost_goal()  # 2027-01-01 -> 2027-12-31: 364 days
    assert scoring.get_expected(goal, D("2027-07-02")) == 0.5
    assert scoring.get_expected(goal, D("2026-06-01")) == 0.0
    assert scoring.get_expected(goal, D("2028-06-01")) == 1.0


def test_expected_follows_interim_targets() -> None:
    # 12,000 on 2026-12-31 -> 14,000 on 2027-03-31 (90 days) -> 18,000 on 2027-06-30 (91 days)
    goal = followers_goal()
    # 45 of 90 days: expected 13,000 followers = 1,000 of the 6,000 to gain
    assert scoring.get_expected(goal, D("2027-02-14")) == pytest.approx(1000 / 6000)
    # on the interim date: 14,000 = 2,000 / 6,000
    assert scoring.get_expected(goal, D("2027-03-31")) == pytest.approx(1 / 3)
    # 45 of 91 days after it: 14,000 + 4,000 x 45/91 = 15,978.02 followers
    assert scoring.get_expected(goal, D("2027-05-15")) == pytest.approx(3978.021978 / 6000)
    # a straight line would expect 135/181 = 0.7459 that day
    straight = followers_goal(interim=None)
    assert scoring.get_expected(straight, D("2027-05-15")) == pytest.approx(135 / 181)


def test_interim_points_are_sorted_and_out_of_span_ones_ignored() -> None:
    listed = followers_goal(
        interim=[
            figure("2027-05-31", 17000),
            figure("2027-08-01", 99999),
            figure("2027-03-31", 14000),
        ]
    )
    sorted_once = followers_goal(interim=[figure("2027-03-31", 14000), figure("2027-05-31", 17000)])
    for day in ("2027-02-01", "2027-04-15", "2027-06-10"):
        assert scoring.get_expected(listed, D(day)) == scoring.get_expected(sorted_once, D(day))


def test_interim_above_target_keeps_expected_within_one() -> None:
    goal = followers_goal(interim=[figure("2027-03-31", 20000)])
    assert scoring.get_expected(goal, D("2027-03-31")) == 1.0


@pytest.mark.parametrize(
    "fields",
    [
        {"deadline": "2027-12-31"},  # no baseline date
        {"baseline": figure("2027-01-01", 100)},  # no deadline
        {"baseline": figure("2027-12-31", 100), "deadline": "2027-12-31"},  # no time at all
        {
            "baseline": figure("2027-01-01", 100),
            "deadline": "2027-12-31",
            "direction": "at-most",
            "target": 60,
        },  # bands are not paced
    ],
)
def test_expected_is_none_where_undefined(fields: dict[str, Any]) -> None:
    assert scoring.get_expected(make_goal(**fields), TODAY) is None


# --- status -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "status"),
    [
        (80, "on-track"),  # p 0.50, e 0.50
        (84, "on-track"),  # p 0.40 = e - tolerance: bounds inclusive
        (86, "at-risk"),  # p 0.35
        (88, "at-risk"),  # p 0.30 = e - 2 x tolerance
        (90, "off-track"),  # p 0.25
        (60, "achieved"),
        (50, "achieved"),
        (120, "off-track"),  # moving away
    ],
)
def test_status_against_pace_with_default_tolerance(current: float, status: str) -> None:
    # the check-in of 2 July is 182 of 364 days in: e = 0.5 on that day, whatever today is
    goal = cost_goal(("2027-07-02", current))
    assert scoring.get_status(goal, D("2027-07-02"), period=None) == status
    assert scoring.get_status(goal, D("2027-07-30"), period=None) == status


def test_status_uses_the_tolerance_given() -> None:
    goal = cost_goal(("2027-07-02", 86))  # p 0.35 against e 0.5
    assert scoring.get_status(goal, D("2027-07-02"), 0.05) == "off-track"
    assert scoring.get_status(goal, D("2027-07-02"), 0.15) == "on-track"


def test_not_started_before_the_plan_period() -> None:
    goal = cost_goal(("2026-12-01", 60))
    period = Period.model_validate(PERIOD_2027)
    assert scoring.get_status(goal, D("2026-12-15"), period=period) == "not-started"
    # without a period, the baseline date starts the clock
    assert scoring.get_status(goal, D("2026-12-15")) == "not-started"
    assert scoring.get_status(goal, D("2027-01-01")) == "achieved"


def test_no_data_until_a_checkin_or_final() -> None:
    assert scoring.get_status(cost_goal(), TODAY) == "no-data"
    assert scoring.get_status(cost_goal(("2027-07-01", 80)), TODAY) == "no-data"  # after today
    assert scoring.get_status(cost_goal(("2027-06-01", 80)), TODAY) == "on-track"


def test_missed_once_the_deadline_has_passed() -> None:
    goal = cost_goal(("2027-12-20", 64))  # p 0.9
    assert scoring.get_status(goal, D("2027-12-31")) == "on-track"  # the deadline day itself
    assert scoring.get_status(goal, D("2028-01-01")) == "missed"
    assert scoring.get_status(cost_goal(("2027-12-20", 59)), D("2028-01-01")) == "achieved"


def test_goal_without_deadline_has_no_pace_to_judge() -> None:
    goal = make_goal(
        baseline=figure("2027-01-01", 100), target=60, measurements=[figure("2027-06-01", 80)]
    )
    assert scoring.get_progress(goal, TODAY) == 0.5
    assert scoring.get_status(goal, TODAY) == "no-data"


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"is_started": False, "has_figure": False}, "not-started"),
        ({"is_started": False, "progress": 2.0}, "not-started"),
        ({"has_figure": False, "progress": 2.0}, "no-data"),
        ({"band_met": True, "progress": -1.0, "is_past_deadline": True}, "met"),
        ({"band_met": False, "progress": 2.0}, "breached"),
        ({"progress": 1.0, "is_past_deadline": True}, "achieved"),
        ({"progress": 0.99, "is_past_deadline": True, "expected": 0.0}, "missed"),
        ({"progress": 0.2, "expected": None}, "no-data"),
    ],
)
def test_status_precedence(kwargs: dict[str, Any], status: str) -> None:
    arguments = {
        "is_started": True,
        "has_figure": True,
        "band_met": None,
        "progress": None,
        "expected": 0.5,
        "is_past_deadline": False,
        **kwargs,
    }
    assert scoring.decide_status(**arguments) == status


# --- phases -------------------------------------------------------------------------------


def test_phase_comparison_of_the_design_example() -> None:
    phases = scoring.score_goal(followers_goal(), D("2027-07-15")).phases
    assert phases.before is not None and phases.before.value == 12000
    assert [c.value for c in phases.during] == [12900, 13800]
    assert phases.latest is not None and phases.latest.value == 13800
    assert phases.after is not None and phases.after.value == 17650
    assert phases.target == 18000
    assert (phases.change.basis, phases.change.abs) == ("after", 5650)
    assert phases.change.pct == pytest.approx(47.0833, abs=1e-4)  # +5,650 on 12,000


def test_change_uses_latest_checkin_without_final() -> None:
    change = scoring.get_change(followers_goal(final=None), TODAY)
    assert (change.basis, change.abs) == ("latest", 1800)
    assert change.pct == pytest.approx(15.0)


def test_change_pct_is_none_for_a_zero_baseline() -> None:
    goal = make_goal(
        baseline=figure("2027-01-01", 0), target=50, measurements=[figure("2027-03-01", 20)]
    )
    assert scoring.get_change(goal, TODAY) == scoring.Change(basis="latest", abs=20, pct=None)


def test_change_is_empty_without_figures() -> None:
    assert scoring.get_change(cost_goal(), TODAY) == scoring.Change(basis=None, abs=None, pct=None)


# --- roll-ups -----------------------------------------------------------------------------


def plan_with(*goals: Goal, **fields: Any) -> Plan:
    """Return a 2027 plan holding `goals`."""
    data: dict[str, Any] = {"title": "Plan", "period": PERIOD_2027, **fields}
    return Plan.model_validate({**data, "goals": [goal.model_dump() for goal in goals]})


def test_status_counts_list_every_status_in_a_stable_order() -> None:
    plan = plan_with(
        cost_goal(("2027-06-01", 80), id="a"),
        cost_goal(id="b"),
        cost_goal(("2027-06-01", 60), id="c"),
    )
    counts = scoring.score_plan(plan, TODAY, slug="p").status_counts
    assert list(counts) == list(STATUSES)
    assert counts["on-track"] == 1 and counts["no-data"] == 1 and counts["achieved"] == 1
    assert sum(counts.values()) == 3 and counts["missed"] == 0


def test_attainment_clamps_each_goal_but_keeps_raw_progress() -> None:
    runaway = cost_goal(("2027-06-01", 40), id="runaway")  # p 1.5
    halfway = cost_goal(("2027-06-01", 80), id="halfway")  # p 0.5
    backwards = cost_goal(("2027-06-01", 120), id="back", weight=2)  # p -0.5
    band = make_goal(
        id="band", direction="at-most", target=5, measurements=[figure("2027-06-01", 3)]
    )
    score = scoring.score_plan(plan_with(runaway, halfway, band), TODAY, slug="p")
    # (1.0 + 0.5 + 1.0) / 3: the band goal counts as its share inside, 1 of 1 (issue 12)
    assert score.attainment == pytest.approx(2.5 / 3)
    assert [g.progress for g in score.goals] == [1.5, 0.5, None]
    assert [g.attainment for g in score.goals] == [1.0, 0.5, 1.0]
    weighted = scoring.score_plan(plan_with(runaway, halfway, backwards), TODAY, slug="p")
    assert weighted.attainment == 0.375  # (1.0 + 0.5 + 2 x 0) / 4


def test_attainment_is_none_without_progress() -> None:
    assert scoring.score_plan(plan_with(cost_goal()), TODAY, slug="p").attainment is None


def test_smart_score_counts_checked_letters_only() -> None:
    plan = plan_with(cost_goal(id="a"), cost_goal(id="b"), cost_goal(id="c"))
    smart: dict[str, dict[str, bool | None]] = {
        "a": {"S": True, "M": True, "A": False, "R": None, "T": True},
        "b": {"S": False, "M": True},
    }
    score = scoring.score_plan(plan, TODAY, slug="p", smart=smart)
    assert (score.smart.met, score.smart.checked) == (4, 6)
    assert score.smart.score == pytest.approx(2 / 3)
    assert score.goals[1].smart == {"S": False, "M": True, "A": None, "R": None, "T": None}
    assert scoring.score_plan(plan, TODAY, slug="p").smart.score is None


def test_budget_allocated_against_plan_total() -> None:
    plan = plan_with(
        cost_goal(id="a", budget=8000),
        cost_goal(id="b", budget=35000),
        cost_goal(id="c"),
        budget={"total": 40000, "currency": "EUR"},
    )
    budget = scoring.score_plan(plan, TODAY, slug="p").budget
    assert (budget.allocated, budget.total, budget.currency) == (43000, 40000, "EUR")
    assert budget.remaining == -3000 and budget.is_over is True
    assert budget.goals_with_budget == 2
    no_total = scoring.score_plan(plan_with(cost_goal(budget=10)), TODAY, slug="p").budget
    assert no_total.remaining is None and no_total.is_over is None


def test_portfolio_groups_goals_by_strategic_objective_across_plans() -> None:
    north = plan_with(
        cost_goal(("2027-06-01", 80), id="cpl", serves="revenue"),
        cost_goal(id="stray", serves="unknown"),
        strategy={"revenue": "Grow online revenue 3%", "brand": "Young brand"},
    )
    south = plan_with(
        cost_goal(("2027-06-01", 60), id="cpl", serves="revenue"),
        strategy={"revenue": "Online revenue +3%"},
    )
    scores = [
        scoring.score_plan(north, TODAY, slug="north"),
        scoring.score_plan(south, TODAY, slug="south"),
    ]
    by_key = {o.key: o for o in scoring.score_portfolio(scores)}
    assert list(by_key) == ["brand", "revenue", "unknown"]
    revenue = by_key["revenue"]
    assert revenue.plans == ("north", "south")
    assert revenue.descriptions == ("Grow online revenue 3%", "Online revenue +3%")
    assert [(g.plan, g.goal, g.status, g.progress) for g in revenue.goals] == [
        ("north", "cpl", "on-track", 0.5),
        ("south", "cpl", "achieved", 1.0),
    ]
    assert revenue.status_counts["on-track"] == 1 and revenue.status_counts["achieved"] == 1
    assert revenue.attainment == 0.75
    assert by_key["brand"].goals == () and sum(by_key["brand"].status_counts.values()) == 0
    assert by_key["unknown"].plans == () and len(by_key["unknown"].goals) == 1


# --- JSON ---------------------------------------------------------------------------------

GOAL_KEYS = {
    "id",
    "title",
    "kind",
    "direction",
    "unit",
    "status",
    "progress",
    "expected",
    "before",
    "during",
    "after",
    "target",
    "change",
    "smart",
}
PLAN_KEYS = {"slug", "title", "period", "status_counts", "attainment", "smart_score", "goals"}


def test_goal_json_has_the_design_keys_and_rounded_figures() -> None:
    score = scoring.score_goal(followers_goal(), D("2027-05-15"), smart={"S": True, "M": False})
    data = plans_json.goal_to_json(score)
    assert set(data) >= GOAL_KEYS
    # judged on 1 March, the date of its latest figure (the final of 1 July is not in yet):
    # the interim pace asks 12,000 + 2,000 x 60/90 = 13,333 followers that day, e = 0.2222;
    # 13,800 is 30% of the way: on track (at 15 May, e would be 0.663: off track)
    assert data["as_of"] == "2027-03-01"
    assert data["status"] == "on-track"
    assert data["progress"] == 0.3  # 13,800: 1,800 of 6,000
    assert data["expected"] == 0.2222  # 1,333.33 / 6,000 to 4 decimals
    assert_json_equal(data["before"], {"date": "2026-12-31", "value": 12000, "note": None})
    assert_json_equal(
        data["during"][0], {"date": "2027-02-01", "value": 12900, "note": "Reels test started"}
    )
    assert data["after"] is None  # dated after 2027-05-15
    assert_json_equal(data["target"], 18000)
    assert_json_equal(data["change"], {"abs": 1800, "pct": 15, "basis": "latest"})
    assert_json_equal(data["smart"], {"S": True, "M": False, "A": None, "R": None, "T": None})
    assert_json_equal(data["attainment_pct"], 30)
    assert_json_equal([data["weight"], data["deadline"]], [2, "2027-06-30"])
    json.dumps(data, allow_nan=False)


def test_band_goal_json_target_is_min_max() -> None:
    goal = make_goal(
        id="nps", target={"min": 40, "max": 60.5}, measurements=[figure("2027-02-01", 50)]
    )
    data = plans_json.goal_to_json(scoring.score_goal(goal, TODAY))
    assert_json_equal(data["target"], {"min": 40, "max": 60.5})
    assert_json_equal(
        data["band"],
        {"min": 40, "max": 60.5, "met": True, "hold": "all", "inside": 1, "total": 1},
    )
    assert_json_equal(data["inside"], {"n": 1, "m": 1})
    assert (data["status"], data["progress"], data["direction"]) == ("met", None, "range")


def test_plan_json_has_the_design_keys() -> None:
    plan = plan_with(
        followers_goal(), cost_goal(("2027-06-01", 80)), budget={"total": 40000, "currency": "EUR"}
    )
    data = plans_json.plans_json([scoring.score_plan(plan, TODAY, slug="northwind")], TODAY)
    assert data["version"] == 1 and data["today"] == "2027-06-15"
    plan_data = data["plans"][0]
    assert set(plan_data) >= PLAN_KEYS
    assert plan_data["period"] == {"start": "2027-01-01", "end": "2027-12-31"}
    assert plan_data["attainment"] == 0.3667  # (0.3 x weight 2 + 0.5) / 3
    assert list(plan_data["status_counts"]) == list(STATUSES)
    assert all(set(goal) >= GOAL_KEYS for goal in plan_data["goals"])
    text = json.dumps(data, allow_nan=False, sort_keys=True)
    again = plans_json.plans_json([scoring.score_plan(plan, TODAY, slug="northwind")], TODAY)
    assert json.dumps(again, allow_nan=False, sort_keys=True) == text


def test_negative_zero_prints_as_zero() -> None:
    goal = cost_goal(("2027-06-01", 100))
    data = plans_json.goal_to_json(scoring.score_goal(goal, TODAY))
    assert data["progress"] == 0 and str(data["progress"]) == "0"
    assert_json_equal(data["change"], {"abs": 0, "pct": 0, "basis": "latest"})


# --- area, override and objectives (issue 13) --------------------------------------------


def test_override_is_carried_beside_the_computed_status_never_instead() -> None:
    # 80 of the way from 100 to 60 by 15 June: p 0.5 (on track); 120 moves away: p -0.5
    override = {
        "status": "on-track",
        "reason": "Supplier credit note for May arrives in July",
        "date": D("2027-06-10"),
    }
    goal = cost_goal(("2027-06-01", 120), area="financial", override=override)
    score = scoring.score_goal(goal, TODAY, period=Period(**PERIOD_2027))
    assert (score.status, score.progress) == ("off-track", -0.5)
    assert score.override == scoring.OverrideScore(
        status="on-track",
        reason="Supplier credit note for May arrives in July",
        date=D("2027-06-10"),
        by=None,
    )
    data = plans_json.goal_to_json(score)
    assert data["status"] == "off-track" and data["area"] == "financial"
    assert data["override"] == {
        "status": "on-track",
        "reason": "Supplier credit note for May arrives in July",
        "date": "2027-06-10",
        "by": None,
    }
    plain = plans_json.goal_to_json(scoring.score_goal(cost_goal(), TODAY))
    assert plain["override"] is None and plain["area"] is None


def test_goal_area_outside_the_vocabulary_is_not_an_area() -> None:
    # `finance` is a Q106 finding; the roll-up must not grow a third area from it
    score = scoring.score_goal(cost_goal(area="finance"), TODAY)
    assert score.area is None


def test_area_roll_up_counts_goals_and_attainment_per_area() -> None:
    plan = plan_with(
        cost_goal(("2027-06-01", 80), id="a", area="financial"),  # p 0.5
        cost_goal(("2027-06-01", 40), id="b", area="financial"),  # p 1.5, counts as 1
        cost_goal(("2027-06-01", 120), id="c", area="communication"),  # p -0.5, counts as 0
        cost_goal(id="d"),  # no area, no data
    )
    areas = scoring.score_areas([scoring.score_plan(plan, TODAY, slug="p")])
    assert [(a.area, a.goal_count, a.attainment) for a in areas] == [
        ("financial", 2, 0.75),  # (0.5 + 1.0) / 2
        ("communication", 1, 0.0),
        (None, 1, None),  # goals without an area are shown, not hidden
    ]
    assert areas[0].status_counts["on-track"] == 1 and areas[0].status_counts["achieved"] == 1
    assert areas[1].status_counts["off-track"] == 1
    assert plans_json.areas_to_json(areas)[0] == {
        "area": "financial",
        "goals": 2,
        "status_counts": dict(areas[0].status_counts),
        "attainment": 0.75,
        "worst_status": "on-track",
    }


def test_area_roll_up_lists_both_areas_even_when_empty() -> None:
    areas = scoring.get_area_scores([])
    assert [(a.area, a.goal_count, a.attainment) for a in areas] == [
        ("financial", 0, None),
        ("communication", 0, None),
    ]


def test_portfolio_objectives_carry_title_area_and_horizon() -> None:
    north = plan_with(
        cost_goal(("2027-06-01", 80), id="cpl", serves="brand"),
        strategy={
            "brand": {"title": "Be seen as a young brand", "area": "communication"},
            "revenue": "Grow online revenue 3%",
        },
    )
    south = plan_with(
        cost_goal(id="reach", serves="brand"),
        strategy={"brand": {"title": "Young brand", "horizon": 2030}},
    )
    scores = [
        scoring.score_plan(north, TODAY, slug="north"),
        scoring.score_plan(south, TODAY, slug="south"),
    ]
    assert scores[0].strategy == {
        "brand": "Be seen as a young brand",
        "revenue": "Grow online revenue 3%",
    }
    objectives = plans_json.portfolio_to_json(scoring.score_portfolio(scores))
    brand = next(o for o in objectives if o["key"] == "brand")
    # the first plan sets the title (R106 reports the other); area and horizon fill in
    assert (brand["title"], brand["area"], brand["horizon"]) == (
        "Be seen as a young brand",
        "communication",
        2030,
    )
    assert brand["descriptions"] == ["Be seen as a young brand", "Young brand"]
    revenue = next(o for o in objectives if o["key"] == "revenue")
    assert (revenue["title"], revenue["area"], revenue["horizon"]) == (
        "Grow online revenue 3%",
        None,
        None,
    )


# --- properties ---------------------------------------------------------------------------

figures = st.floats(
    min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
days = st.dates(min_value=D("2020-01-01"), max_value=D("2034-12-31"))
SPAN = dt.timedelta(days=1)


@st.composite
def paced_goals(
    draw: st.DrawFn, *, direction: str | None = None, with_interim: bool = False
) -> Goal:
    """Draw an increase or decrease goal with baseline, target, deadline and check-ins."""
    baseline = draw(figures)
    target = draw(figures.filter(lambda t: t != baseline))
    if (direction == "increase" and target < baseline) or (
        direction == "decrease" and target > baseline
    ):
        baseline, target = target, baseline
    start = draw(days)
    deadline = start + dt.timedelta(days=draw(st.integers(1, 2000)))
    checkins = draw(
        st.lists(
            st.tuples(st.integers(0, 2500), figures), max_size=6, unique_by=lambda pair: pair[0]
        )
    )
    interim = draw(st.lists(st.tuples(st.integers(-10, 2010), figures), max_size=3))
    return make_goal(
        baseline={"date": start, "value": baseline},
        target=target,
        deadline=deadline,
        direction=direction,
        measurements=[{"date": start + dt.timedelta(days=d), "value": v} for d, v in checkins],
        interim=[{"date": start + dt.timedelta(days=d), "value": v} for d, v in interim]
        if with_interim
        else None,
    )


@st.composite
def any_goals(draw: st.DrawFn) -> Goal:
    """Draw a goal with any mix of fields present or missing."""
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["baseline"] = {"date": draw(days), "value": draw(figures)}
    target = draw(st.one_of(st.none(), figures, st.tuples(figures, figures).map(sorted)))
    if isinstance(target, list):
        fields["target"] = {"min": target[0], "max": target[1]}
    elif target is not None:
        fields["target"] = target
    fields["direction"] = draw(
        st.sampled_from([None, "increase", "decrease", "at-least", "at-most", "range"])
    )
    fields["deadline"] = draw(st.one_of(st.none(), days))
    fields["measurements"] = [
        {"date": d, "value": v} for d, v in draw(st.lists(st.tuples(days, figures), max_size=5))
    ]
    fields["interim"] = [
        {"date": d, "value": v} for d, v in draw(st.lists(st.tuples(days, figures), max_size=3))
    ]
    if draw(st.booleans()):
        fields["final"] = {"date": draw(days), "value": draw(figures)}
    fields["weight"] = draw(st.one_of(st.none(), st.floats(0, 10)))
    return make_goal(**fields)


def mirrored(goal: Goal) -> Goal:
    """Return the goal with every figure negated: a decrease becomes an increase."""

    def flip(checkin: Any) -> dict[str, Any] | None:
        return None if checkin is None else {"date": checkin.date, "value": -checkin.value}

    direction = {"increase": "decrease", "decrease": "increase"}.get(goal.direction or "")
    return make_goal(
        baseline=flip(goal.baseline),
        target=-goal.target,
        deadline=goal.deadline,  # type: ignore[operator]
        direction=direction,
        measurements=[flip(c) for c in goal.measurements or []],
        interim=[flip(c) for c in goal.interim or []] or None,
        final=flip(goal.final),
    )


RANK = {"off-track": 0, "at-risk": 1, "on-track": 2, "achieved": 3}


@pytest.mark.fuzz
@settings(deadline=None)
@given(paced_goals(direction="decrease", with_interim=True), days)
def test_decrease_goal_scores_like_its_mirrored_increase_goal(goal: Goal, today: dt.date) -> None:
    increase = mirrored(goal)
    assert increase.direction == "increase"
    decrease_score = scoring.score_goal(goal, today)
    increase_score = scoring.score_goal(increase, today)
    assert decrease_score.progress == increase_score.progress
    assert decrease_score.expected == increase_score.expected
    assert decrease_score.status == increase_score.status


@pytest.mark.fuzz
@settings(deadline=None)
@given(figures, figures, figures)
def test_decrease_progress_equals_mirrored_increase_progress(b: float, t: float, c: float) -> None:
    assume(t < b)
    assert scoring.progress_of(b, t, c) == scoring.progress_of(-b, -t, -c)


@pytest.mark.fuzz
@settings(deadline=None)
@given(figures, figures)
def test_progress_is_exactly_one_at_target_and_zero_at_baseline(b: float, t: float) -> None:
    assume(t != b)
    assert scoring.progress_of(b, t, t) == 1.0
    assert scoring.progress_of(b, t, b) == 0.0


@pytest.mark.fuzz
@settings(deadline=None)
@given(paced_goals(), st.integers(0, 3000))
def test_reaching_the_target_is_achieved(goal: Goal, offset: int) -> None:
    assert goal.baseline is not None
    today = goal.baseline.date + dt.timedelta(days=offset)
    final = goal.baseline.model_copy(update={"value": goal.target})
    reached = goal.model_copy(update={"final": final})
    score = scoring.score_goal(reached, today)
    assert score.progress == 1.0
    assert score.status == "achieved"


@pytest.mark.fuzz
@settings(deadline=None)
@given(figures, figures, st.floats(min_value=1e-3, max_value=1e6))
def test_moving_away_from_the_target_is_negative_progress(b: float, t: float, step: float) -> None:
    # a span of 1e-300 overflows step / span to inf: no plan's figures are that close
    assume(abs(t - b) > 1e-9)
    away = b - step if t > b else b + step
    progress = scoring.progress_of(b, t, away)
    assert progress is not None and progress < 0


@pytest.mark.fuzz
@settings(deadline=None)
@given(any_goals(), days, st.floats(0, 1))
def test_every_goal_gets_a_status_from_the_vocabulary(
    goal: Goal, today: dt.date, tolerance: float
) -> None:
    score = scoring.score_goal(goal, today, tolerance)
    assert score.status in STATUSES
    assert score.expected is None or 0.0 <= score.expected <= 1.0
    assert (score.band is not None) == (score.status in {"met", "breached"}) or score.status in {
        "not-started",
        "no-data",
    }
    json.dumps(plans_json.goal_to_json(score), allow_nan=False)


@pytest.mark.fuzz
@settings(deadline=None)
@given(paced_goals(), days, days)
def test_expected_pace_never_falls_as_days_pass(goal: Goal, day: dt.date, other: dt.date) -> None:
    earlier, later = sorted((day, other))
    first, second = scoring.get_expected(goal, earlier), scoring.get_expected(goal, later)
    assert first is not None and second is not None
    assert 0.0 <= first <= second <= 1.0


@pytest.mark.fuzz
@settings(deadline=None)
@given(paced_goals(), st.lists(st.floats(0, 1), min_size=1, max_size=4), days, days)
def test_expected_pace_never_falls_with_interim_steps_towards_the_target(
    goal: Goal, shares: list[float], day: dt.date, other: dt.date
) -> None:
    assert goal.baseline is not None and goal.deadline is not None
    b, t = goal.baseline.value, float(goal.target)  # type: ignore[arg-type]
    span = (goal.deadline - goal.baseline.date).days
    interim = [
        {
            "date": goal.baseline.date + dt.timedelta(days=span * (i + 1) // (len(shares) + 1)),
            "value": b + (t - b) * share,
        }
        for i, share in enumerate(sorted(shares))
    ]
    phased = make_goal(**{**goal.model_dump(), "interim": interim})
    earlier, later = sorted((day, other))
    first, second = scoring.get_expected(phased, earlier), scoring.get_expected(phased, later)
    assert first is not None and second is not None
    assert 0.0 <= first <= second + 1e-12 <= 1.0 + 1e-12


@pytest.mark.fuzz
@settings(deadline=None)
@given(paced_goals(), days, figures, figures)
def test_status_never_worsens_as_the_current_value_nears_the_target(
    goal: Goal, today: dt.date, value: float, other: float
) -> None:
    assert goal.baseline is not None
    direction_sign = 1 if float(goal.target) > goal.baseline.value else -1  # type: ignore[arg-type]
    worse, better = sorted((value, other), key=lambda v: direction_sign * v)
    final_date = min(today, goal.baseline.date)
    statuses = []
    for figure_value in (worse, better):
        final = {"date": final_date, "value": figure_value}
        statuses.append(
            scoring.score_goal(
                goal.model_copy(update={"final": Checkin.model_validate(final)}), today
            ).status
        )
    if all(status in RANK for status in statuses):
        assert RANK[statuses[0]] <= RANK[statuses[1]]
    else:  # missed, no-data, not-started do not depend on the figure
        assert statuses[0] == statuses[1] or "achieved" in statuses


@pytest.mark.fuzz
@settings(deadline=None)
@given(paced_goals(), days, st.randoms(use_true_random=False))
def test_listing_order_of_checkins_does_not_matter(goal: Goal, today: dt.date, rng: Any) -> None:
    shuffled = list(goal.measurements or [])
    rng.shuffle(shuffled)
    again = goal.model_copy(update={"measurements": shuffled})
    assert scoring.score_goal(goal, today) == scoring.score_goal(again, today)


@pytest.mark.fuzz
@settings(deadline=None)
@given(figures, figures, figures, st.lists(figures, max_size=6))
def test_band_is_met_exactly_when_inside_bounds(
    a: float, b: float, current: float, history: list[float]
) -> None:
    low, high = sorted((a, b))
    start = D("2027-01-01")
    goal = make_goal(
        target={"min": low, "max": high},
        measurements=[
            {"date": start + i * SPAN, "value": v} for i, v in enumerate([*history, current])
        ],
    )
    band = scoring.get_band(goal, D("2030-01-01"))
    assert band is not None
    figures = [*history, current]
    assert band.current_inside is (low <= current <= high)
    assert band.met is all(low <= v <= high for v in figures)  # hold: all, the default
    assert band.inside == sum(1 for v in figures if low <= v <= high)
    assert band.total == len(history) + 1


@pytest.mark.fuzz
@settings(deadline=None)
@given(st.lists(any_goals(), max_size=6), days)
def test_plan_roll_up_counts_every_goal_once(goals: list[Goal], today: dt.date) -> None:
    plan = Plan.model_validate({"goals": [goal.model_dump() for goal in goals]})
    score = scoring.score_plan(plan, today, slug="p")
    assert list(score.status_counts) == list(STATUSES)
    assert sum(score.status_counts.values()) == len(goals)
    assert score.attainment is None or 0.0 <= score.attainment <= 1.0
    json.dumps(plans_json.plan_to_json(score), allow_nan=False)
