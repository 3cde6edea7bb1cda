"""Template data: the model, its scores and its findings turned into plain values for Jinja.

No business logic lives in templates: every figure a page prints is formatted here (or by a
filter of `smartdoc.site.render`), every decision (which badge, how wide a bar) is taken
here. The values are dicts, lists, strings, numbers, dates and `Markup` for the HTML that
smartdoc itself produced (the sanitised narrative and the SVG charts); everything else a
plan wrote is a plain string that Jinja escapes.

URLs in the data are relative to the site root (`team/social.html`); a page adds its own
`page.root` prefix (`../`) so the site works under any sub-path and from `file://`.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from smartdoc.config import Config
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import FAMILIES, Rule
from smartdoc.load import LoadedPlan
from smartdoc.model import SMART_LETTERS, Band, Checkin, Goal
from smartdoc.scoring import STATUSES, GoalScore, ObjectiveScore, PlanScore, RollupGoal
from smartdoc.site import charts
from smartdoc.site.format import (
    MISSING,
    STATUS_LABELS,
    format_currency,
    format_date,
    format_number,
    format_percent,
    format_quantity,
    format_signed,
)

#: Widest a progress bar is drawn, in % of its track; the printed figure is never clamped.
BAR_MAX = 100.0

_BADGE_STATES: dict[bool | None, tuple[str, str]] = {
    True: ("pass", "met"),
    False: ("fail", "not met"),
    None: ("none", "not checked"),
}
_ANCHOR_UNSAFE = re.compile(r"[^a-z0-9_-]+")


# --- pages ---------------------------------------------------------------------------------


def page_url(slug: str) -> str:
    """Return the site-relative URL of a plan page (percent-encoded)."""
    return urllib.parse.quote(f"{slug}.html", safe="/")


def root_prefix(page_path: str) -> str:
    """Return the relative prefix from a page to the site root: '' or '../' per folder."""
    depth = page_path.count("/")
    return "../" * depth


def get_page(
    title: str, path: str, kind: str, *, base_url: str | None, description: str | None = None
) -> dict[str, Any]:
    """Return the `page` variable of one page."""
    canonical = None
    if base_url:
        canonical = base_url.rstrip("/") + "/" + urllib.parse.quote(path, safe="/")
    return {
        "title": title,
        "path": path,
        "root": root_prefix(path),
        "kind": kind,
        "canonical": canonical,
        "description": description,
    }


def get_site(
    config: Config, today: dt.date, version: str, base_url: str | None, *, with_pdf: bool = False
) -> dict[str, Any]:
    """Return the `site` variable every page gets; `with_pdf` when the build makes PDFs."""
    return {
        "name": config.site_name,
        "today": today,
        "version": version,
        "base_url": base_url,
        "handout_url": "pdf/handout.pdf" if with_pdf else None,
    }


# --- small formatters ----------------------------------------------------------------------


def _text_list(value: str | Sequence[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return ", ".join(value) or None


class GoalAnchors:
    """Goal anchors that keep every id of a plan page unique.

    A goal card's ids are its anchor and ids *derived* from it, each `<anchor>-<suffix>`
    (`goal-x-title`, `goal-x-chart-title`...). So an anchor may not equal a reserved id
    (the narrative's headings) nor be a dash-prefix of one, and no anchor may be a
    dash-prefix of another: goal ids `x` and `x-title` would otherwise both make the id
    `goal-x-title`. On a clash the anchor's own dashes become underscores (`goal-x_title`,
    whose only dash-prefix is `goal`, never an anchor), then `_2`, `_3`... are added.
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        #: Ids an anchor may not be: reserved ids, anchors, and their dash-prefixes.
        self.blocked: set[str] = set()
        self.anchors: set[str] = set()
        for reserved_id in reserved:
            self._block(reserved_id)

    def _block(self, taken_id: str) -> None:
        self.blocked.add(taken_id)
        for position, char in enumerate(taken_id):
            if char == "-":
                self.blocked.add(taken_id[:position])

    def _free(self, candidate: str) -> bool:
        if candidate in self.blocked:
            return False
        dashes = (i for i, char in enumerate(candidate) if char == "-")
        return not any(candidate[:i] in self.anchors for i in dashes)

    def _candidates(self, base: str) -> Iterator[str]:
        yield f"goal-{base}"
        flat = f"goal-{base.replace('-', '_')}"
        if "-" in base:
            yield flat
        number = 2
        while True:
            yield f"{flat}_{number}"
            number += 1

    def make(self, goal: Goal, index: int) -> str:
        """Return the anchor of goal number `index` (0-based), unique on the page."""
        base = _ANCHOR_UNSAFE.sub("-", (goal.id or "").lower()).strip("-") or str(index + 1)
        anchor = next(c for c in self._candidates(base) if self._free(c))
        self.anchors.add(anchor)
        self._block(anchor)
        return anchor


