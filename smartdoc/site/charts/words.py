"""Numbers, dates and sentences of a chart: its labels, its key and its text alternative."""

from __future__ import annotations

import datetime as dt
import math

from smartdoc.figures import format_number
from smartdoc.site.charts.data import ChartData, as_float, get_band, measured, observed

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def with_unit(value: float, data: ChartData) -> str:
    """Return the figure with its unit, unless the metric already names it."""
    text = format_number(value)
    unit = data.unit.strip()
    if not unit:
        return text
    if unit == "%":
        return text + "%"
    if unit.lower() in data.metric.lower():
        return text  # "Instagram followers rose to 13,800", not "13,800 followers"
    return f"{text} {unit}"


def short_figure(value: float, data: ChartData) -> str:
    """Return the figure as a label inside the plot: a '%' stays, other units go to the key."""
    text = format_number(value)
    return text + "%" if data.unit.strip() == "%" else text


def format_day(day: dt.date) -> str:
    """Return '5 Mar 2027'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def target_phrase(data: ChartData) -> str:
    """Return 'target 18,000 by 30 Jun 2027.' or its band or no-target form."""
    by = f" by {format_day(data.deadline)}" if data.deadline else ""
    band = get_band(data)
    if band is None and isinstance(data.target, (int, float)):
        return f"target {with_unit(data.target, data)}{by}."
    if band is None:
        if data.deadline:
            return f"no target set; deadline {format_day(data.deadline)}."
        return "no target set."
    return f"target {band_words(band, data, bare=True)}{by}."


def band_words(band: tuple[float, float], data: ChartData, *, bare: bool = False) -> str:
    """Return 'at least 35%', 'at most 0.8 EUR' or 'range 2–4 h' ('inside the range' unbare)."""
    low, high = band
    if math.isinf(high) and high > 0:
        return f"{'at least' if bare else 'at or above'} {with_unit(low, data)}"
    if math.isinf(low) and low < 0:
        return f"{'at most' if bare else 'at or below'} {with_unit(high, data)}"
    where = "range" if bare else "inside the range"
    return f"{where} {format_number(low)}\u2013{with_unit(high, data)}"


def describe_trend(data: ChartData) -> str:
    """Return one or two sentences stating what the figures did, and the target."""
    subject = data.metric.strip() or "The figure"
    subject = subject[0].upper() + subject[1:]
    points = observed(data)
    target = target_phrase(data)
    if not points:
        return f"No figures yet; {target}"
    band = get_band(data)
    first, last = points[0], points[-1]
    first_value, last_value = as_float(first[1]), as_float(last[1])
    if len(points) == 1:
        sentence = f"{subject} was {with_unit(first[1], data)} on {format_day(first[0])}"
    elif first_value == last_value or math.isclose(
        first_value, last_value, rel_tol=1e-12, abs_tol=1e-12
    ):
        sentence = (
            f"{subject} was unchanged at {with_unit(first[1], data)} "
            f"from {format_day(first[0])} to {format_day(last[0])}"
        )
    else:
        verb = "rose" if last[1] > first[1] else "fell"
        sentence = (
            f"{subject} {verb} from {with_unit(first[1], data)} on {format_day(first[0])} "
            f"to {with_unit(last[1], data)} on {format_day(last[0])}"
        )
    if band is not None:
        figures = measured(data)
        if figures:
            inside = sum(1 for _, value in figures if band[0] <= as_float(value) <= band[1])
            verb = "stayed" if inside else "was"
            sentence += (
                f"; it {verb} {band_words(band, data)} in {inside} of {len(figures)} check-ins"
            )
    return f"{sentence}; {target}"
