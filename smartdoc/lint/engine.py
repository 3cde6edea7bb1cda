"""Run the rules over loaded plans and turn hits into positioned, configured findings."""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from smartdoc.config import LintConfig
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import PortfolioHit, Rule, all_rules
from smartdoc.load import LoadedPlan
from smartdoc.model import Plan
from smartdoc.source import NodePath, Problem

UNUSED_SUPPRESSION = "E901"


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a plan rule may read: the plan, where its nodes are, settings and today."""

    plan: Plan
    loaded: LoadedPlan
    config: LintConfig
    today: dt.date


@dataclass(frozen=True, slots=True)
class GoalContext:
    """What a goal rule may read: the plan context plus the goal's index."""

    plan: Plan
    loaded: LoadedPlan
    config: LintConfig
    today: dt.date
    index: int

    def was_invalid(self, field: str) -> bool:
        """Return True when `field` was written but dropped as invalid (reported by E111)."""
        return ("goals", self.index, field) in self.loaded.invalid_paths


def is_selected(code: str, config: LintConfig) -> bool:
    """Return True when `code` is selected and not ignored (prefixes match, ruff-style)."""

    def matches(patterns: Iterable[str]) -> bool:
        return any(p == "ALL" or code.startswith(p.upper()) for p in patterns)

    return matches(config.select) and not matches(config.ignore)


def ignored_in_file(code: str, file: str, config: LintConfig) -> bool:
    """Return True when `per-file-ignores` silences `code` in `file`."""
    for pattern, codes in config.per_file_ignores.items():
        if fnmatch.fnmatch(file, pattern) and any(code.startswith(c.upper()) for c in codes):
            return True
    return False


def _hits(
    loaded: LoadedPlan, rules: Iterable[Rule], config: LintConfig, today: dt.date
) -> list[tuple[Rule, NodePath, str]]:
    """Run every selected rule; return (rule, absolute path, message)."""
    plan = loaded.plan
    assert plan is not None
    found: list[tuple[Rule, NodePath, str]] = []
    plan_context = PlanContext(plan, loaded, config, today)
    goal_contexts = [
        GoalContext(plan, loaded, config, today, index) for index in range(len(plan.goals))
    ]
    for rule in rules:
        if rule.check is None or rule.scope == "portfolio":
            continue  # portfolio rules see all plans at once: lint_portfolio
        if rule.scope == "plan":
            for hit in rule.check(plan_context):
                found.append((rule, tuple(hit.path), hit.message))
            continue
        for goal, context in zip(plan.goals, goal_contexts, strict=True):
            for goal_hit in rule.check(goal, context):
                path: NodePath = ("goals", context.index, *goal_hit.path)
                found.append((rule, path, goal_hit.message))
    return found


def _is_under_invalid(path: NodePath, invalid: set[NodePath]) -> bool:
    return any(path[: len(bad)] == bad for bad in invalid)


def lint_plan(
    loaded: LoadedPlan, config: LintConfig, today: dt.date, rules: dict[str, Rule] | None = None
) -> list[Finding]:
    """Return the findings for one loaded plan, configured, suppressed and sorted."""
    rules = rules if rules is not None else all_rules()
    raw: list[tuple[Rule, NodePath, str, Problem | None]] = []
    for load_problem in loaded.problems:
        raw.append(
            (rules[load_problem.code], load_problem.node_path, load_problem.message, load_problem)
        )
    if loaded.plan is not None:
        selected = [
            r for r in rules.values() if r.check is not None and is_selected(r.code, config)
        ]
        for rule, path, message in _hits(loaded, selected, config, today):
            if _is_under_invalid(path, loaded.invalid_paths):
                continue  # the E111 finding already names this field
            raw.append((rule, path, message, None))

    goal_lines = goal_lines_of(loaded)
    used: set[tuple[int, str]] = set()
    findings: list[Finding] = []
    for rule, path, message, problem in raw:
        if not is_selected(rule.code, config):
            continue
        location = problem.location if problem else loaded.location(path)
        if ignored_in_file(rule.code, location.file, config):
            continue
        suppressed_by = (
            silencing_line(rule.code, location.line, path, loaded, goal_lines)
            if location.file == loaded.rel_path
            else None
        )
        if suppressed_by is not None:
            used.add((suppressed_by, rule.code))
            continue
        findings.append(
            Finding(
                file=location.file,
                line=location.line,
                column=location.column,
                code=rule.code,
                name=rule.name,
                severity=config.severity.get(rule.code, rule.severity),
                message=message,
                plan=loaded.slug,
                goal=loaded.goal_id(path),
            )
        )
    findings.extend(_unused_suppressions(loaded, used, rules, config, scope="plan"))
    return sorted(findings)


