"""The plain numbers one goal's chart is drawn from, and the helpers that read them safely."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartdoc.model import Goal

Point = tuple[dt.date, float]
BAND_DIRECTIONS = frozenset({"at-least", "at-most", "range"})


@dataclass(frozen=True, slots=True)
class ChartData:
    """The plain numbers one goal's chart is drawn from."""

    title: str
    """The chart's accessible name, usually the goal title."""
    metric: str = ""
    """What is counted, the subject of the trend sentence ('Instagram followers')."""
    unit: str = ""
    """Unit of the figures; '%' is written straight after the number."""
    direction: str | None = None
    """increase | decrease | at-least | at-most | range."""
    baseline: Point | None = None
    checkins: Sequence[Point] = ()
    """Check-ins in date order."""
    final: Point | None = None
    target: float | tuple[float, float] | None = None
    """A number, or (min, max) for a range."""
    deadline: dt.date | None = None
    interim: Sequence[Point] = ()
    expected: Sequence[Point] | None = None
    """The expected pace; None draws it from baseline through interim to target."""


def chart_data_from_goal(goal: Goal) -> ChartData:
    """Return the chart numbers of a goal (check-ins sorted by date)."""
    target: float | tuple[float, float] | None
    if goal.target is None or isinstance(goal.target, (int, float)):
        target = goal.target
    else:
        target = (goal.target.min, goal.target.max)
    return ChartData(
        title=goal.title or goal.id or "Goal",
        metric=goal.metric or goal.indicator or "",
        unit=goal.unit or "",
        direction=goal.direction,
        baseline=(goal.baseline.date, goal.baseline.value) if goal.baseline else None,
        checkins=tuple((c.date, c.value) for c in goal.checkins_by_date),
        final=(goal.final.date, goal.final.value) if goal.final else None,
        target=target,
        deadline=goal.deadline,
        interim=tuple(sorted((c.date, c.value) for c in goal.interim or [])),
    )


def as_float(value: object) -> float:
    """Return `value` as a float: too large for one gives an infinity, junk gives NaN."""
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # an integer of hundreds of digits
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    return math.nan


def observed(data: ChartData) -> list[Point]:
    """Return the figures in the order they were taken: baseline, check-ins, final."""
    points = ([data.baseline] if data.baseline else []) + list(data.checkins)
    if data.final:
        points.append(data.final)
    return points


def measured(data: ChartData) -> list[Point]:
    """Return the figures taken after the baseline: check-ins and the final one."""
    return list(data.checkins) + ([data.final] if data.final else [])


def get_band(data: ChartData) -> tuple[float, float] | None:
    """Return the target band as (low, high), infinite on the open side, or None."""
    if isinstance(data.target, tuple):
        low, high = (as_float(v) for v in data.target)
        return (min(low, high), max(low, high))
    if data.target is None:
        return None
    if data.direction == "at-least":
        return (as_float(data.target), math.inf)
    if data.direction == "at-most":
        return (-math.inf, as_float(data.target))
    return None


def get_target(data: ChartData) -> float | None:
    """Return the single target figure of a goal that has one (not a band), else None."""
    if get_band(data) is not None or data.target is None or isinstance(data.target, tuple):
        return None
    return as_float(data.target)


def is_band(data: ChartData) -> bool:
    """Return whether the goal is met by staying inside a band (no pace line is drawn)."""
    return data.direction in BAND_DIRECTIONS or isinstance(data.target, tuple)


def expected_pace(data: ChartData) -> list[Point]:
    """Return the expected pace: given, or baseline through interim targets to the target."""
    if is_band(data):
        return []  # a band is held, not approached: there is no pace to keep
    if data.expected is not None:
        return sorted(data.expected)
    target = get_target(data)
    if data.baseline is None or data.deadline is None or target is None:
        return []
    inside = [p for p in sorted(data.interim) if data.baseline[0] < p[0] < data.deadline]
    return [data.baseline, *inside, (data.deadline, target)]
