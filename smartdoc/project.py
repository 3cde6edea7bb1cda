"""A smartdoc project: which plan files there are, loading them all, and "today"."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from smartdoc.config import Config
from smartdoc.errors import UsageError
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import all_rules
from smartdoc.load import LoadedPlan, load_plan
from smartdoc.source import Location, Marks, Problem

PLAN_SUFFIX = ".md"


@dataclass(frozen=True, slots=True)
class LintedProject:
    """Every plan of a run, loaded and linted."""

    plans: list[LoadedPlan]
    findings: list[Finding]
    today: dt.date

    def findings_of(self, slug: str) -> list[Finding]:
        """Return the findings of one plan (CSV findings included)."""
        return [f for f in self.findings if f.plan == slug]


def resolve_today(option: dt.date | None, environ: Mapping[str, str] | None = None) -> dt.date:
    """Return "today": --today, else SOURCE_DATE_EPOCH (UTC), else the local clock."""
    if option is not None:
        return option
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH is not a whole number of seconds: {epoch!r}"
            ) from None
    return dt.date.today()


def _walk_plans(folder: Path, root_real: Path) -> Iterable[Path]:
    """Yield .md files under `folder`, not following symlinked folders.

    A symlinked folder pointing outside the project is yielded itself, so `load_plans`
    reports it (E114) instead of skipping it without a word (issue 7).
    """
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in dirs:
            linked = Path(current) / name
            if linked.is_symlink() and not _is_inside(linked, root_real):
                yield linked
        for name in sorted(files):
            if name.endswith(PLAN_SUFFIX) and not name.startswith((".", "_")):
                yield Path(current) / name


def _is_inside(path: Path, root_real: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root_real)
    except (OSError, RuntimeError):  # a symlink loop
        return False


def discover_plan_files(config: Config, paths: Iterable[Path] = ()) -> list[Path]:
    """Return the plan files to check: the given files and folders, else the plans folder."""
    root_real = config.root.resolve()
    chosen = list(paths) or [config.plans_path]
    found: list[Path] = []
    for path in chosen:
        if path.is_dir() and not path.is_symlink():
            found.extend(_walk_plans(path, root_real))
        elif path.is_dir():
            raise UsageError(f"{path}: is a symlinked folder; name the folder it points to")
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    unique = dict.fromkeys(p.absolute() for p in found)
    return sorted(unique)


def load_plans(config: Config, files: Iterable[Path]) -> list[LoadedPlan]:
    """Load every plan file; a file outside the project root is refused, not read."""
    root = config.root.resolve()
    plans_dir = config.plans_path.resolve()
    loaded = []
    for file in files:
        try:
            real = file.resolve()
        except (OSError, RuntimeError):  # a symlink loop: nothing to read (issue 7)
            rel = _display(file, root)
            problem = Problem("E113", Location(rel, 1, 1), "cannot read file: a symlink loop")
            loaded.append(
                LoadedPlan(rel, rel.removesuffix(PLAN_SUFFIX), None, Marks(), [problem], "", 1, {})
            )
            continue
        if not real.is_relative_to(root):
            rel = _display(file, root)
            what = "folder" if file.is_dir() else "file"
            problem = Problem(
                "E114",
                Location(rel, 1, 1),
                f"path escapes the project root (a symlink to a {what} outside)",
            )
            slug = rel.removesuffix(PLAN_SUFFIX)
            loaded.append(LoadedPlan(rel, slug, None, Marks(), [problem], "", 1, {}))
            continue
        # keep the name as linked inside the project, so slugs follow what users see
        absolute = file.absolute()
        inside = absolute if absolute.is_relative_to(root) else real
        loaded.append(load_plan(inside, root, plans_dir))
    return loaded


def _display(file: Path, root: Path) -> str:
    absolute = file.absolute()
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else str(file)


def lint_project(
    config: Config,
    paths: Iterable[Path] = (),
    today: dt.date | None = None,
) -> LintedProject:
    """Discover, load and lint every plan; return plans and sorted findings."""
    day = resolve_today(today)
    files = discover_plan_files(config, paths)
    plans = load_plans(config, files)
    rules = all_rules()
    findings: list[Finding] = []
    for plan in plans:
        findings.extend(lint_plan(plan, config.lint, day, rules))
    return LintedProject(plans, sorted(findings), day)
