"""`site/plans.json` (docs/commands.md): the scores as data, for anyone who builds on the site.

`{"version": 1, "today": ..., "plans": [...], "objectives": [...], "areas": [...]}`. The
version stays 1 while fields are only added. Fractions (progress, expected, attainment)
are rounded to `DECIMALS`; figures a plan wrote are kept as written (whole numbers
without `.0`); computed figures (change) to `FIGURE_DECIMALS`.

Fields added after the first release: per goal `area`, `as_of` (the date of the current
figure, the day the goal is judged at), `stale` (true when the latest check-in is older
than the goal's cadence allows), `inside` (`{n, m}`: figures inside the band, for band
goals; else null), `override` (`{status, reason, date, by}` or null) and `history` (when
the goal was first committed, whether its target or baseline was revised and the original
ones, and the changes the H rules found; null outside git); per plan `worst_status` and
`dropped` (goals removed after the period started, with their last status; null outside
git); `objectives` and `areas`, each with `attainment` and `worst_status`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from smartdoc.model import Band, Checkin
from smartdoc.scoring import AreaScore, GoalScore, ObjectiveScore, OverrideScore, PlanScore

#: Decimals kept for fractions in JSON (progress, expected, attainment).
DECIMALS = 4
#: Decimals kept for computed figures in JSON (change); figures as written are kept whole.
FIGURE_DECIMALS = 6


def goal_to_json(score: GoalScore, *, history: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the `plans.json` object of one goal; `history` is what git says (or None)."""
    band = score.band
    return {
        "id": score.id,
        "title": score.title,
        "kind": score.kind,
        "direction": score.direction,
        "unit": score.unit,
        "status": score.status,
        "progress": _number(score.progress),
        "expected": _number(score.expected),
        "before": _checkin(score.phases.before),
        "during": [_checkin(c) for c in score.phases.during],
        "after": _checkin(score.phases.after),
        "target": _target(score.phases.target),
        "change": {
            "abs": _number(score.phases.change.abs, FIGURE_DECIMALS),
            "pct": _number(score.phases.change.pct, 2),
            "basis": score.phases.change.basis,
        },
        "smart": dict(score.smart),
        "current": _checkin(score.current),
        "latest": _checkin(score.phases.latest),
        "attainment_pct": _number(score.attainment_pct, 2),
        "band": None
        if band is None
        else {
            "min": _figure(band.low),
            "max": _figure(band.high),
            "met": band.met,
            "hold": band.hold,
            "inside": band.inside,
            "total": band.total,
        },
        "serves": score.serves,
        "deadline": _iso(score.deadline),
        "weight": _number(score.weight),
        "area": score.area,
        "as_of": _iso(score.as_of),
        "stale": score.stale is not None,
        "inside": None if band is None else {"n": band.inside, "m": band.total},
        "override": _override_json(score.override),
        "history": None if history is None else dict(history),
    }


def _override_json(override: OverrideScore | None) -> dict[str, Any] | None:
    if override is None:
        return None
    return {
        "status": override.status,
        "reason": override.reason,
        "date": _iso(override.date),
        "by": override.by,
    }


def plan_to_json(
    score: PlanScore,
    *,
    history: Mapping[str, Mapping[str, Any]] | None = None,
    dropped: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the `plans.json` object of one plan.

    `history` (goal id -> its changes) and `dropped` come from git; None outside it, where
    each goal's `history` and the plan's `dropped` are null.
    """
    period = score.period
    return {
        "slug": score.slug,
        "title": score.title,
        "period": None
        if period is None
        else {
            "start": _iso(period.start),
            "end": _iso(period.end),
        },
        "status_counts": dict(score.status_counts),
        "attainment": _number(score.attainment),
        "worst_status": score.worst_status,
        "smart_score": _number(score.smart.score),
        "goals": [
            goal_to_json(
                goal,
                history=None if history is None else history.get(goal.id or ""),
            )
            for goal in score.goals
        ],
        "dropped": None if dropped is None else [dict(item) for item in dropped],
        "smart": {"met": score.smart.met, "checked": score.smart.checked},
        "budget": {
            "allocated": _number(score.budget.allocated, 2),
            "total": _number(score.budget.total, 2),
            "currency": score.budget.currency,
            "remaining": _number(score.budget.remaining, 2),
            "over": score.budget.is_over,
        },
    }


def portfolio_to_json(objectives: Iterable[ObjectiveScore]) -> list[dict[str, Any]]:
    """Return the portfolio roll-up as JSON-ready objects, one per strategic objective."""
    return [
        {
            "key": objective.key,
            "title": objective.title,
            "area": objective.area,
            "horizon": objective.horizon,
            "descriptions": list(objective.descriptions),
            "plans": list(objective.plans),
            "goals": [
                {
                    "plan": g.plan,
                    "goal": g.goal,
                    "title": g.title,
                    "status": g.status,
                    "progress": _number(g.progress),
                }
                for g in objective.goals
            ],
            "status_counts": dict(objective.status_counts),
            "attainment": _number(objective.attainment),
            "worst_status": objective.worst_status,
        }
        for objective in objectives
    ]


def areas_to_json(areas: Iterable[AreaScore]) -> list[dict[str, Any]]:
    """Return the per-area roll-up as JSON-ready objects (`plans.json` `areas`)."""
    return [
        {
            "area": area.area,
            "goals": area.goal_count,
            "status_counts": dict(area.status_counts),
            "attainment": _number(area.attainment),
            "worst_status": area.worst_status,
        }
        for area in areas
    ]


def plans_json(plans: Iterable[PlanScore], today: dt.date) -> dict[str, Any]:
    """Return the `plans` part of `site/plans.json` (the site adds objectives and areas)."""
    return {"version": 1, "today": today.isoformat(), "plans": [plan_to_json(p) for p in plans]}


# --- helpers -----------------------------------------------------------------------------


def _number(value: float | None, decimals: int = DECIMALS) -> float | int | None:
    """Round for stable output; whole numbers print without `.0`, and -0 as 0."""
    if value is None:
        return None
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _figure(value: float | None) -> float | int | None:
    """Return a figure as written: not rounded, whole numbers without `.0`."""
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _checkin(checkin: Checkin | None) -> dict[str, Any] | None:
    if checkin is None:
        return None
    return {"date": _iso(checkin.date), "value": _figure(checkin.value), "note": checkin.note}


def _target(target: float | Band | None) -> float | int | dict[str, Any] | None:
    if isinstance(target, Band):
        return {"min": _figure(target.min), "max": _figure(target.max)}
    return _figure(target)
