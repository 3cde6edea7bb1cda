"""Which plan files a run checks: the files and folders named, else the plans folder.

A plan is a `.md` file under the plans folder (subfolders allowed). Names starting with `.` or
`_` are skipped, and so is any file matching an `exclude` glob of smartdoc.yml (default
`README.md`): a pattern without `/` matches a file name in any folder, a pattern with `/`
matches the path relative to the plans folder (`drafts/*.md`). Symlinked folders are never
followed; one that points outside the project is still listed, so loading reports it (E114)
instead of skipping it without a word.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from smartdoc.config import Config
from smartdoc.errors import UsageError

PLAN_SUFFIX = ".md"
#: Top-level page names the site uses itself; a plan may not take them (`handout`: the
#: combined PDF is pdf/handout.pdf, where a plan's scorecard would go).
RESERVED_SLUGS = frozenset({"index", "rules", "404", "handout"})
#: Top-level folders the site uses itself; a plan in a subfolder may not be under them.
RESERVED_FOLDERS = frozenset({"assets", "media"})


@dataclass(frozen=True, slots=True)
class PlanSource:
    """A plan file found on disk, named as every finding and page will name it."""

    #: The file as found (inside the project, symlinks not resolved).
    file: Path
    #: Path relative to the project root, POSIX separators.
    rel_path: str
    #: Path relative to the plans folder without `.md`: the page name.
    slug: str


def is_excluded(rel_to_plans: str, patterns: Sequence[str]) -> bool:
    """Return whether a plan path (relative to the plans folder) matches an exclude glob."""
    name = rel_to_plans.rsplit("/", 1)[-1]
    for pattern in patterns:
        subject = rel_to_plans if "/" in pattern else name
        if fnmatch.fnmatchcase(subject, pattern.strip("/")):
            return True
    return False


def _is_inside(path: Path, root_real: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root_real)
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _walk(folder: Path, root_real: Path) -> Iterator[Path]:
    """Yield .md files under `folder` (and symlinked folders that point outside the project)."""
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in dirs:
            linked = Path(current) / name
            if linked.is_symlink() and not _is_inside(linked, root_real):
                yield linked
        for name in sorted(files):
            if name.endswith(PLAN_SUFFIX) and not name.startswith((".", "_")):
                yield Path(current) / name


def _relative(path: Path, base: Path) -> str | None:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


def get_source(file: Path, config: Config) -> PlanSource:
    """Return how the run names `file`: its project-relative path and its slug."""
    absolute = file.absolute()
    root = config.root.resolve()
    rel = _relative(absolute, root) or str(file)
    slug = _relative(absolute, config.plans_path.resolve())
    return PlanSource(absolute, rel, (slug or rel).removesuffix(PLAN_SUFFIX))


def discover_plans(config: Config, paths: Iterable[Path] = ()) -> list[PlanSource]:
    """Return the plans to check, sorted by path: the files and folders named, else all."""
    root_real = config.root.resolve()
    plans_dir = config.plans_path.resolve()
    chosen = list(paths) or [config.plans_path]
    found: list[Path] = []
    for path in chosen:
        if path.is_dir() and not path.is_symlink():
            for file in _walk(path, root_real):
                rel = _relative(file.absolute(), plans_dir)
                if rel is None or not is_excluded(rel, config.exclude):
                    found.append(file)
        elif path.is_dir():
            raise UsageError(f"{path}: is a symlinked folder; name the folder it points to")
        elif path.exists() or path.is_symlink():
            found.append(path)  # named on the command line: checked even if excluded
        else:
            raise UsageError(f"{path}: no such file or folder")
    unique = dict.fromkeys(p.absolute() for p in found)
    return [get_source(file, config) for file in sorted(unique)]


def check_slug(rel_path: str, slug: str) -> None:
    """Refuse a plan whose page name the site uses itself (exit 2)."""
    first = slug.split("/", 1)[0]
    if slug in RESERVED_SLUGS or ("/" in slug and first in RESERVED_FOLDERS):
        raise UsageError(
            f"{rel_path}: the name '{slug}' is used by the site itself "
            f"({', '.join(sorted(RESERVED_SLUGS))}, and the folders "
            f"{', '.join(sorted(RESERVED_FOLDERS))}); rename the plan file"
        )
