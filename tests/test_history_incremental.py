"""Reading an older version against a newer one gives exactly what a full parse gives.

`incremental.parse_from(reference, old)` parses only the goals a change touched. For random
edits (targets, check-ins, titles, goals added, removed or given a duplicate id, the period,
the narrative, a YAML error), its facts must equal those of a full `read_document` of the old
version, in the same goal order; and a one-goal edit must not fall back to the full parse.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartdoc.history import incremental
from smartdoc.history.facts import facts_from_loaded
from smartdoc.history.incremental import parse_from, parse_version, reference_from_loaded
from smartdoc.load import load_plan


def goal_block(index: int, target: int, checkins: list[int], title: str = "") -> list[str]:
    lines = [
        f"  - id: goal-{index}",
        f"    title: {title or f'Reach {target:,} visits for goal {index} by June 2027'}",
        "    kind: quantitative",
        "    direction: increase",
        "    deadline: 2027-06-30",
        "    baseline: {date: 2026-12-31, value: 100}",
        f"    target: {target}",
        "    measurements:",
    ]
    lines += [
        f"      - {{date: 2027-{month:02d}-01, value: {value}}}"
        for month, value in enumerate(checkins, start=1)
    ]
    return lines


def plan(goals: list[list[str]], start: str = "2027-01-01", narrative: str = "Why.") -> str:
    head = ["---", "title: Plan", f"period: {{start: {start}, end: 2027-12-31}}", "goals:"]
    body = [line for goal in goals for line in goal]
    return "\n".join([*head, *body, "owner: Maria Lopez", "---", f"# Plan\n\n{narrative}\n"])


def goals_of(count: int) -> list[list[str]]:
    return [goal_block(i, 1000 + 100 * i, [110 + i, 120 + i]) for i in range(count)]


EDITS = st.sampled_from(
    [
        "target",
        "checkin_add",
        "checkin_edit",
        "title",
        "drop_goal",
        "add_goal",
        "duplicate_id",
        "period",
        "narrative",
        "owner",
        "broken",
    ]
)


def edited(goals: list[list[str]], edit: str, which: int) -> tuple[list[list[str]], dict[str, str]]:
    goals = [list(goal) for goal in goals]
    extra: dict[str, str] = {}
    k = which % len(goals)
    if edit == "target":
        goals[k][6] = "    target: 777"
    elif edit == "checkin_add":
        goals[k].append("      - {date: 2027-05-01, value: 999}")
    elif edit == "checkin_edit":
        goals[k][8] = "      - {date: 2027-01-01, value: 1}"
    elif edit == "title":
        goals[k][1] = "    title: 'A changed title: quoted'"
    elif edit == "broken":
        goals[k][6] = "    target: [1"
    elif edit == "drop_goal" and len(goals) > 1:
        del goals[k]
    elif edit == "add_goal":
        goals.insert(k, goal_block(90 + k, 5000, [1]))
    elif edit == "duplicate_id" and len(goals) > 1:
        goals[k][0] = goals[(k + 1) % len(goals)][0]
    elif edit == "period":
        extra["start"] = "2027-02-01"
    elif edit == "narrative":
        extra["narrative"] = "Changed narrative."
    elif edit == "owner":  # a top-level key after the goals list
        extra["owner"] = "yes"
    return goals, extra


def render(goals: list[list[str]], extra: dict[str, str]) -> str:
    text = plan(goals, extra.get("start", "2027-01-01"), extra.get("narrative", "Why."))
    return text.replace("owner: Maria Lopez", "owner: Ann Other") if "owner" in extra else text


@given(
    count=st.integers(min_value=1, max_value=5),
    edits=st.lists(st.tuples(EDITS, st.integers(min_value=0, max_value=9)), min_size=1, max_size=3),
)
def test_older_version_read_against_a_newer_one_equals_a_full_parse(
    count: int, edits: list[tuple[str, int]]
) -> None:
    new_goals = goals_of(count)
    old_goals, extra = new_goals, {}
    for edit, which in edits:
        old_goals, more = edited(old_goals, edit, which)
        extra.update(more)
    new = plan(new_goals).encode()
    old = render(old_goals, extra).encode()
    _, reference = parse_version(new, "plans/p.md")
    assert reference is not None
    worked_out, _ = parse_from(reference, old, "plans/p.md")
    full, _ = parse_version(old, "plans/p.md")
    assert worked_out == full
    if full is not None:  # None: a YAML error, unreadable either way
        assert worked_out is not None and list(worked_out.goals) == list(full.goals)


def test_a_one_goal_edit_parses_only_that_goal(monkeypatch: pytest.MonkeyPatch) -> None:
    goals = goals_of(6)
    new = plan(goals).encode()
    old_goals, _ = edited(goals, "target", 3)
    _, reference = parse_version(new, "plans/p.md")
    full_parses: list[int] = []
    real = incremental.read_document
    monkeypatch.setattr(incremental, "read_document", lambda *a: full_parses.append(1) or real(*a))
    facts, chained = parse_from(reference, plan(old_goals).encode(), "plans/p.md")
    assert full_parses == []
    assert facts is not None and facts.goals["goal-3"].fields["target"] == 777.0
    # and the result is itself a reference for the next older version
    older, _ = edited(old_goals, "checkin_add", 1)
    facts, _ = parse_from(chained, plan(older).encode(), "plans/p.md")
    assert full_parses == []
    assert facts is not None and facts.goals["goal-1"].checkins[dt.date(2027, 5, 1)] == (999.0,)


def test_the_plan_on_disk_is_a_reference(tmp_path: Path) -> None:
    goals = goals_of(4)
    (tmp_path / "plans").mkdir()
    file = tmp_path / "plans" / "p.md"
    file.write_text(plan(goals))
    loaded = load_plan(file, tmp_path, tmp_path / "plans")
    reference = reference_from_loaded(loaded, file.read_bytes(), facts_from_loaded(loaded))
    assert reference is not None
    old_goals, _ = edited(goals, "drop_goal", 2)
    old_goals, _ = edited(old_goals, "checkin_edit", 0)
    old = plan(old_goals).encode()
    assert parse_from(reference, old, "plans/p.md")[0] == parse_version(old, "plans/p.md")[0]
