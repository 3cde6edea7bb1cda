"""The H rules: pure functions of (history, plans as loaded, lint config, today).

Each plan's history is a list of steps, oldest first: a commit's change to the plan file
(the version before and after it), then an uncommitted edit if there is one. The rules walk
those steps per goal `id` and report, positioned in the plan as it is now:

- H101 a target, baseline, deadline, direction or interim changed after the period started;
- H102 a goal (or the whole plan) first committed more than `history_grace_days` after it;
- H103 the current baseline committed more than `history_grace_days` after its own date;
- H104 a check-in value changed after it was committed (inline, or a CSV row on its line);
- H105 a goal removed after the period started (with a `DroppedGoal` record);
- H106 any of those made by a commit with a `Smartdoc-Rebaseline:` trailer (info, with it).

Findings honour `select`, `ignore`, `severity`, `per-file-ignores` and `# smartdoc:
ignore[...]` comments the way the lint engine does (`smartdoc.history.findings`). The records
(`GoalHistory`, `DroppedGoal`) hold every change found, whatever is selected, for the page
and `plans.json`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from smartdoc.config import LintConfig
from smartdoc.history.facts import (
    GOALPOST_FIELDS,
    UNKNOWN,
    CsvFacts,
    GoalFacts,
    Invalid,
    PlanFacts,
    Value,
    facts_from_loaded,
    show,
    show_values,
)
from smartdoc.history.findings import Hit, hit_findings
from smartdoc.history.log import ON_DISK, Commit, FileHistory, History, Version
from smartdoc.history.records import (
    ChangeKind,
    DroppedGoal,
    GoalChange,
    GoalHistory,
    HistoryReport,
)
from smartdoc.lint.finding import Finding
from smartdoc.load import LoadedPlan
from smartdoc.model import Goal
from smartdoc.source import Location, NodePath

MOVED, ADDED_LATE, BASELINE_LATE, REWRITTEN, DROPPED, REBASELINED = (
    "H101",
    "H102",
    "H103",
    "H104",
    "H105",
    "H106",
)


@dataclass(frozen=True, slots=True)
class _Step:
    """One change to a file: who made it and when, and the version before and after."""

    commit: Commit | None
    date: dt.date
    before: Any
    after: Any


@dataclass(slots=True)
class _PlanRun:
    """What one plan's check collects: hits to turn into findings, and records."""

    loaded: LoadedPlan
    #: (code, node path, message, prefer the key's position)
    hits: list[Hit] = field(default_factory=list)
    changes: dict[str, list[GoalChange]] = field(default_factory=dict)

    def report(
        self,
        goal_id: str | None,
        kind: ChangeKind,
        base_code: str,
        step: _Step,
        path: NodePath,
        change: tuple[str, str | None, str | None],
        message: str,
        *,
        prefer_key: bool = True,
        checkin_date: dt.date | None = None,
    ) -> GoalChange:
        """Record a change (and its finding); a rebaseline trailer makes it an H106 info."""
        reason = step.commit.rebaseline if step.commit else None
        code = REBASELINED if reason else base_code
        field_name, old, new = change
        record = GoalChange(
            kind, field_name, old, new, step.commit, step.date, code, reason, checkin_date
        )
        if goal_id is not None:
            self.changes.setdefault(goal_id, []).append(record)
        suffix = f"; rebaselined: {reason}" if reason else _hint(base_code, step)
        self.hits.append((code, path, message + suffix, prefer_key))
        return record


def _hint(code: str, step: _Step) -> str:
    if code == REWRITTEN:
        return "; add a new dated check-in instead, or say why in a commit trailer"
    if step.commit is None:
        return "; say why in a 'Smartdoc-Rebaseline: <reason>' trailer when you commit it"
    return "; say why in a 'Smartdoc-Rebaseline: <reason>' commit trailer"


def _by(step: _Step) -> str:
    """Return where a change was made: `in a1b2c3d on 2027-03-10 by Maria Lopez`."""
    if step.commit is None:
        return "in the working tree (not committed yet)"
    commit = step.commit
    return f"in {commit.short} on {commit.date.isoformat()} by {commit.author}"


