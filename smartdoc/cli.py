"""The command line: flags -> typed `Options` -> one command -> one exit code.

Each command imports its module inside the function, so `smartdoc --help` and `smartdoc lint`
never import Jinja or WeasyPrint. Exit codes are the same for every command and are decided
here only (`SmartdocGroup.main`): 0 nothing fails the run, 1 findings fail it, 2 usage,
configuration or internal failure, 130 interrupted. Every failure is one line, never a
traceback (`SMARTDOC_DEBUG=1` shows the traceback of an internal error).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click

from smartdoc import __version__
from smartdoc.errors import SmartdocError, UsageError
from smartdoc.options import Options, make_options

F = TypeVar("F", bound=Callable[..., Any])


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (staging folders removed, workers stopped)."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated


class _ReaderGone(Exception):
    """The reader of standard output went away (click would turn EPIPE into exit 1)."""


class SmartdocGroup(click.Group):
    """The `smartdoc` group: maps every outcome of a command to one line and one exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a closed output pipe leaves it as `_ReaderGone`, not an OSError."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _ReaderGone from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run a command; print a failure as one line and exit with its code."""
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "smartdoc"
            code = _fail(f"{exc.format_message()} (see `{command} --help`)", 2)
        except SmartdocError as exc:
            code = _fail(str(exc), exc.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort):
            code = _fail("interrupted", 130)
        except Terminated:
            code = _fail("terminated", 143)
        except (BrokenPipeError, _ReaderGone):
            code = _quiet_broken_pipe()
        except Exception as exc:
            if os.environ.get("SMARTDOC_DEBUG"):
                raise
            code = _fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(set SMARTDOC_DEBUG=1 for a traceback; please report it)",
                2,
            )
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        try:  # what is still buffered: the reader may have gone before it was read
            sys.stdout.flush()
        except BrokenPipeError:
            code = _quiet_broken_pipe()
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> int:
    with contextlib.suppress(BrokenPipeError):  # stderr closed too: nothing left to tell
        plain = code in (130, 143)  # interrupted, terminated: not an error of the user's
        click.echo(f"smartdoc: {message}" if plain else f"smartdoc: error: {message}", err=True)
    return code


def _quiet_broken_pipe() -> int:
    """Return the exit code of a reader that went away (`smartdoc status | head`), quietly."""
    # Python would print "Exception ignored ... BrokenPipeError" when it flushes stdout at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # as if killed by SIGPIPE, like other Unix tools


def _parse_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        flag = "--" + (param.name or "date").replace("_", "-")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # the form is right, the day is not
            from smartdoc.source_hints import why_not_a_date

            year, month, day = (int(part) for part in value.split("-"))
            raise UsageError(f"{flag}: {value!r}: {why_not_a_date(year, month, day)}") from None
        raise UsageError(f"{flag}: {value!r} is not a date YYYY-MM-DD") from None


def _common(command: F, *, pipeline: bool) -> F:
    options = [
        click.option(
            "-c",
            "--config-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Use this smartdoc.yml instead of the nearest one.",
        ),
        click.option(
            "--today",
            callback=_parse_date,
            metavar="YYYY-MM-DD",
            help="Treat this date as today (default: SOURCE_DATE_EPOCH, else the clock).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Print only findings and errors."),
        click.option("-v", "--verbose", is_flag=True, help="Print more about what is done."),
        click.option(
            "--color/--no-color",
            default=None,
            help="Colour the output (default: on a terminal, unless NO_COLOR is set).",
        ),
    ]
    if pipeline:
        options += [
            click.option(
                "--as-of",
                callback=_parse_date,
                metavar="YYYY-MM-DD",
                help="The plans as they stood that day: later figures are left out, not errors.",
            ),
            click.option(
                "-j",
                "--jobs",
                default="auto",
                metavar="N|auto",
                help="Worker processes (default: every core).",
            ),
        ]
    for option in reversed(options):
        command = option(command)
    return command


def common_options(command: F) -> F:
    """Add -c, --today, -q, -v and --color/--no-color to a command."""
    return _common(command, pipeline=False)


def pipeline_options(command: F) -> F:
    """Add the common options plus --as-of and -j/--jobs (commands that check plans)."""
    return _common(command, pipeline=True)


def at_option(command: F) -> F:
    """Add --at REV (lint, status, build: the project as it was at a git revision)."""
    return click.option(
        "--at",
        metavar="REV",
        help="Read plans, CSVs and config as they were at this git commit, branch or tag.",
    )(command)


def _options(kwargs: dict[str, Any]) -> Options:
    """Pop the shared flags from a command's arguments; return the settled Options."""
    return make_options(
        config_file=kwargs.pop("config_file"),
        today=kwargs.pop("today"),
        as_of=kwargs.pop("as_of", None),
        at=kwargs.pop("at", None),
        jobs=kwargs.pop("jobs", None),
        quiet=kwargs.pop("quiet"),
        verbose=kwargs.pop("verbose"),
        color=kwargs.pop("color"),
    )


