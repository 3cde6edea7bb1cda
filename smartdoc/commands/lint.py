"""`smartdoc lint`: check plans, print a report, map the findings to an exit code.

Exit 0 when no finding fails the run (warnings allowed unless --strict), 1 when one does,
2 for usage, configuration or internal failures. Every plan is checked even when another
one cannot be: a crash while checking one plan is reported, the others go on, and the run
ends with exit 2.
"""

from __future__ import annotations

import datetime as dt
import difflib
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from smartdoc.config import Config, LintConfig
from smartdoc.errors import SmartdocError, UsageError
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import Rule, all_rules
from smartdoc.project import discover_plan_files, load_plans, resolve_today
from smartdoc.report import LintReport, render

FORMATS = ("full", "concise", "json", "github", "sarif")


def parse_codes(values: Iterable[str], rules: dict[str, Rule], option: str) -> tuple[str, ...]:
    """Return the codes of repeated and comma-separated --select/--ignore values, checked."""
    codes: list[str] = []
    for value in values:
        for item in value.split(","):
            code = item.strip().upper()
            if not code:
                continue
            if code != "ALL" and not any(known.startswith(code) for known in rules):
                close = difflib.get_close_matches(code, list(rules), n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise UsageError(f"{option}: unknown rule code or prefix '{item.strip()}'{hint}")
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


def default_format(environ: Mapping[str, str] | None = None) -> str:
    """Return github under GitHub Actions, else full."""
    environ = os.environ if environ is None else environ
    return "github" if environ.get("GITHUB_ACTIONS", "").lower() == "true" else "full"


def is_failing(findings: Iterable[Finding], strict: bool) -> bool:
    """Return True when a finding fails the run: an error, or a warning under --strict."""
    failing = {"error", "warning"} if strict else {"error"}
    return any(f.severity in failing for f in findings)


def _github_prefix(root: Path) -> str:
    """Return the project root relative to GITHUB_WORKSPACE, so annotations land on files."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        relative = root.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except (ValueError, OSError):
        return ""
    return "" if relative == "." else relative + "/"


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
        raise SmartdocError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    """What the report needs of a checked plan (small, so workers can send it back)."""

    slug: str
    rel_path: str
    data_files: tuple[str, ...]


#: Below this many plans, starting worker processes costs more than it saves.
PARALLEL_MIN_PLANS = 64


def _check_chunk(
    config: Config, files: list[Path], today: dt.date, verbose: bool
) -> tuple[list[CheckedPlan], list[Finding], list[str]]:
    """Load and lint each file on its own; return plans, findings and crash descriptions."""
    rules = all_rules()
    plans: list[CheckedPlan] = []
    findings: list[Finding] = []
    crashes: list[str] = []
    for file in files:
        if verbose:
            click.echo(f"smartdoc: checking {file}", err=True)
        try:
            for plan in load_plans(config, [file]):
                found = lint_plan(plan, config.lint, today, rules)
                plans.append(CheckedPlan(plan.slug, plan.rel_path, tuple(plan.data_files)))
                findings.extend(found)
        except Exception as exc:  # one broken plan must not stop the others
            if os.environ.get("SMARTDOC_DEBUG"):
                raise
            crashes.append(f"{file}: internal error: {type(exc).__name__}: {exc}")
    return plans, findings, crashes


def _workers_for(count: int) -> int:
    """Return how many processes to check `count` plans with (1: in this process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # fork is only safe with no other thread running (serve and tests may have some)
    if count < PARALLEL_MIN_PLANS or threading.active_count() > 1 or os.name != "posix":
        return 1
    return max(1, min(cores or 1, count // (PARALLEL_MIN_PLANS // 2)))


def check_files(
    config: Config, files: list[Path], today: dt.date, verbose: bool
) -> tuple[list[CheckedPlan], list[Finding], list[str]]:
    """Check every file, across cores when there are many; results keep the files' order."""
    workers = _workers_for(len(files))
    if workers == 1:
        plans, findings, crashes = _check_chunk(config, files, today, verbose)
        return plans, sorted(findings), crashes
    size = -(-len(files) // (workers * 4))  # a few chunks per worker evens out slow plans
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    plans, findings, crashes = [], [], []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        count = len(chunks)
        for chunk_plans, chunk_findings, chunk_crashes in pool.map(
            _check_chunk, [config] * count, chunks, [today] * count, [verbose] * count
        ):
            plans.extend(chunk_plans)
            findings.extend(chunk_findings)
            crashes.extend(chunk_crashes)
    return plans, sorted(findings), crashes


def run(
    config: Config,
    options: Any,
    *,
    paths: tuple[Path, ...] = (),
    output_format: str | None = None,
    output_file: Path | None = None,
    strict: bool = False,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    exit_zero: bool = False,
) -> int:
    """Lint the plans named (default: the plans folder); print or write the report."""
    from smartdoc.cli import use_color

    started = time.perf_counter()
    rules = all_rules()
    config = configure(config, select, ignore, rules)
    today = resolve_today(options.today)
    output_format = output_format or default_format()
    if output_format not in FORMATS:
        raise UsageError(f"unknown format '{output_format}'; use one of {', '.join(FORMATS)}")
    files = discover_plan_files(config, paths)
    plans, findings, crashes = check_files(config, files, today, options.verbose)

    checked = [plan.rel_path for plan in plans]
    data_files = [name for plan in plans for name in plan.data_files]
    report = LintReport(
        findings=findings,
        today=today,
        plans=[plan.slug for plan in plans],
        files=list(dict.fromkeys([*checked, *data_files])),
        root=config.root,
    )
    # a report file is coloured only when --color asks for it
    color = use_color(options.color) if output_file is None else bool(options.color)
    text = render(
        output_format,
        report,
        color=color,
        summary=not options.quiet,
        path_prefix=_github_prefix(config.root),
        rules=rules,
    )
    if output_file is not None:
        write_atomically(output_file, text)
        if not options.quiet:
            click.echo(f"Report written to {output_file}.")
    elif text:
        click.echo(text, nl=False, color=color)
    for crash in crashes:
        click.echo(f"smartdoc: {crash} (set SMARTDOC_DEBUG=1 for a traceback)", err=True)
    if options.verbose:
        elapsed = time.perf_counter() - started
        click.echo(f"smartdoc: checked {len(plans)} plan(s) in {elapsed:.2f} s", err=True)
    if crashes:
        return 2
    if exit_zero:
        return 0
    return 1 if is_failing(findings, strict) else 0
