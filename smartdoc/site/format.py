"""How smartdoc prints figures, dates and statuses: the one set of formatters, no Jinja.

The site's template filters (`smartdoc.site.render`), the terminal table of `smartdoc status`
and the PDFs all print through these functions, so a figure reads the same everywhere. Every
formatter prints an em dash for a missing value and never depends on the locale.

| function | example | output |
|---|---|---|
| `format_number` | `12000`, `0.456` with `digits=2` | `12,000`, `0.46` |
| `format_signed` | `-300` | `−300` (`+` for a rise) |
| `format_quantity` | `41, "%"`, `1200, "followers"` | `41%`, `1,200 followers` |
| `format_currency` | `40000, "EUR"` | `€40,000` |
| `format_percent` | `0.655` | `66%` (a ratio, not clamped: `-0.2` gives `−20%`) |
| `format_date` | a date, `"short"` | `30 June 2027`, `30 Jun 2027` |
| `format_target` | `0.8, "at-most", "EUR per click"`, digits 2 | `at most 0.80 EUR per click` |
| `format_change` | `7.1, 50.7, "%"` | `+7.1 pts (+50.7%)` |
| `format_inside` | `2, 3` | `2 of 3 inside` |
| `format_age` | `83` | `last figure 83 days ago` |

**Units.** A unit is printed as written, after the number (`1,200 followers`); `%` sticks
to it (`41%`), and a change of a percentage is in percentage points (`+7.1 pts`, never
`+7.1% pts`). A unit written in the plural is made singular for exactly 1: `1 follower`,
`1 lead per month` (the noun before `per`, `a`, `of`... is the one that agrees). Nothing
is made plural: write units in the plural (`positions`, not `position`). Codes and
abbreviations (`EUR`, `kWh`, `km`) are never changed.

**Precision.** A figure prints with the decimals its author wrote: `0.80` stays `0.80`,
`21.5` stays `21.5`, `22` stays `22` (`GoalPrecision`, from the decimals the loader
recorded: YAML itself reads `0.80` as 0.8). Figures smartdoc computes (a change, the
expected figure) print with the most decimals written among the goal's figures. Without
that record (a model built in code), up to 2 decimals are shown, trailing zeros dropped;
never more than `MAX_DECIMALS`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smartdoc import figures
from smartdoc.figures import MONTH_NAMES
from smartdoc.model import Band, Checkin, Goal

#: Most decimals a figure prints with, whatever its author wrote.
MAX_DECIMALS = 10
#: Printed for a value that is missing.
MISSING = "—"
MINUS = "−"

#: Status -> the words a reader sees (the vocabulary is `smartdoc.scoring.STATUSES`).
STATUS_LABELS: dict[str, str] = {
    "achieved": "Achieved",
    "met": "Met",
    "on-track": "On track",
    "at-risk": "At risk",
    "off-track": "Off track",
    "missed": "Missed",
    "breached": "Breached",
    "no-data": "No data",
    "not-started": "Not started",
}

#: Kinds and areas as a reader sees them (the kind x area split, goal cards).
KIND_LABELS: dict[str, str] = {"quantitative": "Quantitative", "qualitative": "Qualitative"}
AREA_LABELS: dict[str, str] = {"financial": "Financial", "communication": "Communication"}

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
#: Words after which the noun of a unit ends: `leads per month`, `days of stock`.
_UNIT_LINKS = frozenset({"per", "a", "an", "each", "of", "in", "on", "for", "from", "to", "/"})
#: Plural abbreviations and their singular.
_SINGULAR_ABBREVIATIONS = {
    "pts": "pt",
    "hrs": "hr",
    "mins": "min",
    "secs": "sec",
    "yrs": "yr",
    "lbs": "lb",
    "kgs": "kg",
    "kms": "km",
}
#: Words ending in s that are not plurals, or whose singular no suffix rule finds.
_NOT_PLURAL = frozenset(
    {
        "news",
        "series",
        "species",
        "means",
        "analytics",
        "statistics",
        "economics",
        "logistics",
        "physics",
        "ethics",
        "sales",
        "status",
        "bonus",
        "campus",
        "census",
        "virus",
        "basis",
        "gas",
        "bus",
        "plus",
        "lens",
    }
)
_IES_TO_IE = frozenset({"movies", "cookies", "calories", "selfies", "zombies", "smoothies", "pies"})
_LOWER_WORD = re.compile(r"^[a-z]+$")


# --- formatters ----------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: Any, digits: int | None = None) -> str:
    """Return `value` with thousands separators and up to 2 decimals (4 below 1), or `digits`.

    Written as in findings and charts (`smartdoc.figures`), with a typographic minus, and an
    em dash for a missing value.
    """
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = figures.format_number(value, digits)
    return MINUS + text[1:] if text.startswith("-") else text


def format_signed(value: Any, digits: int | None = None) -> str:
    """Return `value` with thousands separators and an explicit sign (+, −)."""
    text = format_number(value, digits)
    if text == MISSING or text.startswith(MINUS) or not text.strip("0.,"):
        return text
    return "+" + text


def is_percent(unit: str | None) -> bool:
    """Return True for the percentage unit `%`."""
    return (unit or "").strip() == "%"


def singular_word(word: str) -> str:
    """Return the singular of a plural English noun, or the word as it is when unsure."""
    if word in _SINGULAR_ABBREVIATIONS:
        return _SINGULAR_ABBREVIATIONS[word]
    if len(word) < 4 or not _LOWER_WORD.match(word) or word in _NOT_PLURAL:
        return word
    if word.endswith(("ss", "us", "is")) or not word.endswith("s"):
        return word
    if word.endswith("ies") and word not in _IES_TO_IE:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    return word[:-1]


def unit_for(text: str, unit: str) -> str:
    """Return the unit as it agrees with a printed number: singular for exactly `1`."""
    if text not in ("1", "+1", MINUS + "1"):
        return unit
    words = unit.split(" ")
    end = next((i for i, word in enumerate(words) if i and word.lower() in _UNIT_LINKS), None)
    head = len(words) - 1 if end is None else end - 1
    words[head] = singular_word(words[head])
    return " ".join(words)


def format_quantity(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """Return `value` with its unit: `41%`, `1,200 followers`, `1 follower`."""
    text = format_number(value, digits)
    if text == MISSING or not unit or not unit.strip():
        return text
    if is_percent(unit):
        return text + "%"
    return f"{text} {unit_for(text, unit.strip())}"


def format_target(
    target: float | Band | None,
    direction: str | None,
    unit: str | None,
    digits: tuple[int | None, int | None] = (None, None),
) -> str:
    """Return a target as people read it: `18,000 followers`, `at least 4.5`, `10–20%`.

    `digits` are the decimals written for (the number or a band's min, a band's max).
    """
    if target is None:
        return MISSING
    if isinstance(target, Band):
        low = format_number(target.min, digits[0])
        return f"{low}–{format_quantity(target.max, unit, digits[1])}"
    text = format_quantity(target, unit, digits[0])
    if direction == "at-least":
        return f"at least {text}"
    if direction == "at-most":
        return f"at most {text}"
    return text


def format_change(
    change: float | None, pct: float | None, unit: str | None, digits: int | None = None
) -> str:
    """Return a change with its sign: `+1,800 (+15.0%)`; of a percentage, `+7.1 pts (+50.7%)`."""
    if change is None:
        return MISSING
    text = format_signed(change, digits)
    if is_percent(unit):
        # a change of a percentage is in percentage points; the % in brackets is relative
        text += " pts"
    if pct is not None:
        text += f" ({format_signed(pct, 1)}%)"
    return text


def format_inside(inside: int, total: int) -> str:
    """Return a band goal's figures inside: `2 of 3 inside`; a dash without figures."""
    return f"{inside} of {total} inside" if total else MISSING


