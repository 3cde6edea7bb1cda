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
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

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

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


# --- formatters ----------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: Any, digits: int | None = None) -> str:
    """Return `value` with thousands separators; up to 2 decimals unless `digits` is given."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if digits is None:
        rounded = round(float(value), 2)
        if rounded == int(rounded):
            text = f"{int(rounded):,}"
        else:
            text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{float(value):,.{digits}f}"
    if text.startswith("-"):
        stripped = text[1:]
        return MINUS + stripped if stripped.strip("0.,") else stripped
    return text


def format_signed(value: Any, digits: int | None = None) -> str:
    """Return `value` with thousands separators and an explicit sign (+, −)."""
    text = format_number(value, digits)
    if text == MISSING or text.startswith(MINUS) or not text.strip("0.,"):
        return text
    return "+" + text


def format_quantity(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """Return `value` with its unit: `41%`, `1,200 followers`."""
    text = format_number(value, digits)
    if text == MISSING or not unit:
        return text
    if unit.strip() == "%":
        return text + "%"
    return f"{text} {unit}"


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
    month = _MONTHS[value.month - 1]
    if style == "short":
        month = month[:3]
    return f"{value.day} {month} {value.year}"
