"""`smartdoc build`: check every plan, then publish the site (and PDFs) atomically.

1. The output folder is checked first (`smartdoc.site.publish.check_output_dir`): refusing it
   is exit 2, before anything is read, written or deleted.
2. `smartdoc.pipeline.build.publish_site` does the rest under the project's build lock:
   lint; refuse on failing findings (exit 1, the last good site stays); render into a staging
   folder; swap it in. Findings of draft plans left out of the build do not refuse it.
3. Findings are printed as `smartdoc lint` would (concise when piped, github annotations
   under GitHub Actions); refused PDF resources are warnings, errors under `--strict`.
"""

from __future__ import annotations

from pathlib import Path

import click

from smartdoc.cache import cache_notice
from smartdoc.commands._findings import plural, print_findings, say_history_notice, shown_path
from smartdoc.config import Config
from smartdoc.options import Options
from smartdoc.pipeline.build import Published, publish_site
from smartdoc.pipeline.history import HistorySource
from smartdoc.pipeline.site import SiteRequest
from smartdoc.site.publish import check_output_dir
from smartdoc.theme import theme_dir


def run(
    config: Config,
    options: Options,
    *,
    site_dir: Path | None = None,
    strict: bool = False,
    pdf: bool | None = None,
    drafts: bool = False,
    base_url: str | None = None,
    history: HistorySource | None = None,
    home: Path | None = None,
) -> int:
    """Build the site; return the exit code (0 built, 1 refused by findings, 2 crashed)."""
    output = check_output_dir(
        site_dir if site_dir is not None else config.site_path,
        root=config.root,
        sources=[
            ("the plans folder", config.plans_path),
            ("the templates folder", config.root / config.templates_dir),
            ("the built-in theme", theme_dir()),
        ],
    )
    request = SiteRequest(
        base_url=base_url or config.site_url,
        drafts=drafts,
        with_pdf=config.pdf.enabled if pdf is None else pdf,
        strict=strict,
    )
    notice = cache_notice(home or config.root)
    if notice is not None:
        click.echo(f"smartdoc: warning: {notice}", err=True)
    published = publish_site(
        config, options, request, output, history=history, state_root=home or config.root
    )
    if published.cache_invalid:
        records = plural(published.cache_invalid, "cache record")
        click.echo(f"smartdoc: ignored {records} that failed validation (redone)", err=True)
    say_history_notice(published.checked.history, options)
    print_findings(
        config.root,
        options,
        published.findings,
        # every plan checked, as `lint` counts them: one that cannot be read is one of them
        plans=[plan.slug for plan in published.checked.plans if plan.crash is None],
        files=[plan.rel_path for plan in published.checked.plans if plan.crash is None],
    )
    level = "error" if strict else "warning"
    for warning in published.pdf_warnings:
        click.echo(f"smartdoc: {level}: {warning}", err=True)
    return _say_outcome(published, options, output, strict)


def _say_outcome(published: Published, options: Options, output: Path, strict: bool) -> int:
    """Print what happened to the output folder; return the exit code."""
    shown = shown_path(output)
    if published.outcome == "crashed":
        for crash in published.checked.crashes:
            click.echo(f"smartdoc: {crash} (set SMARTDOC_DEBUG=1 for a traceback)", err=True)
        click.echo(
            f"smartdoc: build refused: a plan could not be checked; {shown} left unchanged",
            err=True,
        )
        return 2
    if published.outcome == "refused":
        click.echo(
            f"smartdoc: build refused: {_why(published, strict)}; {shown} left unchanged", err=True
        )
        return 1
    if options.quiet:
        return 0
    count = plural(len(published.published), "plan")
    if published.outcome == "up-to-date":
        click.echo(f"Nothing to do: {shown} is up to date ({count}).", err=True)
        return 0
    if options.verbose:
        click.echo(f"rendered: {', '.join(published.rendered) or 'nothing'}", err=True)
        click.echo(f"written: {', '.join(published.written) or 'nothing'}", err=True)
        click.echo(f"unchanged: {published.files - len(published.written)} files", err=True)
    click.echo(
        f"Built {count} into {shown} ({published.files} files, {len(published.written)} written).",
        err=True,
    )
    return 0


def _why(published: Published, strict: bool) -> str:
    """Return why a build was refused: its error (and, under --strict, warning) counts."""
    findings = published.findings
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    why = plural(errors, "error")
    if strict and warnings:
        why += f" and {plural(warnings, 'warning')} (--strict)"
    if strict and published.pdf_warnings:
        why += f" and {plural(len(published.pdf_warnings), 'refused PDF resource')} (--strict)"
    return why
