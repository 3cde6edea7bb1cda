"""Scores and status (docs/scoring.md): pure arithmetic of (model, today, tolerance, staleness).

No I/O, no clock, no global state. The site, the PDFs, `plans.json` (`site/plans_json.py`)
and `smartdoc status` all read the same `GoalScore` / `PlanScore` values.

Definitions, for a goal with baseline `b`, target `t` and current value `c`:

- **Today.** Figures dated after `today` are ignored (lint rule T reports them), so
  `--today` in the past gives the scorecard as it stood that day.
- **Current value** `c`: the final figure if any, else the latest check-in *by date* (the
  last listed wins among check-ins of the same date).
- **As-of date** `a`: the date of `c`. A goal is judged on the figure it has: expected pace
  is taken at `a`, not at today, so a goal does not slide to "at risk" in the days between
  two check-ins. None without a figure.
- **Progress** `p = (c - b) / (t - b)` for increase and decrease alike, not clamped: a goal
  moving away from its target has negative progress. None without `b`, `t` or `c`, when
  `t == b`, or for band goals.
- **Direction**, when not written: a `{min, max}` target is `range`; `t >= b` is `increase`;
  `t < b` is `decrease`; unknown without a baseline.
- **Expected pace** `e`: the share of the time from the baseline date to the deadline that
  has passed at `a`, clamped to 0..1. With `interim` targets the expected *value* is
  interpolated piecewise-linearly through (baseline date, b), the interim points sorted by
  date (those outside the baseline-deadline span are ignored), and (deadline, t); then
  `e = (expected value - b) / (t - b)`, also clamped to 0..1. None for band goals, without
  a figure, and when the baseline date, the deadline or a deadline after the baseline date
  is missing. The expected *value* printed beside the current one is `b + e x (t - b)`.
- **Bands** (`at-least`: the target is the floor; `at-most`: the ceiling; `range`:
  `{min, max}`; bounds inclusive) count their figures inside: every check-in and the final
  figure (the final counts as a check-in), as of today: "n of m inside". They are *met*
  while their `hold` holds, else *breached*: `all` (the default) every figure inside;
  `latest` the current figure inside; a share `s` at least `s x m` of them inside.
- **Stale**: while check-ins are due (the period has started, the baseline date and not
  the deadline has passed, no final figure yet), the latest check-in is older than the
  goal's cadence allows: its `frequency` plus 3 days of grace, else `staleness_days` (the
  P101 rule, from `smartdoc.cadence`). Shown beside the status ("last figure 83 days
  ago"), never instead of it. A goal without any check-in is `no-data`, not stale.

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

Roll-ups: each goal adds its *attainment* 0..1: progress clamped to 0..1 (so one runaway
goal cannot hide the others; per-goal progress stays raw), or for a band goal its share of
figures inside. A plan's attainment is the weighted mean over its goals that have one
(goals of weight <= 0 are left out); None when none is left. The same roll-up runs per
strategic objective across plans, per area (financial, communication; goals without an
area in a bucket of their own, so none is hidden) and per kind x area. A roll-up never
hides a bad goal: next to every attainment stands the worst status among its goals, in
`WORST_FIRST` order.

A goal's `override` (a human judgement) is carried beside the computed status, never
instead of it: nothing here reads it to decide a status or a roll-up.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from smartdoc.cadence import DEFAULT_STALENESS_DAYS, is_due, staleness_window
from smartdoc.model import (
    AREAS,
    BAND_DIRECTIONS,
    SMART_LETTERS,
    Band,
    Checkin,
    Goal,
    Objective,
    Period,
    Plan,
)

#: Default status tolerance (`status.tolerance` in smartdoc.yml).
DEFAULT_TOLERANCE = 0.10
#: Slack in status comparisons, far below anything a scorecard prints.
EPSILON = 1e-9
#: The kinds of goal, in the order the kind x area split lists them.
KINDS: tuple[str, ...] = ("quantitative", "qualitative")

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
#: The vocabulary worst first: the status a roll-up shows beside its attainment (docs/scoring.md).
WORST_FIRST: tuple[str, ...] = (
    MISSED,
    BREACHED,
    OFF_TRACK,
    AT_RISK,
    NO_DATA,
    ON_TRACK,
    NOT_STARTED,
    MET,
    ACHIEVED,
)
_BADNESS = {status: rank for rank, status in enumerate(WORST_FIRST)}

Basis = Literal["after", "latest"]
Hold = Literal["all", "latest"] | float
SmartLetters = Mapping[str, bool | None]


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BandScore:
    """Where a band goal stands: its bounds, its hold, and its figures inside."""

    #: Lowest value inside the band (None: no floor, as for `at-most`).
    low: float | None
    #: Highest value inside the band (None: no ceiling, as for `at-least`).
    high: float | None
    #: Whether the hold holds (the goal is met); None without any figure.
    met: bool | None
    #: Figures (check-ins and the final, as of today) inside the band: the n of "n of m".
    inside: int
    #: Figures counted: the m of "n of m".
    total: int
    #: `all`, `latest` or a share 0..1: what `met` asks of the figures.
    hold: Hold = "all"
    #: Whether the current figure is inside; None without one.
    current_inside: bool | None = None

    @property
    def share(self) -> float | None:
        """Return the share of figures inside, or None without any."""
        return self.inside / self.total if self.total else None


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
class OverrideScore:
    """A human judgement of a goal's status, shown beside the computed one (as written)."""

    status: str | None
    reason: str | None
    date: dt.date | None
    by: str | None


