"""The label placer: every label gets a spot where it overlaps nothing, or is left out.

A label is a short text with candidate spots in order of preference. A spot is taken only
when the label's box (its advance width from the shipped DejaVu Sans metrics, its height from
the font's ink extent, plus a gap) stays inside the plot, overlaps no placed label and no
marker, and crosses no line. A label that names a line (the target label names the target
line) may touch that line when no clear spot is left. A label with no spot is dropped and
reported, so its caller can say the figure elsewhere (the key and the text alternative
always do).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from smartdoc.site.font_metrics import ASCENT, DESCENT, UNITS_PER_EM, text_width


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle, y growing downwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        """Return whether the two boxes share an area (touching edges do not count)."""
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def grown(self, by: float) -> Box:
        """Return the box with `by` added on every side."""
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def within(self, other: Box) -> bool:
        """Return whether the box lies inside `other`."""
        return (
            other.x0 <= self.x0
            and self.x1 <= other.x1
            and other.y0 <= self.y0
            and self.y1 <= other.y1
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """A straight piece of a drawn line; `name` says which line ('target', 'series')."""

    x0: float
    y0: float
    x1: float
    y1: float
    name: str

    def crosses(self, box: Box) -> bool:
        """Return whether the segment enters the box (Liang–Barsky clipping)."""
        x0, x1, y0, y1 = self.x0, self.x1, self.y0, self.y1
        # most segments are nowhere near the box: their bounds already say so
        if max(x0, x1) < box.x0 or min(x0, x1) > box.x1:
            return False
        if max(y0, y1) < box.y0 or min(y0, y1) > box.y1:
            return False
        dx, dy = x1 - x0, y1 - y0
        enter, leave = 0.0, 1.0
        for p, q in (
            (-dx, self.x0 - box.x0),
            (dx, box.x1 - self.x0),
            (-dy, self.y0 - box.y0),
            (dy, box.y1 - self.y0),
        ):
            if p == 0:
                if q < 0:
                    return False  # parallel to this edge and outside it
                continue
            ratio = q / p
            if p < 0:
                enter = max(enter, ratio)
            else:
                leave = min(leave, ratio)
            if enter > leave:
                return False
        return True


def polyline(points: Sequence[tuple[float, float]], name: str) -> list[Segment]:
    """Return the segments of a line through `points`."""
    return [Segment(*a, *b, name) for a, b in itertools.pairwise(points)]


def text_box(x: float, y: float, text: str, anchor: str, size: float, bold: bool) -> Box:
    """Return the box a text drawn at baseline (x, y) covers, from the font's metrics."""
    width = text_width(text, size, bold=bold)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    scale = size / UNITS_PER_EM
    return Box(left, y - ASCENT * scale, left + width, y + DESCENT * scale)


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a label may go: its baseline point and text-anchor."""

    x: float
    y: float
    anchor: str


@dataclass(frozen=True, slots=True)
class Request:
    """A label to place: its text, the line it names, and its spots in order of preference."""

    text: str
    names: str
    spots: tuple[Spot, ...]
    colour: str
    bold: bool = True


@dataclass(frozen=True, slots=True)
class Placed:
    """A label with the spot it got."""

    request: Request
    spot: Spot
    box: Box


def place_labels(
    requests: Sequence[Request],
    *,
    area: Box,
    lines: Sequence[Segment],
    obstacles: Sequence[Box],
    size: float,
    gap: float = 2.0,
) -> tuple[list[Placed], list[Request]]:
    """Return the labels placed in order of the requests, and the requests left out."""
    placed: list[Placed] = []
    dropped: list[Request] = []
    for request in requests:
        found = _first_free(request, area, lines, obstacles, placed, size, gap, strict=True)
        if found is None:  # second pass: the label may touch the line it names
            found = _first_free(request, area, lines, obstacles, placed, size, gap, strict=False)
        if found is None:
            dropped.append(request)
        else:
            placed.append(found)
    return placed, dropped


def _first_free(
    request: Request,
    area: Box,
    lines: Sequence[Segment],
    obstacles: Sequence[Box],
    placed: Sequence[Placed],
    size: float,
    gap: float,
    *,
    strict: bool,
) -> Placed | None:
    for spot in request.spots:
        box = text_box(spot.x, spot.y, request.text, spot.anchor, size, request.bold)
        if not box.within(area):
            continue
        padded = box.grown(gap)
        if any(padded.overlaps(other.box) for other in placed):
            continue
        if any(padded.overlaps(other) for other in obstacles):
            continue
        crossing = (s for s in lines if strict or s.name != request.names)
        if any(segment.crosses(padded) for segment in crossing):
            continue
        return Placed(request, spot, box)
    return None
