"""Issue 12, roll-ups that never hide a bad goal; issue 13, the kind x area split.

Worked examples with the numbers written out (docs/scoring.md, docs/commands.md).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from smartdoc import scoring
from smartdoc.model import Plan
from smartdoc.site import plans_json

D = dt.date.fromisoformat
TODAY = D("2026-11-23")


def figures(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"date": D(day), "value": value} for day, value in pairs]


#: Velo Verde's "efficiency" objective: one achieved goal, one breached band goal.
HELP_ARTICLES = {
    "id": "help-articles",
    "kind": "quantitative",
    "area": "communication",
    "serves": "efficiency",
    "direction": "increase",
    "deadline": D("2026-10-31"),
    "baseline": {"date": D("2026-06-30"), "value": 24},
    "target": 60,
    "measurements": figures(("2026-08-01", 31), ("2026-09-01", 42), ("2026-10-01", 55)),
    "final": {"date": D("2026-10-31"), "value": 64},
}
AGENT_OCCUPANCY = {
    "id": "agent-occupancy",
    "kind": "quantitative",
    "area": "financial",
    "serves": "efficiency",
    "direction": "range",
    "deadline": D("2027-06-30"),
    "baseline": {"date": D("2026-06-30"), "value": 88},
    "target": {"min": 70, "max": 85},
    "measurements": figures(
        ("2026-08-01", 86), ("2026-09-01", 83), ("2026-10-01", 84), ("2026-11-01", 91)
    ),
}
CHURN = {
    "id": "monthly-churn",
    "kind": "quantitative",
    "area": "financial",
    "serves": "retention",
    "direction": "decrease",
    "weight": 3,
    "deadline": D("2027-06-30"),
    "baseline": {"date": D("2026-06-30"), "value": 4.8},
    "target": 3.5,
    "measurements": figures(("2026-11-01", 4.7)),
}
CSAT = {
    "id": "csat",
    "kind": "qualitative",
    "area": "communication",
    "serves": "service",
    "direction": "increase",
    "deadline": D("2027-06-30"),
    "baseline": {"date": D("2026-06-30"), "value": 78},
    "target": 88,
    "measurements": figures(("2026-08-01", 79), ("2026-09-01", 81)),
}


def velo(*goals: dict[str, Any]) -> scoring.PlanScore:
    plan = Plan.model_validate(
        {
            "title": "Velo Verde",
            "period": {"start": D("2026-07-01"), "end": D("2027-06-30")},
            "strategy": {
                "efficiency": {"title": "Hold support cost flat", "horizon": 2028},
                "retention": {"title": "Keep 85% of subscribers", "area": "financial"},
                "service": {"title": "Easiest to deal with", "area": "communication"},
            },
            "goals": list(goals),
        }
    )
    return scoring.score_plan(plan, TODAY, slug="velo")


def test_worst_status_order_is_the_design_order() -> None:
    assert scoring.WORST_FIRST == (
        "missed",
        "breached",
        "off-track",
        "at-risk",
        "no-data",
        "on-track",
        "not-started",
        "met",
        "achieved",
    )
    assert set(scoring.WORST_FIRST) == set(scoring.STATUSES)
    for rank, status in enumerate(scoring.WORST_FIRST):
        better = scoring.WORST_FIRST[rank:]
        assert scoring.worst_status(reversed(better)) == status
    assert scoring.worst_status([]) is None


def test_an_objective_with_a_breached_goal_no_longer_reads_100_percent() -> None:
    # before issue 12: help articles 64 of 60 (p 1.11, capped at 1) and the band goal left
    # out gave "attainment 100%". Now the band goal counts its share inside, 2 of 4
    # (83 and 84 inside 70-85; 86 and 91 above), and the breach stands beside the figure:
    # (1.0 + 0.5) / 2 = 0.75, worst status breached
    score = velo(HELP_ARTICLES, AGENT_OCCUPANCY)
    by_id = {g.id: g for g in score.goals}
    assert by_id["help-articles"].status == "achieved"
    assert by_id["agent-occupancy"].status == "breached"
    assert by_id["agent-occupancy"].attainment == 0.5
    (efficiency,) = [o for o in scoring.score_portfolio([score]) if o.key == "efficiency"]
    assert efficiency.attainment == 0.75
    assert efficiency.worst_status == "breached"
    assert score.worst_status == "breached"


def test_plan_attainment_weights_band_shares_like_progress() -> None:
    # churn 4.8 -> 4.7 of 3.5: p = 0.1 / 1.3 = 0.0769, weight 3; occupancy 0.5, weight 1
    score = velo(CHURN, AGENT_OCCUPANCY)
    assert score.attainment == pytest.approx((3 * 0.1 / 1.3 + 0.5) / 4)
    assert score.worst_status == "breached"  # breached is worse than off-track
    assert score.goals[0].status == "off-track"


def test_a_weight_of_zero_or_less_leaves_the_goal_out_of_the_attainment() -> None:
    from types import SimpleNamespace

    def scored(attainment: float, weight: float) -> Any:
        return SimpleNamespace(attainment=attainment, weight=weight)

    # (2 x 0.5 + 1 x 0.8) / 3 = 0.6; the goals weighted 0 and -0.5 count for nothing
    goals = [scored(0.5, 2), scored(0.8, 1), scored(0.0, 0), scored(1.0, -0.5)]
    assert scoring.weighted_attainment(goals) == pytest.approx(0.6)
    assert scoring.weighted_attainment([scored(1.0, 0), scored(0.2, -1)]) is None


def test_kind_by_area_split_counts_attainment_and_worst_status() -> None:
    score = velo(HELP_ARTICLES, AGENT_OCCUPANCY, CHURN, CSAT)
    cells = {(c.kind, c.area): c for c in scoring.get_split(score.goals)}
    assert list(cells) == [
        ("quantitative", "financial"),
        ("quantitative", "communication"),
        ("qualitative", "financial"),
        ("qualitative", "communication"),
    ]
    money = cells[("quantitative", "financial")]  # churn (weight 3) and occupancy
    assert money.goal_count == 2
    assert money.attainment == pytest.approx((3 * 0.1 / 1.3 + 0.5) / 4)
    assert money.worst_status == "breached"
    words = cells[("quantitative", "communication")]
    assert (words.goal_count, words.attainment, words.worst_status) == (1, 1.0, "achieved")
    empty = cells[("qualitative", "financial")]
    assert (empty.goal_count, empty.attainment, empty.worst_status) == (0, None, None)
    csat = cells[("qualitative", "communication")]  # 81 of 78 -> 88: p 0.3
    assert csat.attainment == pytest.approx(0.3)


def test_split_shows_goals_without_kind_or_area_in_a_row_of_their_own() -> None:
    loose = {**CSAT, "id": "loose", "kind": None, "area": None}
    cells = scoring.get_split(velo(CSAT, loose).goals)
    assert [(c.kind, c.area, c.goal_count) for c in cells if c.goal_count] == [
        ("qualitative", "communication", 1),
        (None, None, 1),
    ]
    assert len(cells) == 9  # 3 kinds (one unset) x 3 areas (one unset)


def test_plans_json_gains_worst_status_objectives_areas_and_goal_fields() -> None:
    override = {"status": "at-risk", "reason": "Win-back offer", "date": D("2026-11-23")}
    score = velo({**CHURN, "override": override}, AGENT_OCCUPANCY, HELP_ARTICLES, CSAT)
    plan = plans_json.plan_to_json(score)
    assert plan["worst_status"] == "breached"
    churn = plan["goals"][0]
    assert churn["status"] == "off-track"  # the override stands beside it, not instead
    assert churn["override"] == {
        "status": "at-risk",
        "reason": "Win-back offer",
        "date": "2026-11-23",
        "by": None,
    }
    assert churn["area"] == "financial"
    assert churn["as_of"] == "2026-11-01"
    assert churn["stale"] is False
    assert churn["inside"] is None
    assert churn["history"] is None
    occupancy = plan["goals"][1]
    assert occupancy["inside"] == {"n": 2, "m": 4}
    csat = plan["goals"][3]
    # no frequency: 45 days allowed; 1 September is 83 days before 23 November
    assert (csat["as_of"], csat["stale"], csat["status"]) == ("2026-09-01", True, "on-track")
    objectives = {
        o["key"]: o for o in plans_json.portfolio_to_json(scoring.score_portfolio([score]))
    }
    assert set(objectives["efficiency"]) >= {
        "key",
        "title",
        "area",
        "horizon",
        "plans",
        "attainment",
        "worst_status",
    }
    assert (objectives["efficiency"]["attainment"], objectives["efficiency"]["worst_status"]) == (
        0.75,
        "breached",
    )
    assert objectives["efficiency"]["horizon"] == 2028
    areas = {a["area"]: a for a in plans_json.areas_to_json(scoring.score_areas([score]))}
    assert areas["financial"]["worst_status"] == "breached"
    assert areas["communication"]["worst_status"] == "on-track"
    json.dumps(plan, allow_nan=False)