def history_findings(
    history: History, plans: Sequence[LoadedPlan], config: LintConfig, today: dt.date
) -> HistoryReport:
    """Return the H findings for the plans as loaded, and each goal's history record."""
    findings: list[Finding] = []
    goals: dict[tuple[str, str], GoalHistory] = {}
    dropped: dict[str, tuple[DroppedGoal, ...]] = {}
    used: set[tuple[str, int, str]] = set()
    for loaded in plans:
        file_history = history.plans.get(loaded.rel_path)
        if loaded.plan is None or file_history is None:
            continue
        run = _PlanRun(loaded)
        current = facts_from_loaded(loaded, checkins=len(file_history.changes) > 1)
        steps = _steps(file_history, current, today)
        start = _period_start(current, steps)
        first_seen = _check_goals(run, current, steps, start, config)
        _check_late_plan(run, current, steps, start, first_seen, config)
        _check_csv_rewrites(run, history, current, today)
        plan_dropped = _check_dropped(run, current, steps, start)
        if plan_dropped:
            dropped[loaded.slug] = plan_dropped
        for goal_id, facts in current.goals.items():
            goals[(loaded.slug, goal_id)] = _goal_history(
                loaded.slug, facts, steps, start, first_seen.get(goal_id), run.changes
            )
        findings.extend(hit_findings(run.loaded, run.hits, config, used))
    return HistoryReport(tuple(sorted(findings)), goals, dropped, frozenset(used))


# --- steps -------------------------------------------------------------------------------


def _resolve(version: Version, current: PlanFacts) -> Any:
    return current if version is ON_DISK else version


def _is_readable(version: Any) -> bool:
    return version is None or isinstance(version, (PlanFacts, CsvFacts))


def _steps(file_history: FileHistory, current: Any, today: dt.date) -> list[_Step]:
    """Return the file's changes with versions resolved; unreadable versions are left out."""
    steps = []
    for change in file_history.changes:
        before, after = _resolve(change.before, current), _resolve(change.after, current)
        if not (_is_readable(before) and _is_readable(after)):
            continue
        date = change.commit.date if change.commit else today
        steps.append(_Step(change.commit, date, before, after))
    return steps


def _period_start(current: PlanFacts, steps: Iterable[_Step]) -> dt.date | None:
    """Return the earliest period start ever committed (moving the start hides nothing)."""
    starts = [current.period_start] + [
        version.period_start
        for step in steps
        for version in (step.before, step.after)
        if isinstance(version, PlanFacts)
    ]
    known = [start for start in starts if start is not None]
    return min(known) if known else None


def _goal_in(version: Any, goal_id: str) -> GoalFacts | None:
    return version.goals.get(goal_id) if isinstance(version, PlanFacts) else None


def _goal_index(loaded: LoadedPlan) -> dict[str, int]:
    index: dict[str, int] = {}
    assert loaded.plan is not None
    for position, goal in enumerate(loaded.plan.goals):
        if goal.id is not None:
            index.setdefault(goal.id, position)
    return index


# --- H101, H102, H103, H104 (inline) -----------------------------------------------------


def _check_goals(
    run: _PlanRun,
    current: PlanFacts,
    steps: Sequence[_Step],
    start: dt.date | None,
    config: LintConfig,
) -> dict[str, _Step]:
    """Report moved goalposts, late goals and baselines, rewritten check-ins; return first steps."""
    index_of = _goal_index(run.loaded)
    first_seen: dict[str, _Step] = {}
    for goal_id, now in current.goals.items():
        index = index_of[goal_id]
        baseline_now = now.fields["baseline"]
        baseline_step: _Step | None = None
        for step in steps:
            before, after = _goal_in(step.before, goal_id), _goal_in(step.after, goal_id)
            if after is None:
                continue
            first_seen.setdefault(goal_id, step)
            if after.fields["baseline"] == baseline_now and (
                before is None or before.fields["baseline"] != baseline_now
            ):
                baseline_step = step
            if before is None:
                continue
            if start is not None and step.date > start:
                _report_moves(run, goal_id, index, before, after, step, start)
            _report_rewrites(run, goal_id, index, before, after, step)
        first = first_seen.get(goal_id)
        is_plan_creation = first is not None and first is steps[0] and steps[0].before is None
        if first is not None and start is not None and not is_plan_creation:
            late = (first.date - start).days
            if late > config.history_grace_days:
                run.report(
                    goal_id,
                    "added-late",
                    ADDED_LATE,
                    first,
                    ("goals", index, "id"),
                    ("id", None, goal_id),
                    f"goal '{goal_id}' first committed {late} days after the period started "
                    f"({start.isoformat()}), {_by(first)}: it was set after the work began",
                )
        _check_baseline_late(run, goal_id, index, baseline_now, baseline_step, config)
    return first_seen


