"""`smartdoc diff BASE [HEAD]`: what a change does to the scorecard, for a pull-request comment.

`compare_scorecards(base, head)` takes two scorecards (plan scores and findings, each made
the usual way from one version of the project) and returns a frozen `ScorecardDiff`: per
goal, status changes, progress deltas, targets and baselines moved, budgets moved between
goals, goals and plans added or removed; and the findings introduced and fixed. Goals are
matched by plan slug and goal id (a goal without an id by its position). Findings are
matched by file, code, goal and message, never by line, so moving text is no change.

Renderers: `render_text` (a terminal), `render_markdown` (a pull-request comment: a summary
line, a table of changed goals, collapsible details for findings; everything a plan wrote
is escaped, so a title cannot inject markup or mention people) and `render_json`
(`{"version": 1, ...}`). `has_new_errors` decides exit 1.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from smartdoc.figures import format_number
from smartdoc.lint.finding import Finding
from smartdoc.load import LoadedPlan
from smartdoc.model import Band
from smartdoc.scoring import GoalScore, PlanScore

DIFF_JSON_VERSION = 1
Target = float | tuple[float, float] | None
Pair = tuple[Any, Any]


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One side of a diff: plan scores, findings and (optional) goal budgets."""

    plans: Sequence[PlanScore]
    findings: Sequence[Finding]
    #: (plan slug, goal id) -> the goal's budget; `GoalScore` has none (see `goal_budgets`).
    budgets: Mapping[tuple[str, str], float] = field(default_factory=dict)


def goal_budgets(plans: Iterable[LoadedPlan]) -> dict[tuple[str, str], float]:
    """Return (plan slug, goal key) -> budget for the loaded plans (for `Scorecard.budgets`)."""
    budgets = {}
    for loaded in plans:
        for index, goal in enumerate(loaded.plan.goals if loaded.plan else ()):
            if goal.budget is not None:
                budgets[(loaded.slug, goal.id or f"#{index + 1}")] = float(goal.budget)
    return budgets


@dataclass(frozen=True, slots=True)
class GoalDiff:
    """One goal that changed between base and head; each pair is (base, head)."""

    plan: str
    #: The goal id, or `#N` (its position) without one.
    goal: str
    title: str | None
    change: Literal["added", "removed", "changed"]
    unit: str | None
    status: tuple[str | None, str | None]
    progress: tuple[float | None, float | None]
    target: tuple[Target, Target]
    baseline: tuple[float | None, float | None]
    budget: tuple[float | None, float | None]

    @property
    def status_changed(self) -> bool:
        """Return True when the status differs."""
        return self.status[0] != self.status[1]

    @property
    def progress_delta(self) -> float | None:
        """Return head progress minus base progress (None unless both are known)."""
        before, after = self.progress
        return None if before is None or after is None else after - before

    @property
    def target_moved(self) -> bool:
        """Return True when the target differs (and the goal is on both sides)."""
        return self.change == "changed" and self.target[0] != self.target[1]

    @property
    def baseline_moved(self) -> bool:
        """Return True when the baseline value differs (and the goal is on both sides)."""
        return self.change == "changed" and self.baseline[0] != self.baseline[1]

    @property
    def budget_moved(self) -> bool:
        """Return True when the goal's budget differs."""
        return self.budget[0] != self.budget[1]


@dataclass(frozen=True, slots=True)
class BudgetMove:
    """Budget moved between the goals of one plan: each goal whose budget changed."""

    plan: str
    currency: str | None
    #: (goal, base budget, head budget), for goals whose budget changed.
    goals: tuple[tuple[str, float | None, float | None], ...]
    allocated: tuple[float | None, float | None]


@dataclass(frozen=True, slots=True)
class ScorecardDiff:
    """What changed between two scorecards."""

    base: str
    head: str
    goals: tuple[GoalDiff, ...]
    budgets: tuple[BudgetMove, ...]
    plans_added: tuple[str, ...]
    plans_removed: tuple[str, ...]
    introduced: tuple[Finding, ...]
    fixed: tuple[Finding, ...]

    @property
    def is_empty(self) -> bool:
        """Return True when nothing a reviewer would see changed."""
        return not (
            self.goals
            or self.budgets
            or self.plans_added
            or self.plans_removed
            or self.introduced
            or self.fixed
        )


