"""Read a rendered chart back: its SVGs, the box of every text, the segments of every line.

Shared by the chart tests. Text boxes come from the DejaVu Sans metrics smartdoc ships (the
browser test checks real text is no wider). Lines are named by their `class`; for SVG made
before charts carried classes (the original renderer), they are named by their stroke, so
the same checks run against it and show what it got wrong.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from smartdoc.site.font_metrics import ASCENT, DESCENT, UNITS_PER_EM, text_width

SVG_NS = "{http://www.w3.org/2000/svg}"
NAMED_LINES = ("target", "pace", "deadline", "series")
_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_PATH_TOKEN = re.compile(r"[MmHhVvLlZz]|-?\d+(?:\.\d+)?(?:e-?\d+)?")
# strokes of the original renderer (c54dbcb), which named nothing
_STROKES = {
    ("#a04f00", "8 5"): "target",
    ("#a04f00", "4 3"): "target",
    ("#6b7280", "2 4"): "pace",
    ("#6b7280", "1 3"): "deadline",
    ("#0b5394", ""): "series",
}
_INHERITED = ("font-size", "font-weight", "text-anchor")


@dataclass(frozen=True)
class Label:
    """A drawn text: its content, box and the line it names ('' for none)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    names: str

    def overlaps(self, other: Label) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True)
class Line:
    """A straight piece of a named line."""

    name: str
    x0: float
    y0: float
    x1: float
    y1: float

    def crosses(self, box: Label) -> bool:
        """Return whether the segment enters the box (Liang–Barsky)."""
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        enter, leave = 0.0, 1.0
        for p, q in (
            (-dx, self.x0 - box.x0),
            (dx, box.x1 - self.x0),
            (-dy, self.y0 - box.y0),
            (dy, box.y1 - self.y0),
        ):
            if p == 0:
                if q <= 0:
                    return False
                continue
            ratio = q / p
            if p < 0:
                enter = max(enter, ratio)
            else:
                leave = min(leave, ratio)
            if enter >= leave:
                return False
        return True


def svgs(html: str) -> list[ET.Element]:
    """Return every SVG element in a rendered chart."""
    return [ET.fromstring(match.group(0)) for match in _SVG.finditer(html)]


def labels(root: ET.Element) -> list[Label]:
    """Return the box of every `<text>`, with inherited font size, weight and anchor."""
    found: list[Label] = []

    def walk(element: ET.Element, inherited: dict[str, str]) -> None:
        attrs = {**inherited, **{k: v for k, v in element.attrib.items() if k in _INHERITED}}
        if element.tag == f"{SVG_NS}text":
            found.append(_label(element, attrs))
        for child in element:
            walk(child, attrs)

    walk(root, {"font-size": "16", "font-weight": "normal", "text-anchor": "start"})
    return found


def _label(element: ET.Element, attrs: dict[str, str]) -> Label:
    text = "".join(element.itertext())
    size = float(attrs["font-size"])
    bold = attrs["font-weight"] == "bold"
    x, y = float(element.attrib["x"]), float(element.attrib["y"])
    width = text_width(text, size, bold=bold)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[attrs["text-anchor"]]
    scale = size / UNITS_PER_EM
    return Label(
        text, left, y - ASCENT * scale, left + width, y + DESCENT * scale, _names(element, text)
    )


def _names(element: ET.Element, text: str) -> str:
    if "data-names" in element.attrib:
        return element.attrib["data-names"]
    if element.attrib.get("font-weight") != "bold" and text != "Deadline":
        return ""  # the original renderer's axis and legend text
    if text.startswith("Target"):
        return "target"
    if text == "Deadline":
        return "deadline"
    return "series"


def lines(root: ET.Element) -> list[Line]:
    """Return the segments of the target, pace, deadline and series lines."""
    found: list[Line] = []
    for element in root.iter():
        name = _line_name(element)
        if name not in NAMED_LINES:
            continue
        tag = element.tag.removeprefix(SVG_NS)
        a = element.attrib
        if tag == "line":
            found.append(Line(name, float(a["x1"]), float(a["y1"]), float(a["x2"]), float(a["y2"])))
        elif tag == "polyline":
            points = [tuple(float(v) for v in p.split(",")) for p in a["points"].split()]
            found += [Line(name, *p, *q) for p, q in itertools.pairwise(points)]
        elif tag == "path":
            found += _path_lines(name, a["d"])
    return found


def _line_name(element: ET.Element) -> str:
    if "class" in element.attrib:
        return element.attrib["class"]
    key = (element.attrib.get("stroke", ""), element.attrib.get("stroke-dasharray", ""))
    if element.tag == f"{SVG_NS}polyline" or key[1]:
        return _STROKES.get(key, "")
    return ""


def _path_lines(name: str, d: str) -> list[Line]:
    """Return the straight segments of a path of M, L, H, V commands (absolute or relative)."""
    tokens = _PATH_TOKEN.findall(d)
    segments: list[Line] = []
    x = y = start_x = start_y = 0.0
    command = "M"
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                segments.append(Line(name, x, y, start_x, start_y))
                x, y = start_x, start_y
            continue
        relative = command.islower()
        op = command.upper()
        if op in "ML":
            nx, ny = float(tokens[i]), float(tokens[i + 1])
            i += 2
            if relative:
                nx, ny = x + nx, y + ny
            if op == "L":
                segments.append(Line(name, x, y, nx, ny))
            else:
                start_x, start_y = nx, ny
                command = "l" if relative else "L"  # pairs after M are line-tos
            x, y = nx, ny
        elif op in "HV":
            value = float(tokens[i])
            i += 1
            nx, ny = (
                (x + value if relative else value, y)
                if op == "H"
                else (x, y + value if relative else value)
            )
            segments.append(Line(name, x, y, nx, ny))
            x, y = nx, ny
        else:
            raise ValueError(f"path command {command!r} in a named line: {d[:80]}")
    return segments


def collisions(root: ET.Element) -> list[str]:
    """Return every overlap of two labels and every label on a line it does not name."""
    found = []
    texts = labels(root)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if a.overlaps(b):
                found.append(f"{a.text!r} overlaps {b.text!r}")
    for line in lines(root):
        for label in texts:
            if line.name != label.names and line.crosses(label):
                found.append(f"{label.text!r} sits on the {line.name} line")
    return sorted(set(found))
