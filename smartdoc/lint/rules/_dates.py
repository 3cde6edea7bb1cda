"""Small helpers shared by the R, T, P and Q rule families: dates.

Goal labels and figures in messages come from `_text`.

The check-in cadence (`frequency`) lives in `smartdoc.cadence`: scoring reads it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from smartdoc.figures import MONTH_NAMES
from smartdoc.model import Checkin, Goal


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


def long_date(day: dt.date) -> str:
    """Return a date as a reader says it, whatever the locale: 5 March 2027."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def latest_on_or_before(checkins: list[Checkin], day: dt.date) -> dt.date | None:
    """Return the latest check-in date not after `day` (future typos do not count)."""
    dates = [checkin.date for checkin in checkins if checkin.date <= day]
    return max(dates) if dates else None
