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
from smartdoc.lint.letters import FAILING_SEVERITIES
from smartdoc.lint.registry import FAMILIES, Rule
from smartdoc.load import LoadedPlan
from smartdoc.model import SMART_LETTERS, Checkin, Goal
from smartdoc.scoring import (
    STATUSES,
    GoalScore,
    ObjectiveScore,
    PlanScore,
    RollupGoal,
    count_statuses,
    get_smart_score,
    get_split,
    weighted_attainment,
    worst_status,
)
from smartdoc.site import charts
from smartdoc.site.format import (
    AREA_LABELS,
    KIND_LABELS,
    MISSING,
    STATUS_LABELS,
    UNKNOWN_PRECISION,
    GoalPrecision,
    format_age,
    format_change,
    format_currency,
    format_date,
    format_inside,
    format_number,
    format_percent,
    format_quantity,
    format_target,
    get_goal_precision,
    is_percent,
)
from smartdoc.site.goalposts import PlanHistory, get_dropped, get_goalposts

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


def _band_label(score: GoalScore, precision: GoalPrecision) -> str:
    band = score.band
    assert band is not None
    low, high = precision.target
    if band.low is not None and band.high is not None:
        return (
            f"range {format_number(band.low, low)}–{format_quantity(band.high, score.unit, high)}"
        )
    if band.low is not None:
        return f"zone (at least {format_quantity(band.low, score.unit, low)})"
    return f"zone (at most {format_quantity(band.high, score.unit, high)})"


def hold_text(hold: Any) -> str:
    """Return what a band goal's `hold` asks, in words."""
    if hold == "latest":
        return "met while the latest figure is inside"
    if hold == "all":
        return "met only while every figure is inside"
    return f"met while at least {format_percent(hold)} of the figures are inside"


def _inside(score: GoalScore, value: float) -> bool | None:
    band = score.band
    if band is None:
        return None
    return (band.low is None or value >= band.low) and (band.high is None or value <= band.high)


def _cell(
    label: str,
    checkin: Checkin | None,
    unit: str | None,
    precision: GoalPrecision,
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "label": label,
        "value": format_quantity(checkin.value, unit, precision.of(checkin))
        if checkin
        else MISSING,
        "date": checkin.date if checkin else None,
        "note": note,
    }


def get_progress_display(score: GoalScore) -> str:
    """Return a goal's attainment in words: `87%`, or `2 of 3 inside` for a band goal."""
    if score.band is not None:
        return format_inside(score.band.inside, score.band.total)
    return format_percent(score.progress)


def get_phase_cells(
    goal: Goal, score: GoalScore, precision: GoalPrecision = UNKNOWN_PRECISION
) -> list[dict[str, Any]]:
    """Return the before / during / after / target / change / attainment cells of a goal."""
    phases = score.phases
    unit = score.unit
    count = len(phases.during)
    during_note = f"{count} check-in{'s' if count != 1 else ''}" if count else None
    change = phases.change
    change_text = format_change(change.abs, change.pct, unit, precision.widest)
    change_note = {"after": "after vs before", "latest": "latest vs before"}.get(change.basis or "")
    return [
        _cell("Before", phases.before, unit, precision),
        _cell("During (latest)", phases.latest, unit, precision, during_note),
        _cell("After", phases.after, unit, precision),
        {
            "label": "Target",
            "value": format_target(phases.target, score.direction, unit, precision.target),
            "date": goal.deadline,
            "note": None,
        },
        {"label": "Change", "value": change_text, "date": None, "note": change_note},
        # a band goal's attainment is its figures inside, never the word "Met"
        {"label": "Attainment", "value": get_progress_display(score), "date": None, "note": None},
    ]


