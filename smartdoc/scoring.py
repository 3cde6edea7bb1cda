"""Scores and status (DESIGN §6) and the data of `site/plans.json` (DESIGN §8).

Pure arithmetic of (model, today, tolerance): no I/O, no clock, no global state. The site,
the PDFs and `smartdoc status` all read the same `GoalScore` / `PlanScore` values.

Definitions, for a goal with baseline `b`, target `t` and current value `c`:

- **As of today.** Figures dated after `today` are ignored (lint rule T reports them), so
  `--today` in the past gives the scorecard as it stood that day.
- **Current value** `c`: the final figure if any, else the latest check-in *by date* (the
  last listed wins among check-ins of the same date).
- **Progress** `p = (c - b) / (t - b)` for increase and decrease alike, not clamped: a goal
  moving away from its target has negative progress. None without `b`, `t` or `c`, when
  `t == b`, or for band goals.
- **Direction**, when not written: a `{min, max}` target is `range`; `t >= b` is `increase`;
  `t < b` is `decrease`; unknown without a baseline.
- **Bands** (`at-least`: the target is the floor; `at-most`: the ceiling; `range`:
  `{min, max}`) are *met* while `c` is inside, bounds inclusive, else *breached*; their
  history counts the check-ins that were inside.
- **Expected pace** `e`: the share of the time from the baseline date to the deadline that
  has passed at today, clamped to 0..1. With `interim` targets the expected *value* is
  interpolated piecewise-linearly through (baseline date, b), the interim points sorted by
  date (those outside the baseline-deadline span are ignored), and (deadline, t); then
  `e = (expected value - b) / (t - b)`, also clamped to 0..1. None for band goals and when
  the baseline date, the deadline or a deadline after the baseline date is missing.

Status precedence (the first that applies wins):

1. `not-started`: today is before the plan period starts (before the baseline date when
   the plan has no period).
2. `no-data`: no check-in or final figure yet.
3. `met` / `breached`: band goals.
4. `achieved`: p >= 1.
5. `missed`: the deadline has passed (today > deadline) and p < 1.
6. `on-track` (p >= e - tolerance), `at-risk` (p >= e - 2 x tolerance), else `off-track`.

A goal that has figures but lacks the numbers to be judged (no baseline or target, t == b,
no deadline to pace against) is `no-data` too: lint reports what is missing. Comparisons
allow `EPSILON` so a figure printed as 100% is never "not achieved" by a rounding error.

Roll-ups: the plan attainment is the weighted mean of each goal's progress clamped to
0..1 (so one runaway goal cannot hide the others; per-goal values stay raw). Goals without
progress (bands, no-data) and goals of weight <= 0 are left out; None when none is left.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from smartdoc.lint.registry import SMART_LETTERS
from smartdoc.model import BAND_DIRECTIONS, Band, Checkin, Goal, Period, Plan

#: Default status tolerance (`lint.tolerance` in smartdoc.yml).
DEFAULT_TOLERANCE = 0.10
#: Slack in status comparisons, far below anything a scorecard prints.
EPSILON = 1e-9
#: Decimals kept for fractions in JSON (progress, expected, attainment).
DECIMALS = 4
#: Decimals kept for computed figures in JSON (change); figures as written are kept whole.
FIGURE_DECIMALS = 6

ACHIEVED = "achieved"
MET = "met"
ON_TRACK = "on-track"
AT_RISK = "at-risk"
OFF_TRACK = "off-track"
MISSED = "missed"
BREACHED = "breached"
NO_DATA = "no-data"
NOT_STARTED = "not-started"
#: The status vocabulary, in the order counts are listed (best first, then the unjudged).
STATUSES: tuple[str, ...] = (
    ACHIEVED,
    MET,
    ON_TRACK,
    AT_RISK,
    OFF_TRACK,
    MISSED,
    BREACHED,
    NO_DATA,
    NOT_STARTED,
)

Basis = Literal["after", "latest"]
SmartLetters = Mapping[str, bool | None]


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BandScore:
    """Where a band goal stands: its bounds, whether it is met, and its history."""

    #: Lowest value inside the band (None: no floor, as for `at-most`).
    low: float | None
    #: Highest value inside the band (None: no ceiling, as for `at-least`).
    high: float | None
    #: Whether the current value is inside; None without a current value.
    met: bool | None
    #: Check-ins (as of today) that were inside the band.
    inside: int
    #: Check-ins (as of today) counted.
    total: int


@dataclass(frozen=True, slots=True)
class Change:
    """The change from before to after (or to the latest check-in when there is no final)."""

    #: Which figure is compared with the baseline: `after`, `latest`, or None (neither).
    basis: Basis | None
    #: Figure minus baseline, in the goal's unit.
    abs: float | None
    #: The change in % of the baseline (of its magnitude); None when the baseline is 0.
    pct: float | None


@dataclass(frozen=True, slots=True)
class Phases:
    """The before / during / after comparison of one goal."""

    before: Checkin | None
    #: Check-ins as of today, sorted by date.
    during: tuple[Checkin, ...]
    #: The latest check-in by date.
    latest: Checkin | None
    #: The final figure, if dated on or before today.
    after: Checkin | None
    target: float | Band | None
    change: Change


@dataclass(frozen=True, slots=True)
class GoalScore:
    """Everything the scorecards show about one goal."""

    id: str | None
    title: str | None
    kind: str | None
    #: As written, else inferred (see the module docs); None when it cannot be told.
    direction: str | None
    unit: str | None
    serves: str | None
    deadline: dt.date | None
    #: Weight in roll-ups (1 unless written).
    weight: float
    #: One of `STATUSES`.
    status: str
    #: Raw progress (not clamped), or None.
    progress: float | None
    #: Expected pace 0..1, or None.
    expected: float | None
    #: The figure scored: the final, else the latest check-in.
    current: Checkin | None
    band: BandScore | None
    phases: Phases
    #: Per SMART letter: True (met), False (failed), None (not checked).
    smart: Mapping[str, bool | None]

    @property
    def attainment_pct(self) -> float | None:
        """Return progress in percent, unclamped."""
        return None if self.progress is None else self.progress * 100


@dataclass(frozen=True, slots=True)
class SmartScore:
    """SMART criteria met over criteria checked, across a plan's goals."""

    met: int
    checked: int

    @property
    def score(self) -> float | None:
        """Return met / checked, or None when nothing was checked."""
        return self.met / self.checked if self.checked else None


