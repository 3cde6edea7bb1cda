"""Small helpers shared by the R, T, P and Q rule families: goal labels, dates, cadences."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from smartdoc.model import Checkin, Goal

#: Days added to a `frequency` window before a goal counts as stale (a report can run late).
FREQUENCY_GRACE_DAYS = 3

#: Named cadences -> days between check-ins (months and years rounded up, so they never
#: fire early: 31, 92, 366).
NAMED_FREQUENCIES: dict[str, int] = {
    "daily": 1,
    "weekly": 7,
    "fortnightly": 14,
    "monthly": 31,
    "quarterly": 92,
    "yearly": 366,
    "annually": 366,
}

_DAYS_PER_UNIT = {"day": 1, "week": 7}
_N_UNITS = re.compile(r"^(\d+)\s*(day|week)s?$")


def goal_label(goal: Goal, index: int) -> str:
    """Return how messages name a goal: `goal 'ig-followers'`, or `goal #2` without an id."""
    return f"goal '{goal.id}'" if goal.id else f"goal #{index + 1}"


def frequency_days(frequency: str | int | None) -> int | None:
    """Return the days between expected check-ins, or None if `frequency` is not understood."""
    if isinstance(frequency, bool) or frequency is None:
        return None
    if isinstance(frequency, int):
        return frequency if frequency > 0 else None
    text = " ".join(frequency.lower().split())
    if text in NAMED_FREQUENCIES:
        return NAMED_FREQUENCIES[text]
    match = _N_UNITS.match(text)
    if not match or int(match.group(1)) <= 0:
        return None
    return int(match.group(1)) * _DAYS_PER_UNIT[match.group(2)]


def dated_figures(goal: Goal) -> Iterator[tuple[tuple[str | int, ...], Checkin]]:
    """Yield (path relative to the goal, figure) for each check-in, in listed order, then final."""
    for position, checkin in enumerate(goal.measurements or []):
        yield ("measurements", position, "date"), checkin
    if goal.final is not None:
        yield ("final", "date"), goal.final


def figure_name(path: tuple[str | int, ...]) -> str:
    """Return `measurements[2]` or `final` for a path from `dated_figures`."""
    if path[0] == "measurements":
        return f"measurements[{path[1]}]"
    return str(path[0])


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date) -> str:
    """Return a date as a reader says it, whatever the locale: 5 March 2027."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def latest_on_or_before(checkins: list[Checkin], day: dt.date) -> dt.date | None:
    """Return the latest check-in date not after `day` (future typos do not count)."""
    dates = [checkin.date for checkin in checkins if checkin.date <= day]
    return max(dates) if dates else None
