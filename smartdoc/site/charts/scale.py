"""Axis scales of a chart: nice value ticks and date ticks, safe at the ends of float and date.

Values are scaled by a power of ten when they are huge or tiny (1.7e308, 3e-300), so no
arithmetic here overflows and a tick reads '1.5e308'. Dates are counted as ordinals and
ticks never step past 31 Dec 9999.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from smartdoc.site.charts.data import as_float
from smartdoc.site.charts.words import MONTHS

_MONTH_STEPS = (1, 2, 3, 6)
_YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
_DAY_STEPS = (1, 2, 7, 14)
_MAX_TICKS = 12  # a scale never has more ticks than this, whatever its step
# Values at or beyond these magnitudes are drawn on a scale of 10**exponent.
_HUGE = 1e15
_TINY = 1e-4
_MIN_DAY = dt.date.min.toordinal()
_MAX_DAY = dt.date.max.toordinal()


@dataclass(frozen=True, slots=True)
class ValueScale:
    """A value axis: `low`, `high` and `step` are in units of 10**`exponent`."""

    low: float
    high: float
    step: float
    decimals: int
    exponent: int = 0

    def ticks(self) -> list[float]:
        """Return the tick values from `low` to `high`, in scale units."""
        count = min(round((self.high - self.low) / self.step), _MAX_TICKS)
        return [self.low + i * self.step for i in range(count + 1)]

    def label(self, tick: float) -> str:
        """Return the text of a tick: '12,000', '0.25', or '1.5e308' on a scaled axis."""
        if abs(tick) < self.step * 1e-6:
            tick = 0.0
        text = f"{tick:,.{self.decimals}f}"
        if self.exponent and tick != 0.0:
            return f"{text}e{self.exponent}"
        return text

    def fraction(self, value: float) -> float:
        """Return where `value` (in real units) sits: 0.0 at `low`, 1.0 at `high`."""
        scaled = as_float(value) / 10.0**self.exponent
        return (scaled - self.low) / (self.high - self.low)


def _nice_step(span: float, ticks: int) -> float:
    raw = span / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):  # no 2.5: whole figures keep whole ticks
        if raw <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10.0 * magnitude


def _decimals(step: float) -> int:
    for decimals in range(12):
        scaled = step * 10**decimals
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return decimals
    return 12


def _exponent(values: list[float]) -> int:
    largest = max(abs(v) for v in values)
    if largest >= _HUGE or 0 < largest < _TINY:
        return max(-300, min(308, math.floor(math.log10(largest))))
    return 0


def get_value_scale(values: Iterable[float], ticks: int = 5) -> ValueScale:
    """Return nice axis bounds and step covering every finite value, with a little room."""
    finite = [v for v in (as_float(value) for value in values) if math.isfinite(v)] or [0.0]
    exponent = _exponent(finite)
    unit = 10.0**exponent
    scaled = [v / unit for v in finite]
    smallest, largest = min(scaled), max(scaled)
    if largest - smallest <= 1e-10 * max(1.0, abs(largest), abs(smallest)):
        pad = abs(largest) * 0.1 or 1.0  # all equal: open a band around the value
    else:
        pad = (largest - smallest) * 0.05
    step = _nice_step(largest - smallest + 2 * pad, ticks)
    low = math.floor((smallest - pad) / step + 1e-9) * step
    high = math.ceil((largest + pad) / step - 1e-9) * step
    # keep room for a label beside the lowest and highest points
    if smallest - low < 0.3 * step:
        low -= step
    if high - largest < 0.3 * step:
        high += step
    return ValueScale(low, high, step, _decimals(step), exponent)


def get_date_range(days: Iterable[dt.date]) -> tuple[int, int]:
    """Return the first and last day (ordinals) to draw, at least a month apart when they meet."""
    ordinals = [day.toordinal() for day in days]
    start, end = min(ordinals), max(ordinals)
    if start == end:
        start, end = max(_MIN_DAY, start - 15), min(_MAX_DAY, end + 15)
    return start, end


def get_date_ticks(start: dt.date, end: dt.date, max_ticks: int = 6) -> list[tuple[dt.date, str]]:
    """Return at most `max_ticks` labelled date ticks between `start` and `end` (inclusive)."""
    max_ticks = max(1, max_ticks)
    span = (end - start).days
    if span <= 62:
        step = next((s for s in _DAY_STEPS if span // s + 1 <= max_ticks), None)
        if step is not None:
            days = [start + dt.timedelta(days=i) for i in range(0, span + 1, step)]
            return [(day, f"{day.day} {MONTHS[day.month - 1]}") for day in days]
    first = start.year * 12 + start.month - 1 + (start.day > 1)  # first 1st-of-month inside
    last = end.year * 12 + end.month - 1
    months = last - first + 1
    month_step = next((s for s in _MONTH_STEPS if math.ceil(months / s) <= max_ticks), None)
    if month_step is not None and months > 0:
        index = first + (-first) % month_step  # quarters start in Jan, Apr, Jul, Oct
        ticks: list[tuple[dt.date, str]] = []
        while index <= last:
            year, month = divmod(index, 12)
            # a January says its year, other months their name; a first tick in another month
            # says both: "Nov 2025, Dec, 2026, Feb" (few letters: WeasyPrint lays out each)
            if month == 0:
                label = str(year)
            elif not ticks:
                label = f"{MONTHS[month]} {year}"
            else:
                label = MONTHS[month]
            ticks.append((dt.date(year, month + 1, 1), label))
            index += month_step
        if ticks:
            return ticks
    first_year = start.year + (start > dt.date(start.year, 1, 1))
    years = end.year - first_year + 1
    year_step = next((s for s in _YEAR_STEPS if math.ceil(years / s) <= max_ticks), 10_000)
    year = first_year + (-first_year) % year_step
    ticks = []
    while year <= end.year:
        ticks.append((dt.date(year, 1, 1), str(year)))
        year += year_step
    return ticks or [(start, f"{MONTHS[start.month - 1]} {start.year}")]