@dataclass(frozen=True, slots=True)
class Staleness:
    """A goal whose latest check-in is older than its cadence allows (P101)."""

    #: The date of the latest check-in.
    last: dt.date
    #: Days from it to today.
    days: int
    #: Days the cadence allows.
    window: int


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
    #: Expected pace 0..1 at the as-of date, or None.
    expected: float | None
    #: The figure scored: the final, else the latest check-in.
    current: Checkin | None
    band: BandScore | None
    phases: Phases
    #: Per SMART letter: True (met), False (failed), None (not checked).
    smart: Mapping[str, bool | None]
    #: `financial` or `communication`; None when not declared or not an area (Q105, Q106).
    area: str | None = None
    #: The human override, if the goal has one; never changes `status`.
    override: OverrideScore | None = None
    #: The date of the current figure: the day the goal is judged at; None without one.
    as_of: dt.date | None = None
    #: The expected figure at the as-of date, in the goal's unit; None where `expected` is.
    expected_value: float | None = None
    #: Set when the latest check-in is older than the cadence allows; beside the status.
    stale: Staleness | None = None
    #: What the goal adds to roll-ups, 0..1: clamped progress, or a band's share inside.
    attainment: float | None = None

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
    #: Weighted mean of the goals' attainment, or None.
    attainment: float | None
    smart: SmartScore
    budget: BudgetScore
    #: The plan's strategic objectives by key, with their area and horizon.
    objectives: Mapping[str, Objective] = field(default_factory=dict)
    #: The worst status among the goals (`WORST_FIRST`); None without goals.
    worst_status: str | None = None


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
    #: The title the first declaring plan gives it (R106 reports other texts); None if none.
    title: str | None = None
    #: Its area and horizon, from the first declaring plan that states them.
    area: str | None = None
    horizon: int | None = None
    #: The worst status among the goals serving it; None without goals.
    worst_status: str | None = None


@dataclass(frozen=True, slots=True)
class AreaScore:
    """One area (financial, communication; None: goals without one) rolled up."""

    area: str | None
    #: Goals in the area.
    goal_count: int
    status_counts: Mapping[str, int]
    #: Weighted mean of the goals' attainment, as for a plan; None without any.
    attainment: float | None
    #: The worst status among its goals; None without goals.
    worst_status: str | None = None


@dataclass(frozen=True, slots=True)
class SplitCell:
    """One cell of the kind x area split: the goals of one kind in one area."""

    #: `quantitative`, `qualitative`, or None for goals that do not say.
    kind: str | None
    #: `financial`, `communication`, or None for goals that do not say.
    area: str | None
    goal_count: int
    attainment: float | None
    worst_status: str | None