# --- comparing ---------------------------------------------------------------------------


def _as_scorecard(side: Scorecard | tuple[Sequence[PlanScore], Sequence[Finding]]) -> Scorecard:
    return side if isinstance(side, Scorecard) else Scorecard(side[0], side[1])


def _goal_keys(plan: PlanScore) -> dict[str, GoalScore]:
    keyed: dict[str, GoalScore] = {}
    for index, goal in enumerate(plan.goals):
        keyed.setdefault(goal.id or f"#{index + 1}", goal)
    return keyed


def _target(goal: GoalScore | None) -> Target:
    target = goal.phases.target if goal else None
    if isinstance(target, Band):
        return (float(target.min), float(target.max))
    return None if target is None else float(target)


def _baseline(goal: GoalScore | None) -> float | None:
    before = goal.phases.before if goal else None
    return None if before is None else float(before.value)


def _goal_diff(
    slug: str,
    key: str,
    base: GoalScore | None,
    head: GoalScore | None,
    budgets: tuple[float | None, float | None],
) -> GoalDiff | None:
    either = head or base
    assert either is not None
    change: Literal["added", "removed", "changed"] = (
        "added" if base is None else "removed" if head is None else "changed"
    )
    found = GoalDiff(
        plan=slug,
        goal=key,
        title=either.title,
        change=change,
        unit=either.unit,
        status=(base.status if base else None, head.status if head else None),
        progress=(base.progress if base else None, head.progress if head else None),
        target=(_target(base), _target(head)),
        baseline=(_baseline(base), _baseline(head)),
        budget=budgets,
    )
    if change != "changed":
        return found
    moved = found.status_changed or found.target_moved or found.baseline_moved
    delta = found.progress_delta
    progressed = found.progress[0] != found.progress[1] and not (
        delta is not None and math.isclose(delta, 0.0, abs_tol=1e-9)
    )
    return found if moved or progressed or found.budget_moved else None


def _finding_key(finding: Finding) -> tuple[str, str, str | None, str]:
    return (finding.file, finding.code, finding.goal, finding.message)