def _report_moves(
    run: _PlanRun,
    goal_id: str,
    index: int,
    before: GoalFacts,
    after: GoalFacts,
    step: _Step,
    start: dt.date,
) -> None:
    for name in GOALPOST_FIELDS:
        old, new = before.fields[name], after.fields[name]
        if old is UNKNOWN or new is UNKNOWN or old == new:
            continue
        if name == "baseline" and (old is None or isinstance(old, Invalid)):
            continue  # a baseline measured after the start is filled in; H103 judges its lateness
        run.report(
            goal_id,
            "moved",
            MOVED,
            step,
            ("goals", index, name) if new is not None else ("goals", index),
            (name, show(old), show(new)),
            f"goal '{goal_id}': {name} changed {show(old)} → {show(new)} after the period "
            f"started ({start.isoformat()}), {_by(step)}",
        )


def _report_rewrites(
    run: _PlanRun, goal_id: str, index: int, before: GoalFacts, after: GoalFacts, step: _Step
) -> None:
    for when in sorted(set(before.checkins) & set(after.checkins)):
        old, new = before.checkins[when], after.checkins[when]
        if old == new:
            continue
        run.report(
            goal_id,
            "checkin-rewritten",
            REWRITTEN,
            step,
            _checkin_path(run.loaded, index, when, run.loaded.rel_path),
            ("measurements", show_values(old), show_values(new)),
            f"goal '{goal_id}': check-in of {when.isoformat()} changed {show_values(old)} → "
            f"{show_values(new)} after it was committed, {_by(step)}",
            prefer_key=False,
            checkin_date=when,
        )


def _checkin_path(loaded: LoadedPlan, index: int, when: dt.date, file: str) -> NodePath:
    """Return the path of the goal's check-in of that date read from `file`, else the list."""
    assert loaded.plan is not None
    goal = loaded.plan.goals[index]
    found: NodePath = ("goals", index, "measurements")
    for position, checkin in enumerate(goal.measurements or []):
        mark = loaded.marks.values.get(("goals", index, "measurements", position))
        mark_file = mark.file if isinstance(mark, Location) else loaded.rel_path
        if checkin.date == when and mark_file == file:
            found = ("goals", index, "measurements", position, "value")
    return found


def _check_baseline_late(
    run: _PlanRun,
    goal_id: str,
    index: int,
    baseline: Value,
    step: _Step | None,
    config: LintConfig,
) -> None:
    if step is None or not (isinstance(baseline, tuple) and isinstance(baseline[0], dt.date)):
        return
    late = (step.date - baseline[0]).days
    if late <= config.history_grace_days:
        return
    run.report(
        goal_id,
        "baseline-late",
        BASELINE_LATE,
        step,
        ("goals", index, "baseline"),
        ("baseline", None, show(baseline)),
        f"goal '{goal_id}': baseline {show(baseline)} committed {late} days after its date, "
        f"{_by(step)}: a benchmark written after the fact",
    )


def _check_late_plan(
    run: _PlanRun,
    current: PlanFacts,
    steps: Sequence[_Step],
    start: dt.date | None,
    first_seen: Mapping[str, _Step],
    config: LintConfig,
) -> None:
    """Report once when the plan itself was first committed long after its period started."""
    if not steps or steps[0].before is not None or start is None:
        return
    created = steps[0]
    late = (created.date - start).days
    if late <= config.history_grace_days:
        return
    goals_then = [goal_id for goal_id, step in first_seen.items() if step is created]
    record = run.report(
        None,
        "added-late",
        ADDED_LATE,
        created,
        ("period", "start"),
        ("id", None, None),
        f"plan first committed {late} days after its period started ({start.isoformat()}), "
        f"{_by(created)}: its {len(goals_then)} goal(s) were set after the work began",
    )
    for goal_id in goals_then:
        run.changes.setdefault(goal_id, []).insert(0, record)


# --- H104 (CSV rows) ---------------------------------------------------------------------


def _csv_readers(loaded: LoadedPlan, csv_path: str) -> list[tuple[str, int]]:
    """Return (goal id, index) of the goals with check-ins read from `csv_path`."""
    assert loaded.plan is not None
    readers = []
    for index, goal in enumerate(loaded.plan.goals):
        if goal.id is None:
            continue
        for position in range(len(goal.measurements or [])):
            mark = loaded.marks.values.get(("goals", index, "measurements", position))
            if isinstance(mark, Location) and mark.file == csv_path:
                readers.append((goal.id, index))
                break
    return readers


