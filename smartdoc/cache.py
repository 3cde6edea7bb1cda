"""The build cache: content hashes of what a build read, and what it made from them.

Lives in `<root>/.smartdoc_cache/build/` (`smartdoc clean` drops it; the PDF cache of
`smartdoc.pdf` lives beside it in `pdf/`). Everything here only saves time: a missing,
corrupt or stale entry means "work it out again", never a different output.

The dependency graph (issue 6), as keys:

- **lint record** of a plan: `hash(version, config, today, plan path, plan bytes)`, checked
  against the bytes of every CSV file it read. Holds its findings and what the build needs to
  know without parsing it again (slug, draft, readable).
- **page record** of a plan: `hash(lint key, base URL, drafts, PDFs on, published slugs)`,
  checked against the bytes of every narrative image it published. Holds the template data
  of the plan page (and its index card and scorecard), its score and narrative findings.
- **outputs**: each file of the site has a key: a plan page is its page record key plus the
  templates `plan.html` uses; `index.html` and `plans.json` take every page record key (so
  any plan edit re-renders them); `rules.html` and `schema.json` take the config and their
  templates; copied files take the hash of their source. A template edit re-renders the
  pages whose template closure (extends/include/import, followed statically) holds it; a
  template whose closure cannot be followed statically counts as using every template.
- the **manifest** (`manifest.json`) records the inputs of the last published build and, for
  every output, its key, hash and the inode/size/mtime it has in the site. An unchanged
  output is hard-linked from the current site into the new one; when nothing changed at all
  the build does nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from smartdoc import __version__

CACHE_DIR = ".smartdoc_cache"
BUILD_DIR = "build"
#: Bump when a record changes shape or meaning.
CACHE_FORMAT = 1
MANIFEST = "manifest.json"


def digest(*parts: Any) -> str:
    """Return the SHA-256 of parts (bytes as they are, anything else by its repr)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def file_sha(path: Path) -> str | None:
    """Return the SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        if not path.is_file():  # /dev/zero, a FIFO: never read (issue 7)
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None


def config_key(config: Any) -> str:
    """Return the hash of everything a config says (its root included)."""
    return digest(CACHE_FORMAT, __version__, str(config.root), config.model_dump_json())


def tree_fingerprint(folders: Iterable[Path]) -> str:
    """Return the hash of every file (name and bytes) under the given folders."""
    hasher = hashlib.sha256()
    for folder in folders:
        hasher.update(f"\0folder {folder}\0".encode())
        if not folder.is_dir():
            continue
        jail = os.path.realpath(folder)
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = Path(current, name)
                hasher.update(f"{path.relative_to(folder).as_posix()}\0".encode())
                # a symlink out of the folder is never read: rendering refuses it (issue 7)
                inside = os.path.realpath(path).startswith(jail + os.sep)
                hasher.update(((file_sha(path) if inside else None) or "unreadable").encode())
    return hasher.hexdigest()


def template_closure(env: Any, name: str) -> list[tuple[str, str]] | None:
    """Return (template name, file hash) of `name` and every template it pulls in.

    None when a template names another with an expression (it may then use any of them).
    """
    from jinja2 import TemplateError, meta

    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        try:
            source, filename, _ = env.loader.get_source(env, current)
            parsed = env.parse(source)
        except TemplateError:
            return None  # rendering reports it, with the file and line
        seen[current] = digest(filename, source)
        for referenced in meta.find_referenced_templates(parsed):
            if referenced is None:
                return None
            todo.append(referenced)
    return sorted(seen.items())


def stat_of(path: Path) -> list[int] | None:
    """Return [inode, size, mtime_ns] of a regular file, or None."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


class BuildCache:
    """Records of one project under `<root>/.smartdoc_cache/build/`."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR / BUILD_DIR
        self.used: set[str] = set()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any:
        """Return the record stored under `kind`/`key`, or None."""
        try:
            with open(self._path(kind, key), "rb") as handle:
                record = pickle.load(handle)
        except (
            OSError,
            EOFError,
            pickle.UnpicklingError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
            IndexError,
        ):
            return None
        if not isinstance(record, dict) or record.get("format") != CACHE_FORMAT:
            return None
        self.used.add(f"{kind}/{key}")
        return record

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        """Store a record (best effort: a read-only project still builds)."""
        path = self._path(kind, key)
        self.used.add(f"{kind}/{key}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                pickle.dump(
                    {**record, "format": CACHE_FORMAT}, handle, protocol=pickle.HIGHEST_PROTOCOL
                )
            os.replace(temporary, path)
        except OSError:
            pass

    def prune(self, kinds: Iterable[str]) -> None:
        """Remove the records of `kinds` this build did not use."""
        for kind in kinds:
            try:
                entries = list((self.folder / kind).iterdir())
            except OSError:
                continue
            for entry in entries:
                if f"{kind}/{entry.stem}" not in self.used:
                    entry.unlink(missing_ok=True)

    def read_manifest(self) -> dict[str, Any] | None:
        """Return the manifest of the last published build, or None."""
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != CACHE_FORMAT:
            return None
        return manifest

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Replace the manifest (best effort)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / MANIFEST
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps({**manifest, "format": CACHE_FORMAT}), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            pass

    def drop_manifest(self) -> None:
        """Forget the last build (its site is gone or was replaced by other means)."""
        with contextlib.suppress(OSError):
            (self.folder / MANIFEST).unlink(missing_ok=True)


def deps_unchanged(root: Path, deps: Mapping[str, str | None]) -> bool:
    """Return whether every recorded dependency still has the recorded hash."""
    return all(file_sha(root / rel) == sha for rel, sha in deps.items())


def site_matches(output: Path, outputs: Mapping[str, Mapping[str, Any]]) -> bool:
    """Return whether the site holds exactly the recorded files, each as it was written."""
    found = 0
    for current, _dirs, files in os.walk(output):
        for name in files:
            rel = Path(current, name).relative_to(output).as_posix()
            record = outputs.get(rel)
            if record is None or stat_of(Path(current, name)) != record.get("stat"):
                return False
            found += 1
    return found == len(outputs)