def format_target(target: float | Band | None, direction: str | None, unit: str | None) -> str:
    """Return a target as people read it: `18,000 followers`, `at least 4.5`, `10–20%`."""
    if target is None:
        return MISSING
    if isinstance(target, Band):
        return f"{format_number(target.min)}–{format_quantity(target.max, unit)}"
    text = format_quantity(target, unit)
    if direction == "at-least":
        return f"at least {text}"
    if direction == "at-most":
        return f"at most {text}"
    return text


def _band_label(score: GoalScore) -> str:
    band = score.band
    assert band is not None
    if band.low is not None and band.high is not None:
        return f"range {format_number(band.low)}–{format_quantity(band.high, score.unit)}"
    if band.low is not None:
        return f"zone (at least {format_quantity(band.low, score.unit)})"
    return f"zone (at most {format_quantity(band.high, score.unit)})"


def _inside(score: GoalScore, value: float) -> bool | None:
    band = score.band
    if band is None:
        return None
    return (band.low is None or value >= band.low) and (band.high is None or value <= band.high)


def _cell(
    label: str, checkin: Checkin | None, unit: str | None, note: str | None = None
) -> dict[str, Any]:
    return {
        "label": label,
        "value": format_quantity(checkin.value, unit) if checkin else MISSING,
        "date": checkin.date if checkin else None,
        "note": note,
    }


def get_phase_cells(goal: Goal, score: GoalScore) -> list[dict[str, Any]]:
    """Return the before / during / after / target / change / attainment cells of a goal."""
    phases = score.phases
    unit = score.unit
    count = len(phases.during)
    during_note = f"{count} check-in{'s' if count != 1 else ''}" if count else None
    change = phases.change
    if change.abs is None:
        change_text = MISSING
    else:
        change_text = format_signed(change.abs) + ("%" if (unit or "").strip() == "%" else "")
        if (unit or "").strip() == "%":
            change_text += " pts"
        if change.pct is not None:
            change_text += f" ({format_signed(change.pct, 1)}%)"
    change_note = {"after": "after vs before", "latest": "latest vs before"}.get(change.basis or "")
    if score.band is not None:
        attainment = (
            STATUS_LABELS.get(score.status, score.status) if score.band.met is not None else MISSING
        )
    else:
        attainment = format_percent(score.progress)
    return [
        _cell("Before", phases.before, unit),
        _cell("During (latest)", phases.latest, unit, during_note),
        _cell("After", phases.after, unit),
        {
            "label": "Target",
            "value": format_target(phases.target, score.direction, unit),
            "date": goal.deadline,
            "note": None,
        },
        {"label": "Change", "value": change_text, "date": None, "note": change_note},
        {"label": "Attainment", "value": attainment, "date": None, "note": None},
    ]


def _goal_facts(
    goal: Goal, plan_strategy: Mapping[str, str], currency: str | None
) -> list[dict[str, str]]:
    facts: list[tuple[str, str | None]] = []
    if goal.kind == "qualitative":
        facts += [
            ("Soft factor", goal.objective),
            ("Indicator", goal.indicator),
            ("Method", goal.method),
        ]
    else:
        facts.append(("Metric", goal.metric))
    facts += [("Unit", goal.unit), ("Source", goal.source)]
    frequency = goal.frequency
    if isinstance(frequency, int):
        frequency = f"every {frequency} days"
    facts.append(("Check-ins", frequency))
    facts.append(("Owner", _text_list(goal.owner)))
    if goal.serves:
        facts.append(("Serves", plan_strategy.get(goal.serves, goal.serves)))
    facts.append(("Deadline", format_date(goal.deadline) if goal.deadline else None))
    if goal.budget is not None:
        facts.append(("Budget", format_currency(goal.budget, currency)))
    if goal.resources:
        facts.append(("Resources", ", ".join(goal.resources)))
    if goal.weight is not None and goal.weight != 1:
        facts.append(("Weight", format_number(goal.weight)))
    facts.append(("Notes", goal.notes))
    return [{"label": label, "value": value} for label, value in facts if value]


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "goal": finding.goal,
    }


