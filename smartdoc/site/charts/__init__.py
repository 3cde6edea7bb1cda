"""Inline SVG charts of one goal: baseline, check-ins, final figure, target and expected pace.

`render_chart` returns two renderings of the same chart and one key:

- a wide SVG (640 units) and a narrow one (300 units), each with its own labels laid out
  for its width. Text is 11 units in both, so it is 11 CSS px or more where the stylesheet
  shows each: the narrow one where the chart gets less than 640 px (phones: a 360 px one
  gives it 300), the wide one elsewhere and in the PDF at 150 mm (7.3 pt). SVG text scales
  with its viewBox, so one rendering could not be readable on a phone without being
  oversized on a desktop;
- an HTML key (`<ul class="smartdoc-chart__key">`) that names every mark and holds the
  figures the plot labels, so a label the plot has no room for is never lost.

Labels inside the plot never overlap each other, a marker or a line they do not name
(`place.py`); widths come from DejaVu Sans metrics (`smartdoc.site.font_metrics`). Each SVG's
`<title>` and `<desc>` state the trend in words. Colours follow the Okabe-Ito palette,
darkened so text on white passes WCAG AA; every series also differs by dash or marker shape.
Output is deterministic: same `ChartData` and `id_prefix`, same bytes.
"""

from __future__ import annotations

import re

from smartdoc.site.charts.data import ChartData, chart_data_from_goal
from smartdoc.site.charts.key import write_key
from smartdoc.site.charts.layout import FRAMES, WIDE, layout
from smartdoc.site.charts.scale import get_date_ticks, get_value_scale
from smartdoc.site.charts.svg import write_placeholder, write_svg
from smartdoc.site.charts.words import describe_trend, target_phrase

__all__ = [
    "ChartData",
    "chart_data_from_goal",
    "describe_trend",
    "get_date_ticks",
    "get_value_scale",
    "render_chart",
]

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _safe_id(prefix: str) -> str:
    cleaned = _ID_UNSAFE.sub("-", prefix).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


def render_chart(data: ChartData, *, id_prefix: str, narrow: bool = True) -> str:
    """Return the goal's chart as HTML: a wide and a narrow SVG, then the key.

    `narrow=False` leaves the narrow (phone) SVG out: a PDF never shows it, and WeasyPrint
    parses and styles it all the same (over a quarter of what the charts cost it).
    """
    prefix = _safe_id(id_prefix)
    description = describe_trend(data)
    parts = []
    drawn = False
    for frame in FRAMES if narrow else (WIDE,):
        frame_prefix = prefix if frame is WIDE else f"{prefix}-{frame.name}"
        drawing = layout(data, frame)
        if drawing is None:
            phrase = target_phrase(data)
            parts.append(
                write_placeholder(
                    frame, frame_prefix, data.title, description, phrase[0].upper() + phrase[1:]
                )
            )
        else:
            drawn = True
            parts.append(write_svg(drawing, frame, frame_prefix, data.title, description))
    if drawn:
        parts.append(write_key(data))
    return "\n".join(parts) + "\n"
