"""Small text helpers shared by rule messages: goal labels, money and percentages.

Figures themselves are written by `smartdoc.figures`, as on pages and charts.
"""

from __future__ import annotations

from smartdoc.figures import format_number
from smartdoc.model import Goal


def goal_label(goal: Goal, index: int) -> str:
    """Return how a message names a goal: `goal 'ig-followers'`, or `goal #3` without an id."""
    return f"goal '{goal.id}'" if goal.id else f"goal #{index + 1}"


def money(amount: float, currency: str) -> str:
    """Return an amount with its currency: 52,000 EUR."""
    return f"{format_number(amount)} {currency}"


def percent(share: float, *, signed: bool = True) -> str:
    """Return a share as a percentage: 0.5 -> +50%, 399 -> +39,900%, 0.025 -> +2.5%."""
    value = share * 100
    text = f"{round(value):,}" if abs(value) >= 10 else format_number(round(value, 1))
    if signed and value >= 0:
        return f"+{text}%"
    return f"{text}%"


def quoted(words: list[str]) -> str:
    """Return words quoted and joined: 'grow', 'more'."""
    return ", ".join(f"'{word}'" for word in words)
