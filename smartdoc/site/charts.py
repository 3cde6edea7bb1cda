"""Inline SVG charts of one goal: baseline, check-ins, final figure, target and expected pace.

The SVG is plain (no script, no CSS variables, no foreignObject, a generic font family), so the
browser and WeasyPrint draw it alike. It scales to its container (`width="100%"` and a
viewBox). Its `<title>` and `<desc>` state the trend in words, for screen readers and for
anyone who cannot tell the lines apart. Colours follow the Okabe-Ito palette, darkened so
text on white passes WCAG AA; every series also differs by dash pattern or marker shape.

Output is deterministic: same `ChartData` and `id_prefix`, same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartdoc.model import Goal

Point = tuple[dt.date, float]

WIDTH = 640
FONT = 'font-family="sans-serif"'
INK = "#1f2933"  # titles and values: 14.7:1 on white
MUTED = "#4b5563"  # axis labels: 7.6:1 on white
GRID = "#e5e7eb"
AXIS = "#6b7280"
ACTUAL = "#0b5394"  # blue: check-ins and final
BASELINE = "#374151"
TARGET = "#a04f00"  # dark orange: 5.6:1 on white
PACE = "#6b7280"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600)
_DAY_STEPS = (1, 2, 7, 14)
_MAX_DATE_TICKS = 6
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


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


# --- formatting -----------------------------------------------------------------------------


def _num(value: float) -> str:
    """Format a figure for people: thousands separators, at most 2 (small: 4) decimals."""
    if abs(value - round(value)) < 1e-9 and abs(value) < 1e15:
        return f"{round(value):,}"
    decimals = 2 if abs(value) >= 1 else 4
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _with_unit(value: float, data: ChartData) -> str:
    text = _num(value)
    unit = data.unit.strip()
    if not unit:
        return text
    if unit == "%":
        return text + "%"
    if unit.lower() in data.metric.lower():
        return text  # "Instagram followers rose to 13,800", not "13,800 followers"
    return f"{text} {unit}"


def _day(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _f(value: float) -> str:
    """Format a coordinate with fixed precision (deterministic bytes)."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _safe_id(prefix: str) -> str:
    cleaned = _ID_UNSAFE.sub("-", prefix).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


# --- scales ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ValueScale:
    low: float
    high: float
    step: float
    decimals: int

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + i * self.step for i in range(count + 1)]

    def label(self, value: float) -> str:
        if abs(value) < self.step * 1e-6:
            value = 0.0
        return f"{value:,.{self.decimals}f}"


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    magnitude_f = float(magnitude)
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * magnitude_f * (1 + 1e-9):
            return factor * magnitude_f
    return 10.0 * magnitude_f


def _decimals(step: float) -> int:
    for decimals in range(12):
        scaled = step * 10**decimals
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return decimals
    return 12