@dataclass(frozen=True, slots=True)
class BudgetScore:
    """Goal budgets against the plan budget."""

    #: Sum of the goal budgets.
    allocated: float
    #: The plan's `budget.total`, if any.
    total: float | None
    currency: str | None
    #: Goals that carry a budget figure.
    goals_with_budget: int

    @property
    def remaining(self) -> float | None:
        """Return total minus allocated (negative when over), or None without a total."""
        return None if self.total is None else self.total - self.allocated

    @property
    def is_over(self) -> bool | None:
        """Return True when goal budgets exceed the plan total; None without a total."""
        return None if self.total is None else self.allocated > self.total + EPSILON


@dataclass(frozen=True, slots=True)
class PlanScore:
    """A plan's goal scores and roll-ups."""

    slug: str
    title: str | None
    period: Period | None
    #: The plan's strategic objectives: key -> description.
    strategy: Mapping[str, str]
    goals: tuple[GoalScore, ...]
    #: Goals per status, every key of `STATUSES` present, in that order.
    status_counts: Mapping[str, int]
    #: Weighted mean of progress clamped to 0..1, or None.
    attainment: float | None
    smart: SmartScore
    budget: BudgetScore


@dataclass(frozen=True, slots=True)
class ObjectiveGoal:
    """A goal as listed under a strategic objective in the portfolio."""

    plan: str
    goal: str | None
    title: str | None
    status: str
    progress: float | None


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    """One strategic objective across plans: the goals that serve it."""

    key: str
    #: The distinct descriptions plans give it, in plan order.
    descriptions: tuple[str, ...]
    #: Slugs of the plans that declare it in `strategy`.
    plans: tuple[str, ...]
    goals: tuple[ObjectiveGoal, ...]
    status_counts: Mapping[str, int]
    attainment: float | None


