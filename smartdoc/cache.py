"""The memo the pipeline consults: records of earlier work, keyed by the hash of its inputs.

A memo only ever saves time. A missing, stale or invalid record means "work it out again",
never a different output, and nothing in a record is trusted:

- **Where.** Outside the project, so nothing committed to a plans repository is ever read as
  a record: `$SMARTDOC_CACHE_DIR`, else `$XDG_CACHE_HOME/smartdoc`, else `~/.cache/smartdoc`,
  then `projects/<hash of the project root>/`. CI keeps it between runs by caching that
  folder (see docs/configuration.md). `smartdoc clean` removes the project's folder.
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


def cache_base(environ: Mapping[str, str] | None = None) -> Path:
    """Return the folder all projects' caches live under (never inside a project)."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_ENV):
        return Path(environ[CACHE_ENV]).expanduser()
    xdg = environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "smartdoc"


def project_cache_dir(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Return the cache folder of the project at `root`."""
    name = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:24]
    return cache_base(environ) / "projects" / name


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
