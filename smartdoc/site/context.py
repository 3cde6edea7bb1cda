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
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from smartdoc.config import Config
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import FAMILIES, Rule
from smartdoc.load import LoadedPlan
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
from smartdoc.site.format import (
    AREA_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    format_currency,
    format_date,
    format_percent,
    format_target,
    get_goal_precision,
)
from smartdoc.site.goal_card import (
    GoalAnchors,
    finding_data,
    get_goal_context,
    status_data,
    text_list,
)
from smartdoc.site.goalposts import PlanHistory, get_dropped, get_goalposts

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


def _status_counts(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {"status": status, "label": STATUS_LABELS[status], "count": counts.get(status, 0)}
        for status in STATUSES
        if counts.get(status, 0)
    ]


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
                "worst": status_data(cell.worst_status),
            }
        )
    return {
        "areas": [
            {"area": area, "label": AREA_LABELS.get(area or "", "Area not set")} for area in areas
        ],
        "rows": rows,
    }


# --- goals and plans -----------------------------------------------------------------------


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
        ("Owner", text_list(plan.owner)),
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
                "worst": status_data(worst_status(g.status for g in serving)),
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
        "worst": status_data(score.worst_status),
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
                "worst": status_data(objective.worst_status),
            }
        )
    return {
        "plans": list(plans),
        "goal_count": len(all_goals),
        "status_counts": _status_counts(count_statuses(goal.status for goal in all_goals)),
        "attainment": weighted_attainment(all_goals),
        "worst": status_data(worst_status(goal.status for goal in all_goals)),
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