def _status_counts(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {"status": status, "label": STATUS_LABELS[status], "count": counts.get(status, 0)}
        for status in STATUSES
        if counts.get(status, 0)
    ]


def _smart_badges(letters: Mapping[str, bool | None]) -> list[dict[str, Any]]:
    badges = []
    for letter in SMART_LETTERS:
        state = letters.get(letter)
        state_name, state_label = _BADGE_STATES[state]
        badges.append(
            {
                "letter": letter,
                "name": FAMILIES[letter],
                "state": state,
                "state_name": state_name,
                "state_label": state_label,
            }
        )
    return badges


# --- goals and plans -----------------------------------------------------------------------


def get_goal_context(
    goal: Goal,
    score: GoalScore,
    *,
    anchor: str,
    findings: Sequence[Finding],
    strategy: Mapping[str, str],
    currency: str | None,
) -> dict[str, Any]:
    """Return the template data of one goal card."""
    title = goal.title or goal.id or "Untitled goal"
    progress, expected = score.progress, score.expected
    bar_width = None if progress is None else round(max(0.0, min(progress * 100, BAR_MAX)), 1)
    expected_width = None if expected is None else round(max(0.0, min(expected, 1.0)) * 100, 1)
    band = None
    if score.band is not None:
        band = {
            "label": _band_label(score),
            "inside": score.band.inside,
            "total": score.band.total,
            "met": score.band.met,
        }
    history = [
        {
            "date": c.date,
            "value": format_quantity(c.value, score.unit),
            "note": c.note,
            "inside": _inside(score, c.value),
        }
        for c in score.phases.during
    ]
    if score.band is not None:
        progress_display = (
            f"{score.band.inside} of {score.band.total} inside" if score.band.total else MISSING
        )
    else:
        progress_display = format_percent(progress)
    chart_svg = charts.render_chart(charts.chart_data_from_goal(goal), id_prefix=f"{anchor}-chart")
    return {
        "id": goal.id,
        "anchor": anchor,
        "title": title,
        "kind": goal.kind,
        "kind_label": {"quantitative": "Quantitative", "qualitative": "Qualitative"}.get(
            goal.kind or "", "Kind not set"
        ),
        "status": score.status,
        "status_label": STATUS_LABELS.get(score.status, score.status),
        "progress": progress,
        "expected": expected,
        "bar_width": bar_width,
        "expected_width": expected_width,
        "progress_display": progress_display,
        "current_display": format_quantity(score.current.value, score.unit)
        if score.current
        else MISSING,
        "target_display": format_target(goal.target, score.direction, score.unit),
        "band": band,
        "smart": _smart_badges(score.smart),
        "chart": Markup(chart_svg),
        "trend": charts.describe_trend(charts.chart_data_from_goal(goal)),
        "phases": {"cells": get_phase_cells(goal, score)},
        "history": history,
        "facts": _goal_facts(goal, strategy, currency),
        "findings": [
            finding_data(f) for f in findings if goal.id is not None and f.goal == goal.id
        ],
    }