def get_value_scale(values: Sequence[float]) -> _ValueScale:
    """Return nice axis bounds and step covering every value, with a little room around."""
    smallest, largest = min(values), max(values)
    if largest - smallest < 1e-12 * max(1.0, abs(largest)):
        pad = abs(largest) * 0.1 or 1.0  # all equal: open a band around the value
    else:
        pad = (largest - smallest) * 0.05
    step = _nice_step(largest - smallest + 2 * pad)
    low = math.floor((smallest - pad) / step + 1e-9) * step
    high = math.ceil((largest + pad) / step - 1e-9) * step
    # keep room for a label beside the lowest and highest points
    if smallest - low < 0.3 * step:
        low -= step
    if high - largest < 0.3 * step:
        high += step
    return _ValueScale(low, high, step, _decimals(step))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def get_date_ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Return at most six labelled date ticks between `start` and `end` (inclusive)."""
    span = (end - start).days
    if span <= 62:
        step = next((s for s in _DAY_STEPS if span / s <= _MAX_DATE_TICKS - 1), 31)
        days = [start + dt.timedelta(days=i) for i in range(0, span + 1, step)]
        return [(day, f"{day.day} {_MONTHS[day.month - 1]}") for day in days]
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in _MONTH_STEPS if months / s <= _MAX_DATE_TICKS), _MONTH_STEPS[-1])
    first = dt.date(start.year, start.month, 1)
    if first < start:
        first = _add_months(first, 1)
    if step >= 12:
        first = dt.date(first.year + (first.month > 1), 1, 1)
    elif step > 1:  # align to quarters / halves for tidy labels
        while (first.month - 1) % step:
            first = _add_months(first, 1)
    ticks: list[tuple[dt.date, str]] = []
    day = first
    while day <= end:
        label = str(day.year) if step >= 12 else f"{_MONTHS[day.month - 1]} {day.year}"
        ticks.append((day, label))
        day = _add_months(day, step)
    return ticks


# --- the text alternative -------------------------------------------------------------------


def _observed(data: ChartData) -> list[Point]:
    points = ([data.baseline] if data.baseline else []) + list(data.checkins)
    if data.final:
        points.append(data.final)
    return points


def _band(data: ChartData) -> tuple[float, float] | None:
    """Return the target band as (low, high), infinite on the open side, or None."""
    if isinstance(data.target, tuple):
        low, high = data.target
        return (min(low, high), max(low, high))
    if data.target is None:
        return None
    if data.direction == "at-least":
        return (data.target, math.inf)
    if data.direction == "at-most":
        return (-math.inf, data.target)
    return None


def _target_phrase(data: ChartData) -> str:
    by = f" by {_day(data.deadline)}" if data.deadline else ""
    band = _band(data)
    if band is None and isinstance(data.target, (int, float)):
        return f"target {_with_unit(data.target, data)}{by}."
    if band is None:
        if data.deadline:
            return f"no target set; deadline {_day(data.deadline)}."
        return "no target set."
    low, high = band
    if math.isinf(high):
        return f"target at least {_with_unit(low, data)}{by}."
    if math.isinf(low):
        return f"target at most {_with_unit(high, data)}{by}."
    return f"target range {_num(low)}\u2013{_with_unit(high, data)}{by}."


def describe_trend(data: ChartData) -> str:
    """Return one or two sentences stating what the figures did, and the target."""
    subject = data.metric.strip() or "The figure"
    subject = subject[0].upper() + subject[1:]
    points = _observed(data)
    target = _target_phrase(data)
    if not points:
        return f"No figures yet; {target}"
    band = _band(data)
    first, last = points[0], points[-1]
    if len(points) == 1:
        sentence = f"{subject} was {_with_unit(first[1], data)} on {_day(first[0])}"
    elif math.isclose(first[1], last[1], rel_tol=1e-12, abs_tol=1e-12):
        sentence = (
            f"{subject} was unchanged at {_with_unit(first[1], data)} "
            f"from {_day(first[0])} to {_day(last[0])}"
        )
    else:
        verb = "rose" if last[1] > first[1] else "fell"
        sentence = (
            f"{subject} {verb} from {_with_unit(first[1], data)} on {_day(first[0])} "
            f"to {_with_unit(last[1], data)} on {_day(last[0])}"
        )
    if band is not None:
        measured = list(data.checkins) + ([data.final] if data.final else [])
        if measured:
            inside = sum(1 for _, value in measured if band[0] <= value <= band[1])
            where = _band_words(band, data)
            verb = "stayed" if inside else "was"
            sentence += f"; it {verb} {where} in {inside} of {len(measured)} check-ins"
    return f"{sentence}; {target}"


def _band_words(band: tuple[float, float], data: ChartData) -> str:
    low, high = band
    if math.isinf(high):
        return f"at or above {_with_unit(low, data)}"
    if math.isinf(low):
        return f"at or below {_with_unit(high, data)}"
    return f"inside the range {_num(low)}\u2013{_with_unit(high, data)}"


# --- drawing --------------------------------------------------------------------------------


def _expected_pace(data: ChartData) -> list[Point]:
    if data.expected is not None:
        return sorted(data.expected)
    if data.baseline is None or data.deadline is None or not isinstance(data.target, (int, float)):
        return []
    inside = [p for p in sorted(data.interim) if data.baseline[0] < p[0] < data.deadline]
    return [data.baseline, *inside, (data.deadline, float(data.target))]


def _marker(shape: str, x: float, y: float, colour: str, filled: bool, size: float = 4.5) -> str:
    fill = colour if filled else "#ffffff"
    style = f'fill="{fill}" stroke="{colour}" stroke-width="1.8"'
    if shape == "circle":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(size * 0.8)}" {style}/>'
    if shape == "square":
        s = size * 0.85
        return (f'<rect x="{_f(x - s)}" y="{_f(y - s)}" width="{_f(2 * s)}" '
                f'height="{_f(2 * s)}" {style}/>')
    if shape == "diamond":
        s = size * 1.35
        path = f"M{_f(x)} {_f(y - s)}L{_f(x + s)} {_f(y)}L{_f(x)} {_f(y + s)}L{_f(x - s)} {_f(y)}Z"
        return f'<path d="{path}" {style}/>'
    s = size  # triangle
    path = f"M{_f(x)} {_f(y - s)}L{_f(x + s)} {_f(y + s * 0.8)}L{_f(x - s)} {_f(y + s * 0.8)}Z"
    return f'<path d="{path}" {style}/>'


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11,
          colour: str = MUTED, weight: str = "normal") -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" {FONT} font-size="{size}" fill="{colour}" '
        f'text-anchor="{anchor}"{bold}>{escape(content)}</text>'
    )


def _text_width(content: str, size: int = 11) -> float:
    return len(content) * size * 0.58


def _svg_open(data: ChartData, prefix: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="smartdoc-chart" viewBox="0 0 {WIDTH} '
        f'{height}" width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(data.title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        _background(height),
    ]


def _background(height: float) -> str:
    return f'<rect x="0" y="0" width="{WIDTH}" height="{_f(height)}" fill="#ffffff"/>'


@dataclass(frozen=True, slots=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box) -> bool:
        return not (self.x1 < other.x0 or other.x1 < self.x0
                    or self.y1 < other.y0 or other.y1 < self.y0)


def _text_box(x: float, y: float, content: str, anchor: str, size: int = 11) -> _Box:
    width = _text_width(content, size)
    x0 = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return _Box(x0, y - size * 0.8, x0 + width, y + 3)


def _place_target_label(label: str, y: float, left: float, right: float, top: float,
                        taken: list[_Box]) -> str:
    """Return the target label at the first free spot: right or left end, above or below."""
    candidates = [(right, y - 6, "end"), (right, y + 15, "end"),
                  (left, y - 6, "start"), (left, y + 15, "start")]
    candidates = [c for c in candidates if c[1] - 9 > top - 6] or candidates
    chosen = candidates[0]
    for x, label_y, anchor in candidates:
        box = _text_box(x, label_y, label, anchor)
        if not any(box.overlaps(other) for other in taken):
            chosen = (x, label_y, anchor)
            break
    x, label_y, anchor = chosen
    return _text(x, label_y, label, anchor=anchor, colour=TARGET, weight="bold")


def render_chart(data: ChartData, *, id_prefix: str) -> str:
    """Return the goal's chart as an SVG string; `id_prefix` keeps its ids unique on a page."""
    prefix = _safe_id(id_prefix)
    description = describe_trend(data)
    observed = _observed(data)
    if not observed:
        height = 120
        parts = _svg_open(data, prefix, description, height)
        parts.append(
            f'<rect x="8" y="8" width="{WIDTH - 16}" height="{height - 16}" fill="#f9fafb" '
            f'stroke="{GRID}" stroke-dasharray="6 4"/>'
        )
        parts.append(_text(WIDTH / 2, height / 2 - 4, "No figures yet", anchor="middle",
                           size=14, colour=INK, weight="bold"))
        phrase = _target_phrase(data)
        parts.append(_text(WIDTH / 2, height / 2 + 16, phrase[0].upper() + phrase[1:],
                           anchor="middle"))
        parts.append("</svg>")
        return "\n".join(parts) + "\n"
    return _render_plot(data, prefix, description, observed)


