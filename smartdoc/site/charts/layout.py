"""Where everything of one chart goes, for one frame (wide or narrow): plain coordinates.

Text is 11 units. The wide frame (640 units) is drawn for screens from 640 CSS px and, at
150 mm, in the PDF (11 units = 7.3 pt); the narrow frame (300 units) for phones (11 units
>= 11 CSS px on a 300-px-wide chart, which a 360 px phone gives). The stylesheets choose the
frame; see templates/assets/smartdoc.css and templates/print/print.css.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import smartdoc.site.charts.words as words
from smartdoc.figures import format_number
from smartdoc.site.charts.data import (
    ChartData,
    Point,
    as_float,
    expected_pace,
    get_band,
    get_target,
    observed,
)
from smartdoc.site.charts.place import (
    Box,
    Placed,
    Request,
    Segment,
    Spot,
    place_labels,
    polyline,
    text_box,
)
from smartdoc.site.charts.scale import ValueScale, get_date_range, get_date_ticks, get_value_scale
from smartdoc.site.font_metrics import text_width

FONT_SIZE = 11.0
INK = "#1f2933"  # values: 14.7:1 on white
TARGET = "#a04f00"  # dark orange: 5.6:1 on white
TOP = 12.0
DOT = 4.0  # check-in dot radius
SQUARE = 4.2  # half side of the baseline square
DIAMOND = 6.0  # half diagonal of the final figure's diamond
TRIANGLE = 6.0  # inradius of the interim triangle: a check-in dot fits inside it
_TICK_GAP = 10.0  # least room between two date labels


@dataclass(frozen=True, slots=True)
class Frame:
    """One rendering of a chart: its width in SVG units and how much it holds."""

    name: str
    width: float
    plot_height: float
    date_ticks: int
    value_ticks: int


WIDE = Frame("wide", 640.0, 170.0, 5, 5)
NARROW = Frame("narrow", 300.0, 150.0, 4, 4)
FRAMES = (WIDE, NARROW)


@dataclass(frozen=True, slots=True)
class Text:
    """A text at baseline (x, y); `names` is the line an in-plot label names ('' for axes)."""

    x: float
    y: float
    content: str
    anchor: str
    colour: str = INK
    bold: bool = False
    names: str = ""


XY = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Drawing:
    """Everything one frame of a chart draws, in SVG units."""

    width: float
    height: float
    plot: Box
    grid: tuple[float, ...] = ()
    """y of the value grid lines."""
    ticks: tuple[float, ...] = ()
    """x of the date ticks."""
    value_labels: tuple[Text, ...] = ()
    date_labels: tuple[Text, ...] = ()
    labels: tuple[Text, ...] = ()
    """Labels inside the plot (figures, target), placed without overlap."""
    band: tuple[float, float] | None = None
    """y of the top and bottom of the target band."""
    band_edges: tuple[float, ...] = ()
    target: float | None = None
    """y of the target line."""
    pace: tuple[XY, ...] = ()
    deadline: float | None = None
    """x of the deadline line."""
    series: tuple[XY, ...] = ()
    baseline: XY | None = None
    checkins: tuple[XY, ...] = ()
    final: XY | None = None
    interim: tuple[XY, ...] = ()
    dropped: tuple[str, ...] = ()
    """Labels that found no free spot (their figures are in the key and the description)."""


def _finite(points: Sequence[Point]) -> list[tuple[dt.date, float]]:
    return [(day, v) for day, v in ((d, as_float(v)) for d, v in points) if math.isfinite(v)]


def _finite_point(point: Point | None) -> tuple[dt.date, float] | None:
    found = _finite([point]) if point is not None else []
    return found[0] if found else None


def layout(data: ChartData, frame: Frame) -> Drawing | None:
    """Return the drawing of `data` in `frame`, or None when there is no figure to draw."""
    figures = _finite(observed(data))
    if not figures:
        return None
    band = get_band(data)
    target = get_target(data)
    pace = _finite(expected_pace(data))
    interim = _finite(sorted(data.interim)) if band is None else []
    values = [v for _, v in figures + pace + interim]
    values += [v for v in (target, *(band or ())) if v is not None and math.isfinite(v)]
    scale = get_value_scale(values, frame.value_ticks)
    days = [d for d, _ in figures + pace + interim] + ([data.deadline] if data.deadline else [])
    start, end = get_date_range(days)

    value_texts = [scale.label(tick) for tick in scale.ticks()]
    left = max(28.0, max(text_width(t, FONT_SIZE) for t in value_texts) + 12)
    right = frame.width - 8
    top, bottom = TOP, TOP + frame.plot_height
    inner_left, inner_right = left + 10, right - 10

    def x_of(day: dt.date) -> float:
        return inner_left + (day.toordinal() - start) / (end - start) * (inner_right - inner_left)

    def y_of(value: float) -> float:
        return bottom - scale.fraction(value) * (bottom - top)

    def xy(point: tuple[dt.date, float]) -> XY:
        return (x_of(point[0]), y_of(point[1]))

    height = bottom + 24
    plot = Box(left, top, right, bottom)
    # more than four grid lines: label every other one, from the top (fewer letters to draw)
    every = 2 if len(value_texts) > 4 else 1
    value_labels = tuple(
        Text(left - 6, y_of_tick + 4, label, "end", colour="")
        for i, (y_of_tick, label) in enumerate(
            zip(_tick_ys(scale, top, bottom), value_texts, strict=True)
        )
        if (len(value_texts) - 1 - i) % every == 0
    )
    ticks, date_labels = _date_axis(start, end, frame, x_of, bottom)

    series = tuple(xy(p) for p in figures)
    base = _finite_point(data.baseline)
    final = _finite_point(data.final)
    checkins = tuple(xy(p) for p in _finite(data.checkins))
    pace_xy = tuple(xy(p) for p in pace) if len(pace) >= 2 else ()
    interim_xy = tuple(xy(p) for p in interim)
    deadline_x = None
    if data.deadline and start <= data.deadline.toordinal() <= end:
        deadline_x = x_of(data.deadline)
    target_y = y_of(target) if target is not None and math.isfinite(target) else None
    band_box, band_edges = _band(band, y_of, top, bottom)

    lines = [
        *polyline(series, "series"),
        *polyline(pace_xy, "pace"),
        Segment(left, bottom, right, bottom, "axis"),
    ]
    if target_y is not None:
        lines.append(Segment(left, target_y, right, target_y, "target"))
    lines += [Segment(left, y, right, y, "target") for y in band_edges]
    if deadline_x is not None:
        lines.append(Segment(deadline_x, top, deadline_x, bottom, "deadline"))
    obstacles = [_mark_box(p, DOT + 1) for p in checkins]
    obstacles += [_mark_box(p, SQUARE + 1) for p in ([xy(base)] if base else [])]
    obstacles += [_mark_box(p, DIAMOND) for p in ([xy(final)] if final else [])]
    obstacles += [
        Box(x - 1.8 * TRIANGLE, y - 2 * TRIANGLE, x + 1.8 * TRIANGLE, y + TRIANGLE)
        for x, y in interim_xy
    ]

    requests = _requests(data, figures, series, target, target_y, band, band_edges, plot)
    area = Box(left + 1, 1, frame.width - 1, bottom - 1)
    placed, dropped = place_labels(
        requests, area=area, lines=lines, obstacles=obstacles, size=FONT_SIZE
    )
    return Drawing(
        width=frame.width,
        height=height,
        plot=plot,
        grid=tuple(_tick_ys(scale, top, bottom)),
        ticks=ticks,
        value_labels=value_labels,
        date_labels=date_labels,
        labels=tuple(_label_text(p) for p in placed),
        band=band_box,
        band_edges=band_edges,
        target=target_y,
        pace=pace_xy,
        deadline=deadline_x,
        series=series,
        baseline=xy(base) if base else None,
        checkins=checkins,
        final=xy(final) if final else None,
        interim=interim_xy,
        dropped=tuple(r.text for r in dropped),
    )


def _tick_ys(scale: ValueScale, top: float, bottom: float) -> list[float]:
    return [
        bottom - (tick - scale.low) / (scale.high - scale.low) * (bottom - top)
        for tick in scale.ticks()
    ]


def _mark_box(point: XY, half: float) -> Box:
    x, y = point
    return Box(x - half, y - half, x + half, y + half)


def _label_text(placed: Placed) -> Text:
    request, spot = placed.request, placed.spot
    return Text(
        spot.x, spot.y, request.text, spot.anchor, request.colour, request.bold, request.names
    )


def _date_axis(
    start: int, end: int, frame: Frame, x_of: Callable[[dt.date], float], bottom: float
) -> tuple[tuple[float, ...], tuple[Text, ...]]:
    """Return the x of each date tick and its label: as many as fit without touching."""
    first, last = dt.date.fromordinal(start), dt.date.fromordinal(end)
    for count in range(frame.date_ticks, 0, -1):
        ticks = get_date_ticks(first, last, count)
        texts = []
        for day, label in ticks:
            x = x_of(day)
            width = text_width(label, FONT_SIZE)
            anchor = "middle"
            if x - width / 2 < 2:
                x, anchor = max(x, 2.0), "start"
            elif x + width / 2 > frame.width - 2:
                x, anchor = min(x, frame.width - 2), "end"
            texts.append(Text(x, bottom + 17, label, anchor, colour=""))
        boxes = [text_box(t.x, t.y, t.content, t.anchor, FONT_SIZE, False) for t in texts]
        if all(a.x1 + _TICK_GAP <= b.x0 for a, b in itertools.pairwise(boxes)):
            return tuple(x_of(day) for day, _ in ticks), tuple(texts)
    return (), ()


def _band(
    band: tuple[float, float] | None,
    y_of: Callable[[float], float],
    top: float,
    bottom: float,
) -> tuple[tuple[float, float] | None, tuple[float, ...]]:
    """Return the band's (top y, bottom y), clipped to the plot, and the y of its edges."""
    if band is None:
        return None, ()
    low, high = band
    edges = tuple(y_of(v) for v in (high, low) if math.isfinite(v))
    y_high = top if not math.isfinite(high) else max(top, y_of(high))
    y_low = bottom if not math.isfinite(low) else min(bottom, y_of(low))
    return (y_high, y_low), edges


