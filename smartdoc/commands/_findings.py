"""How commands print findings: the format chosen the same way everywhere.

`smartdoc lint` defaults to `full` (`github` under GitHub Actions); `build` and `serve` print
the same report, concise when the output is not a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import click

from smartdoc.lint.finding import Finding
from smartdoc.options import Options
from smartdoc.pipeline.history import HistoryOutcome
from smartdoc.report import LintReport, render


def is_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    """Return whether the run is a GitHub Actions job."""
    environ = os.environ if environ is None else environ
    return environ.get("GITHUB_ACTIONS", "").strip().lower() == "true"


def default_format(stream: TextIO, *, piped: str, environ: Mapping[str, str] | None = None) -> str:
    """Return github under GitHub Actions, full on a terminal, else `piped`."""
    if is_github_actions(environ):
        return "github"
    return "full" if stream.isatty() else piped


def github_prefix(root: Path, environ: Mapping[str, str] | None = None) -> str:
    """Return the project root relative to GITHUB_WORKSPACE, so annotations land on files."""
    environ = os.environ if environ is None else environ
    workspace = environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        relative = root.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except (ValueError, OSError):
        return ""
    return "" if relative == "." else relative + "/"


def print_findings(
    root: Path,
    options: Options,
    findings: Sequence[Finding],
    *,
    plans: Sequence[str],
    files: Sequence[str],
) -> None:
    """Print errors and warnings (infos with -v) as `smartdoc lint` would, to stdout."""
    shown = [f for f in findings if f.severity != "info" or options.verbose]
    if not shown:
        return
    stream = sys.stdout
    report = LintReport(
        findings=shown,
        today=options.today,
        plans=list(plans),
        files=sorted({*files, *(f.file for f in shown)}),
        root=root,
    )
    output_format = default_format(stream, piped="concise")
    color = options.use_color(stream)
    text = render(output_format, report, color=color, path_prefix=github_prefix(root))
    click.echo(text.rstrip("\n"), color=color)


def say_history_notice(outcome: HistoryOutcome, options: Options) -> None:
    """Say once why the H rules did not run: always for a shallow clone, with -v outside git."""
    if outcome.notice is None or options.quiet:
        return
    if outcome.notice_is_quiet and not options.verbose:
        return
    click.echo(f"smartdoc: info: {outcome.notice}", err=True)


def plural(count: int, word: str) -> str:
    """Return `1 plan`, `2 plans`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def shown_path(path: Path) -> str:
    """Return a folder as the user would type it: relative to here when inside, with a slash."""
    try:
        shown = os.path.relpath(path)
    except ValueError:
        shown = str(path)
    return (str(path) if shown.startswith("..") else shown) + os.sep
