"""The plan model's own conversions, and what the loader says about the new fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from smartdoc.load import load_plan
from smartdoc.model import AREAS, STATUS_VOCABULARY, Goal, Objective, Plan, plan_schema
from smartdoc.scoring import STATUSES


def test_year_tags_are_read_as_text() -> None:
    assert Plan.model_validate({"tags": ["social media", 2026]}).tags == ["social media", "2026"]


def test_strategy_takes_a_plain_title_or_a_mapping() -> None:
    plan = Plan.model_validate(
        {
            "strategy": {
                "online-revenue": "Increase online revenue by 3% in 2027",
                "brand": {
                    "title": "Be seen as a young brand",
                    "area": "communication",
                    "horizon": 2030,
                },
            }
        }
    )
    assert plan.objective_titles == {
        "online-revenue": "Increase online revenue by 3% in 2027",
        "brand": "Be seen as a young brand",
    }
    assert plan.objective("online-revenue") == Objective(
        title="Increase online revenue by 3% in 2027"
    )
    brand = plan.objective("brand")
    assert brand is not None and (brand.area, brand.horizon) == ("communication", 2030)
    assert plan.objective("nope") is None and plan.objective(None) is None
    assert Plan.model_validate({}).objective_titles == {}


@pytest.mark.parametrize("hold", ["all", "latest", 0, 0.9, 1])
def test_hold_takes_all_latest_or_a_share(hold: object) -> None:
    assert Goal.model_validate({"hold": hold}).hold == hold


@pytest.mark.parametrize("hold", ["lates", 1.5, -0.1, True, "90%"])
def test_hold_refuses_anything_else_in_one_sentence(hold: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Goal.model_validate({"hold": hold})
    errors = caught.value.errors()
    assert len(errors) == 1
    assert errors[0]["msg"] == "Input should be all, latest or a share from 0 to 1"


def test_override_and_area_stay_permissive_so_lint_can_name_the_fix() -> None:
    # An unknown status or area is a finding (P108, Q106), not a type error dropping the field
    goal = Goal.model_validate({"area": "finance", "override": {"status": "green"}})
    assert goal.area == "finance"
    assert goal.override is not None and goal.override.status == "green"
    assert goal.override.reason is None and goal.override.date is None


def test_status_vocabulary_is_the_scoring_vocabulary() -> None:
    assert set(STATUS_VOCABULARY) == set(STATUSES)


def test_schema_lists_areas_statuses_and_both_forms_of_an_objective() -> None:
    schema = plan_schema()
    goal = schema["$defs"]["Goal"]["properties"]  # type: ignore[index]
    assert goal["area"]["anyOf"][0]["enum"] == list(AREAS)
    override = schema["$defs"]["Override"]["properties"]  # type: ignore[index]
    assert override["status"]["anyOf"][0]["enum"] == list(STATUS_VOCABULARY)
    strategy = schema["properties"]["strategy"]["anyOf"][0]  # type: ignore[index]
    forms = strategy["additionalProperties"]["anyOf"]
    assert forms[0]["type"] == "string" and forms[1] == {"$ref": "#/$defs/Objective"}
    objective = schema["$defs"]["Objective"]["properties"]  # type: ignore[index]
    assert set(objective) == {"title", "area", "horizon"}
    assert all(prop.get("description") for prop in objective.values())
    assert all(goal[name].get("description") for name in ("area", "hold", "override"))


FRONT_MATTER = """\
---
title: Loader case
strategy:
  brand: {title: Young brand, horizn: 2030}
  revenue: 2030
goals:
  - id: ig-followers
    override: {status: at-risk, reasn: Reels reach fell, date: 2027-03-05}
    hold: lates
---
"""


def test_loader_says_did_you_mean_inside_objectives_and_overrides(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.md"
    plan_file.write_text(FRONT_MATTER, encoding="utf-8")
    loaded = load_plan(plan_file, tmp_path, tmp_path)
    messages = {(p.location.line, p.code, p.message) for p in loaded.problems}
    assert messages == {
        (4, "E110", "unknown key 'horizn' in strategy.brand; did you mean 'horizon'?"),
        (5, "E111", "strategy.revenue must be text or a mapping {title, area, horizon}, not 2030"),
        (8, "E110", "unknown key 'reasn' in goals[0].override; did you mean 'reason'?"),
        (9, "E111", "goals[0].hold must be all, latest or a share from 0 to 1, not 'lates'"),
    }
    assert loaded.plan is not None
    assert loaded.plan.objective_titles == {"brand": "Young brand"}


def test_a_range_without_one_end_is_one_error_naming_the_missing_end(tmp_path: Path) -> None:
    """`{min: 70}` is a range lacking its max: not also "must be a number", and no class name."""
    plan = tmp_path / "plans" / "band.md"
    plan.parent.mkdir()
    plan.write_text(
        "---\ntitle: Bands\ngoals:\n  - id: occupancy\n    target: {min: 70}\n---\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan, tmp_path, plan.parent)
    typed = [p for p in loaded.problems if p.code == "E111"]
    assert [(p.location.line, p.message) for p in typed] == [(5, "goals[0].target lacks 'max'")]