def _finding_changes(
    base: Sequence[Finding], head: Sequence[Finding]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Return (introduced, fixed), matching as multisets by file, code, goal and message."""
    base_count = Counter(_finding_key(f) for f in base)
    head_count = Counter(_finding_key(f) for f in head)
    introduced, fixed = [], []
    seen: Counter[tuple[str, str, str | None, str]] = Counter()
    for finding in sorted(head):
        key = _finding_key(finding)
        seen[key] += 1
        if seen[key] > base_count[key]:
            introduced.append(finding)
    seen.clear()
    for finding in sorted(base):
        key = _finding_key(finding)
        seen[key] += 1
        if seen[key] > head_count[key]:
            fixed.append(finding)
    return tuple(introduced), tuple(fixed)


def compare_scorecards(
    base: Scorecard | tuple[Sequence[PlanScore], Sequence[Finding]],
    head: Scorecard | tuple[Sequence[PlanScore], Sequence[Finding]],
    *,
    base_label: str = "base",
    head_label: str = "head",
) -> ScorecardDiff:
    """Return what changed from `base` to `head`: goals, budgets, plans and findings."""
    before, after = _as_scorecard(base), _as_scorecard(head)
    base_plans = {plan.slug: plan for plan in before.plans}
    head_plans = {plan.slug: plan for plan in after.plans}
    goals: list[GoalDiff] = []
    moves: list[BudgetMove] = []
    for slug in [*head_plans, *(s for s in base_plans if s not in head_plans)]:
        base_goals = _goal_keys(base_plans[slug]) if slug in base_plans else {}
        head_goals = _goal_keys(head_plans[slug]) if slug in head_plans else {}
        budget_changes = []
        for key in [*head_goals, *(k for k in base_goals if k not in head_goals)]:
            budgets = (before.budgets.get((slug, key)), after.budgets.get((slug, key)))
            found = _goal_diff(slug, key, base_goals.get(key), head_goals.get(key), budgets)
            if found is not None:
                goals.append(found)
            if budgets[0] != budgets[1]:
                budget_changes.append((key, budgets[0], budgets[1]))
        if budget_changes and slug in base_plans and slug in head_plans:
            plan_before, plan_after = base_plans[slug], head_plans[slug]
            moves.append(
                BudgetMove(
                    plan=slug,
                    currency=plan_after.budget.currency,
                    goals=tuple(budget_changes),
                    allocated=(plan_before.budget.allocated, plan_after.budget.allocated),
                )
            )
    introduced, fixed = _finding_changes(before.findings, after.findings)
    return ScorecardDiff(
        base=base_label,
        head=head_label,
        goals=tuple(goals),
        budgets=tuple(moves),
        plans_added=tuple(s for s in head_plans if s not in base_plans),
        plans_removed=tuple(s for s in base_plans if s not in head_plans),
        introduced=introduced,
        fixed=fixed,
    )


def has_new_errors(diff: ScorecardDiff) -> bool:
    """Return True when the change introduces an error finding (the command exits 1)."""
    return any(finding.severity == "error" for finding in diff.introduced)


# --- words -------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100):,}%"


def _points(delta: float | None) -> str:
    if delta is None:
        return ""
    points = round(delta * 100)
    return f" ({'+' if points >= 0 else '−'}{abs(points):,} pts)"


def _figure(value: Target) -> str:
    if value is None:
        return "–"
    if isinstance(value, tuple):
        return f"{format_number(value[0])}–{format_number(value[1])}"
    return format_number(value)


def _pair(pair: Pair, show: Any) -> str:
    before, after = pair
    return show(after) if before == after else f"{show(before)} → {show(after)}"


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + format_number(abs(value))


def _budget_line(move: BudgetMove) -> str:
    parts = []
    for goal, before, after in move.goals:
        delta = (after or 0.0) - (before or 0.0)
        parts.append(f"{goal} {_figure(before)} → {_figure(after)} ({_signed(delta)})")
    allocated = _pair(move.allocated, _figure)
    currency = f" {move.currency}" if move.currency else ""
    return f"{'; '.join(parts)}; allocated {allocated}{currency}"


def _summary(diff: ScorecardDiff) -> str:
    status_changes = sum(1 for g in diff.goals if g.change == "changed" and g.status_changed)
    moved = sum(1 for g in diff.goals if g.target_moved or g.baseline_moved)
    errors = sum(1 for f in diff.introduced if f.severity == "error")
    parts = [
        _count(len(diff.goals), "goal") + " changed",
        _count(status_changes, "status change"),
        _count(moved, "goalpost") + " moved",
    ]
    if diff.budgets:
        parts.append(f"budget moved in {_count(len(diff.budgets), 'plan')}")
    if diff.plans_added or diff.plans_removed:
        parts.append(f"plans +{len(diff.plans_added)} −{len(diff.plans_removed)}")
    parts.append(
        f"{_count(len(diff.introduced), 'finding')} introduced ({_count(errors, 'error')})"
    )
    parts.append(f"{len(diff.fixed):,} fixed")
    return ", ".join(parts)


def _count(amount: int, noun: str) -> str:
    plural = noun if amount == 1 else (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")
    return f"{amount:,} {plural}"


def _goal_parts(goal: GoalDiff) -> list[str]:
    if goal.change != "changed":
        status = goal.status[1] if goal.change == "added" else goal.status[0]
        return [f"{goal.change} ({status})"]
    parts = []
    if goal.status_changed:
        parts.append(f"status {goal.status[0]} → {goal.status[1]}")
    if goal.progress[0] != goal.progress[1]:
        parts.append(
            f"progress {_pct(goal.progress[0])} → {_pct(goal.progress[1])}"
            + _points(goal.progress_delta)
        )
    if goal.target_moved:
        parts.append(f"target {_figure(goal.target[0])} → {_figure(goal.target[1])}")
    if goal.baseline_moved:
        parts.append(f"baseline {_figure(goal.baseline[0])} → {_figure(goal.baseline[1])}")
    if goal.budget_moved:
        parts.append(f"budget {_figure(goal.budget[0])} → {_figure(goal.budget[1])}")
    return parts


def _location(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}:{finding.column}"


# --- text --------------------------------------------------------------------------------


def _plain(text: str | None) -> str:
    """Return untrusted text on one line, control characters dropped."""
    return " ".join("".join(c if c.isprintable() else " " for c in (text or "")).split())


def render_text(diff: ScorecardDiff) -> str:
    """Return the diff for a terminal."""
    lines = [f"smartdoc diff {_plain(diff.base)} → {_plain(diff.head)}: {_summary(diff)}"]
    for slug in diff.plans_added:
        lines.append(f"  plan added: {_plain(slug)}")
    for slug in diff.plans_removed:
        lines.append(f"  plan removed: {_plain(slug)}")
    for goal in diff.goals:
        lines.append(f"  {_plain(goal.plan)}/{_plain(goal.goal)}: {'; '.join(_goal_parts(goal))}")
    for move in diff.budgets:
        lines.append(f"  budget moved in {_plain(move.plan)}: {_budget_line(move)}")
    for title, findings, mark in (
        ("findings introduced", diff.introduced, "+"),
        ("findings fixed", diff.fixed, "-"),
    ):
        if findings:
            lines.append(f"{title}:")
            lines.extend(
                f"  {mark} {_plain(_location(f))}: {f.code} [{f.severity}] {_plain(f.message)}"
                for f in findings
            )
    return "\n".join(lines) + "\n"


# --- markdown ----------------------------------------------------------------------------

#: Inline markup characters (user text never starts a line, so list and heading marks are
#: inert); `$` starts maths on GitHub.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
_SEVERITY_ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def escape_markdown(text: str | None) -> str:
    """Return untrusted text safe in a GitHub/GitLab comment: no markup, links or mentions."""
    plain = _plain(text)
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    plain = _MARKDOWN_SPECIAL.sub(r"\\\1", plain)
    # '@name' would notify a person or team; '#12' and URLs stay inert once escaped
    return plain.replace("@", "@\u200b")


def _cell(pair: Pair, show: Any, changed: bool) -> str:
    before, after = pair
    if not changed or before == after:
        return escape_markdown(show(after))
    return f"{escape_markdown(show(before))} → **{escape_markdown(show(after))}**"


def _status(value: str | None) -> str:
    return value or "–"


def _goal_row(goal: GoalDiff) -> str:
    name = escape_markdown(goal.goal)
    if goal.title:
        name += f"<br><sub>{escape_markdown(goal.title)}</sub>"
    if goal.change != "changed":
        side = 1 if goal.change == "added" else 0
        label = "*new*," if side else "*removed*, was"
        cells = [
            f"{label} {escape_markdown(_status(goal.status[side]))}",
            escape_markdown(_pct(goal.progress[side])),
            escape_markdown(_figure(goal.target[side])),
            escape_markdown(_figure(goal.baseline[side])),
            escape_markdown(_figure(goal.budget[side])),
        ]
    else:
        progress = _cell(goal.progress, _pct, goal.progress[0] != goal.progress[1])
        if goal.progress_delta is not None and goal.progress[0] != goal.progress[1]:
            progress += " " + escape_markdown(_points(goal.progress_delta))
        cells = [
            _cell(goal.status, _status, goal.status_changed),
            progress,
            _cell(goal.target, _figure, goal.target_moved),
            _cell(goal.baseline, _figure, goal.baseline_moved),
            _cell(goal.budget, _figure, goal.budget_moved),
        ]
    return "| " + " | ".join([escape_markdown(goal.plan), name, *cells]) + " |"


def _finding_item(finding: Finding) -> str:
    icon = _SEVERITY_ICONS.get(finding.severity, "")
    return (
        f"- {icon} {escape_markdown(_location(finding))} **{finding.code}** "
        f"{escape_markdown(finding.name)}: {escape_markdown(finding.message)}"
    )


def render_markdown(diff: ScorecardDiff) -> str:
    """Return the diff as a pull-request comment (GitHub and GitLab flavoured Markdown)."""
    lines = [
        f"### smartdoc scorecard: {escape_markdown(diff.base)} → {escape_markdown(diff.head)}",
        "",
    ]
    if diff.is_empty:
        lines.append("No change to the scorecard, and no finding introduced or fixed.")
        return "\n".join(lines) + "\n"
    errors = sum(1 for f in diff.introduced if f.severity == "error")
    verdict = "❌ introduces error findings" if errors else "✅ no new error findings"
    lines += [f"**{verdict}** · {escape_markdown(_summary(diff))}", ""]
    if diff.plans_added or diff.plans_removed:
        added = ", ".join(escape_markdown(s) for s in diff.plans_added) or "none"
        removed = ", ".join(escape_markdown(s) for s in diff.plans_removed) or "none"
        lines += [f"Plans added: {added} · removed: {removed}", ""]
    if diff.goals:
        lines += [
            "| Plan | Goal | Status | Progress | Target | Baseline | Budget |",
            "|---|---|---|---|---|---|---|",
            *(_goal_row(goal) for goal in diff.goals),
            "",
        ]
    for move in diff.budgets:
        lines += [
            f"Budget moved in {escape_markdown(move.plan)}: {escape_markdown(_budget_line(move))}",
            "",
        ]
    for title, findings in (("introduced", diff.introduced), ("fixed", diff.fixed)):
        if not findings:
            continue
        lines += [
            "<details>",
            f"<summary>{_count(len(findings), 'finding')} {title}</summary>",
            "",
            *(_finding_item(finding) for finding in findings),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- JSON --------------------------------------------------------------------------------


def _json_number(value: float | None) -> float | int | None:
    if value is None or not math.isfinite(value):
        return None
    rounded = round(value, 6)
    return int(rounded) if rounded.is_integer() else rounded


def _json_target(value: Target) -> Any:
    if isinstance(value, tuple):
        return {"min": _json_number(value[0]), "max": _json_number(value[1])}
    return _json_number(value)


def _goal_json(goal: GoalDiff) -> dict[str, Any]:
    return {
        "plan": goal.plan,
        "goal": goal.goal,
        "title": goal.title,
        "change": goal.change,
        "unit": goal.unit,
        "status": {"base": goal.status[0], "head": goal.status[1]},
        "progress": {
            "base": _json_number(goal.progress[0]),
            "head": _json_number(goal.progress[1]),
            "delta": _json_number(goal.progress_delta),
        },
        "target": {"base": _json_target(goal.target[0]), "head": _json_target(goal.target[1])},
        "baseline": {
            "base": _json_number(goal.baseline[0]),
            "head": _json_number(goal.baseline[1]),
        },
        "budget": {"base": _json_number(goal.budget[0]), "head": _json_number(goal.budget[1])},
    }


def diff_to_json(diff: ScorecardDiff) -> dict[str, Any]:
    """Return the diff as a versioned JSON document."""
    return {
        "version": DIFF_JSON_VERSION,
        "base": diff.base,
        "head": diff.head,
        "summary": {
            "goals_changed": len(diff.goals),
            "status_changes": sum(
                1 for g in diff.goals if g.change == "changed" and g.status_changed
            ),
            "findings_introduced": len(diff.introduced),
            "errors_introduced": sum(1 for f in diff.introduced if f.severity == "error"),
            "findings_fixed": len(diff.fixed),
        },
        "plans": {"added": list(diff.plans_added), "removed": list(diff.plans_removed)},
        "goals": [_goal_json(goal) for goal in diff.goals],
        "budgets": [
            {
                "plan": move.plan,
                "currency": move.currency,
                "goals": [
                    {"goal": g, "base": _json_number(b), "head": _json_number(a)}
                    for g, b, a in move.goals
                ],
                "allocated": {
                    "base": _json_number(move.allocated[0]),
                    "head": _json_number(move.allocated[1]),
                },
            }
            for move in diff.budgets
        ],
        "findings": {
            "introduced": [f.to_json() for f in diff.introduced],
            "fixed": [f.to_json() for f in diff.fixed],
        },
    }


def render_json(diff: ScorecardDiff) -> str:
    """Return the diff as JSON text (`{"version": 1, ...}`)."""
    return json.dumps(diff_to_json(diff), indent=2, ensure_ascii=False) + "\n"