def _check_csv_rewrites(
    run: _PlanRun, history: History, current: PlanFacts, today: dt.date
) -> None:
    index_of = _goal_index(run.loaded)
    for csv_path in dict.fromkeys(run.loaded.data_files):
        file_history = history.data.get(csv_path)
        if file_history is None:
            continue
        readers = _csv_readers(run.loaded, csv_path)
        for step in _steps(file_history, None, today):
            if not (isinstance(step.before, CsvFacts) and isinstance(step.after, CsvFacts)):
                continue
            for key in sorted(set(step.before.rows) & set(step.after.rows), key=_row_order):
                old, new = step.before.rows[key], step.after.rows[key]
                if old == new:
                    continue
                goal_key, when = key
                targets = (
                    readers
                    if goal_key is None
                    else [(goal_key, index_of[goal_key])]
                    if goal_key in index_of
                    else []
                )
                for goal_id, index in targets:
                    if goal_id not in current.goals:
                        continue
                    run.report(
                        goal_id,
                        "checkin-rewritten",
                        REWRITTEN,
                        step,
                        _checkin_path(run.loaded, index, when, csv_path),
                        ("measurements", show_values(old), show_values(new)),
                        f"goal '{goal_id}': check-in of {when.isoformat()} in {csv_path} "
                        f"changed {show_values(old)} → {show_values(new)} after it was "
                        f"committed, {_by(step)}",
                        prefer_key=False,
                        checkin_date=when,
                    )


def _row_order(key: tuple[str | None, dt.date]) -> tuple[str, dt.date]:
    return (key[0] or "", key[1])


# --- H105 --------------------------------------------------------------------------------


def _check_dropped(
    run: _PlanRun, current: PlanFacts, steps: Sequence[_Step], start: dt.date | None
) -> tuple[DroppedGoal, ...]:
    """Report goals removed after the period started and not in the plan now."""
    loaded = run.loaded
    if start is None or any(
        len(bad) <= 2 and bad[:1] == ("goals",) for bad in loaded.invalid_paths
    ):
        return ()  # a goal the loader dropped as invalid is not a goal removed (E rules)
    removals: dict[str, tuple[_Step, GoalFacts]] = {}
    for step in steps:
        if not isinstance(step.before, PlanFacts):
            continue
        for goal_id, facts in step.before.goals.items():
            if goal_id not in current.goals and _goal_in(step.after, goal_id) is None:
                removals[goal_id] = (step, facts)
    found = []
    for goal_id, (step, facts) in removals.items():
        if step.date <= start:
            continue
        record = run.report(
            None,
            "dropped",
            DROPPED,
            step,
            ("goals",),
            ("id", goal_id, None),
            f"goal '{goal_id}' removed after the period started ({start.isoformat()}), "
            f"{_by(step)}; the plan page lists it as dropped",
        )
        found.append(DroppedGoal(loaded.slug, goal_id, facts.title, record, _last_goal(facts)))
    return tuple(found)


def _last_goal(facts: GoalFacts) -> Goal | None:
    """Return the goal as last committed, validated; invalid fields are left out."""
    if facts.model is not None:
        return facts.model
    data = {
        k: v for k, v in (facts.raw or {}).items() if not isinstance(v, str) or k != "measurements"
    }
    for _attempt in range(10):
        try:
            return Goal.model_validate(data)
        except ValidationError as exc:
            bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
            if not bad & set(data):
                return None
            data = {k: v for k, v in data.items() if k not in bad}
    return None


# --- records -----------------------------------------------------------------------------


def _goal_history(
    slug: str,
    now: GoalFacts,
    steps: Sequence[_Step],
    start: dt.date | None,
    first: _Step | None,
    changes: Mapping[str, list[GoalChange]],
) -> GoalHistory:
    """Return the goal's record: goalposts at the period start, now, and what changed."""
    own = changes.get(now.id, [])
    originals: dict[str, Value] = {}
    for change in own:
        if change.kind != "moved" or change.field in originals:
            continue
        originals[change.field] = _old_value(now.id, change, steps)
    target, baseline = now.fields["target"], now.fields["baseline"]
    target = None if target is UNKNOWN else target
    baseline = None if baseline is UNKNOWN else baseline
    return GoalHistory(
        plan=slug,
        goal=now.id,
        first_committed=first.commit if first else None,
        original_target=originals.get("target", target),
        original_baseline=originals.get("baseline", baseline),
        target=target,
        baseline=baseline,
        changes=tuple(own),
    )


def _old_value(goal_id: str, change: GoalChange, steps: Sequence[_Step]) -> Value:
    """Return the normalised value a moved field had before `change`."""
    for step in steps:
        if step.commit is change.commit and step.date == change.date:
            before = _goal_in(step.before, goal_id)
            if before is not None:
                return before.fields[change.field]
    return None
