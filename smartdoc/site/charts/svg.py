"""Write a laid-out chart as SVG text, and its key as HTML.

The SVG is plain (no script, no CSS variables, no foreignObject) so the browser and
WeasyPrint draw it alike. Few elements on purpose, because WeasyPrint lays every SVG element
out on its own: the grid is one path, the check-in dots are one path, the axis labels share
their colour and anchor through a group. Text uses DejaVu Sans (the PDFs embed it) and then
Verdana, whose advance widths are within a few percent of it, so the placer's measurements
hold in both. Lines and labels carry a `class` / `data-names` saying which line they are and
which line a label names; the geometry tests read them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

from smartdoc.site.charts.layout import (
    DIAMOND,
    DOT,
    FONT_SIZE,
    SQUARE,
    TRIANGLE,
    XY,
    Drawing,
    Frame,
    Text,
)
from smartdoc.site.font_metrics import text_width

FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"
MUTED = "#4b5563"  # axis labels: 7.6:1 on white
GRID = "#e5e7eb"
AXIS = "#6b7280"
ACTUAL = "#0b5394"  # blue: check-ins and final
BASELINE = "#374151"
TARGET = "#a04f00"
PACE = "#6b7280"
_COORD_LIMIT = 1e6  # no coordinate leaves this range, whatever the data


def _f(value: float) -> str:
    """Format a coordinate with fixed precision (deterministic bytes)."""
    if not -_COORD_LIMIT <= value <= _COORD_LIMIT:  # the common case skips both tests below
        value = max(-_COORD_LIMIT, min(_COORD_LIMIT, value)) if math.isfinite(value) else 0.0
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _points(points: Iterable[XY]) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


def _open(width: float, height: float, frame: Frame, prefix: str, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="smartdoc-chart smartdoc-chart--'
        f'{frame.name}" viewBox="0 0 {_f(width)} {_f(height)}" width="100%" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT_SIZE:g}">\n'
        f'<title id="{prefix}-title">{escape(title)}</title>\n'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
    )


def _text(text: Text, *, inherited_anchor: str = "") -> str:
    attrs = [f'x="{_f(text.x)}"', f'y="{_f(text.y)}"']
    if text.anchor != inherited_anchor:
        attrs.append(f'text-anchor="{text.anchor}"')
    if text.colour:
        attrs.append(f'fill="{text.colour}"')
    if text.bold:
        attrs.append('font-weight="bold"')
    if text.names:
        attrs.append(f'data-names="{text.names}"')
    return f"<text {' '.join(attrs)}>{escape(text.content)}</text>"


def _group(texts: Sequence[Text], anchor: str) -> str:
    if not texts:
        return ""
    inner = "".join(_text(t, inherited_anchor=anchor) for t in texts)
    return f'<g fill="{MUTED}" text-anchor="{anchor}">{inner}</g>'


def _dots(points: Sequence[XY]) -> str:
    """Return the check-in dots as one path of zero-length strokes with round caps.

    A round cap on a zero-length subpath is a filled circle of the stroke's width in SVG and
    in PDF alike; it is far cheaper for WeasyPrint than arcs (it converts each to curves).
    """
    return "".join(f"M{_f(x)} {_f(y)}h0" for x, y in points)


def _triangles(points: Sequence[XY]) -> str:
    """Return triangles around their incentre, so a check-in dot on the spot shows inside."""
    side = TRIANGLE * math.sqrt(3)
    return "".join(
        f"M{_f(x)} {_f(y - 2 * TRIANGLE)}L{_f(x + side)} {_f(y + TRIANGLE)}"
        f"L{_f(x - side)} {_f(y + TRIANGLE)}Z"
        for x, y in points
    )


def write_svg(drawing: Drawing, frame: Frame, prefix: str, title: str, desc: str) -> str:
    """Return one frame of a chart as an SVG element."""
    d = drawing
    plot = d.plot
    parts = [_open(d.width, d.height, frame, prefix, title, desc)]
    # the lowest grid line is the time axis: no darker line or tick marks, one element less
    # for WeasyPrint to draw (the date labels sit under their days)
    grid = "".join(f"M{_f(plot.x0)} {_f(y)}H{_f(plot.x1)}" for y in d.grid)
    parts.append(f'<path class="grid" d="{grid}" fill="none" stroke="{GRID}"/>')
    if d.band is not None:
        top, bottom = d.band
        parts.append(
            f'<rect x="{_f(plot.x0)}" y="{_f(top)}" width="{_f(plot.x1 - plot.x0)}" '
            f'height="{_f(bottom - top)}" fill="{TARGET}" fill-opacity="0.10"/>'
        )
    if d.band_edges:
        edges = "".join(f"M{_f(plot.x0)} {_f(y)}H{_f(plot.x1)}" for y in d.band_edges)
        parts.append(
            f'<path class="target" d="{edges}" fill="none" stroke="{TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    if d.deadline is not None:
        parts.append(
            f'<line class="deadline" x1="{_f(d.deadline)}" y1="{_f(plot.y0)}" '
            f'x2="{_f(d.deadline)}" y2="{_f(plot.y1)}" stroke="{AXIS}" '
            f'stroke-dasharray="1 3"/>'
        )
    if d.target is not None:
        parts.append(
            f'<line class="target" x1="{_f(plot.x0)}" y1="{_f(d.target)}" x2="{_f(plot.x1)}" '
            f'y2="{_f(d.target)}" stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 5"/>'
        )
    if d.pace:
        parts.append(
            f'<polyline class="pace" points="{_points(d.pace)}" fill="none" stroke="{PACE}" '
            f'stroke-width="1.6" stroke-dasharray="2 4"/>'
        )
    if len(d.series) >= 2:
        parts.append(
            f'<polyline class="series" points="{_points(d.series)}" fill="none" '
            f'stroke="{ACTUAL}" stroke-width="2.2" stroke-linejoin="round"/>'
        )
    parts.extend(_marks(d))
    parts.append(_group(d.value_labels, "end"))
    parts.append(_group(d.date_labels, "middle"))
    parts.extend(_text(t) for t in d.labels)
    parts.append("</svg>")
    return "\n".join(p for p in parts if p)


def _marks(d: Drawing) -> list[str]:
    """Return the markers, interim triangles last: drawn over a dot, they keep it visible."""
    marks = []
    if d.baseline is not None:
        x, y = d.baseline
        marks.append(
            f'<rect x="{_f(x - SQUARE)}" y="{_f(y - SQUARE)}" width="{2 * SQUARE:g}" '
            f'height="{2 * SQUARE:g}" fill="#ffffff" stroke="{BASELINE}" stroke-width="1.8"/>'
        )
    if d.checkins:
        marks.append(
            f'<path class="dots" d="{_dots(d.checkins)}" fill="none" stroke="{ACTUAL}" '
            f'stroke-width="{2 * DOT:g}" stroke-linecap="round"/>'
        )
    if d.final is not None:
        x, y = d.final
        path = (
            f"M{_f(x)} {_f(y - DIAMOND)}L{_f(x + DIAMOND)} {_f(y)}L{_f(x)} {_f(y + DIAMOND)}"
            f"L{_f(x - DIAMOND)} {_f(y)}Z"
        )
        marks.append(f'<path d="{path}" fill="{ACTUAL}" stroke="#ffffff" stroke-width="1"/>')
    if d.interim:
        path = _triangles(d.interim)
        # a white halo under the outline keeps it apart from the line and the dot it circles
        marks.append(f'<path d="{path}" fill="none" stroke="#ffffff" stroke-width="3.4"/>')
        marks.append(f'<path d="{path}" fill="none" stroke="{TARGET}" stroke-width="1.6"/>')
    return marks


def write_placeholder(frame: Frame, prefix: str, title: str, desc: str, phrase: str) -> str:
    """Return the chart of a goal with no figures: a dashed box that says so."""
    lines = _wrap(phrase, frame.width - 40)
    height = 64 + 16 * len(lines)
    parts = [
        _open(frame.width, height, frame, prefix, title, desc),
        f'<rect x="8" y="8" width="{_f(frame.width - 16)}" height="{_f(height - 16)}" '
        f'fill="#f9fafb" stroke="{GRID}" stroke-dasharray="6 4"/>',
        f'<text x="{_f(frame.width / 2)}" y="36" text-anchor="middle" fill="#1f2933" '
        f'font-size="13" font-weight="bold">No figures yet</text>',
    ]
    parts += [
        f'<text x="{_f(frame.width / 2)}" y="{56 + 16 * i}" text-anchor="middle" '
        f'fill="{MUTED}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]
    parts.append("</svg>")
    return "\n".join(parts)


def _wrap(text: str, width: float, most: int = 4) -> list[str]:
    """Return `text` in at most `most` lines no wider than `width`; '…' ends a cut text."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", FONT_SIZE) <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        lines.append("")
        for char in word:  # a word wider than the line is broken where it must be
            if lines[-1] and text_width(lines[-1] + char, FONT_SIZE) > width:
                lines.append("")
            lines[-1] += char
    if len(lines) > most:
        lines = lines[:most]
        while lines[-1] and text_width(lines[-1] + "\u2026", FONT_SIZE) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "\u2026"
    return lines or [""]