# --- which labels, and where they may go ----------------------------------------------------


def _point_spots(point: XY, prefer_below: bool, outward: int) -> tuple[Spot, ...]:
    """Return label spots around a marker: the side away from the line first."""
    x, y = point
    above, below, beside = y - 11, y + 16, y + 4
    near, far = (below, above) if prefer_below else (above, below)
    out = "start" if outward > 0 else "end"
    inward = "end" if outward > 0 else "start"
    return (
        Spot(x, near, "middle"),
        Spot(x + outward * 4, near, out),
        Spot(x + outward * 8, beside, out),
        Spot(x - outward * 4, near, inward),
        Spot(x, far, "middle"),
        Spot(x + outward * 4, far, out),
        Spot(x - outward * 4, far, inward),
        Spot(x - outward * 8, beside, inward),
        Spot(x - outward * 10, near, inward),  # clear of a deadline line through the marker
        Spot(x - outward * 10, far, inward),
        Spot(x, near - 12 if near < y else near + 12, "middle"),
        Spot(x + outward * 4, near - 12 if near < y else near + 12, out),
        Spot(x, far - 12 if far < y else far + 12, "middle"),
        Spot(x + outward * 4, far - 12 if far < y else far + 12, out),
    )


def _line_spots(y: float, plot: Box, prefer_below: bool) -> tuple[Spot, ...]:
    """Return label spots along a horizontal line: ends first, then along it."""
    above, below = y - 6, y + 15
    first, second = (below, above) if prefer_below else (above, below)
    spots = []
    for x, anchor in ((plot.x1 - 2, "end"), (plot.x0 + 4, "start")):
        spots += [Spot(x, first, anchor), Spot(x, second, anchor)]
    for share in (0.75, 0.5, 0.25):
        x = plot.x0 + share * (plot.x1 - plot.x0)
        spots += [Spot(x, first, "middle"), Spot(x, second, "middle")]
    return tuple(spots)


