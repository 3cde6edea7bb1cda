"""`smartdoc init [DIR]`: scaffold a plans repository.

Writes `smartdoc.yml` (every key, commented), an example plan that lints clean on the day it
is written (its dates follow "today": SOURCE_DATE_EPOCH, else the clock), its measurements
CSV, `.gitignore`, a GitHub Actions workflow, a GitLab CI file and a `.pre-commit-config.yaml`.

Every target is checked before anything is written: when one exists and `--force` is not
given, the command names it and exits 2 with nothing written. The files come from the
package data folder `smartdoc/scaffold/` (dot-files are stored there without their dot, so
packaging tools do not skip them).

The CI recipes install smartdoc the way it was installed where `init` runs, read from the
installed distribution's `direct_url.json` (PEP 610, written by pip): a git URL and commit,
or an archive URL, as they are; a local folder becomes the git URL and commit of its
checkout when it has a network `origin`, else it is written as is, with a comment that CI
cannot reach it; without `direct_url.json` (installed from an index), `smartdoc==VERSION`.
A comment above the line says what to change. See `describe_install`.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.resources
import json
import os
import re
import subprocess
import tempfile
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# --- the install line of the CI recipes ----------------------------------------------------

#: Characters a requirement may hold to be written between double quotes in YAML as it is.
_SAFE_REQUIREMENT = re.compile(r"^[A-Za-z0-9 @=+:/._~%#&?,!-]+$")
#: A remote in scp form: `git@github.com:org/smartdoc.git`.
_SCP_REMOTE = re.compile(r"^(?P<user>[\w.-]+)@(?P<host>[\w.-]+):(?P<path>[^/].*)$")


@dataclass(frozen=True, slots=True)
class InstallLine:
    """What the CI recipes give `pip install`, and the comment above it."""

    requirement: str
    #: One or more comment lines, without the leading `# `.
    comment: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GitCheckout:
    """The remote and commit of the local checkout smartdoc was installed from."""

    remote: str
    commit: str


def _strip_credentials(url: str) -> str:
    """Return `url` without a user:password@ part (never write a token into a repository)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None and (parts.username is None or parts.scheme != "https"):
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _vcs_url(remote: str) -> str | None:
    """Return a pip VCS URL (`git+https://...`) for a git remote, or None for a local one."""
    scp = _SCP_REMOTE.match(remote)
    if scp:
        return f"git+ssh://{scp['user']}@{scp['host']}/{scp['path']}"
    scheme = urllib.parse.urlsplit(remote).scheme
    if scheme in ("https", "http", "ssh", "git"):
        return f"git+{_strip_credentials(remote)}"
    return None


def describe_install(
    direct_url: Mapping[str, Any] | None,
    version: str,
    git_checkout: Callable[[Path], GitCheckout | None] = lambda folder: None,
) -> InstallLine:
    """Return the CI install line for an installation described by `direct_url` (PEP 610)."""
    index = InstallLine(
        f"smartdoc=={version}",
        (
            "smartdoc from your package index, at the version `smartdoc init` ran with;",
            "change the version to upgrade (or use a git URL: smartdoc @ git+https://...@TAG).",
        ),
    )
    if not direct_url or not isinstance(direct_url.get("url"), str):
        return index
    url = direct_url["url"]
    vcs_info = direct_url.get("vcs_info")
    if isinstance(vcs_info, Mapping) and vcs_info.get("commit_id"):
        vcs = str(vcs_info.get("vcs", "git"))
        requirement = f"smartdoc @ {vcs}+{_strip_credentials(url)}@{vcs_info['commit_id']}"
        subdirectory = direct_url.get("subdirectory")
        if subdirectory:
            requirement += f"#subdirectory={subdirectory}"
        comment: tuple[str, ...] = (
            "smartdoc at the commit `smartdoc init` ran with; to upgrade, put a newer",
            "commit or a tag after the last '@'.",
        )
        return _checked(InstallLine(requirement, comment), index)
    if not url.startswith("file:"):  # an archive on a web server
        comment = (
            "smartdoc from the archive `smartdoc init` ran with; to upgrade, point at a",
            "newer archive (or use smartdoc==VERSION from your package index).",
        )
        return _checked(InstallLine(f"smartdoc @ {_strip_credentials(url)}", comment), index)
    folder = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
    checkout = git_checkout(folder) if "dir_info" in direct_url else None
    vcs_url = _vcs_url(checkout.remote) if checkout else None
    if checkout and vcs_url:
        comment = (
            f"smartdoc at the commit of the checkout it was installed from ({folder.name});",
            "push that commit, or put a tag after the last '@'.",
        )
        line = InstallLine(f"smartdoc @ {vcs_url}@{checkout.commit}", comment)
        return _checked(line, index)
    comment = (
        "CHANGE THIS: smartdoc was installed from a folder on this machine, which CI",
        "cannot reach; put a git URL here (smartdoc @ git+https://HOST/REPO@COMMIT) or",
        "smartdoc==VERSION from your package index.",
    )
    return _checked(InstallLine(f"smartdoc @ {url}", comment), index)


def _checked(line: InstallLine, fallback: InstallLine) -> InstallLine:
    """Return `line` if it can be written in double quotes as it is, else `fallback`."""
    return line if _SAFE_REQUIREMENT.match(line.requirement) else fallback


def read_direct_url() -> dict[str, Any] | None:
    """Return the installed smartdoc's `direct_url.json`, or None (installed from an index)."""
    try:
        # an installed distribution (pip writes INSTALLER), not the build metadata
        # (`smartdoc.egg-info`) of a source tree that happens to be on sys.path
        installed = [
            dist
            for dist in importlib.metadata.distributions(name="smartdoc")
            if dist.read_text("INSTALLER") is not None
        ]
        text = installed[0].read_text("direct_url.json") if installed else None
        data = json.loads(text) if text else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_git_checkout(folder: Path) -> GitCheckout | None:
    """Return the `origin` remote and HEAD commit of a git checkout, if `folder` is one."""

    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    remote, commit = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
    return GitCheckout(remote, commit) if remote and commit else None


def install_line() -> InstallLine:
    """Return the CI install line for the smartdoc running now."""
    return describe_install(read_direct_url(), __version__, read_git_checkout)


def scaffold(today: dt.date, install: InstallLine | None = None) -> dict[str, str]:
    """Return every file init writes: relative path -> text."""
    install = install or describe_install(None, __version__)
    files: dict[str, str] = {}
    examples = example_files(today)
    for source, target in SCAFFOLD_FILES:
        text = examples.get(target) or read_scaffold(source)
        text = text.replace("@INSTALL_COMMENT@", "\n  # ".join(install.comment))
        text = text.replace("@INSTALL@", install.requirement)
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
    files = scaffold(resolve_today(today, None), install_line())
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
