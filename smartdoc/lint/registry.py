"""The rule table: every rule's code, name, severity and documentation, as plain data.

A rule is a function decorated with `@rule(...)`; its docstring is its documentation page
(`smartdoc rule CODE`, the site's catalogue, SARIF). Family modules in `rules/` list their
rules in a `RULES` tuple; `all_rules()` gathers them in code order.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    pass

#: goal: one goal at a time; plan: one plan; portfolio: all plans linted together;
#: load: reported by the loader (documentation only).
Scope = Literal["goal", "plan", "portfolio", "load"]

FAMILIES: dict[str, str] = {
    "S": "Specific",
    "M": "Measurable",
    "A": "Achievable",
    "R": "Relevant",
    "T": "Timely",
    "P": "Phases",
    "Q": "Split",
    "H": "History",
    "E": "Format",
}

_CODE = re.compile(r"^[SMARTPQHE]\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Hit(NamedTuple):
    """What a rule returns: where (a path in the front-matter) and what is wrong."""

    #: For goal rules, relative to the goal (`("target",)`); for plan rules, from the top.
    path: tuple[str | int, ...]
    message: str


class PortfolioHit(NamedTuple):
    """What a portfolio rule returns: which plan (its index in the list), where, what."""

    plan: int
    #: From the top of that plan's front-matter.
    path: tuple[str | int, ...]
    message: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the catalogue."""

    code: str
    name: str
    severity: str
    scope: Scope
    #: goal rules: check(goal, ctx) -> hits; plan rules: check(ctx) -> hits; portfolio
    #: rules: check(plans, config) -> portfolio hits; load: None.
    check: Callable[..., Iterable[Hit]] | Callable[..., Iterable[PortfolioHit]] | None
    #: The documentation page, Markdown: summary line, What it checks, Why, Fails, Passes.
    doc: str

    @property
    def family(self) -> str:
        """Return the family letter."""
        return self.code[0]

    @property
    def summary(self) -> str:
        """Return the first line of the documentation."""
        return self.doc.strip().split("\n", 1)[0]

    @property
    def label(self) -> str:
        """Return `CODE/name`, the form findings print."""
        return f"{self.code}/{self.name}"


def rule(
    code: str, name: str, severity: str, scope: Scope = "goal"
) -> Callable[[Callable[..., Iterable[Hit]] | Callable[..., Iterable[PortfolioHit]]], Rule]:
    """Declare a rule; the decorated function's docstring becomes its documentation."""
    if not _CODE.match(code) or not _NAME.match(name):
        raise ValueError(f"bad rule code or name: {code} {name}")
    if severity not in ("error", "warning", "info"):
        raise ValueError(f"bad severity for {code}: {severity}")

    def wrap(check: Callable[..., Iterable[Hit]] | Callable[..., Iterable[PortfolioHit]]) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(code, name, severity, scope, None if scope == "load" else check, doc)

    return wrap


def load_rule(code: str, name: str, severity: str, doc: str) -> Rule:
    """Declare a rule that the loader reports (E family): documentation only, no check."""
    return Rule(code, name, severity, "load", None, inspect.cleandoc(doc))


def unknown_code(written: str, codes: Iterable[str]) -> str | None:
    """Return why `written` names no rule ("unknown rule code or prefix 'P1O1'; did you mean
    P101?"), or None when it is ALL, a code or a prefix of codes (select, ignore, severity).

    A letter O or I typed for a zero or a one (`P1O1`) is the common slip; else the hint is
    the closest spelling.
    """
    known = list(codes)
    code = written.strip().upper()
    if code == "ALL" or (code and any(rule.startswith(code) for rule in known)):
        return None
    close = None
    digits = code.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(digits) > 1 and digits[1:] != code[1:] and code[0] + digits[1:] in known:
        close = code[0] + digits[1:]
    else:
        found = difflib.get_close_matches(code, known, n=1, cutoff=0.5)
        close = found[0] if found else None
    hint = f"; did you mean {close}?" if close else ""
    return f"unknown rule code or prefix '{written.strip()}'{hint}"


def all_rules() -> dict[str, Rule]:
    """Return every rule, by code, in code order."""
    from smartdoc.lint.rules import RULE_MODULES

    found: dict[str, Rule] = {}
    for module in RULE_MODULES:
        for item in module.RULES:
            if item.code in found:
                raise ValueError(f"rule code used twice: {item.code}")
            found[item.code] = item
    return dict(sorted(found.items()))


def iter_goal_rules(rules: Iterable[Rule]) -> Iterator[Rule]:
    """Yield the rules that check one goal at a time."""
    return (r for r in rules if r.scope == "goal")