def format_age(days: int) -> str:
    """Return how old the latest figure is: `last figure 83 days ago`."""
    if days == 0:
        return "last figure today"
    return f"last figure {days} day{'' if days == 1 else 's'} ago"


def format_status(status: str) -> str:
    """Return a status as a reader sees it: `on-track` -> `On track`."""
    return STATUS_LABELS.get(status, status)


def format_currency(value: Any, code: str | None = "EUR", digits: int | None = None) -> str:
    """Return an amount with its currency: `€40,000`, `CHF 1,500`."""
    text = format_number(value, digits)
    if text == MISSING:
        return text
    code = (code or "").strip().upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    sign = ""
    if text.startswith(MINUS):
        sign, text = MINUS, text[1:]
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{code}\u00a0{text}" if code else sign + text


def format_percent(value: Any, digits: int = 0) -> str:
    """Return a ratio as a percentage (`0.655` -> `66%`); not clamped."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    # round half away from zero, so 0.655 prints 66% on every platform
    scaled = float(value) * 100
    factor = 10**digits
    rounded = math.floor(abs(scaled) * factor + 0.5) / factor
    rounded = math.copysign(rounded, scaled)
    return format_number(rounded, digits) + "%"


def format_date(value: Any, style: str = "long") -> str:
    """Return a date as `30 June 2027` (long), `30 Jun 2027` (short) or `2027-06-30` (iso)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    if style == "iso":
        return value.isoformat()
    month = MONTH_NAMES[value.month - 1]
    if style == "short":
        month = month[:3]
    return f"{value.day} {month} {value.year}"


