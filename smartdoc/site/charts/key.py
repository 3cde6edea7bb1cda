"""The chart's key, as HTML under the SVG: what each mark means, with the figures.

One key serves both frames of a chart (wide and narrow), wraps to the width it gets, and is
set in the page's own type, so it is never smaller than the text around it. It always holds
the figures the plot labels (baseline, latest, target, deadline): a label the plot had no room
for loses nothing.
"""

from __future__ import annotations

import math
from html import escape

from smartdoc.site.charts.data import ChartData, as_float, expected_pace, get_band, get_target
from smartdoc.site.charts.words import band_words, format_day, with_unit


def key_items(data: ChartData) -> list[tuple[str, str]]:
    """Return (swatch kind, words) for each mark the chart draws."""
    items: list[tuple[str, str]] = []
    if data.baseline:
        items.append(("baseline", f"Baseline {with_unit(data.baseline[1], data)}"))
    if data.checkins:
        latest = data.checkins[-1][1]
        if len(data.checkins) == 1:
            items.append(("checkins", f"Check-in {with_unit(latest, data)}"))
        else:
            items.append(("checkins", f"Check-ins, latest {with_unit(latest, data)}"))
    if data.final:
        items.append(("final", f"Final {with_unit(data.final[1], data)}"))
    band = get_band(data)
    if band is not None:
        items.append(("band", f"Target: {band_words(band, data, bare=True)}"))
    elif get_target(data) is not None and isinstance(data.target, (int, float)):
        items.append(("target", f"Target {with_unit(data.target, data)}"))  # as written
    if sum(1 for _, v in expected_pace(data) if math.isfinite(as_float(v))) >= 2:
        items.append(("pace", "Expected pace"))
    if data.interim and band is None:
        if len(data.interim) == 1:
            items.append(("interim", f"Interim target {with_unit(data.interim[0][1], data)}"))
        else:
            items.append(("interim", "Interim targets"))
    if data.deadline:
        items.append(("deadline", f"Deadline {format_day(data.deadline)}"))
    return [(kind, text) for kind, text in items if text]


# Each mark's shape as a character (DejaVu Sans has them all): the chart tells its series
# apart by shape and dash as well as colour, so the key needs no colour, and plain text is
# cheap for WeasyPrint where one inline box per swatch was not.
GLYPHS = {
    "baseline": "\u25a1",  # white square
    "checkins": "\u25cf",  # black circle
    "final": "\u25c6",  # black diamond
    "target": "\u254d\u254d",  # heavy double dash, twice: a dashed line
    "band": "\u25ad",  # white rectangle
    "pace": "\u2504\u2504",  # light triple dash, twice: a dotted line
    "interim": "\u25b3",  # white up-pointing triangle
    "deadline": "\u250a",  # light quadruple dash vertical
}


def write_key(data: ChartData) -> str:
    """Return the key as one HTML paragraph: shape, then words, for each mark."""
    nbsp = "\u00a0"  # a shape stays with its first word
    items = [
        GLYPHS[kind] + nbsp + escape(text).replace(" ", nbsp, 1) for kind, text in key_items(data)
    ]
    spaced = " \u2003 ".join(items)  # an em space between marks; lines break at either side
    return f'<p class="smartdoc-chart__key">{spaced}</p>' if items else ""
