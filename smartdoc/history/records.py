"""What the H rules found, as frozen records for the page card, `plans.json` and the PDF.

A `GoalHistory` is one goal's story since its plan was first committed: the goalposts as
they stood when the period started (so a card can say "113% of the revised target, 94% of
the original"), and every change the H rules noticed. A `DroppedGoal` is a goal removed
after the period started, with its last committed version so its last status can be scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from smartdoc.history.facts import Invalid, Value, show
from smartdoc.history.log import Commit
from smartdoc.lint.finding import Finding
from smartdoc.model import Goal, Period
from smartdoc.scoring import DEFAULT_TOLERANCE, GoalScore, progress_of, score_goal

ChangeKind = Literal["moved", "added-late", "baseline-late", "checkin-rewritten", "dropped"]


@dataclass(frozen=True, slots=True)
class GoalChange:
    """One change to a goal the H rules report."""

    kind: ChangeKind
    #: The field: target, baseline, deadline, direction, interim, measurements or id.
    field: str
    #: The value before and after, as text (None where there is none to show).
    old: str | None
    new: str | None
    #: The commit that made it; None: the working tree (not committed yet).
    commit: Commit | None
    #: The commit's author date (today for the working tree).
    date: dt.date
    #: The rule code of the finding it made (H101..H106).
    code: str
    #: The `Smartdoc-Rebaseline:` reason, when the commit gave one.
    reason: str | None = None
    #: The check-in date, for a rewritten check-in.
    checkin_date: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the change as `plans.json` data."""
        return {
            "kind": self.kind,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "date": self.date.isoformat(),
            "commit": self.commit.to_json() if self.commit else None,
            "code": self.code,
            "reason": self.reason,
            "checkin_date": self.checkin_date.isoformat() if self.checkin_date else None,
        }


def _number_of(value: Value) -> float | None:
    return value if isinstance(value, float) else None


@dataclass(frozen=True, slots=True)
class GoalHistory:
    """One goal's history: when it was set, the goalposts at the start, what changed since."""

    plan: str
    goal: str
    #: The commit that first held the goal (None: not committed yet).
    first_committed: Commit | None
    #: Target and baseline as they stood when the period started (normalised values: a
    #: figure, (min, max) for a band, (date, value) for a baseline; None when absent).
    original_target: Value
    original_baseline: Value
    #: The same, as the plan says now.
    target: Value
    baseline: Value
    changes: tuple[GoalChange, ...] = ()

    @property
    def is_revised(self) -> bool:
        """Return True when the target or baseline differs from the one at the start."""
        return (self.original_target, self.original_baseline) != (self.target, self.baseline)

    def to_json(self) -> dict[str, Any]:
        """Return the `history` object of a goal in `plans.json`."""
        return {
            "first_committed": self.first_committed.to_json() if self.first_committed else None,
            "revised": self.is_revised,
            "original": {
                "target": _json_value(self.original_target),
                "baseline": _json_value(self.original_baseline),
            },
            "changes": [change.to_json() for change in self.changes],
        }


def _json_value(value: Value) -> Any:
    if value is None or isinstance(value, Invalid):
        return None if value is None else value.text
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dt.date):
        return {"date": value[0].isoformat(), "value": _json_value(value[1])}
    if isinstance(value, tuple) and len(value) == 2:
        return {"min": _json_value(value[0]), "max": _json_value(value[1])}
    return show(value)


def original_progress(history: GoalHistory, current: float) -> float | None:
    """Return the progress of `current` against the original baseline and target.

    The card shows it beside the progress against the plan as it stands ("113% of the
    revised target, 94% of the original"); None for bands or when a figure is missing.
    """
    target = _number_of(history.original_target)
    baseline = history.original_baseline
    if target is None or not (isinstance(baseline, tuple) and isinstance(baseline[0], dt.date)):
        return None
    return progress_of(baseline[1], target, current)


@dataclass(frozen=True, slots=True)
class DroppedGoal:
    """A goal removed from its plan after the period started."""

    plan: str
    goal: str
    title: str | None
    #: The removal, with its commit (or the working tree) and reason.
    removal: GoalChange
    #: The goal as last committed, validated (check-ins from a CSV file are not included);
    #: None when that version does not validate. Score it for the goal's last status.
    last: Goal | None = field(default=None, compare=False)

    def last_score(
        self, today: dt.date, tolerance: float = DEFAULT_TOLERANCE, period: Period | None = None
    ) -> GoalScore | None:
        """Return the goal's score as last committed (its last status), if it validates."""
        if self.last is None:
            return None
        return score_goal(self.last, today, tolerance, period=period)

    def to_json(self, today: dt.date, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Any]:
        """Return the dropped goal as `plans.json` data, with its last status."""
        score = self.last_score(min(today, self.removal.date), tolerance)
        return {
            "id": self.goal,
            "title": self.title,
            "removed": self.removal.to_json(),
            "last_status": score.status if score else None,
            "last_progress": score.progress if score else None,
        }


@dataclass(frozen=True, slots=True)
class HistoryReport:
    """The H rules' findings and the records behind them."""

    findings: tuple[Finding, ...]
    #: (plan slug, goal id) -> that goal's history, for every goal of a plan with history.
    goals: Mapping[tuple[str, str], GoalHistory]
    #: Plan slug -> goals removed after its period started.
    dropped: Mapping[str, tuple[DroppedGoal, ...]]
    #: (file, line, code) of each `# smartdoc: ignore[H...]` that silenced a finding.
    used_suppressions: frozenset[tuple[str, int, str]] = frozenset()

    def goal(self, plan: str, goal: str | None) -> GoalHistory | None:
        """Return the history of one goal, or None (no id, or its plan has no history)."""
        return None if goal is None else self.goals.get((plan, goal))

    def goal_json(self, plan: str, goal: str | None) -> dict[str, Any] | None:
        """Return the `history` field of a goal in `plans.json` (None: no history for it)."""
        found = self.goal(plan, goal)
        return found.to_json() if found else None
