"""`smartdoc status`: a table of each plan's goals, for a quick look without building.

It goes through the same check stage as `lint` and `build` and scores with the same
functions as the site, but imports neither Jinja nor WeasyPrint. Each goal shows what its
card on the site shows: before, the current figure and its date, the figure expected at that
date, the target, progress (a band goal's figures inside), the status, and beside the status
a stale marker ("last figure 83 days ago") and a human override ("judged at risk"), never
instead of it; the override's reason, date and author follow on the next line. On a
terminal the goal column gives way to fit the width; piped, nothing is cut.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from smartdoc.commands._findings import say_history_notice
from smartdoc.config import Config
from smartdoc.options import Options
from smartdoc.pipeline.check import check_plans
from smartdoc.pipeline.history import HistorySource
from smartdoc.pipeline.score import score_checked
from smartdoc.scoring import GoalScore
from smartdoc.site.format import (
    MISSING,
    STATUS_LABELS,
    UNKNOWN_PRECISION,
    GoalPrecision,
    format_age,
    format_inside,
    format_percent,
    format_quantity,
    format_target,
    get_goal_precision,
    is_percent,
)

#: Status -> terminal colour; none is read by colour alone (the label is printed).
STATUS_COLOURS: dict[str, str] = {
    "achieved": "green",
    "met": "green",
    "on-track": "green",
    "at-risk": "yellow",
    "off-track": "red",
    "missed": "red",
    "breached": "red",
    "no-data": "bright_black",
    "not-started": "bright_black",
}
HEADERS = (
    "goal",
    "kind",
    "unit",
    "before",
    "current",
    "dated",
    "expected",
    "target",
    "progress",
    "status",
    "beside the status",
)
#: Columns aligned right (figures).
NUMERIC = frozenset({3, 4, 6, 7, 8})
#: The status column, coloured on a terminal.
STATUS_COLUMN = 9


@dataclass(frozen=True, slots=True)
class GoalRow:
    """One goal's row, its status, and the override line printed under it (if any)."""

    cells: tuple[str, ...]
    status: str
    detail: str | None


def _override_line(score: GoalScore) -> str | None:
    override = score.override
    if override is None:
        return None
    label = STATUS_LABELS.get(override.status or "", override.status or MISSING)
    who = f" by {override.by}" if override.by else ""
    when = f" on {override.date.isoformat()}" if override.date else ""
    reason = f": {override.reason}" if override.reason else ""
    return f"judged {label.lower()}{who}{when}{reason}"


def goal_row(score: GoalScore, precision: GoalPrecision = UNKNOWN_PRECISION) -> GoalRow:
    """Return the cells of one goal's row; figures without their unit, which has a column."""
    unit = "%" if is_percent(score.unit) else None
    current = score.current
    before = score.phases.before
    if score.band is not None:
        progress = format_inside(score.band.inside, score.band.total)
    else:
        progress = format_percent(score.progress)
    kind = {"quantitative": "quant", "qualitative": "qual"}.get(score.kind or "", MISSING)
    beside = []
    if score.stale is not None:
        beside.append(format_age(score.stale.days))
    if score.override is not None:
        label = STATUS_LABELS.get(score.override.status or "", score.override.status or MISSING)
        beside.append(f"judged {label.lower()}")
    cells = (
        score.id or MISSING,
        kind,
        (score.unit or "").strip() or MISSING,
        format_quantity(before.value, unit, precision.of(before)) if before else MISSING,
        format_quantity(current.value, unit, precision.of(current)) if current else MISSING,
        score.as_of.isoformat() if score.as_of else MISSING,
        format_quantity(score.expected_value, unit, precision.widest)
        if score.expected_value is not None
        else MISSING,
        format_target(score.phases.target, score.direction, unit, precision.target),
        progress,
        STATUS_LABELS.get(score.status, score.status),
        "; ".join(beside),
    )
    return GoalRow(cells, score.status, _override_line(score))


def _table(rows: Sequence[GoalRow], color: bool, width: int | None) -> list[str]:
    every = (HEADERS, *(row.cells for row in rows))
    widths = [max(len(cells[i]) for cells in every) for i in range(len(HEADERS))]
    # the goal id column gives way first on a narrow terminal (never when piped: width None)
    overflow = 0 if width is None else sum(widths) + 2 * (len(widths) - 1) + 2 - width
    if overflow > 0:
        widths[0] = max(8, widths[0] - overflow)
    lines = []
    for index, cells in enumerate(every):
        row = rows[index - 1] if index else None
        shown = []
        for column, (cell, cell_width) in enumerate(zip(cells, widths, strict=True)):
            text = cell if len(cell) <= cell_width else cell[: cell_width - 1] + "…"
            padded = text.rjust(cell_width) if column in NUMERIC else text.ljust(cell_width)
            if row is None:
                padded = click.style(padded, bold=True) if color else padded
            elif column == STATUS_COLUMN and color:
                padded = click.style(padded, fg=STATUS_COLOURS.get(row.status))
            shown.append(padded)
        lines.append("  " + "  ".join(shown).rstrip())
        if row is not None and row.detail:
            lines.append("      " + row.detail)
    return lines


def run(
    config: Config,
    options: Options,
    *,
    paths: tuple[Path, ...] = (),
    history: HistorySource | None = None,
) -> int:
    """Print each plan's goals; exit 1 when a plan cannot be read, 2 when one crashed."""
    stdout = sys.stdout
    color = options.use_color(stdout)
    checked = check_plans(config, options, paths=paths, keep_loaded=True, history=history)
    say_history_notice(checked.history, options)
    width = shutil.get_terminal_size((100, 24)).columns if stdout.isatty() else None
    scores = {s.checked.rel_path: s.score for s in score_checked(checked, config, options)}
    unreadable = 0
    for plan in checked.plans:
        if plan.crash is not None:
            click.echo(f"smartdoc: {plan.crash} (set SMARTDOC_DEBUG=1 for a traceback)", err=True)
            continue
        score = scores.get(plan.rel_path)
        loaded = plan.loaded
        if score is None or loaded is None or loaded.plan is None:
            unreadable += 1
            first = next((f for f in plan.findings if f.severity == "error"), None)
            reason = (
                f"{first.file}:{first.line}:{first.column}: {first.code} {first.message}"
                if first
                else f"{plan.rel_path}: cannot be read"
            )
            click.echo(reason, err=True)
            continue
        title = loaded.plan.title or loaded.slug
        heading = f"{title}  ({loaded.rel_path})"
        click.echo(click.style(heading, bold=True) if color else heading, color=color)
        attainment = format_percent(score.attainment)
        counts = ", ".join(
            f"{n} {STATUS_LABELS[s].lower()}" for s, n in score.status_counts.items() if n
        )
        click.echo(
            f"  as of {options.today.isoformat()}: attainment {attainment}; {counts or 'no goals'}"
        )
        rows = [
            goal_row(goal, get_goal_precision(written, loaded.decimals, index))
            for index, (written, goal) in enumerate(
                zip(loaded.plan.goals, score.goals, strict=True)
            )
        ]
        for line in _table(rows, color, width) if rows else []:
            click.echo(line, color=color)
        click.echo("")
    errors = sum(1 for f in checked.findings if f.severity == "error")
    if errors and not options.quiet:
        click.echo(f"{errors} error finding(s): run `smartdoc lint` for details.", err=True)
    if checked.crashes:
        return 2
    return 1 if unreadable else 0
