"""The S·M·A·R·T verdict of each goal: which letters were checked, which failed.

A letter is *checked* when at least one selected rule of its family runs on plans; a goal
fails a letter when an error or warning of that family is reported on it. The site, the PDFs
and `smartdoc status` all read these verdicts; no Jinja here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smartdoc.config import LintConfig
from smartdoc.lint.engine import is_selected
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import Rule
from smartdoc.load import LoadedPlan
from smartdoc.model import SMART_LETTERS

#: Findings of these severities make a SMART letter fail.
FAILING_SEVERITIES = frozenset({"error", "warning"})


def get_checked_letters(rules: Mapping[str, Rule], config: LintConfig) -> set[str]:
    """Return the SMART letters that have at least one selected rule that runs on plans."""
    return {
        rule.family
        for rule in rules.values()
        if rule.family in SMART_LETTERS
        and rule.check is not None
        and is_selected(rule.code, config)
    }


def get_goal_letters(
    goal_id: str | None, findings: Iterable[Finding], checked: set[str]
) -> dict[str, bool | None]:
    """Return letter -> False (an error or warning of that family on the goal), True, or None."""
    failed = {
        f.family
        for f in findings
        if goal_id is not None and f.goal == goal_id and f.severity in FAILING_SEVERITIES
    }
    return {
        letter: (None if letter not in checked else letter not in failed)
        for letter in SMART_LETTERS
    }


def get_plan_letters(
    loaded: LoadedPlan, findings: Iterable[Finding], checked: set[str]
) -> dict[str, dict[str, bool | None]]:
    """Return goal id -> SMART letters for every goal of a plan."""
    mine = [f for f in findings if f.plan == loaded.slug]
    goals = loaded.plan.goals if loaded.plan else []
    return {
        goal.id: get_goal_letters(goal.id, mine, checked) for goal in goals if goal.id is not None
    }
