"""JSON with its types (DESIGN §8): `plans.json` and `lint -f json`, compared node by node.

`12000 == 12000.0` in Python, so these tests compare trees with `jsontree.assert_json_equal`:
a figure the user wrote whole stays an int at any size, a fraction stays a float, counts
and line numbers are ints, and verdicts are booleans, never 0 or 1.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from jsontree import as_read, assert_json_equal, json_differences

from smartdoc import report, scoring
from smartdoc.model import Goal, Period, Plan
from smartdoc.site import plans_json

D = dt.date.fromisoformat
TODAY = D("2027-06-15")


def test_the_helper_tells_int_from_float_and_bool() -> None:
    assert json_differences(12000, 12000.0) == ["$: int 12000 is not float 12000.0"]
    assert json_differences({"a": [1]}, {"a": [True]}) == ["$.a[0]: int 1 is not bool True"]
    assert json_differences({"a": 1, "b": 2}, {"b": 2, "a": 1}) != []  # key order counts
    assert json_differences([1, 2], [1]) == ["$: 2 items, not 1"]
    assert json_differences({"x": [{"y": 0.5}]}, {"x": [{"y": 0.5}]}) == []


def goal_json(**fields: Any) -> dict[str, Any]:
    """Return the plans.json object of one goal, as a JSON reader gets it."""
    goal = Goal.model_validate({"id": "g", **fields})
    return as_read(plans_json.goal_to_json(scoring.score_goal(goal, TODAY)))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        (12000, 12000),  # whole: an int
        (12000.5, 12000.5),  # a fraction: a float
        (2**53 - 1, 9007199254740991),  # the largest exact float integer
        (2**53, 9007199254740992),
        (10**16, 10000000000000000),  # above 2**53: still an int, not 1e+16
        (2**60, 1152921504606846976),
        (-(10**16), -10000000000000000),
        (0, 0),
    ],
)
def test_a_figure_written_whole_prints_as_an_int(written: float, printed: float) -> None:
    data = goal_json(
        baseline={"date": D("2027-01-01"), "value": written},
        target={"min": written, "max": written},
        measurements=[{"date": D("2027-02-01"), "value": written}],
    )
    figure = {"date": "2027-02-01", "value": printed, "note": None}
    assert_json_equal(data["before"], {"date": "2027-01-01", "value": printed, "note": None})
    assert_json_equal(data["during"], [figure])
    assert_json_equal(data["current"], figure)
    assert_json_equal(data["target"], {"min": printed, "max": printed})
    assert_json_equal(
        data["band"],
        {"min": printed, "max": printed, "met": True, "hold": "all", "inside": 1, "total": 1},
    )


def test_a_change_above_two_to_the_53_prints_as_an_int() -> None:
    data = goal_json(
        baseline={"date": D("2027-01-01"), "value": 0},
        target=10**17,
        deadline=D("2027-12-31"),
        measurements=[{"date": D("2027-02-01"), "value": 10**16}],
    )
    assert_json_equal(data["change"], {"abs": 10000000000000000, "pct": None, "basis": "latest"})
    assert_json_equal(data["progress"], 0.1)


def test_the_design_goal_has_the_types_of_section_8() -> None:
    goal = Goal.model_validate(
        {
            "id": "ig-followers",
            "title": "Grow Instagram followers from 12,000 to 18,000",
            "kind": "quantitative",
            "unit": "followers",
            "direction": "increase",
            "deadline": D("2027-06-30"),
            "baseline": {"date": D("2026-12-31"), "value": 12000},
            "target": 18000,
            "measurements": [{"date": D("2027-03-01"), "value": 13800, "note": "Reels"}],
            "weight": 2,
        }
    )
    score = scoring.score_goal(goal, TODAY, smart={"S": True, "M": False})
    checkin = {"date": "2027-03-01", "value": 13800, "note": "Reels"}
    assert_json_equal(
        as_read(plans_json.goal_to_json(score)),
        {
            "id": "ig-followers",
            "title": "Grow Instagram followers from 12,000 to 18,000",
            "kind": "quantitative",
            "direction": "increase",
            "unit": "followers",
            # judged on 1 March, its latest figure: 60 of 181 days passed, 30% of the way
            "status": "on-track",
            "progress": 0.3,  # 1,800 of 6,000
            "expected": 0.3315,  # 60 of 181 days
            "before": {"date": "2026-12-31", "value": 12000, "note": None},
            "during": [checkin],
            "after": None,
            "target": 18000,
            "change": {"abs": 1800, "pct": 15, "basis": "latest"},
            "smart": {"S": True, "M": False, "A": None, "R": None, "T": None},
            "current": checkin,
            "latest": checkin,
            "attainment_pct": 30,
            "band": None,
            "serves": None,
            "deadline": "2027-06-30",
            "weight": 2,
            "area": None,
            "as_of": "2027-03-01",
            "stale": True,  # 106 days since that figure; 45 allowed without a frequency
            "inside": None,
            "override": None,
            "history": None,
        },
    )


def test_the_plan_roll_up_has_int_counts_and_float_shares() -> None:
    goals = [
        Goal.model_validate(
            {
                "id": name,
                "baseline": {"date": D("2027-01-01"), "value": 0},
                "target": 100,
                "deadline": D("2027-12-31"),
                "budget": budget,
                "measurements": [{"date": D("2027-06-01"), "value": value}],
            }
        )
        for name, value, budget in (("a", 50, 1000), ("b", 25, 2500.5))
    ]
    plan = Plan.model_validate(
        {
            "title": "P",
            "period": Period(start=D("2027-01-01"), end=D("2027-12-31")),
            "budget": {"total": 4000, "currency": "EUR"},
            "goals": goals,
        }
    )
    document = as_read(plans_json.plans_json([scoring.score_plan(plan, TODAY, slug="p")], TODAY))
    assert_json_equal(document["version"], 1)
    data = document["plans"][0]
    assert_json_equal(data["period"], {"start": "2027-01-01", "end": "2027-12-31"})
    assert_json_equal(
        data["status_counts"],
        {
            "achieved": 0,
            "met": 0,
            "on-track": 1,
            "at-risk": 1,  # b: 25% of the way on 1 June, where 41% of the year had passed
            "off-track": 0,
            "missed": 0,
            "breached": 0,
            "no-data": 0,
            "not-started": 0,
        },
    )
    assert_json_equal(data["attainment"], 0.375)
    assert_json_equal(data["smart"], {"met": 0, "checked": 0})
    assert_json_equal(data["smart_score"], None)
    assert_json_equal(
        data["budget"],
        {"allocated": 3500.5, "total": 4000, "currency": "EUR", "remaining": 499.5, "over": False},
    )


def test_lint_json_findings_have_int_positions_and_a_null_goal() -> None:
    from test_report import make_report

    document = json.loads(report.json(make_report()))
    assert_json_equal(
        document["findings"][0],
        {
            "file": "plans/a.md",
            "line": 4,
            "column": 6,
            "code": "E104",
            "name": "yaml-syntax",
            "severity": "error",
            "plan": "a",
            "goal": None,
            "message": "YAML syntax error: did not find expected ',' or ']'",
        },
    )
    assert_json_equal(
        document["summary"],
        {
            "error": 2,
            "warning": 1,
            "info": 1,
            "files_checked": 6,
            "plans": 5,
            "plans_with_findings": 2,
        },
    )


def test_each_field_keeps_its_decimals() -> None:
    # fractions 4 decimals, computed figures 6, percentages and money 2; figures as written
    goal = Goal.model_validate(
        {
            "id": "g",
            "baseline": {"date": D("2027-01-01"), "value": 0},
            "target": 1,
            "deadline": D("2027-12-31"),
            "budget": 1000.25,
            "measurements": [{"date": D("2027-06-01"), "value": 0.12345678}],
        }
    )
    plan = Plan.model_validate(
        {"title": "P", "budget": {"total": 1234.5678, "currency": "EUR"}, "goals": [goal]}
    )
    data = as_read(plans_json.plans_json([scoring.score_plan(plan, TODAY, slug="p")], TODAY))
    plan_data = data["plans"][0]
    goal_data = plan_data["goals"][0]
    assert_json_equal(goal_data["current"]["value"], 0.12345678)  # as written
    assert_json_equal(goal_data["progress"], 0.1235)
    assert_json_equal(goal_data["change"]["abs"], 0.123457)
    assert_json_equal(goal_data["change"]["pct"], None)  # no % of a zero baseline
    assert_json_equal(goal_data["attainment_pct"], 12.35)
    assert_json_equal(plan_data["attainment"], 0.1235)
    assert_json_equal(
        plan_data["budget"],
        {
            "allocated": 1000.25,
            "total": 1234.57,
            "currency": "EUR",
            "remaining": 234.32,  # 1234.5678 - 1000.25 = 234.3178
            "over": False,
        },
    )


def test_the_portfolio_roll_up_has_its_types() -> None:
    goal = Goal.model_validate(
        {
            "id": "a",
            "title": "Grow",
            "serves": "growth",
            "baseline": {"date": D("2027-01-01"), "value": 0},
            "target": 100,
            "deadline": D("2027-12-31"),
            "measurements": [{"date": D("2027-06-01"), "value": 50}],
        }
    )
    plan = Plan.model_validate(
        {"title": "P", "strategy": {"growth": "Grow the business"}, "goals": [goal]}
    )
    objectives = scoring.score_portfolio([scoring.score_plan(plan, TODAY, slug="p")])
    counts = dict.fromkeys(scoring.STATUSES, 0) | {"on-track": 1}
    assert_json_equal(
        as_read(plans_json.portfolio_to_json(objectives)),
        [
            {
                "key": "growth",
                "title": "Grow the business",
                "area": None,
                "horizon": None,
                "descriptions": ["Grow the business"],
                "plans": ["p"],
                "goals": [
                    {
                        "plan": "p",
                        "goal": "a",
                        "title": "Grow",
                        "status": "on-track",
                        "progress": 0.5,
                    }
                ],
                "status_counts": counts,
                "attainment": 0.5,
                "worst_status": "on-track",
            }
        ],
    )


def test_change_in_percent_keeps_two_decimals() -> None:
    data = goal_json(
        baseline={"date": D("2027-01-01"), "value": 3},
        target=6,
        deadline=D("2027-12-31"),
        measurements=[{"date": D("2027-02-01"), "value": 4}],
    )
    assert_json_equal(data["change"], {"abs": 1, "pct": 33.33, "basis": "latest"})
    assert_json_equal(data["attainment_pct"], 33.33)
    assert_json_equal(data["progress"], 0.3333)
