"""What git says about a plan, on its page: moved goalposts and goals dropped mid-period.

The H rules (docs/history.md) find the changes; this module turns them into template data.
A goal whose target or baseline changed after the period started is also scored against the
goalposts it started with, so the card shows both: "75% of the way to the revised 16,000;
against the original 18,000, 50% (at risk)". A goal removed after the period started is
listed on its plan's page with its last committed status, so deleting a bad goal does not
hide it.

The data arrives as `plans.json` objects (`PlanHistory`), the same the `history` field of
each goal and the `dropped` list of each plan carry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smartdoc.model import Band, Checkin, Goal
from smartdoc.scoring import GoalScore
from smartdoc.site.format import STATUS_LABELS, format_date, format_percent

#: How each kind of change reads on a card, before its values.
CHANGE_LABELS: dict[str, str] = {
    "moved": "changed",
    "added-late": "goal added after the period started",
    "baseline-late": "baseline committed after its date",
    "checkin-rewritten": "check-in rewritten",
    "dropped": "goal removed",
}


@dataclass(frozen=True, slots=True)
class PlanHistory:
    """One plan's history as `plans.json` data: goal id -> its `history`; dropped goals."""

    goals: Mapping[str, Mapping[str, Any]]
    dropped: Sequence[Mapping[str, Any]]

    def fingerprint(self) -> str:
        """Return the data as one string, for the keys of cached pages."""
        return json.dumps([self.goals, list(self.dropped)], sort_keys=True, default=str)


def original_goal(goal: Goal, history: Mapping[str, Any] | None) -> Goal | None:
    """Return the goal with the target and baseline it had when the period started.

    None when they did not change, or when the original is not a figure smartdoc can score
    (no target then, or one that did not validate).
    """
    if not history or not history.get("revised"):
        return None
    original = history.get("original") or {}
    target, baseline = original.get("target"), original.get("baseline")
    if isinstance(target, dict):
        low, high = target.get("min"), target.get("max")
        if not (isinstance(low, (int, float)) and isinstance(high, (int, float))):
            return None
        target = Band(min=low, max=high)
    elif not _is_figure(target):
        return None
    update: dict[str, Any] = {"target": target}
    if isinstance(baseline, dict) and _is_figure(baseline.get("value")):
        try:
            day = dt.date.fromisoformat(str(baseline.get("date")))
        except ValueError:
            return None
        update["baseline"] = Checkin(date=day, value=baseline["value"])
    return goal.model_copy(update=update)


def _is_figure(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def get_goalposts(
    history: Mapping[str, Any] | None, original: GoalScore | None, target_text: str | None
) -> dict[str, Any] | None:
    """Return a goal card's `goalposts`: the changes git found, and the original's score."""
    if not history:
        return None
    changes = [_change(change) for change in history.get("changes") or ()]
    if not changes and original is None:
        return None
    against = None
    if original is not None:
        against = {
            "target": target_text,
            "progress": format_percent(original.progress),
            "status": original.status,
            "status_label": STATUS_LABELS.get(original.status, original.status),
        }
    return {"changes": changes, "original": against}


def _change(change: Mapping[str, Any]) -> dict[str, Any]:
    commit = change.get("commit") or {}
    kind = str(change.get("kind") or "")
    field = str(change.get("field") or "")
    label = f"{field} {CHANGE_LABELS[kind]}" if kind == "moved" else CHANGE_LABELS.get(kind, kind)
    if kind == "checkin-rewritten" and change.get("checkin_date"):
        label = (
            f"check-in of {format_date(dt.date.fromisoformat(change['checkin_date']))} rewritten"
        )
    return {
        "date": dt.date.fromisoformat(str(change.get("date"))),
        "label": label,
        "old": change.get("old"),
        "new": change.get("new"),
        "commit": commit.get("short"),
        "author": commit.get("author"),
        "reason": change.get("reason"),
        "code": change.get("code"),
    }


def get_dropped(dropped: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return a plan page's `dropped` goals: what was removed, when, by whom, its last status."""
    items = []
    for item in dropped:
        removed = item.get("removed") or {}
        commit = removed.get("commit") or {}
        status = item.get("last_status")
        items.append(
            {
                "id": item.get("id"),
                "title": item.get("title") or item.get("id"),
                "date": dt.date.fromisoformat(str(removed.get("date"))),
                "commit": commit.get("short"),
                "author": commit.get("author"),
                "reason": removed.get("reason"),
                "last_status": status,
                "last_status_label": STATUS_LABELS.get(status, status) if status else None,
                "last_progress": format_percent(item.get("last_progress")),
            }
        )
    return items