def get_glance_row(score: GoalScore, precision: GoalPrecision) -> dict[str, Any]:
    """Return a goal's row of the at-a-glance table (docs/theme.md): before, current with its
    date, expected at that date, target, progress.

    Figures stand without their unit (a `%` excepted), which the row states once, beside
    the goal: a column of bare figures is what the eye compares.
    """
    phases = score.phases
    unit = "%" if is_percent(score.unit) else None
    written_unit = (score.unit or "").strip()
    current = score.current
    expected = None
    if score.expected_value is not None:
        expected = {
            "value": format_quantity(score.expected_value, unit, precision.widest),
            "share": format_percent(score.expected),
        }
    return {
        "unit": None if unit or not written_unit else written_unit,
        "before": _cell("Before", phases.before, unit, precision),
        "current": {
            **_cell("Current", current, unit, precision),
            "is_final": current is not None and current is phases.after,
        },
        "expected": expected,
        "target": {
            "value": format_target(phases.target, score.direction, unit, precision.target),
            "date": score.deadline,
        },
        "progress": get_progress_display(score),
    }


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
    facts.append(("Area", AREA_LABELS.get(goal.area or "")))
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


def _smart_badges(
    letters: Mapping[str, bool | None], findings: Sequence[Finding] = ()
) -> list[dict[str, Any]]:
    badges = []
    for letter in SMART_LETTERS:
        state = letters.get(letter)
        state_name, state_label = _BADGE_STATES[state]
        # an unmet letter says why: the messages of its family's failing findings
        reasons = [
            finding.message
            for finding in findings
            if state is False
            and finding.family == letter
            and finding.severity in FAILING_SEVERITIES
        ]
        badges.append(
            {
                "letter": letter,
                "name": FAMILIES[letter],
                "state": state,
                "state_name": state_name,
                "state_label": state_label,
                "reasons": reasons,
            }
        )
    return badges


def _override_data(score: GoalScore) -> dict[str, Any] | None:
    override = score.override
    if override is None:
        return None
    return {
        "status": override.status,
        "label": STATUS_LABELS.get(override.status or "", override.status or MISSING),
        "reason": override.reason,
        "date": override.date,
        "by": override.by,
        "differs": override.status != score.status,
    }


def _stale_data(score: GoalScore) -> dict[str, Any] | None:
    stale = score.stale
    if stale is None:
        return None
    return {
        "days": stale.days,
        "window": stale.window,
        "last": stale.last,
        "text": format_age(stale.days),
    }