def lint_portfolio(
    plans: Sequence[LoadedPlan], config: LintConfig, rules: dict[str, Rule] | None = None
) -> list[Finding]:
    """Return the findings of the rules that compare plans (scope `portfolio`), sorted.

    Plans that failed to load are skipped. Each finding sits in the plan it names, and is
    configured and suppressed there as in `lint_plan`; a suppression of a portfolio rule
    that silences nothing is reported here (E901), not by `lint_plan`, which cannot know.
    """
    rules = rules if rules is not None else all_rules()
    selected = [
        r
        for r in rules.values()
        if r.scope == "portfolio" and r.check is not None and is_selected(r.code, config)
    ]
    used: list[set[tuple[int, str]]] = [set() for _ in plans]
    findings: list[Finding] = []
    for rule in selected:
        assert rule.check is not None
        for hit in rule.check(plans, config):
            if not isinstance(hit, PortfolioHit):
                raise TypeError(f"{rule.code}: a portfolio rule must yield PortfolioHit")
            loaded = plans[hit.plan]
            path: NodePath = tuple(hit.path)
            location = loaded.location(path)
            if ignored_in_file(rule.code, location.file, config):
                continue
            suppressed_by = silencing_line(rule.code, location.line, path, loaded, {})
            if suppressed_by is not None:
                used[hit.plan].add((suppressed_by, rule.code))
                continue
            findings.append(
                Finding(
                    file=location.file,
                    line=location.line,
                    column=location.column,
                    code=rule.code,
                    name=rule.name,
                    severity=config.severity.get(rule.code, rule.severity),
                    message=hit.message,
                    plan=loaded.slug,
                    goal=loaded.goal_id(path),
                )
            )
    for loaded, used_here in zip(plans, used, strict=True):
        if loaded.plan is not None:
            findings.extend(
                _unused_suppressions(loaded, used_here, rules, config, scope="portfolio")
            )
    return sorted(findings)


def goal_lines_of(loaded: LoadedPlan) -> dict[int, int]:
    """Return the first line of each goal mapping -> goal index."""
    lines: dict[int, int] = {}
    plan = loaded.plan
    for index in range(len(plan.goals) if plan else 0):
        line = loaded.marks.line_of(("goals", index))
        if line is not None:
            lines[line] = index
    return lines


def silencing_line(
    code: str, line: int, path: NodePath, loaded: LoadedPlan, goal_lines: Mapping[int, int]
) -> int | None:
    """Return the line of the suppression comment that silences this finding, if any."""
    if code in loaded.suppressions.get(line, ()):
        return line
    if len(path) >= 2 and path[0] == "goals":
        for goal_line, index in goal_lines.items():
            if index == path[1] and code in loaded.suppressions.get(goal_line, ()):
                return goal_line
    return None


def _unused_suppressions(
    loaded: LoadedPlan,
    used: set[tuple[int, str]],
    rules: dict[str, Rule],
    config: LintConfig,
    *,
    scope: str,
) -> list[Finding]:
    """Report suppressions that silenced nothing: of portfolio rules, or of all the others."""
    rule = rules.get(UNUSED_SUPPRESSION)
    if rule is None or not is_selected(rule.code, config):
        return []
    findings = []
    for line, codes in sorted(loaded.suppressions.items()):
        for code in codes:
            is_portfolio = code in rules and rules[code].scope == "portfolio"
            if (line, code) in used or is_portfolio != (scope == "portfolio"):
                continue
            known = code in rules
            message = (
                f"suppression of {code} is unused: no {code} finding on this line"
                if known
                else f"suppression names unknown rule {code}"
            )
            findings.append(
                Finding(
                    file=loaded.rel_path,
                    line=line,
                    column=1,
                    code=rule.code,
                    name=rule.name,
                    severity=config.severity.get(rule.code, rule.severity),
                    message=message,
                    plan=loaded.slug,
                    goal=None,
                )
            )
    return findings