# --- figures -----------------------------------------------------------------------------


def checkins_as_of(goal: Goal, today: dt.date) -> tuple[Checkin, ...]:
    """Return the goal's check-ins dated on or before today, sorted by date."""
    return tuple(c for c in goal.checkins_by_date if c.date <= today)


def final_as_of(goal: Goal, today: dt.date) -> Checkin | None:
    """Return the final figure if it is dated on or before today."""
    return goal.final if goal.final is not None and goal.final.date <= today else None


def current_checkin(goal: Goal, today: dt.date) -> Checkin | None:
    """Return the figure to score: the final, else the latest check-in by date."""
    final = final_as_of(goal, today)
    if final is not None:
        return final
    during = checkins_as_of(goal, today)
    return during[-1] if during else None


def numeric_target(goal: Goal) -> float | None:
    """Return the target when it is a number."""
    return None if isinstance(goal.target, Band) or goal.target is None else goal.target


def infer_direction(goal: Goal) -> str | None:
    """Return the direction as written, else inferred from the target and baseline."""
    if goal.direction is not None:
        return goal.direction
    if isinstance(goal.target, Band):
        return "range"
    target = numeric_target(goal)
    if target is None or goal.baseline is None:
        return None
    return "increase" if target >= goal.baseline.value else "decrease"


def is_band(goal: Goal) -> bool:
    """Return True for at-least, at-most and range goals."""
    return infer_direction(goal) in BAND_DIRECTIONS


# --- arithmetic --------------------------------------------------------------------------


def progress_of(baseline: float, target: float, current: float) -> float | None:
    """Return (current - baseline) / (target - baseline), or None when undefined."""
    span = target - baseline
    if span == 0:
        return None
    # Huge figures can overflow the subtraction; an infinite progress is no progress figure.
    return _finite((current - baseline) / span)


def time_share(start: dt.date, end: dt.date, today: dt.date) -> float | None:
    """Return the share of start..end passed at today, clamped to 0..1."""
    total = (end - start).days
    if total <= 0:
        return None
    return _clamp((today - start).days / total)


def interpolate(points: Sequence[tuple[dt.date, float]], day: dt.date) -> float:
    """Return the piecewise-linear value at `day` through date-sorted points, flat outside."""
    if day <= points[0][0]:
        return points[0][1]
    for (start, low), (end, high) in itertools.pairwise(points):
        if start <= day <= end and end > start:
            return low + (high - low) * (day - start).days / (end - start).days
    return points[-1][1]


def decide_status(
    *,
    is_started: bool,
    has_figure: bool,
    band_met: bool | None,
    progress: float | None,
    expected: float | None,
    is_past_deadline: bool,
    tolerance: float = DEFAULT_TOLERANCE,
) -> str:
    """Return the status, by the precedence in the module docs."""
    if not is_started:
        return NOT_STARTED
    if not has_figure:
        return NO_DATA
    if band_met is not None:
        return MET if band_met else BREACHED
    if progress is None:
        return NO_DATA
    if progress >= 1 - EPSILON:
        return ACHIEVED
    if is_past_deadline:
        return MISSED
    if expected is None:
        return NO_DATA
    if progress >= expected - tolerance - EPSILON:
        return ON_TRACK
    if progress >= expected - 2 * tolerance - EPSILON:
        return AT_RISK
    return OFF_TRACK


# --- one goal ----------------------------------------------------------------------------


def get_progress(goal: Goal, today: dt.date) -> float | None:
    """Return the goal's raw progress as of today, or None (bands, missing numbers)."""
    target, current = numeric_target(goal), current_checkin(goal, today)
    if is_band(goal) or target is None or goal.baseline is None or current is None:
        return None
    return progress_of(goal.baseline.value, target, current.value)