def _requests(
    data: ChartData,
    figures: list[tuple[dt.date, float]],
    series: tuple[XY, ...],
    target: float | None,
    target_y: float | None,
    band: tuple[float, float] | None,
    band_edges: tuple[float, ...],
    plot: Box,
) -> list[Request]:
    """Return the in-plot labels in order of importance: latest figure, target, first figure."""
    requests = []
    last = len(series) - 1
    if last == 0:
        spots = _point_spots(series[0], prefer_below=False, outward=1)
        requests.append(Request(words.short_figure(figures[0][1], data), "series", spots, INK))
    else:
        below = series[last - 1][1] < series[last][1]  # the line comes from above
        spots = _point_spots(series[last], prefer_below=below, outward=1)
        requests.append(Request(words.short_figure(figures[last][1], data), "series", spots, INK))
    if target is not None and target_y is not None:
        text = f"Target {words.short_figure(target, data)}"
        requests.append(Request(text, "target", _line_spots(target_y, plot, False), TARGET))
    elif band is not None and band_edges:
        requests.append(_band_request(band, band_edges, plot, data))
    if last > 0:
        below = series[1][1] < series[0][1]
        spots = _point_spots(series[0], prefer_below=below, outward=-1)
        requests.append(Request(words.short_figure(figures[0][1], data), "series", spots, INK))
    return requests


def _band_request(
    band: tuple[float, float], edges: tuple[float, ...], plot: Box, data: ChartData
) -> Request:
    """Return the label of a target band, placed inside the band first."""
    low, high = band
    if not math.isfinite(high):
        text = f"At least {words.short_figure(low, data)}"
        spots = _line_spots(edges[0], plot, prefer_below=False)
    elif not math.isfinite(low):
        text = f"At most {words.short_figure(high, data)}"
        spots = _line_spots(edges[0], plot, prefer_below=True)
    else:
        text = f"Range {format_number(low)}\u2013{words.short_figure(high, data)}"
        spots = _line_spots(edges[0], plot, True) + _line_spots(edges[-1], plot, False)
    return Request(text, "target", spots, TARGET)