class RollupGoal(Protocol):
    """What a roll-up reads of a goal: a `GoalScore`, or a summary kept between builds."""

    @property
    def id(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def serves(self) -> str | None: ...
    @property
    def weight(self) -> float: ...
    @property
    def status(self) -> str: ...
    @property
    def progress(self) -> float | None: ...
    @property
    def attainment(self) -> float | None: ...
    @property
    def smart(self) -> Mapping[str, bool | None]: ...
    @property
    def area(self) -> str | None: ...


class RollupPlan(Protocol):
    """What the portfolio roll-up reads of a plan: a `PlanScore`, or its summary."""

    @property
    def slug(self) -> str: ...
    @property
    def strategy(self) -> Mapping[str, str]: ...
    @property
    def objectives(self) -> Mapping[str, Objective]: ...
    @property
    def goals(self) -> Sequence[RollupGoal]: ...


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


def get_as_of(goal: Goal, today: dt.date) -> dt.date | None:
    """Return the as-of date: the date of the current figure, or None without one."""
    current = current_checkin(goal, today)
    return None if current is None else current.date


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


def time_share(start: dt.date, end: dt.date, day: dt.date) -> float | None:
    """Return the share of start..end passed at `day`, clamped to 0..1."""
    total = (end - start).days
    if total <= 0:
        return None
    return _clamp((day - start).days / total)


def interpolate(points: Sequence[tuple[dt.date, float]], day: dt.date) -> float:
    """Return the piecewise-linear value at `day` through date-sorted points, flat outside."""
    if day <= points[0][0]:
        return points[0][1]
    for (start, low), (end, high) in itertools.pairwise(points):
        if start <= day <= end and end > start:
            return low + (high - low) * (day - start).days / (end - start).days
    return points[-1][1]


def is_inside(value: float, low: float | None, high: float | None) -> bool:
    """Return True when `value` lies in the band, bounds inclusive."""
    return (low is None or value >= low) and (high is None or value <= high)


def hold_holds(hold: Hold, inside: int, total: int, current_inside: bool) -> bool:
    """Return whether a band goal is met: all inside, the latest inside, or a share inside."""
    if hold == "latest":
        return current_inside
    if hold == "all":
        return inside == total
    return inside >= hold * total - EPSILON


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


def worst_status(statuses: Iterable[str]) -> str | None:
    """Return the worst of the statuses (`WORST_FIRST` order), or None when there are none."""
    return min(statuses, key=_BADNESS.__getitem__, default=None)


# --- one goal ----------------------------------------------------------------------------


def get_progress(goal: Goal, today: dt.date) -> float | None:
    """Return the goal's raw progress as of today, or None (bands, missing numbers)."""
    target, current = numeric_target(goal), current_checkin(goal, today)
    if is_band(goal) or target is None or goal.baseline is None or current is None:
        return None
    return progress_of(goal.baseline.value, target, current.value)


def get_expected(goal: Goal, day: dt.date) -> float | None:
    """Return the expected pace 0..1 at `day`: time share, or interim-interpolated.

    The status compares progress with the pace at the as-of date (`get_as_of`); any day
    can be asked, e.g. to draw the pace line.
    """
    if is_band(goal) or goal.baseline is None or goal.deadline is None:
        return None
    start, deadline = goal.baseline.date, goal.deadline
    share = time_share(start, deadline, day)
    target = numeric_target(goal)
    baseline = goal.baseline.value
    if share is None or not goal.interim or target is None or target == baseline:
        return share
    inner = sorted((c for c in goal.interim if start < c.date < deadline), key=lambda c: c.date)
    points = [(start, baseline), *((c.date, c.value) for c in inner), (deadline, target)]
    expected = progress_of(baseline, target, interpolate(points, day))
    # An interim above the target would ask for more than 100%; pace stays a share.
    return None if expected is None else _clamp(expected)


def get_expected_value(goal: Goal, expected: float | None) -> float | None:
    """Return the figure the pace expects: baseline + expected x (target - baseline)."""
    target = numeric_target(goal)
    if expected is None or target is None or goal.baseline is None:
        return None
    baseline = goal.baseline.value
    return _finite(baseline + expected * (target - baseline))


def get_band(goal: Goal, today: dt.date) -> BandScore | None:
    """Return the band bounds, its figures inside (the final counts), and whether it is met."""
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
    final = final_as_of(goal, today)
    figures = [*checkins_as_of(goal, today), *([final] if final is not None else [])]
    current = current_checkin(goal, today)
    inside = sum(1 for c in figures if is_inside(c.value, low, high))
    current_inside = None if current is None else is_inside(current.value, low, high)
    hold: Hold = "all" if goal.hold is None else goal.hold
    return BandScore(
        low=low,
        high=high,
        met=None
        if current_inside is None
        else hold_holds(hold, inside, len(figures), current_inside),
        inside=inside,
        total=len(figures),
        hold=hold,
        current_inside=current_inside,
    )


def is_started(goal: Goal, today: dt.date, period: Period | None) -> bool:
    """Return False while today is before the plan period (or the baseline date)."""
    if period is not None:
        return today >= period.start
    return goal.baseline is None or today >= goal.baseline.date


def get_staleness(
    goal: Goal,
    today: dt.date,
    period: Period | None,
    staleness_days: int = DEFAULT_STALENESS_DAYS,
) -> Staleness | None:
    """Return the staleness of the latest check-in while check-ins are due, or None."""
    if not is_due(goal, period, today, has_final=final_as_of(goal, today) is not None):
        return None
    during = checkins_as_of(goal, today)
    if not during:
        return None  # no figure at all: the status says no-data
    last = during[-1].date
    window = staleness_window(goal, staleness_days).days
    days = (today - last).days
    return Staleness(last=last, days=days, window=window) if days > window else None


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
    staleness_days: int = DEFAULT_STALENESS_DAYS,
) -> GoalScore:
    """Return the score of one goal as of today; `period` is the plan's, for not-started."""
    band = get_band(goal, today)
    progress = get_progress(goal, today)
    current = current_checkin(goal, today)
    as_of = None if current is None else current.date
    expected = None if as_of is None else get_expected(goal, as_of)
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
        area=goal.area if goal.area in AREAS else None,
        override=_override(goal),
        as_of=as_of,
        expected_value=get_expected_value(goal, expected),
        stale=get_staleness(goal, today, period, staleness_days),
        attainment=band.share if band is not None else _attainment(progress),
    )


def _attainment(progress: float | None) -> float | None:
    return None if progress is None else _clamp(progress)


def _override(goal: Goal) -> OverrideScore | None:
    """Return the goal's override as plain data."""
    written = goal.override
    if written is None:
        return None
    return OverrideScore(
        status=written.status, reason=written.reason, date=written.date, by=written.by
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
        total += goal.weight * _clamp(goal.attainment)
        weights += goal.weight
    return _clamp(total / weights) if weights > 0 else None


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