def get_expected(goal: Goal, today: dt.date) -> float | None:
    """Return the expected pace 0..1 at today: time share, or interim-interpolated."""
    if is_band(goal) or goal.baseline is None or goal.deadline is None:
        return None
    start, deadline = goal.baseline.date, goal.deadline
    share = time_share(start, deadline, today)
    target = numeric_target(goal)
    baseline = goal.baseline.value
    if share is None or not goal.interim or target is None or target == baseline:
        return share
    inner = sorted((c for c in goal.interim if start < c.date < deadline), key=lambda c: c.date)
    points = [(start, baseline), *((c.date, c.value) for c in inner), (deadline, target)]
    expected = progress_of(baseline, target, interpolate(points, today))
    # An interim above the target would ask for more than 100%; pace stays a share.
    return None if expected is None else _clamp(expected)


def get_band(goal: Goal, today: dt.date) -> BandScore | None:
    """Return the band bounds, whether the current value is inside, and the history."""
    direction = infer_direction(goal)
    if direction not in BAND_DIRECTIONS or goal.target is None:
        return None
    target = goal.target
    if direction == "range":
        if not isinstance(target, Band):
            return None  # M-rule finding: a range needs {min, max}
        low, high = target.min, target.max
    elif direction == "at-least":
        low, high = (target.min if isinstance(target, Band) else target), None
    else:
        low, high = None, (target.max if isinstance(target, Band) else target)

    def inside(value: float) -> bool:
        return (low is None or value >= low) and (high is None or value <= high)

    during = checkins_as_of(goal, today)
    current = current_checkin(goal, today)
    return BandScore(
        low=low,
        high=high,
        met=None if current is None else inside(current.value),
        inside=sum(1 for c in during if inside(c.value)),
        total=len(during),
    )


def is_started(goal: Goal, today: dt.date, period: Period | None) -> bool:
    """Return False while today is before the plan period (or the baseline date)."""
    if period is not None:
        return today >= period.start
    return goal.baseline is None or today >= goal.baseline.date


def get_change(goal: Goal, today: dt.date) -> Change:
    """Return after-vs-before: the final if any, else the latest check-in, minus the baseline."""
    figure = current_checkin(goal, today)
    if figure is None or goal.baseline is None:
        return Change(basis=_basis(goal, today), abs=None, pct=None)
    baseline = goal.baseline.value
    change = _finite(figure.value - baseline)
    # Against the baseline's magnitude, so a rise from -10 to -5 reads +50%, not -50%.
    pct = None if baseline == 0 or change is None else _finite(change / abs(baseline) * 100)
    return Change(basis=_basis(goal, today), abs=change, pct=pct)


def _basis(goal: Goal, today: dt.date) -> Basis | None:
    """Return which figure the current value is: the final (`after`) or the latest check-in."""
    if final_as_of(goal, today) is not None:
        return "after"
    return "latest" if checkins_as_of(goal, today) else None


def get_phases(goal: Goal, today: dt.date) -> Phases:
    """Return the before / during / after comparison as of today."""
    during = checkins_as_of(goal, today)
    return Phases(
        before=goal.baseline,
        during=during,
        latest=during[-1] if during else None,
        after=final_as_of(goal, today),
        target=goal.target,
        change=get_change(goal, today),
    )


def get_status(
    goal: Goal, today: dt.date, tolerance: float = DEFAULT_TOLERANCE, period: Period | None = None
) -> str:
    """Return the goal's status as of today."""
    return score_goal(goal, today, tolerance, period=period).status


