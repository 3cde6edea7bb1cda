"""Check-in cadence: how often a goal expects a figure, and when its latest one is stale.

One definition read by two layers: lint rule P101 (`checkin-stale`) reports a stale goal,
and scoring marks it stale beside its status ("last figure 83 days ago"). Neither imports
the other; both import this module, which imports only the model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from smartdoc.model import Goal, Period

#: Days added to a `frequency` window before a goal counts as stale (a report can run late).
FREQUENCY_GRACE_DAYS = 3
#: Days without a check-in allowed when a goal has no `frequency` (`lint.staleness_days`).
DEFAULT_STALENESS_DAYS = 45

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


@dataclass(frozen=True, slots=True)
class Window:
    """How many days may pass after a check-in before the next one is overdue."""

    #: Days allowed since the latest check-in.
    days: int
    #: The cadence the window comes from (`monthly`), or None for the configured default.
    frequency_days: int | None


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


def staleness_window(goal: Goal, staleness_days: int = DEFAULT_STALENESS_DAYS) -> Window:
    """Return the goal's window: its `frequency` plus the grace, else `staleness_days`."""
    days = frequency_days(goal.frequency)
    if days is None:
        return Window(staleness_days, None)
    return Window(days + FREQUENCY_GRACE_DAYS, days)


def measuring_since(goal: Goal, period: Period | None) -> dt.date | None:
    """Return the day check-ins became due: the period start, or the baseline without one."""
    if period is not None:
        return period.start
    return goal.baseline.date if goal.baseline is not None else None


def is_due(goal: Goal, period: Period | None, today: dt.date, *, has_final: bool) -> bool:
    """Return True while check-ins are due: period started, baseline passed, deadline not.

    Nothing is due before the baseline date (a check-in dated before it is itself an error),
    after the deadline (the final figure is due then: P102), or once a final figure is in.
    """
    since = measuring_since(goal, period)
    if since is None or today < since or has_final:
        return False
    if goal.baseline is not None and today < goal.baseline.date:
        return False
    return goal.deadline is None or today <= goal.deadline