def _config(options: Options) -> Any:
    """Return the config of a command that reads no plans at a revision."""
    from smartdoc.commands._project import open_project

    with open_project(options) as project:
        return project.config


@click.group(
    cls=SmartdocGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="smartdoc")
def main() -> None:
    """smartdoc: lint SMART goals in Markdown plans and publish scorecards."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["full", "concise", "json", "github", "sarif"]),
    default=None,
    help="Output format (default: github under GITHUB_ACTIONS, else full).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these rule codes or prefixes (comma-separated or repeated).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Skip these rule codes or prefixes (comma-separated or repeated).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run.")
@at_option
@pipeline_options
def lint(**kwargs: Any) -> int:
    """Check plans against the SMART rules (default: the plans folder)."""
    from smartdoc.commands import lint as lint_command
    from smartdoc.commands._project import open_project

    options = _options(kwargs)
    with open_project(options) as project:
        return lint_command.run(project.config, options, history=project.history, **kwargs)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@at_option
@pipeline_options
def status(**kwargs: Any) -> int:
    """Show each plan's goals with current value, target, progress and status."""
    from smartdoc.commands import status as status_command
    from smartdoc.commands._project import open_project

    options = _options(kwargs)
    with open_project(options) as project:
        return status_command.run(project.config, options, history=project.history, **kwargs)


@main.command()
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder (default: site_dir of smartdoc.yml, else site/).",
)
@click.option("--strict", is_flag=True, help="Warnings (and refused PDF resources) fail the build.")
@click.option("--pdf/--no-pdf", default=None, help="Render PDF scorecards (default: pdf.enabled).")
@click.option("--drafts", is_flag=True, help="Include plans marked draft: true.")
@click.option("--base-url", metavar="URL", help="Absolute URL of the site, where one is needed.")
@at_option
@pipeline_options
def build(**kwargs: Any) -> int:
    """Lint, then build the site (and PDFs) into the output folder, atomically."""
    from smartdoc.commands import build as build_command
    from smartdoc.commands._project import open_project

    options = _options(kwargs)
    with open_project(options) as project:
        if kwargs.get("site_dir") is None:  # the real project's output folder, even with --at
            kwargs["site_dir"] = project.home / project.config.site_dir
        return build_command.run(
            project.config, options, history=project.history, home=project.home, **kwargs
        )


@main.command()
@click.option(
    "-a",
    "--dev-addr",
    default="127.0.0.1:8000",
    metavar="HOST:PORT",
    help="Address to serve on (default 127.0.0.1:8000).",
)
@click.option("--pdf/--no-pdf", default=False, help="Also render PDFs (off by default).")
@click.option("--drafts/--no-drafts", default=True, help="Show draft plans (with a banner).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@pipeline_options
def serve(**kwargs: Any) -> int:
    """Preview the site, rebuilding and reloading open pages on every change."""
    from smartdoc.commands import serve as serve_command

    options = _options(kwargs)
    return serve_command.run(_config(options), options, **kwargs)


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> int:
    """Create a plans repository: config, an example plan, CI and pre-commit set-up."""
    from smartdoc.commands import init as init_command

    # the example plan's dates follow "today" (SOURCE_DATE_EPOCH, else the clock)
    return init_command.run(directory, force=force, today=make_options().today)


@main.command()
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="[HEAD]", required=False)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    help="text, markdown (for a pull-request comment) or json.",
)
@pipeline_options
def diff(**kwargs: Any) -> int:
    """Show what BASE..HEAD changes in the scorecard (HEAD: the work tree); exit 1 on new errors."""
    from smartdoc.commands import diff as diff_command

    options = _options(kwargs)
    return diff_command.run(options, **kwargs)


@main.command()
@click.argument("title")
@click.option("--force", is_flag=True, help="Overwrite the plan file if it exists.")
@common_options
def new(**kwargs: Any) -> int:
    """Create a plan from a skeleton, named after TITLE."""
    from smartdoc.commands import new as new_command

    options = _options(kwargs)
    return new_command.run(_config(options), options, **kwargs)


@main.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> int:
    """Print the documentation of one rule (e.g. smartdoc rule M101)."""
    from smartdoc.commands import rules as rules_command

    return rules_command.run_rule(code)


@main.command(name="rules")
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    help="Output format.",
)
def rules_list(output_format: str) -> int:
    """List every rule: code, name, default severity and summary."""
    from smartdoc.commands import rules as rules_command

    return rules_command.run_rules(output_format)


@main.command()
@click.option("--config", "of_config", is_flag=True, help="Print the schema of smartdoc.yml.")
def schema(of_config: bool) -> int:
    """Print the JSON Schema of plan front-matter (or of smartdoc.yml)."""
    import json

    from smartdoc.config import config_schema
    from smartdoc.model import plan_schema

    document = config_schema() if of_config else plan_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=True))
    return 0


@main.command()
@common_options
def clean(**kwargs: Any) -> int:
    """Drop the build cache of this project."""
    from smartdoc.commands import clean as clean_command

    options = _options(kwargs)
    return clean_command.run(_config(options), options)


if __name__ == "__main__":  # pragma: no cover
    main()