def _legend_items(data: ChartData, pace: list[Point], band: tuple[float, float] | None
                  ) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if data.baseline:
        items.append(("baseline", "Baseline"))
    if data.checkins:
        items.append(("checkins", "Check-ins"))
    if data.final:
        items.append(("final", "Final"))
    if band is not None:
        items.append(("band", "Target range" if not math.isinf(sum(band)) else "Target zone"))
    elif isinstance(data.target, (int, float)):
        items.append(("target", "Target"))
    if pace:
        items.append(("pace", "Expected pace"))
    if data.interim:
        items.append(("interim", "Interim target"))
    return items


def _legend_layout(items: list[tuple[str, str]], left: float, right: float, first_y: float
                   ) -> tuple[list[tuple[str, str, float, float]], int]:
    """Return legend entries with positions, wrapped onto rows, and the chart height."""
    placed: list[tuple[str, str, float, float]] = []
    x, y = left, first_y
    for kind, label in items:
        width = 28 + _text_width(label) + 18
        if x > left and x + width - 18 > right:
            x, y = left, y + 20
        placed.append((kind, label, x, y))
        x += width
    return placed, int(y + 16)


def _legend_swatch(kind: str, x: float, y: float) -> str:
    line = f'x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + 22)}" y2="{_f(y)}"'
    if kind == "checkins":
        return (f'<line {line} stroke="{ACTUAL}" stroke-width="2"/>'
                + _marker("circle", x + 11, y, ACTUAL, True))
    if kind == "baseline":
        return _marker("square", x + 11, y, BASELINE, False)
    if kind == "final":
        return _marker("diamond", x + 11, y, ACTUAL, True)
    if kind == "target":
        return f'<line {line} stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 5"/>'
    if kind == "band":
        return (f'<rect x="{_f(x)}" y="{_f(y - 6)}" width="22" height="12" fill="{TARGET}" '
                f'fill-opacity="0.14" stroke="{TARGET}" stroke-width="1.2" '
                f'stroke-dasharray="4 3"/>')
    if kind == "pace":
        return f'<line {line} stroke="{PACE}" stroke-width="1.6" stroke-dasharray="2 4"/>'
    return _marker("triangle", x + 11, y, TARGET, False, size=4)