def get_plan_context(
    loaded: LoadedPlan,
    score: PlanScore,
    findings: Sequence[Finding],
    *,
    narrative_html: str | None = None,
    reserved_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """Return the template data of one plan page (and of its card on the index)."""
    plan = loaded.plan
    assert plan is not None
    mine = [f for f in findings if f.plan == loaded.slug]
    strategy = plan.objective_titles
    currency = plan.budget.currency if plan.budget else None
    anchors = GoalAnchors(reserved_ids)
    goals = []
    for index, (goal, goal_score) in enumerate(zip(plan.goals, score.goals, strict=True)):
        anchor = anchors.make(goal, index)
        goals.append(
            get_goal_context(
                goal, goal_score, anchor=anchor, findings=mine, strategy=strategy, currency=currency
            )
        )
    period = None
    if plan.period is not None:
        period = f"{format_date(plan.period.start)} – {format_date(plan.period.end)}"
    budget = None
    if plan.budget is not None:
        budget = {
            "total": plan.budget.total,
            "currency": plan.budget.currency,
            "allocated": score.budget.allocated,
        }
    facts = [
        ("Owner", _text_list(plan.owner)),
        ("Period", period),
        ("Budget", format_currency(plan.budget.total, currency) if plan.budget else None),
    ]
    objectives = [
        {
            "key": key,
            "text": text,
            "goals": [
                {"anchor": g["anchor"], "title": g["title"]}
                for g, goal in zip(goals, plan.goals, strict=True)
                if goal.serves == key
            ],
        }
        for key, text in strategy.items()
    ]
    return {
        "slug": loaded.slug,
        "url": page_url(loaded.slug),
        "file": loaded.rel_path,
        "title": plan.title or loaded.slug,
        "summary": plan.summary,
        "draft": plan.draft,
        "tags": list(plan.tags or []),
        "facts": [{"label": label, "value": value} for label, value in facts if value],
        "attainment": score.attainment,
        "smart_score": score.smart.score,
        "status_counts": _status_counts(score.status_counts),
        "budget": budget,
        "strategy": objectives,
        "goals": goals,
        "narrative": Markup(narrative_html) if narrative_html else None,
        "findings": [finding_data(f) for f in mine],
    }


def get_portfolio_context(
    plans: Sequence[Mapping[str, Any]],
    all_goals: Sequence[RollupGoal],
    objectives: Sequence[ObjectiveScore],
) -> dict[str, Any]:
    """Return the template data of the index: plan cards, status counts, objectives."""
    from smartdoc.scoring import count_statuses, get_smart_score, weighted_attainment

    by_slug = {plan["slug"]: plan for plan in plans}
    anchors = {
        (plan["slug"], goal["id"]): goal["anchor"]
        for plan in plans
        for goal in plan["goals"]
        if goal["id"] is not None
    }
    objective_items = []
    for objective in objectives:
        goals = []
        for item in objective.goals:
            plan = by_slug.get(item.plan)
            if plan is None:
                continue
            anchor = anchors.get((item.plan, item.goal))
            goals.append(
                {
                    "title": item.title or item.goal or "Untitled goal",
                    "plan_title": plan["title"],
                    "url": plan["url"] + (f"#{anchor}" if anchor else ""),
                    "status": item.status,
                    "status_label": STATUS_LABELS.get(item.status, item.status),
                    "progress_display": format_percent(item.progress)
                    if item.progress is not None
                    else "",
                }
            )
        texts = list(objective.descriptions) or [objective.key]
        objective_items.append(
            {
                "key": objective.key,
                "text": " / ".join(texts),
                "plans": [by_slug[s]["title"] for s in objective.plans if s in by_slug],
                "goals": goals,
                "attainment": objective.attainment,
            }
        )
    return {
        "plans": list(plans),
        "goal_count": len(all_goals),
        "status_counts": _status_counts(count_statuses(goal.status for goal in all_goals)),
        "attainment": weighted_attainment(all_goals),
        "smart_score": get_smart_score(all_goals).score,
        "objectives": objective_items,
    }


def get_rule_families(rules: Mapping[str, Rule], render_doc: Any) -> list[dict[str, Any]]:
    """Return the rule catalogue by family; `render_doc(text)` turns a doc into safe HTML."""
    families = []
    for letter, name in FAMILIES.items():
        members = [rule for rule in rules.values() if rule.family == letter]
        if not members:
            continue
        families.append(
            {
                "letter": letter,
                "name": name,
                "rules": [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity,
                        "summary": r.summary,
                        "doc": Markup(render_doc(r.doc)),
                    }
                    for r in members
                ],
            }
        )
    return families


def relative_to_page(page_path: str, target: str) -> str:
    """Return `target` (site-relative) as seen from `page_path` (site-relative)."""
    folder = posixpath.dirname(page_path) or "."
    return posixpath.relpath(target, folder)
