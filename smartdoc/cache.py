"""The memo the pipeline consults: records of earlier work, keyed by the hash of its inputs.

A memo only ever saves time. A missing, stale or invalid record means "work it out again",
never a different output, and nothing in a record is trusted:

- **Where.** Outside the project, so nothing committed to a plans repository is ever read as
  a record: `$SMARTDOC_CACHE_DIR`, else `$XDG_CACHE_HOME/smartdoc`, else `~/.cache/smartdoc`,
  then `projects/<hash of the project root>/`. CI keeps it between runs by caching that
  folder (see docs/configuration.md). `smartdoc clean` removes the project's folder.
  GitLab caches only folders inside the project, so `$SMARTDOC_CACHE_DIR` may point inside
  it; such a folder is used only while git says nothing in it is committed and no folder on
  the way to it is a symbolic link (a committed `.cache -> ~/.ssh` would send writes out of
  the project). Otherwise the next candidate is used and the run says why, once.
- **What.** JSON only (never pickle: loading a record can run no code). Every record is read
  through a validator of its kind (`smartdoc.pipeline`), and paths in records are checked
  against the project again before use; a record that fails is dropped, and the run says
  once that the cache held invalid records.
- **Kinds.** `check` (a plan's findings, keyed by its bytes, config, today and version),
  `plan` (what the site needs of a plan page it does not re-render: its summary), `site`
  (the outputs of the last publish into an output folder, for hard-linking unchanged files).
  The PDF stage keeps its own folder (`pdf/`) in the same place.

Three memos: `NullMemo` (no cache), `MemoryMemo` (`smartdoc serve`, kept between rebuilds),
`DiskMemo` (`smartdoc build`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from smartdoc import __version__

CACHE_ENV = "SMARTDOC_CACHE_DIR"
#: Bump when a record changes shape or meaning.
CACHE_FORMAT = 2
KINDS = ("check", "plan", "site", "history")
#: Largest record read back (a record is a plan's findings and summary: KiB, not MiB).
MAX_RECORD_BYTES = 16 * 1024 * 1024


def digest(*parts: Any) -> str:
    """Return the SHA-256 of parts (bytes as they are, anything else by its repr)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def file_sha(path: Path) -> str | None:
    """Return the SHA-256 of a regular file's bytes, or None when it is not one or unreadable."""
    try:
        if not path.is_file():  # /dev/zero, a FIFO: never read (issue 7)
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None


def stat_of(path: Path) -> list[int] | None:
    """Return [inode, size, mtime_ns] of a regular file (symlinks not followed), or None."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _candidates(environ: Mapping[str, str]) -> list[tuple[str, Path]]:
    """Return the cache folders to try, in order, each with what it was named by."""
    found: list[tuple[str, Path]] = []
    if environ.get(CACHE_ENV):
        found.append((f"${CACHE_ENV}", Path(environ[CACHE_ENV]).expanduser()))
    if environ.get("XDG_CACHE_HOME"):
        found.append(("$XDG_CACHE_HOME", Path(environ["XDG_CACHE_HOME"]).expanduser() / "smartdoc"))
    found.append(("the default", Path.home() / ".cache" / "smartdoc"))
    return found


def _inside(path: Path, root: Path) -> Path | None:
    """Return `path` relative to `root` when it lies inside it (as written or resolved)."""
    written = Path(os.path.abspath(path))
    for base in {Path(os.path.abspath(root)), root.resolve()}:
        for candidate in (written, written.resolve()):
            if candidate.is_relative_to(base):
                return candidate.relative_to(base)
    return None


def refusal(folder: Path, root: Path) -> str | None:
    """Return why `folder` cannot hold the cache of the project at `root`, or None if it can."""
    relative = _inside(folder, root)
    if relative is None:
        return None  # outside the project: only this machine's users write there
    step = root.resolve()
    for part in relative.parts:
        step = step / part
        if step.is_symlink():
            return f"{step} is a symbolic link inside the project"
    if not relative.parts:
        return "it is the project folder itself"
    from smartdoc.history.git import tracks_anything_under

    tracked = tracks_anything_under(root.resolve(), relative.parts[0])
    if tracked is None:
        return "it is inside a project git cannot vouch for (no git work tree)"
    if tracked:
        return f"{relative.parts[0]}/ is committed to the repository"
    return None


def choose_cache_base(
    root: Path | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Path, str | None]:
    """Return the folder all projects' caches live under, and why a named one was passed over.

    With `root`, a folder inside that project is passed over unless `refusal` finds nothing;
    the last resort is a folder of this user's under the system's temporary folder.
    """
    environ = os.environ if environ is None else environ
    notice = None
    for named_by, folder in _candidates(environ):
        why = refusal(folder, root) if root is not None else None
        if why is None:
            return folder, notice
        notice = notice or f"cache folder {folder} ({named_by}) not used: {why}"
    fallback = Path(tempfile.gettempdir()) / f"smartdoc-cache-{os.getuid()}"
    return fallback, notice


def cache_base(environ: Mapping[str, str] | None = None) -> Path:
    """Return the folder all projects' caches live under, as configured (no project check)."""
    return choose_cache_base(None, environ)[0]


