"""`smartdoc diff BASE [HEAD]`: what a change does to the scorecard, for a pull request.

Both sides go through the same pipeline as `smartdoc status`: BASE (and HEAD, when given) are
git revisions read as snapshots (`--at`), HEAD defaults to the work tree, and both are scored
as of the same day. The diff lists, per goal, status changes, progress deltas, targets or
baselines moved and budget moved between goals, then the findings the change introduces and
fixes (`smartdoc.history.diff`). `-f markdown` is made to be posted as a pull-request comment.
Exit 1 when the change introduces error findings, else 0.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

import click

from smartdoc.commands._findings import say_history_notice
from smartdoc.commands._project import open_project
from smartdoc.history import Scorecard, goal_budgets
from smartdoc.options import Options
from smartdoc.pipeline.check import check_plans
from smartdoc.pipeline.score import score_checked

FORMATS = ("text", "markdown", "json")


@contextlib.contextmanager
def scorecard(options: Options, revision: str | None) -> Iterator[Scorecard]:
    """Yield the scorecard of the project at `revision` (None: the work tree)."""
    asked_by = f"smartdoc diff {revision}" if revision is not None else None
    with open_project(dataclasses.replace(options, at=revision), asked_by) as project:
        checked = check_plans(project.config, options, keep_loaded=True, history=project.history)
        say_history_notice(checked.history, options)
        scored = score_checked(checked, project.config, options)
        yield Scorecard(
            [s.score for s in scored],
            list(checked.findings),
            goal_budgets(s.loaded for s in scored),
        )


def run(options: Options, *, base: str, head: str | None, output_format: str) -> int:
    """Print the diff of the scorecard from BASE to HEAD; exit 1 on new error findings."""
    from smartdoc.history import (
        compare_scorecards,
        has_new_errors,
        render_json,
        render_markdown,
        render_text,
    )

    with scorecard(options, base) as before, scorecard(options, head) as after:
        diff = compare_scorecards(
            before,
            after,
            base_label=base,
            head_label=head or "work tree",
        )
    render = {"text": render_text, "markdown": render_markdown, "json": render_json}
    click.echo(render[output_format](diff), nl=False)
    return 1 if has_new_errors(diff) else 0
