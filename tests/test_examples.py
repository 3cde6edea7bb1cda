"""The example plans in `plans/` are shown to clients: they must lint without errors.

They cover 2026 (and FY 2026/27) so that they make sense on the real date the project
was written (2026-11-23): a check-in dated after "today" is an error, so they are also
checked at that date. Each plan also has its own "as of" date (the review it was written
for), at which only the deliberate warnings listed here may appear.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from project_helpers import check_project

from smartdoc.config import load_config
from smartdoc.pipeline.check import Checked

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
WRITTEN_ON = dt.date(2026, 11, 23)

#: slug -> (the review date the plan was written for, deliberate warnings (code, goal id)).
EXAMPLES: dict[str, tuple[dt.date, set[tuple[str, str | None]]]] = {
    "fjordlys-social-2026": (dt.date(2026, 11, 15), set()),
    "kessler-b2b-2026": (dt.date(2026, 11, 5), set()),
    # mid-year review: the CSAT export broke in October, so its last check-in is stale
    "velo-verde-retention-fy27": (dt.date(2026, 11, 23), {("P101", "csat")}),
}


def lint(today: dt.date) -> Checked:
    return check_project(load_config(None, ROOT), [PLANS], today)


def errors(project: Checked) -> list[str]:
    return [
        f"{f.file}:{f.line}:{f.column}: {f.code} {f.message}"
        for f in project.findings
        if f.severity == "error"
    ]


def test_every_example_is_listed() -> None:
    slugs = {p.relative_to(PLANS).as_posix().removesuffix(".md") for p in PLANS.rglob("*.md")}
    assert slugs == set(EXAMPLES)


@pytest.mark.parametrize(
    "today",
    [WRITTEN_ON, dt.date(2026, 12, 31), dt.date(2027, 6, 15), dt.date(2027, 7, 31)],
    ids=str,
)
def test_examples_have_no_error(today: dt.date) -> None:
    project = lint(today)
    assert len(project.plans) == len(EXAMPLES)
    assert all(plan.readable for plan in project.plans)
    assert errors(project) == []


@pytest.mark.parametrize("slug", sorted(EXAMPLES))
def test_example_at_its_own_date_has_only_deliberate_warnings(slug: str) -> None:
    as_of, deliberate = EXAMPLES[slug]
    project = lint(as_of)
    findings = [f for f in project.of(slug) if f.severity in ("error", "warning")]
    got = {(f.code, f.goal) for f in findings}
    assert got == deliberate, "\n".join(
        f"{f.file}:{f.line}:{f.column}: {f.code} {f.severity} {f.message}" for f in findings
    )


def test_examples_show_the_features_they_are_meant_to_show() -> None:
    project = lint(WRITTEN_ON)
    plans = {p.slug: p.loaded.plan if p.loaded else None for p in project.plans}
    goals = [goal for plan in plans.values() if plan is not None for goal in plan.goals]
    directions = {goal.direction for goal in goals}
    assert {"increase", "decrease", "at-least", "at-most", "range"} <= directions
    assert {goal.kind for goal in goals} == {"quantitative", "qualitative"}
    assert any(goal.interim for goal in goals)
    assert any(goal.resources for goal in goals)
    assert any(goal.final for goal in goals)
    kessler = plans["kessler-b2b-2026"]
    assert kessler is not None and kessler.measurements  # one plan-wide CSV
    csv_files = {name for loaded in project.plans for name in loaded.data_files}
    assert csv_files == {"plans/data/fjordlys-sentiment.csv", "plans/data/kessler-b2b-2026.csv"}
    text = "".join(p.read_text(encoding="utf-8") for p in PLANS.glob("*.md"))
    assert all(letter in text for letter in "øéü")


def test_examples_show_areas_objectives_and_an_override() -> None:
    project = lint(WRITTEN_ON)
    plans = [p.loaded.plan for p in project.plans if p.loaded and p.loaded.plan is not None]
    goals = [goal for plan in plans for goal in plan.goals]
    assert all(goal.area in ("financial", "communication") for goal in goals)
    assert {goal.area for goal in goals} == {"financial", "communication"}
    objectives = [o for plan in plans for o in (plan.strategy or {}).values()]
    assert {o.area for o in objectives} == {"financial", "communication", None}
    assert all(o.horizon is None or o.horizon >= 2028 for o in objectives)
    assert sum(o.horizon is not None for o in objectives) >= 5
    overrides = [goal.override for goal in goals if goal.override is not None]
    assert len(overrides) == 1 and overrides[0].reason and overrides[0].date
