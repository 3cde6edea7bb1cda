"""One goal card's template data (docs/theme.md): the card, its row of the at-a-glance table,
its phase cells, SMART badges, override and stale marker, and the finding rows they list.

`get_goal_context` is called once per goal by `smartdoc.site.context.get_plan_context`;
anchors are made unique per page by `GoalAnchors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from smartdoc.lint.finding import Finding
from smartdoc.lint.letters import FAILING_SEVERITIES
from smartdoc.lint.registry import FAMILIES
from smartdoc.model import SMART_LETTERS, Checkin, Goal
from smartdoc.scoring import (
    GoalScore,
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
    is_percent,
)


def text_list(value: str | Sequence[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return ", ".join(value) or None


#: Widest a progress bar is drawn, in % of its track; the printed figure is never clamped.
BAR_MAX = 100.0


_BADGE_STATES: dict[bool | None, tuple[str, str]] = {
    True: ("pass", "met"),
    False: ("fail", "not met"),
    None: ("none", "not checked"),
}


_ANCHOR_UNSAFE = re.compile(r"[^a-z0-9_-]+")


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
    facts.append(("Owner", text_list(goal.owner)))
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


def status_data(status: str | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {"status": status, "label": STATUS_LABELS.get(status, status)}


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
