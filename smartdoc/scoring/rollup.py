"""Roll-ups: a plan, a strategic objective across plans, an area, the kind x area split;
each attainment with the worst status beside it (see `smartdoc.scoring`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from smartdoc.cadence import DEFAULT_STALENESS_DAYS
from smartdoc.model import (
    AREAS,
    Plan,
)
from smartdoc.scoring.goal import clamp, score_goal
from smartdoc.scoring.results import (
    DEFAULT_TOLERANCE,
    KINDS,
    STATUSES,
    AreaScore,
    BudgetScore,
    ObjectiveGoal,
    ObjectiveScore,
    PlanScore,
    RollupGoal,
    RollupPlan,
    SmartLetters,
    SmartScore,
    SplitCell,
    worst_status,
)

# --- roll-ups ----------------------------------------------------------------------------


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """Return how many of each status, every vocabulary key present, in `STATUSES` order."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts


def weighted_attainment(goals: Iterable[RollupGoal]) -> float | None:
    """Return the weighted mean attainment over goals that have one (weight > 0)."""
    total = weights = 0.0
    for goal in goals:
        if goal.attainment is None or goal.weight <= 0:
            continue
        total += goal.weight * clamp(goal.attainment)
        weights += goal.weight
    return clamp(total / weights) if weights > 0 else None


def get_smart_score(goals: Iterable[RollupGoal]) -> SmartScore:
    """Return SMART criteria met over criteria checked (None letters are not checked)."""
    letters = [value for goal in goals for value in goal.smart.values() if value is not None]
    return SmartScore(met=sum(1 for value in letters if value), checked=len(letters))


def get_budget(plan: Plan) -> BudgetScore:
    """Return the sum of goal budgets beside the plan total."""
    budgets = [goal.budget for goal in plan.goals if goal.budget is not None]
    return BudgetScore(
        allocated=float(sum(budgets)),
        total=plan.budget.total if plan.budget else None,
        currency=plan.budget.currency if plan.budget else None,
        goals_with_budget=len(budgets),
    )


def score_plan(
    plan: Plan,
    today: dt.date,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    slug: str,
    smart: Mapping[str, SmartLetters] | None = None,
    staleness_days: int = DEFAULT_STALENESS_DAYS,
) -> PlanScore:
    """Return the plan's goal scores and roll-ups; `smart` maps goal id -> letter -> bool|None."""
    smart = smart or {}
    goals = tuple(
        score_goal(
            goal,
            today,
            tolerance,
            period=plan.period,
            smart=smart.get(goal.id) if goal.id is not None else None,
            staleness_days=staleness_days,
        )
        for goal in plan.goals
    )
    return PlanScore(
        slug=slug,
        title=plan.title,
        period=plan.period,
        strategy=plan.objective_titles,
        goals=goals,
        status_counts=count_statuses(goal.status for goal in goals),
        attainment=weighted_attainment(goals),
        smart=get_smart_score(goals),
        budget=get_budget(plan),
        objectives=dict(plan.strategy or {}),
        worst_status=worst_status(goal.status for goal in goals),
    )


def score_portfolio(plans: Iterable[RollupPlan]) -> tuple[ObjectiveScore, ...]:
    """Return each strategic objective across plans with the goals serving it, by key."""
    descriptions: dict[str, list[str]] = {}
    declared_by: dict[str, list[str]] = {}
    served: dict[str, list[tuple[str, RollupGoal]]] = {}
    areas: dict[str, str] = {}
    horizons: dict[str, int] = {}
    for plan in plans:
        for key, description in plan.strategy.items():
            if description not in descriptions.setdefault(key, []):
                descriptions[key].append(description)
            declared_by.setdefault(key, []).append(plan.slug)
        for key, objective in plan.objectives.items():
            if objective.area is not None:
                areas.setdefault(key, objective.area)
            if objective.horizon is not None:
                horizons.setdefault(key, objective.horizon)
        for goal in plan.goals:
            if goal.serves is not None:
                # A key no plan declares still shows, so the portfolio hides no goal (R rules).
                descriptions.setdefault(goal.serves, [])
                served.setdefault(goal.serves, []).append((plan.slug, goal))
    return tuple(
        ObjectiveScore(
            key=key,
            descriptions=tuple(descriptions[key]),
            plans=tuple(declared_by.get(key, ())),
            goals=tuple(
                ObjectiveGoal(
                    plan=slug,
                    goal=goal.id,
                    title=goal.title,
                    status=goal.status,
                    progress=goal.progress,
                )
                for slug, goal in served.get(key, ())
            ),
            status_counts=count_statuses(goal.status for _, goal in served.get(key, ())),
            attainment=weighted_attainment(goal for _, goal in served.get(key, ())),
            title=descriptions[key][0] if descriptions[key] else None,
            area=areas.get(key),
            horizon=horizons.get(key),
            worst_status=worst_status(goal.status for _, goal in served.get(key, ())),
        )
        for key in sorted(descriptions)
    )


def get_area_scores(goals: Iterable[RollupGoal]) -> tuple[AreaScore, ...]:
    """Return the roll-up per area: every area, then goals without one (only if there are any).

    Any set of goals works: a plan's, the portfolio's, or one kind's.
    """
    by_area: dict[str | None, list[RollupGoal]] = {area: [] for area in AREAS}
    for goal in goals:
        by_area.setdefault(goal.area, []).append(goal)
    return tuple(
        AreaScore(
            area=area,
            goal_count=len(members),
            status_counts=count_statuses(goal.status for goal in members),
            attainment=weighted_attainment(members),
            worst_status=worst_status(goal.status for goal in members),
        )
        for area, members in by_area.items()
        if area is not None or members
    )


def score_areas(plans: Iterable[RollupPlan]) -> tuple[AreaScore, ...]:
    """Return the portfolio roll-up per area across plans (`plans.json` `areas`)."""
    return get_area_scores(goal for plan in plans for goal in plan.goals)


def get_split(goals: Iterable[RollupGoal]) -> tuple[SplitCell, ...]:
    """Return the kind x area split: a cell per kind and area, row by row (kinds first).

    Both kinds and both areas always have their cells, empty ones included, so the split
    reads as a 2 x 2; goals that declare no kind or no area (Q rules report them) get a
    row or column of their own, only when there are any, so none is hidden.
    """
    members = list(goals)
    kinds: list[str | None] = list(KINDS)
    areas: list[str | None] = list(AREAS)
    if any(goal.kind not in KINDS for goal in members):
        kinds.append(None)
    if any(goal.area not in AREAS for goal in members):
        areas.append(None)
    cells = []
    for kind in kinds:
        for area in areas:
            inside = [
                goal
                for goal in members
                if (goal.kind if goal.kind in KINDS else None) == kind
                and (goal.area if goal.area in AREAS else None) == area
            ]
            cells.append(
                SplitCell(
                    kind=kind,
                    area=area,
                    goal_count=len(inside),
                    attainment=weighted_attainment(inside),
                    worst_status=worst_status(goal.status for goal in inside),
                )
            )
    return tuple(cells)
