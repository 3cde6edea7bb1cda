"""How a figure is written for people, the same in rule messages, pages, charts and `diff`.

One function so that a number reads the same wherever it appears: 12,000 in a finding is
12,000 on the card and on the chart. Pages wrap it (`site.format.format_number`) to print a
typographic minus and a dash for a missing figure; everything else uses it as it is.
"""

from __future__ import annotations

import math

#: Beyond this a figure is written as 1.7e308: 21 digits with separators help nobody. Figures
#: read from a plan stay below it (the loader refuses more); computed ones may not.
PLAIN_LIMIT = 1e15
_LOG10_2 = math.log10(2)
#: Month names as a reader says them, whatever the machine's locale (strftime would follow it).
MONTH_NAMES = (
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


def format_number(value: float, digits: int | None = None) -> str:
    """Return a figure with thousands separators: 12,000, 12.5, 0.0425, -3.

    `digits` fixes the decimals (a figure printed as its author wrote it, `0.80`); without it
    a whole number has none and others at most 2 (4 below 1, so 0.0425 is not 0.04).
    Never `-0`; infinities and NaN in words; beyond 10^15 or below 10^-4, 1.7e308.
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= PLAIN_LIMIT:
        return _big_integer(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "not a number"
    if math.isnan(number):
        return "not a number"
    if math.isinf(number):
        return "infinity" if number > 0 else "minus infinity"
    if digits is not None:
        text = f"{number:,.{digits}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text
    if abs(number) >= PLAIN_LIMIT or 0 < abs(number) < 1e-4:
        return scientific(number)
    if abs(number - round(number)) < 1e-9:
        return f"{round(number):,}"
    decimals = 2 if abs(number) >= 1 else 4
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def scientific(number: float, digits: int = 3) -> str:
    """Return `number` as 1.7e308 (no '+', no leading zeros in the exponent)."""
    mantissa, _, exponent = f"{number:.{digits}g}".partition("e")
    if not exponent:
        return mantissa
    return f"{mantissa}e{int(exponent)}"


def _big_integer(value: int) -> str:
    """Format an integer of any length as 1.23e5000 without converting it to a string."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    exponent = int((value.bit_length() - 1) * _LOG10_2)
    lead = value // 10 ** max(exponent - 2, 0)  # three leading digits (four when rounded up)
    while lead >= 1000:
        lead //= 10
        exponent += 1
    mantissa = f"{lead / 100:.2f}".rstrip("0").rstrip(".")
    return f"{sign}{mantissa}e{exponent}"
