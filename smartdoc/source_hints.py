"""What to do about a YAML complaint or a day that does not exist, in a plan writer's words.

libyaml says what it expected ("mapping values are not allowed in this context"); a
strategist needs to know what to type. `source` adds these to its E104 and E109 messages, and
`measurements` and the command line use `why_not_a_date` for CSV dates and `--today`.
"""

from __future__ import annotations

import calendar

from smartdoc.figures import MONTH_NAMES


def why_not_a_date(year: int, month: int, day: int) -> str:
    """Say in words why YYYY-MM-DD names no day: `June 2027 has 30 days`."""
    if not 1 <= month <= 12:
        return f"there is no month {month:02d} (01 to 12)"
    if year < 1:
        return "the year must be 0001 or later"
    return f"{MONTH_NAMES[month - 1]} {year} has {calendar.monthrange(year, month)[1]} days"


#: What to do about libyaml's commonest complaints, in a plan writer's words.
SYNTAX_FIXES = (
    (
        "mapping values are not allowed",
        "a ': ' inside a value starts a new key: put the whole value in quotes "
        '(title: "Reach: 1,500 visits")',
    ),
    (
        "that cannot start any token",
        "put a value starting with this character in quotes, or close a quote opened earlier",
    ),
    (
        "did not find expected node content",
        "a value is missing here, or a '[' or '{' opens a list that is not closed: "
        "complete it, or put the value in quotes",
    ),
    (
        "did not find expected ',' or ']'",
        "close the list with ']', or put a value holding '[' in quotes",
    ),
    (
        "did not find expected ',' or '}'",
        "close the mapping with '}', or put a value holding '{' in quotes",
    ),
    (
        "could not find expected ':'",
        "each line is 'key: value'; check the line above for a missing ':' or an unclosed quote",
    ),
    (
        "found unexpected end of stream",
        "a quote is opened and never closed",
    ),
)
