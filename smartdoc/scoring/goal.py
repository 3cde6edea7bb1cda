"""One goal's score: its current figure, progress, expected pace at the as-of date, band
count, staleness and status (the method is in `smartdoc.scoring` and docs/scoring.md)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence

from smartdoc.cadence import DEFAULT_STALENESS_DAYS, is_due, staleness_window
from smartdoc.model import (
    AREAS,
    BAND_DIRECTIONS,
    SMART_LETTERS,
    Band,
    Checkin,
    Goal,
    Period,
)
from smartdoc.scoring.results import (
    ACHIEVED,
    AT_RISK,
    BREACHED,
    DEFAULT_TOLERANCE,
    EPSILON,
    MET,
    MISSED,
    NO_DATA,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
    BandScore,
    Basis,
    Change,
    GoalScore,
    Hold,
    OverrideScore,
    Phases,
    SmartLetters,
    Staleness,
)

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
    return clamp((day - start).days / total)


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
    return None if expected is None else clamp(expected)


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
    return None if progress is None else clamp(progress)


def _override(goal: Goal) -> OverrideScore | None:
    """Return the goal's override as plain data."""
    written = goal.override
    if written is None:
        return None
    return OverrideScore(
        status=written.status, reason=written.reason, date=written.date, by=written.by
    )


# --- helpers -----------------------------------------------------------------------------


def _finite(value: float) -> float | None:
    """Return the value, or None when arithmetic overflowed it to inf or nan."""
    return value if math.isfinite(value) else None


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(value, low), high)


def _letters(smart: SmartLetters | None) -> dict[str, bool | None]:
    """Return every SMART letter, None where the mapping has no verdict."""
    smart = smart or {}
    return {letter: smart.get(letter) for letter in SMART_LETTERS}
