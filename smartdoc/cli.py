"""The command line: parse flags, call one stage, map the result to an exit code.

Each command imports its module inside the function, so `smartdoc --help` and `smartdoc lint`
never import Jinja or WeasyPrint. Exit codes are the same for every command: 0 no failing
finding, 1 findings fail the run, 2 usage, configuration or internal failure.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from smartdoc import __version__
from smartdoc.errors import SmartdocError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """Flags every command takes."""

    config_file: Path | None
    today: dt.date | None
    quiet: bool
    verbose: bool
    color: bool | None


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None


def common_options(command: F) -> F:
    """Add -c, --today, -q, -v and --color/--no-color to a command."""
    options = [
        click.option(
            "-c",
            "--config-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Use this smartdoc.yml instead of the nearest one.",
        ),
        click.option(
            "--today",
            callback=_parse_today,
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
    for option in reversed(options):
        command = option(command)
    return command


def _globals(kwargs: dict[str, Any]) -> GlobalOptions:
    return GlobalOptions(
        config_file=kwargs.pop("config_file"),
        today=kwargs.pop("today"),
        quiet=kwargs.pop("quiet"),
        verbose=kwargs.pop("verbose"),
        color=kwargs.pop("color"),
    )


def use_color(choice: bool | None, stream: Any = None) -> bool:
    """Return whether to colour: the flag, else NO_COLOR, else whether the stream is a terminal."""
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def handle_errors(command: F) -> F:
    """Run a command; print a SmartdocError as one line, exit with its code; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            code = command(*args, **kwargs)
        except SmartdocError as exc:
            click.echo(f"smartdoc: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("smartdoc: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("SMARTDOC_DEBUG"):
                raise
            name = type(exc).__name__
            click.echo(
                f"smartdoc: internal error: {name}: {exc} "
                "(set SMARTDOC_DEBUG=1 for a traceback; please report it)",
                err=True,
            )
            sys.exit(2)
        sys.exit(code or 0)

    return wrapper  # type: ignore[return-value]


def load_config_for(options: GlobalOptions) -> Any:
    """Return the project Config for these options."""
    from smartdoc.config import load_config

    return load_config(options.config_file)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="smartdoc")
def main() -> None:
    """smartdoc: lint SMART goals in Markdown plans and publish scorecards."""
    # A run creates millions of small objects and keeps most of them to the end (nodes,
    # findings, page data): with the default thresholds the collector rescans that heap
    # again and again, ~15% of a 1,000-plan build (bench/results.md). Collect less often.
    gc.set_threshold(100_000, 50, 100)


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
@common_options
@handle_errors
def lint(**kwargs: Any) -> int:
    """Check plans against the SMART rules (default: the plans folder)."""
    from smartdoc.commands import lint as lint_command

    options = _globals(kwargs)
    return lint_command.run(load_config_for(options), options, **kwargs)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
@handle_errors
def status(**kwargs: Any) -> int:
    """Show each plan's goals with current value, target, progress and status."""
    from smartdoc.commands import status as status_command

    options = _globals(kwargs)
    return status_command.run(load_config_for(options), options, **kwargs)


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
@click.option(
    "-j",
    "--jobs",
    default="auto",
    metavar="N|auto",
    help="Processes for PDF rendering (default: all cores).",
)
@click.option("--base-url", metavar="URL", help="Absolute URL of the site, where one is needed.")
@common_options
@handle_errors
def build(**kwargs: Any) -> int:
    """Lint, then build the site (and PDFs) into the output folder, atomically."""
    from smartdoc.commands import build as build_command

    options = _globals(kwargs)
    return build_command.run(load_config_for(options), options, **kwargs)


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
@common_options
@handle_errors
def serve(**kwargs: Any) -> int:
    """Preview the site, rebuilding and reloading open pages on every change."""
    from smartdoc.commands import serve as serve_command

    options = _globals(kwargs)
    return serve_command.run(load_config_for(options), options, **kwargs)


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@handle_errors
def init(directory: Path, force: bool) -> int:
    """Create a plans repository: config, an example plan, CI and pre-commit set-up."""
    from smartdoc.commands import init as init_command

    return init_command.run(directory, force=force)


@main.command()
@click.argument("title")
@click.option("--force", is_flag=True, help="Overwrite the plan file if it exists.")
@common_options
@handle_errors
def new(**kwargs: Any) -> int:
    """Create a plan from a skeleton, named after TITLE."""
    from smartdoc.commands import new as new_command

    options = _globals(kwargs)
    return new_command.run(load_config_for(options), options, **kwargs)


@main.command(name="rule")
@click.argument("code")
@handle_errors
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
@handle_errors
def rules_list(output_format: str) -> int:
    """List every rule: code, name, default severity and summary."""
    from smartdoc.commands import rules as rules_command

    return rules_command.run_rules(output_format)


@main.command()
@click.option("--config", "of_config", is_flag=True, help="Print the schema of smartdoc.yml.")
@handle_errors
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
@handle_errors
def clean(**kwargs: Any) -> int:
    """Drop the build cache (.smartdoc_cache/)."""
    from smartdoc.commands import clean as clean_command

    options = _globals(kwargs)
    return clean_command.run(load_config_for(options), options)


if __name__ == "__main__":  # pragma: no cover
    main()
