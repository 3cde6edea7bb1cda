"""`smartdoc status`: a table of each plan's goals, for a quick look without building.

It goes through the same check stage as `lint` and `build` and scores with the same
functions as the site, but imports neither Jinja nor WeasyPrint. On a terminal the goal
column gives way to fit the width; piped, nothing is cut.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from smartdoc.commands._findings import say_history_notice
from smartdoc.config import Config
from smartdoc.options import Options
from smartdoc.pipeline.check import check_plans
from smartdoc.pipeline.history import HistorySource
from smartdoc.pipeline.score import score_checked
from smartdoc.scoring import GoalScore
from smartdoc.site.format import MISSING, STATUS_LABELS, format_percent, format_quantity

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
HEADERS = ("goal", "kind", "current", "target", "progress", "status")


def _target_text(score: GoalScore) -> str:
    target = score.phases.target
    if target is None:
        return MISSING
    if isinstance(target, (int, float)):
        prefix = {"at-least": "≥ ", "at-most": "≤ "}.get(score.direction or "", "")
        return prefix + format_quantity(target, score.unit)
    return f"{format_quantity(target.min, None)}–{format_quantity(target.max, score.unit)}"


def goal_row(score: GoalScore) -> tuple[str, ...]:
    """Return the cells of one goal's row."""
    current = format_quantity(score.current.value, score.unit) if score.current else MISSING
    if score.band is not None:
        progress = f"{score.band.inside}/{score.band.total} inside" if score.band.total else MISSING
    else:
        progress = format_percent(score.progress)
    kind = {"quantitative": "quant", "qualitative": "qual"}.get(score.kind or "", MISSING)
    return (score.id or MISSING, kind, current, _target_text(score), progress, score.status)


def _table(rows: Sequence[tuple[str, ...]], color: bool, width: int | None) -> list[str]:
    widths = [max(len(row[i]) for row in (HEADERS, *rows)) for i in range(len(HEADERS))]
    # the goal id column gives way first on a narrow terminal (never when piped: width None)
    overflow = 0 if width is None else sum(widths) + 2 * (len(widths) - 1) + 2 - width
    if overflow > 0:
        widths[0] = max(8, widths[0] - overflow)
    lines = []
    for index, row in enumerate((HEADERS, *rows)):
        cells = []
        for column, (cell, cell_width) in enumerate(zip(row, widths, strict=True)):
            text = cell if len(cell) <= cell_width else cell[: cell_width - 1] + "…"
            padded = text.rjust(cell_width) if column in (2, 3, 4) else text.ljust(cell_width)
            if index == 0:
                padded = click.style(padded, bold=True) if color else padded
            elif column == 5 and color:
                label = STATUS_LABELS.get(cell, cell)
                padded = click.style(label.ljust(cell_width), fg=STATUS_COLOURS.get(cell))
            elif column == 5:
                padded = STATUS_LABELS.get(cell, cell).ljust(cell_width)
            cells.append(padded)
        lines.append("  " + "  ".join(cells).rstrip())
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
        rows = [goal_row(goal) for goal in score.goals]
        for line in _table(rows, color, width) if rows else []:
            click.echo(line, color=color)
        click.echo("")
    errors = sum(1 for f in checked.findings if f.severity == "error")
    if errors and not options.quiet:
        click.echo(f"{errors} error finding(s): run `smartdoc lint` for details.", err=True)
    if checked.crashes:
        return 2
    return 1 if unreadable else 0