# --- precision -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoalPrecision:
    """The decimals a goal's author wrote for each of its figures (see the module docs)."""

    #: (date, value) of a baseline, interim, check-in or final -> decimals written.
    figures: Mapping[tuple[dt.date, float], int] = field(default_factory=dict)
    #: Decimals of the target (of a band's min), and of a band's max.
    target: tuple[int | None, int | None] = (None, None)
    #: The most decimals written among the goal's figures, for figures smartdoc computes;
    #: None when nothing was recorded (then every figure prints with up to 2 decimals).
    widest: int | None = None

    def of(self, checkin: Checkin | None) -> int | None:
        """Return the decimals to print a figure with; None: the default format."""
        if checkin is None or self.widest is None:
            return None
        return self.figures.get((checkin.date, checkin.value), 0)


#: For goals whose written decimals are not known: every figure in the default format.
UNKNOWN_PRECISION = GoalPrecision()


def get_goal_precision(
    goal: Goal, decimals: Mapping[tuple[str | int, ...], int], index: int
) -> GoalPrecision:
    """Return the precision of goal number `index`, from the loader's path -> decimals.

    A figure without a record was written without a decimal point: 0 decimals.
    """
    prefix: tuple[str | int, ...] = ("goals", index)

    def written(*path: str | int) -> int:
        # a figure written with 50,000 decimals prints with MAX_DECIMALS: output stays bounded
        return min(decimals.get((*prefix, *path), 0), MAX_DECIMALS)

    figures: dict[tuple[dt.date, float], int] = {}

    def add(checkin: Checkin | None, *path: str | int) -> None:
        if checkin is not None:
            places = written(*path, "value")
            key = (checkin.date, checkin.value)
            figures[key] = max(places, figures.get(key, 0))

    add(goal.baseline, "baseline")
    add(goal.final, "final")
    for position, checkin in enumerate(goal.measurements or []):
        add(checkin, "measurements", position)
    for position, checkin in enumerate(goal.interim or []):
        add(checkin, "interim", position)
    if isinstance(goal.target, Band):
        target = (written("target", "min"), written("target", "max"))
    else:
        target = (written("target"), written("target"))
    widest = max(_known(figures.values(), target), default=0)
    return GoalPrecision(figures=figures, target=target, widest=widest)


def _known(*groups: Iterable[int | None]) -> list[int]:
    return [places for group in groups for places in group if places is not None]