def _render_plot(data: ChartData, prefix: str, description: str, observed: list[Point]) -> str:
    band = _band(data)
    pace = _expected_pace(data)
    interim = sorted(data.interim)
    values = [v for _, v in observed] + [v for _, v in pace] + [v for _, v in interim]
    if isinstance(data.target, (int, float)):
        values.append(float(data.target))
    if band is not None:
        values.extend(b for b in band if not math.isinf(b))
    scale = get_value_scale(values)

    dates = [d for d, _ in observed] + [d for d, _ in pace] + [d for d, _ in interim]
    if data.deadline:
        dates.append(data.deadline)
    start, end = min(dates), max(dates)
    if start == end:
        start, end = start - dt.timedelta(days=15), end + dt.timedelta(days=15)

    tick_labels = [scale.label(v) for v in scale.ticks()]
    left = max(48.0, max(_text_width(t) for t in tick_labels) + 16)
    right, top, bottom = WIDTH - 20.0, 16.0, 226.0
    inner_left, inner_right = left + 12, right - 12
    span_days = (end - start).days

    def x_of(day: dt.date) -> float:
        return inner_left + (day - start).days / span_days * (inner_right - inner_left)

    def y_of(value: float) -> float:
        return bottom - (value - scale.low) / (scale.high - scale.low) * (bottom - top)

    legend, height = _legend_layout(_legend_items(data, pace, band), left, right, bottom + 44)
    parts = _svg_open(data, prefix, description, height)
    # value axis: grid lines and labels
    for value, label in zip(scale.ticks(), tick_labels):
        y = y_of(value)
        parts.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(right)}" y2="{_f(y)}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, label, anchor="end"))
    # time axis
    parts.append(f'<line x1="{_f(left)}" y1="{_f(bottom)}" x2="{_f(right)}" y2="{_f(bottom)}" '
                 f'stroke="{AXIS}" stroke-width="1"/>')
    for day, label in get_date_ticks(start, end):
        x = x_of(day)
        parts.append(f'<line x1="{_f(x)}" y1="{_f(bottom)}" x2="{_f(x)}" y2="{_f(bottom + 5)}" '
                     f'stroke="{AXIS}" stroke-width="1"/>')
        parts.append(_text(x, bottom + 18, label, anchor="middle"))
    if data.deadline and start <= data.deadline <= end:
        x = x_of(data.deadline)
        parts.append(f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(bottom)}" '
                     f'stroke="{AXIS}" stroke-width="1" stroke-dasharray="1 3"/>')
        parts.append(_text(x - 4, top + 10, "Deadline", anchor="end", size=10))

    # target: a band, or a dashed line labelled where no figure label sits
    target_label: str | None = None
    target_y = 0.0
    if band is not None:
        low = max(band[0], scale.low)
        high = min(band[1], scale.high)
        parts.append(f'<rect x="{_f(left)}" y="{_f(y_of(high))}" width="{_f(right - left)}" '
                     f'height="{_f(y_of(low) - y_of(high))}" fill="{TARGET}" fill-opacity="0.10"/>')
        for edge in band:
            if not math.isinf(edge):
                y = y_of(edge)
                parts.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(right)}" y2="{_f(y)}" '
                             f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="4 3"/>')
    elif isinstance(data.target, (int, float)):
        y = y_of(data.target)
        parts.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(right)}" y2="{_f(y)}" '
                     f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 5"/>')
        target_label, target_y = f"Target {_with_unit(data.target, data)}", y

    # expected pace through interim targets
    if len(pace) >= 2:
        path = " ".join(f"{_f(x_of(d))},{_f(y_of(v))}" for d, v in pace)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PACE}" '
                     f'stroke-width="1.6" stroke-dasharray="2 4"/>')
    for day, value in interim:
        parts.append(_marker("triangle", x_of(day), y_of(value), TARGET, False, size=4))

    # the figures: baseline -> check-ins -> final, one line, distinct markers
    line_points = observed
    if len(line_points) >= 2:
        path = " ".join(f"{_f(x_of(d))},{_f(y_of(v))}" for d, v in line_points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ACTUAL}" '
                     f'stroke-width="2.2" stroke-linejoin="round"/>')
    if data.baseline:
        d, v = data.baseline
        parts.append(_marker("square", x_of(d), y_of(v), BASELINE, False))
    for d, v in data.checkins:
        parts.append(_marker("circle", x_of(d), y_of(v), ACTUAL, True))
    if data.final:
        d, v = data.final
        parts.append(_marker("diamond", x_of(d), y_of(v), ACTUAL, True))

    # direct labels: first and latest figure, on the side away from the line
    boxes: list[_Box] = []
    ends = [0] if len(observed) == 1 else [0, len(observed) - 1]
    for index in ends:
        d, v = observed[index]
        x, y = x_of(d), y_of(v)
        neighbour = observed[min(1, len(observed) - 1)] if index == 0 else observed[index - 1]
        below = neighbour[1] > v
        label_y = y + 20 if below else y - 10
        if label_y - 9 < top or label_y > bottom - 2:
            label_y = y - 10 if below else y + 20
        anchor = "middle" if len(ends) == 1 else ("start" if index == 0 else "end")
        dx = {"start": 6.0, "end": -6.0, "middle": 0.0}[anchor]
        content = _num(v)
        boxes.append(_text_box(x + dx, label_y, content, anchor))
        parts.append(_text(x + dx, label_y, content, anchor=anchor, colour=INK, weight="bold"))
    if target_label is not None:
        boxes.extend(_Box(x_of(d) - 6, y_of(v) - 6, x_of(d) + 6, y_of(v) + 6) for d, v in observed)
        parts.append(_place_target_label(target_label, target_y, left + 4, right - 2, top, boxes))

    for kind, label, x, y in legend:
        parts.append(_legend_swatch(kind, x, y))
        parts.append(_text(x + 28, y + 4, label))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
