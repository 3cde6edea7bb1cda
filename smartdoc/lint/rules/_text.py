"""Small text helpers shared by rule messages: goal labels, numbers, money and percentages."""

from __future__ import annotations

from smartdoc.model import Goal


def goal_label(goal: Goal, index: int) -> str:
    """Return how a message names a goal: `goal 'ig-followers'`, or `goal #3` without an id."""
    return f"goal '{goal.id}'" if goal.id else f"goal #{index + 1}"


def number(value: float) -> str:
    """Return a figure with thousands separators and no needless decimals: 12,000 or 12.5."""
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"


def money(amount: float, currency: str) -> str:
    """Return an amount with its currency: 52,000 EUR."""
    return f"{number(amount)} {currency}"


def percent(share: float, *, signed: bool = True) -> str:
    """Return a share as a percentage: 0.5 -> +50%, 399 -> +39,900%, 0.025 -> +2.5%."""
    value = share * 100
    text = f"{round(value):,}" if abs(value) >= 10 else number(round(value, 1))
    if signed and value >= 0:
        return f"+{text}%"
    return f"{text}%"


def quoted(words: list[str]) -> str:
    """Return words quoted and joined: 'grow', 'more'."""
    return ", ".join(f"'{word}'" for word in words)
