"""`smartdoc init [DIR]`: scaffold a plans repository.

Writes `smartdoc.yml` (every key, commented), an example plan that lints clean on the day it
is written (its dates follow "today": SOURCE_DATE_EPOCH, else the clock), its measurements
CSV, `.gitignore`, a GitHub Actions workflow, a GitLab CI file and a `.pre-commit-config.yaml`.

Every target is checked before anything is written: when one exists and `--force` is not
given, the command names it and exits 2 with nothing written. The files come from the
package data folder `smartdoc/scaffold/` (dot-files are stored there without their dot, so
packaging tools do not skip them).
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import tempfile
from pathlib import Path

import click

from smartdoc import __version__
from smartdoc.errors import SmartdocError, UsageError
from smartdoc.options import resolve_today

#: (file in smartdoc/scaffold/, where init writes it), in the order they are listed.
SCAFFOLD_FILES: tuple[tuple[str, str], ...] = (
    ("smartdoc.yml", "smartdoc.yml"),
    ("plans/example.md", "plans/example.md"),
    ("gitignore", ".gitignore"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
    ("github/workflows/smartdoc.yml", ".github/workflows/smartdoc.yml"),
    ("gitlab-ci.yml", ".gitlab-ci.yml"),
)
#: The example plan's check-ins of its qualitative goal, written by code (dates follow today).
EXAMPLE_CSV = "plans/data/customer-satisfaction.csv"


def read_scaffold(name: str) -> str:
    """Return the text of one scaffold file shipped in the package."""
    resource = importlib.resources.files("smartdoc").joinpath("scaffold", *name.split("/"))
    try:
        return resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise SmartdocError(
            f"scaffold file {name} is missing: reinstall smartdoc ({exc})"
        ) from None


def _monthly_checkins(today: dt.date) -> list[dt.date]:
    """Return the 1st of each month from February of today's year up to today."""
    return [
        dt.date(today.year, month, 1)
        for month in range(2, 13)
        if dt.date(today.year, month, 1) <= today
    ]


def example_files(today: dt.date) -> dict[str, str]:
    """Return the example plan and its CSV, dated for a plan running this calendar year."""
    year = today.year
    checkins = _monthly_checkins(today)
    notes = {3: "Welcome series switched on", 6: "Summer giveaway"}
    lines = []
    for date in checkins:
        months = date.month - 1
        subscribers = 2000 + 96 * months + (12 if months % 2 else -7)
        note = f", note: {notes[date.month]}" if date.month in notes else ""
        lines.append(f"      - {{date: {date.isoformat()}, value: {subscribers}{note}}}")
    measurements = "".join("\n" + line for line in lines) if lines else " []"
    plan = read_scaffold("plans/example.md")
    replacements = {
        "@SCHEMA@": "../site/schema.json",
        "@YEAR_MINUS_1@": str(year - 1),
        "@YEAR_PLUS_2@": str(year + 2),
        "@YEAR@": str(year),
        "@MEASUREMENTS@": measurements,
    }
    for token, text in replacements.items():
        plan = plan.replace(token, text)
    rows = ["date,value,note"]
    for date in checkins:
        months = date.month - 1
        share = 72 + 0.7 * months + (0.3 if months % 3 == 0 else 0.0)
        note = "New packaging" if date.month == 4 else ""
        rows.append(f"{date.isoformat()},{share:.1f},{note}")
    return {"plans/example.md": plan, EXAMPLE_CSV: "\n".join(rows) + "\n"}


def scaffold(today: dt.date) -> dict[str, str]:
    """Return every file init writes: relative path -> text."""
    files: dict[str, str] = {}
    examples = example_files(today)
    for source, target in SCAFFOLD_FILES:
        text = examples.get(target) or read_scaffold(source)
        files[target] = text.replace("@VERSION@", __version__)
        if target == "plans/example.md":
            files[EXAMPLE_CSV] = examples[EXAMPLE_CSV]
    return files


def _write(path: Path, text: str) -> None:
    """Write a file through a temporary twin, so a failure leaves no half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(directory: Path, *, force: bool = False, today: dt.date | None = None) -> int:
    """Create the project files in `directory`; refuse to overwrite unless `force`."""
    files = scaffold(resolve_today(today, None))
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: exists and is not a folder")
    existing, blocked = [], []
    for rel in files:
        target = directory / rel
        for parent in list(reversed(Path(rel).parents))[1:]:
            if (directory / parent).exists() and not (directory / parent).is_dir():
                blocked.append(str(directory / parent))
        if target.is_dir():
            blocked.append(str(target))
        elif target.exists() or target.is_symlink():
            existing.append(str(target))
    if blocked:
        raise UsageError(
            f"{blocked[0]}: is in the way (a folder where a file goes, or the "
            "reverse); nothing written"
        )
    if existing and not force:
        names = ", ".join(existing)
        raise UsageError(
            f"{names}: already exist{'s' if len(existing) == 1 else ''}; "
            "nothing written (use --force to overwrite)"
        )
    try:
        for rel, text in files.items():
            _write(directory / rel, text)
    except OSError as exc:
        raise SmartdocError(f"cannot write into {directory}: {exc.strerror or exc}") from None

    verb = {str(directory / rel): "overwrote" for rel in files if str(directory / rel) in existing}
    shown = "the current folder" if directory == Path(".") else f"{directory}{os.sep}"
    click.echo(f"Created a smartdoc project in {shown}:")
    for rel in files:
        click.echo(f"  {verb.get(str(directory / rel), 'created'):9} {rel}")
    steps = []
    if directory != Path("."):
        steps.append((f"cd {_quoted(str(directory))}", ""))
    steps += [
        ("smartdoc lint", "check the example plan (it lints clean)"),
        ('smartdoc new "Your plan title"', "start a plan of your own"),
        ("smartdoc serve", "preview the site at http://127.0.0.1:8000/ while you edit"),
        ("smartdoc build", "build the site into site/"),
    ]
    click.echo("\nNext steps:")
    width = max(len(command) for command, _ in steps)
    for command, why in steps:
        click.echo(f"  {command:{width}}  {why}".rstrip())
    click.echo(
        "The CI workflows (.github/, .gitlab-ci.yml) and .pre-commit-config.yaml are "
        "ready to commit; see the README's CI recipes."
    )
    return 0


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)