def _status_data(status: str | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {"status": status, "label": STATUS_LABELS.get(status, status)}


def get_split_context(goals: Sequence[RollupGoal]) -> dict[str, Any]:
    """Return the kind x area table: goal counts, attainment and worst status per cell."""
    cells = get_split(goals)
    areas: list[str | None] = []
    for cell in cells:
        if cell.area not in areas:
            areas.append(cell.area)
    rows: list[dict[str, Any]] = []
    for cell in cells:
        if not rows or rows[-1]["kind"] != cell.kind:
            rows.append(
                {
                    "kind": cell.kind,
                    "label": KIND_LABELS.get(cell.kind or "", "Kind not set"),
                    "cells": [],
                }
            )
        rows[-1]["cells"].append(
            {
                "area_label": AREA_LABELS.get(cell.area or "", "Area not set"),
                "count": cell.goal_count,
                "attainment": format_percent(cell.attainment),
                "worst": _status_data(cell.worst_status),
            }
        )
    return {
        "areas": [
            {"area": area, "label": AREA_LABELS.get(area or "", "Area not set")} for area in areas
        ],
        "rows": rows,
    }


# --- goals and plans -----------------------------------------------------------------------


def get_goal_context(
    goal: Goal,
    score: GoalScore,
    *,
    anchor: str,
    findings: Sequence[Finding],
    strategy: Mapping[str, str],
    currency: str | None,
    precision: GoalPrecision = UNKNOWN_PRECISION,
    print_chart: bool = False,
    goalposts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the template data of one goal card (and its row of the at-a-glance table).

    `print_chart`: also the chart for the PDF (`print_chart`: the wide rendering only).
    `goalposts`: what git says changed (`smartdoc.site.goalposts.get_goalposts`).
    """
    title = goal.title or goal.id or "Untitled goal"
    progress, expected = score.progress, score.expected
    bar_width = None if progress is None else round(max(0.0, min(progress * 100, BAR_MAX)), 1)
    expected_width = None if expected is None else round(max(0.0, min(expected, 1.0)) * 100, 1)
    band = None
    if score.band is not None:
        band = {
            "label": _band_label(score, precision),
            "inside": score.band.inside,
            "total": score.band.total,
            "met": score.band.met,
            "hold": hold_text(score.band.hold),
        }
    history = [
        {
            "date": c.date,
            "value": format_quantity(c.value, score.unit, precision.of(c)),
            "note": c.note,
            "inside": _inside(score, c.value),
        }
        for c in score.phases.during
    ]
    mine = [f for f in findings if goal.id is not None and f.goal == goal.id]
    # the chart shows the figures the score counts: none dated after today, so its
    # "n of m" and the card's are one count (issue 12)
    as_scored = goal.model_copy(
        update={"measurements": list(score.phases.during), "final": score.phases.after}
    )
    chart_data = charts.chart_data_from_goal(as_scored)
    chart_svg = charts.render_chart(chart_data, id_prefix=f"{anchor}-chart")
    return {
        "id": goal.id,
        "anchor": anchor,
        "title": title,
        "kind": goal.kind,
        "kind_label": KIND_LABELS.get(goal.kind or "", "Kind not set"),
        "area": score.area,
        "area_label": AREA_LABELS.get(score.area or ""),
        "status": score.status,
        "status_label": STATUS_LABELS.get(score.status, score.status),
        "override": _override_data(score),
        "stale": _stale_data(score),
        "as_of": score.as_of,
        "progress": progress,
        "expected": expected,
        "bar_width": bar_width,
        "expected_width": expected_width,
        "progress_display": get_progress_display(score),
        "current_display": format_quantity(
            score.current.value, score.unit, precision.of(score.current)
        )
        if score.current
        else MISSING,
        "target_display": format_target(goal.target, score.direction, score.unit, precision.target),
        "glance": get_glance_row(score, precision),
        "band": band,
        "smart": _smart_badges(score.smart, mine),
        "chart": Markup(chart_svg),
        "print_chart": Markup(
            charts.render_chart(chart_data, id_prefix=f"{anchor}-chart", narrow=False)
        )
        if print_chart
        else None,
        "trend": charts.describe_trend(chart_data),
        "phases": {"cells": get_phase_cells(goal, score, precision)},
        "history": history,
        "goalposts": goalposts,
        "facts": _goal_facts(goal, strategy, currency),
        "findings": [finding_data(f) for f in mine],
    }


def get_plan_context(
    loaded: LoadedPlan,
    score: PlanScore,
    findings: Sequence[Finding],
    *,
    narrative_html: str | None = None,
    reserved_ids: Iterable[str] = (),
    print_charts: bool = False,
    history: PlanHistory | None = None,
    originals: Mapping[str, GoalScore] | None = None,
) -> dict[str, Any]:
    """Return the template data of one plan page (and of its card on the index).

    Plan-level values are JSON-ready (no dates): the index card is kept between builds;
    `dropped` is left out of it. `history` and `originals` (goal id -> its score against
    the goalposts it started with) come from git: moved goalposts and dropped goals.
    """
    plan = loaded.plan
    assert plan is not None
    mine = [f for f in findings if f.plan == loaded.slug]
    strategy = plan.objective_titles
    currency = plan.budget.currency if plan.budget else None
    anchors = GoalAnchors(reserved_ids)
    goals = []
    for index, (goal, goal_score) in enumerate(zip(plan.goals, score.goals, strict=True)):
        anchor = anchors.make(goal, index)
        precision = get_goal_precision(goal, loaded.decimals, index)
        goalposts = None
        if history is not None and goal.id is not None:
            original = (originals or {}).get(goal.id)
            target_text = None
            if original is not None:
                target_text = format_target(
                    original.phases.target, original.direction, original.unit, precision.target
                )
            goalposts = get_goalposts(history.goals.get(goal.id), original, target_text)
        goals.append(
            get_goal_context(
                goal,
                goal_score,
                anchor=anchor,
                findings=mine,
                strategy=strategy,
                currency=currency,
                precision=precision,
                print_chart=print_charts,
                goalposts=goalposts,
            )
        )
    goal_ids = {goal.id for goal in plan.goals if goal.id is not None}
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
    objectives = []
    for key, objective in (plan.strategy or {}).items():
        serving = [
            goal_score
            for goal_score, goal in zip(score.goals, plan.goals, strict=True)
            if goal.serves == key
        ]
        objectives.append(
            {
                "key": key,
                "text": objective.title,
                "area_label": AREA_LABELS.get(objective.area or ""),
                "horizon": objective.horizon,
                "attainment": format_percent(weighted_attainment(serving)),
                "worst": _status_data(worst_status(g.status for g in serving)),
                "goals": [
                    {"anchor": g["anchor"], "title": g["title"]}
                    for g, goal in zip(goals, plan.goals, strict=True)
                    if goal.serves == key
                ],
            }
        )
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
        "worst": _status_data(score.worst_status),
        "smart_score": score.smart.score,
        "status_counts": _status_counts(score.status_counts),
        "budget": budget,
        "split": get_split_context(score.goals),
        "strategy": objectives,
        "goals": goals,
        "narrative": Markup(narrative_html) if narrative_html else None,
        "findings": [finding_data(f) for f in mine],
        # notes no goal card shows: about the plan, or naming a goal id it does not have
        "plan_findings": [
            finding_data(f) for f in mine if f.goal is None or f.goal not in goal_ids
        ],
        "dropped": get_dropped(history.dropped) if history is not None else [],
    }


def get_portfolio_context(
    plans: Sequence[Mapping[str, Any]],
    all_goals: Sequence[RollupGoal],
    objectives: Sequence[ObjectiveScore],
) -> dict[str, Any]:
    """Return the template data of the index (and of the handout's portfolio summary).

    Objectives are listed by horizon (soonest first, those without one last), then title:
    the order a reader looks for them in, not the order of their keys.
    """
    by_slug = {plan["slug"]: plan for plan in plans}
    cards = {
        (plan["slug"], goal["id"]): goal
        for plan in plans
        for goal in plan["goals"]
        if goal["id"] is not None
    }
    objective_items = []
    ordered = sorted(
        objectives,
        key=lambda o: (o.horizon is None, o.horizon or 0, (o.title or o.key).casefold(), o.key),
    )
    for objective in ordered:
        goals = []
        for item in objective.goals:
            plan = by_slug.get(item.plan)
            if plan is None:
                continue
            card = cards.get((item.plan, item.goal), {})
            anchor = card.get("anchor")
            progress = format_percent(item.progress) if item.progress is not None else ""
            goals.append(
                {
                    "title": item.title or item.goal or "Untitled goal",
                    "plan_title": plan["title"],
                    "url": plan["url"] + (f"#{anchor}" if anchor else ""),
                    "status": item.status,
                    "status_label": STATUS_LABELS.get(item.status, item.status),
                    # as on the goal's card: `87%`, or `2 of 3 inside` for a band goal
                    "progress_display": card.get("progress_display") or progress,
                }
            )
        objective_items.append(
            {
                "key": objective.key,
                "text": objective.title or objective.key,
                # other texts for the same key (R106 reports them) stay visible
                "other_texts": list(objective.descriptions[1:]),
                "area_label": AREA_LABELS.get(objective.area or ""),
                "horizon": objective.horizon,
                "plans": [by_slug[s]["title"] for s in objective.plans if s in by_slug],
                "goals": goals,
                "goal_count": len(objective.goals),
                "attainment": objective.attainment,
                "worst": _status_data(objective.worst_status),
            }
        )
    return {
        "plans": list(plans),
        "goal_count": len(all_goals),
        "status_counts": _status_counts(count_statuses(goal.status for goal in all_goals)),
        "attainment": weighted_attainment(all_goals),
        "worst": _status_data(worst_status(goal.status for goal in all_goals)),
        "smart_score": get_smart_score(all_goals).score,
        "split": get_split_context(all_goals),
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
