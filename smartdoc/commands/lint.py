"""`smartdoc lint`: check plans, print a report, map the findings to an exit code.

Exit 0 when no finding fails the run (warnings allowed unless --strict), 1 when one does, 2
for usage, configuration or internal failures. Every plan is checked even when another one
cannot be: a crash while checking one plan is reported, the others go on, and the run ends
with exit 2.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from smartdoc.commands._findings import default_format, github_prefix, say_history_notice
from smartdoc.config import Config, LintConfig
from smartdoc.errors import OutputError, UsageError
from smartdoc.lint.finding import fails
from smartdoc.lint.registry import Rule, all_rules, unknown_code
from smartdoc.options import Options
from smartdoc.pipeline.check import check_plans
from smartdoc.pipeline.history import HistorySource
from smartdoc.report import LintReport, render


def parse_codes(values: Iterable[str], rules: dict[str, Rule], option: str) -> tuple[str, ...]:
    """Return the codes of repeated and comma-separated --select/--ignore values, checked."""
    codes: list[str] = []
    for value in values:
        for item in value.split(","):
            code = item.strip().upper()
            if not code:
                continue
            why = unknown_code(item, rules)
            if why is not None:
                raise UsageError(f"{option}: {why}")
            codes.append(code)
    return tuple(dict.fromkeys(codes))


def configure(
    config: Config, select: Iterable[str], ignore: Iterable[str], rules: dict[str, Rule]
) -> Config:
    """Return the config with --select/--ignore replacing lint.select/lint.ignore when given."""
    update: dict[str, Any] = {}
    selected = parse_codes(select, rules, "--select")
    ignored = parse_codes(ignore, rules, "--ignore")
    if selected:
        update["select"] = selected
    if ignored:
        update["ignore"] = ignored
    if not update:
        return config
    lint_config: LintConfig = config.lint.model_copy(update=update)
    return config.model_copy(update={"lint": lint_config})


def write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder, creating folders."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


def run(
    config: Config,
    options: Options,
    *,
    paths: tuple[Path, ...] = (),
    output_format: str | None = None,
    output_file: Path | None = None,
    strict: bool = False,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    exit_zero: bool = False,
    history: HistorySource | None = None,
) -> int:
    """Lint the plans named (default: the plans folder); print or write the report."""
    started = time.perf_counter()
    rules = all_rules()
    config = configure(config, select, ignore, rules)
    stdout = sys.stdout
    output_format = output_format or default_format(stdout, piped="full")
    checked = check_plans(config, options, paths=paths, history=history)
    say_history_notice(checked.history, options)
    report = LintReport(
        findings=checked.findings,
        today=options.today,
        plans=[plan.slug for plan in checked.plans if plan.crash is None],
        files=checked.files,
        root=config.root,
    )
    # a report file is coloured only when --color asks for it
    color = options.use_color(stdout) if output_file is None else bool(options.color)
    text = render(
        output_format,
        report,
        color=color,
        summary=not options.quiet,
        path_prefix=github_prefix(config.root),
        rules=rules,
    )
    if output_file is not None:
        write_atomically(output_file, text)
        if not options.quiet:
            click.echo(f"Report written to {output_file}.")
    elif text:
        click.echo(text, nl=False, color=color)
    for crash in checked.crashes:
        click.echo(f"smartdoc: {crash} (set SMARTDOC_DEBUG=1 for a traceback)", err=True)
    if options.verbose:
        elapsed = time.perf_counter() - started
        click.echo(f"smartdoc: checked {len(checked.plans)} plan(s) in {elapsed:.2f} s", err=True)
    if checked.crashes:
        return 2
    if exit_zero:
        return 0
    return 1 if fails(checked.findings, strict) else 0