def score_goal(
    goal: Goal,
    today: dt.date,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    period: Period | None = None,
    smart: SmartLetters | None = None,
) -> GoalScore:
    """Return the score of one goal as of today; `period` is the plan's, for not-started."""
    band = get_band(goal, today)
    progress = get_progress(goal, today)
    expected = get_expected(goal, today)
    current = current_checkin(goal, today)
    status = decide_status(
        is_started=is_started(goal, today, period),
        has_figure=current is not None,
        band_met=band.met if band else None,
        progress=progress,
        expected=expected,
        is_past_deadline=goal.deadline is not None and today > goal.deadline,
        tolerance=tolerance,
    )
    return GoalScore(
        id=goal.id,
        title=goal.title,
        kind=goal.kind,
        direction=infer_direction(goal),
        unit=goal.unit,
        serves=goal.serves,
        deadline=goal.deadline,
        weight=1.0 if goal.weight is None else goal.weight,
        status=status,
        progress=progress,
        expected=expected,
        current=current,
        band=band,
        phases=get_phases(goal, today),
        smart=_letters(smart),
    )


# --- roll-ups ----------------------------------------------------------------------------


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """Return how many of each status, every vocabulary key present, in `STATUSES` order."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts


def weighted_attainment(goals: Iterable[GoalScore]) -> float | None:
    """Return the weighted mean of progress clamped to 0..1 over goals that have progress."""
    total = weights = 0.0
    for goal in goals:
        if goal.progress is None or goal.weight <= 0:
            continue
        total += goal.weight * _clamp(goal.progress)
        weights += goal.weight
    return _clamp(total / weights) if weights > 0 else None


def get_smart_score(goals: Iterable[GoalScore]) -> SmartScore:
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
        )
        for goal in plan.goals
    )
    return PlanScore(
        slug=slug,
        title=plan.title,
        period=plan.period,
        strategy=dict(plan.strategy or {}),
        goals=goals,
        status_counts=count_statuses(goal.status for goal in goals),
        attainment=weighted_attainment(goals),
        smart=get_smart_score(goals),
        budget=get_budget(plan),
    )


def score_portfolio(plans: Iterable[PlanScore]) -> tuple[ObjectiveScore, ...]:
    """Return each strategic objective across plans with the goals serving it, by key."""
    descriptions: dict[str, list[str]] = {}
    declared_by: dict[str, list[str]] = {}
    served: dict[str, list[tuple[str, GoalScore]]] = {}
    for plan in plans:
        for key, description in plan.strategy.items():
            if description not in descriptions.setdefault(key, []):
                descriptions[key].append(description)
            declared_by.setdefault(key, []).append(plan.slug)
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
        )
        for key in sorted(descriptions)
    )


# --- JSON (DESIGN §8) --------------------------------------------------------------------


def goal_to_json(score: GoalScore) -> dict[str, Any]:
    """Return the `plans.json` object of one goal."""
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
            "inside": band.inside,
            "total": band.total,
        },
        "serves": score.serves,
        "deadline": _iso(score.deadline),
        "weight": _number(score.weight),
    }


def plan_to_json(score: PlanScore) -> dict[str, Any]:
    """Return the `plans.json` object of one plan."""
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
        "smart_score": _number(score.smart.score),
        "goals": [goal_to_json(goal) for goal in score.goals],
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
        }
        for objective in objectives
    ]


def plans_json(plans: Iterable[PlanScore], today: dt.date) -> dict[str, Any]:
    """Return the whole `site/plans.json` document."""
    return {"version": 1, "today": today.isoformat(), "plans": [plan_to_json(p) for p in plans]}


# --- helpers -----------------------------------------------------------------------------


def _finite(value: float) -> float | None:
    """Return the value, or None when arithmetic overflowed it to inf or nan."""
    return value if math.isfinite(value) else None


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(value, low), high)


def _letters(smart: SmartLetters | None) -> dict[str, bool | None]:
    """Return every SMART letter, None where the mapping has no verdict."""
    smart = smart or {}
    return {letter: smart.get(letter) for letter in SMART_LETTERS}


def _number(value: float | None, decimals: int = DECIMALS) -> float | int | None:
    """Round for stable output; whole numbers print without `.0`, and -0 as 0."""
    if value is None:
        return None
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _figure(value: float | None) -> float | int | None:
    """Return a figure as written: not rounded, whole numbers without `.0` at any size."""
    if value is None:
        return None
    # Above 2**53 every float is whole: 10**16 written in a plan stays 10000000000000000.
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
