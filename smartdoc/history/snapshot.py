"""`--at REV`: the project as it was at a commit, written to a temporary folder.

`materialize(root, rev)` writes the project folder's files at REV (config, plans, CSVs,
templates, images: everything under the project root, since what a build reads is only
known once the plans are read) into a temporary folder outside the work tree, and removes
it afterwards. The work tree, the index and HEAD are not touched.

How: one `git ls-tree -r -z` of REV and one `git cat-file --batch` for the blobs, written
as a checkout would write them (regular files with git's modes, symlinks as symlinks holding
their target, submodules as empty folders). Not `git read-tree` + `git checkout-index`: that
applies `.gitattributes` filters, and the git here (2.39) has no `--attr-source` to switch
them off, so a committed `filter=` attribute would run a configured program. Bytes are
written as stored in git: no filter and no end-of-line conversion (what a checkout writes
with git's default settings).

Paths from the tree are untrusted: an entry with an empty, `.`, `..` or `.git` part, or one
that would land under a symlink the same tree created, is skipped; files are created with
O_EXCL | O_NOFOLLOW, so nothing is written outside the temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from smartdoc.errors import SmartdocError, UsageError
from smartdoc.history.git import (
    Blob,
    HistoryUnavailable,
    Repository,
    check_revision,
    open_repository,
)

_FILE_MODES = {b"100644": 0o666, b"100755": 0o777}
_SYMLINK, _SUBMODULE = b"120000", b"160000"


@contextlib.contextmanager
def materialize(
    root: Path, rev: str, *, git: str | None = None, asked_by: str | None = None
) -> Iterator[Path]:
    """Write the project at `rev` to a temporary folder; yield its root; remove it after.

    Raises UsageError for a revision that starts with '-' or names no commit, or when the
    project is not in a git work tree; the message starts with `asked_by` (default `--at REV`,
    the flag that asked for it).
    """
    check_revision(rev)
    repository = open_repository(root, git)
    if isinstance(repository, HistoryUnavailable):
        reason = repository.message.removeprefix("history rules skipped: ")
        raise UsageError(f"{asked_by or f'--at {rev}'}: {reason}")
    commit = repository.resolve_commit(rev)
    folder = Path(tempfile.mkdtemp(prefix="smartdoc-at-"))
    try:
        if folder.resolve().is_relative_to(repository.top.resolve()):
            raise SmartdocError(
                f"the temporary folder {folder} is inside the work tree; set TMPDIR elsewhere"
            )
        project = folder / (root.resolve().name or "project")
        project.mkdir()
        write_tree(repository, commit, project)
        yield project
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_tree(repository: Repository, commit: str, destination: Path) -> int:
    """Write the project subtree of `commit` into the empty folder `destination`; return files."""
    listing = repository.run(
        [
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            "--end-of-options",
            commit,
            "--",
            repository.pathspec(""),
        ]
    )
    entries = []
    prefix = repository.prefix.encode()
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, object_id = meta.split(b" ")
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix) :]
        if _is_safe(relative):
            entries.append((mode, object_id.decode("ascii"), relative))
    base = os.fsencode(destination)
    made_links: set[bytes] = set()
    blobs = [(m, o, p) for m, o, p in entries if m != _SUBMODULE]
    for mode, _, relative in entries:
        if mode == _SUBMODULE and _parent_ok(base, relative, made_links):
            os.mkdir(base + b"/" + relative)  # a submodule checks out as an empty folder
    written = 0
    stream = repository.stream_blobs([object_id for _, object_id, _ in blobs])
    for (mode, _, relative), (_, blob) in zip(blobs, stream, strict=True):
        if blob is None or blob.kind != "blob" or not _parent_ok(base, relative, made_links):
            continue
        target = base + b"/" + relative
        if mode == _SYMLINK:
            os.symlink(blob.read_all(), target)
            made_links.add(relative)
        else:
            _write_file(target, blob, _FILE_MODES.get(mode, 0o666))
        written += 1
    return written


def _is_safe(relative: bytes) -> bool:
    """Return True for a path git itself would check out: no '', '.', '..' or '.git' part."""
    parts = relative.split(b"/")
    return all(part not in (b"", b".", b"..") and part.lower() != b".git" for part in parts)


def _parent_ok(base: bytes, relative: bytes, made_links: set[bytes]) -> bool:
    """Make the entry's parent folders; False if one is a symlink or a file of this tree."""
    parts = relative.split(b"/")
    current = base
    for depth in range(1, len(parts)):
        if b"/".join(parts[:depth]) in made_links:
            return False
        current = current + b"/" + parts[depth - 1]
        try:
            os.mkdir(current)
        except FileExistsError:
            if not os.path.isdir(current) or os.path.islink(current):
                return False
    return True


def _write_file(target: bytes, blob: Blob, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(target, flags, mode)
    except FileExistsError:
        return  # the same path twice in a crafted tree: the first one stays
    with os.fdopen(descriptor, "wb") as out:
        while chunk := blob.read():
            out.write(chunk)