def project_cache_dir(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Return the cache folder of the project at `root` (never one the project committed)."""
    name = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:24]
    return choose_cache_base(root, environ)[0] / "projects" / name


def cache_notice(root: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """Return the one line a run says when the configured cache folder was passed over."""
    return choose_cache_base(root, environ)[1]


class Memo(Protocol):
    """Records of earlier work; `get` returns None for anything unknown or unreadable."""

    def get(self, kind: str, key: str) -> Any:
        """Return the JSON value stored under kind/key, or None."""

    def put(self, kind: str, key: str, record: Any) -> None:
        """Store a JSON value (best effort)."""

    def forget(self, kind: str, key: str) -> None:
        """Drop a record that failed validation; it is counted in `invalid`."""

    def finish(self) -> None:
        """Drop the records this run did not use (the cache holds the last run only)."""

    @property
    def invalid(self) -> int:
        """Return how many records were dropped as invalid this run."""


class NullMemo:
    """No cache: every record is missing."""

    invalid = 0

    def get(self, kind: str, key: str) -> Any:
        return None

    def put(self, kind: str, key: str, record: Any) -> None:
        return None

    def forget(self, kind: str, key: str) -> None:
        return None

    def finish(self) -> None:
        return None


class MemoryMemo:
    """Records in memory, for a process that builds again and again (`smartdoc serve`)."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], str] = {}
        self._used: set[tuple[str, str]] = set()
        self.invalid = 0

    def get(self, kind: str, key: str) -> Any:
        text = self._records.get((kind, key))
        if text is None:
            return None
        self._used.add((kind, key))
        return json.loads(text)  # a fresh copy: callers may not change what is stored

    def put(self, kind: str, key: str, record: Any) -> None:
        self._records[(kind, key)] = json.dumps(record, sort_keys=True)
        self._used.add((kind, key))

    def forget(self, kind: str, key: str) -> None:
        self._records.pop((kind, key), None)
        self.invalid += 1

    def finish(self) -> None:
        self._records = {k: v for k, v in self._records.items() if k in self._used}
        self._used = set()
        self.invalid = 0


class DiskMemo:
    """Records as JSON files under `<cache dir>/build/<kind>/<key>.json`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "build"
        self._used: set[tuple[str, str]] = set()
        self.invalid = 0

    def _path(self, kind: str, key: str) -> Path | None:
        if kind not in KINDS or not key.isalnum() or len(key) > 128:
            return None
        return self.folder / kind / f"{key}.json"

    def get(self, kind: str, key: str) -> Any:
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                data = handle.read(MAX_RECORD_BYTES + 1)
        except OSError:
            return None
        try:
            if len(data) > MAX_RECORD_BYTES:
                raise ValueError("record too large")
            envelope = json.loads(data)
            if not isinstance(envelope, dict) or envelope.get("format") != CACHE_FORMAT:
                raise ValueError("not a record of this version")
            if envelope.get("version") != __version__ or envelope.get("key") != key:
                raise ValueError("record of another key or version")
        except (ValueError, RecursionError):
            self.forget(kind, key)
            return None
        self._used.add((kind, key))
        return envelope.get("record")

    def put(self, kind: str, key: str, record: Any) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        self._used.add((kind, key))
        envelope = {"format": CACHE_FORMAT, "version": __version__, "key": key, "record": record}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(envelope, sort_keys=True), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            pass  # the cache only saves time; a read-only cache folder still builds

    def forget(self, kind: str, key: str) -> None:
        path = self._path(kind, key)
        self.invalid += 1
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()

    def finish(self) -> None:
        for kind in ("check", "plan", "history"):
            try:
                entries = list(os.scandir(self.folder / kind))
            except OSError:
                continue
            for entry in entries:
                stem = entry.name.removesuffix(".json")
                if (kind, stem) not in self._used:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def deps_unchanged(root: Path, deps: Mapping[str, str | None]) -> bool:
    """Return whether every recorded file (project-relative) still has the recorded hash."""
    return all(file_sha(root / rel) == sha for rel, sha in deps.items())


def tree_fingerprint(folders: Iterable[Path]) -> str:
    """Return the hash of every file (name and bytes) under the given folders.

    Files that resolve outside their folder are named but never read (rendering refuses
    them); a folder that is itself a symlink is not walked.
    """
    hasher = hashlib.sha256()
    for folder in folders:
        hasher.update(f"\0folder {folder}\0".encode())
        if folder.is_symlink() or not folder.is_dir():
            continue
        jail = os.path.realpath(folder)
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = Path(current, name)
                hasher.update(f"{path.relative_to(folder).as_posix()}\0".encode())
                inside = os.path.realpath(path).startswith(jail + os.sep)
                hasher.update(((file_sha(path) if inside else None) or "unreadable").encode())
    return hasher.hexdigest()


def template_closure(env: Any, name: str) -> list[tuple[str, str]] | None:
    """Return (template name, file hash) of `name` and every template it pulls in.

    None when a template names another with an expression (it may then use any of them).
    """
    from jinja2 import TemplateError, meta

    from smartdoc.errors import SmartdocError

    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        try:
            source, filename, _ = env.loader.get_source(env, current)
            parsed = env.parse(source)
        except (TemplateError, SmartdocError):
            return None  # rendering reports it, with the file and line
        seen[current] = digest(filename, source)
        for referenced in meta.find_referenced_templates(parsed):
            if referenced is None:
                return None
            todo.append(referenced)
    return sorted(seen.items())
