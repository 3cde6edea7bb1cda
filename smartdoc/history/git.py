"""The one place that runs git: argument lists, no shell, nothing the repository can make run.

Everything a plans repository holds is untrusted, its history included. So every git process
here is started with:

- an argument list (never a shell), revisions after `--end-of-options` and paths after `--`,
  pathspecs read literally (`GIT_LITERAL_PATHSPECS=1`), and a revision or path that starts
  with `-` refused before git sees it;
- configuration that switches off what could run a program: no fsmonitor, no hooks, no
  external diff, no pager, no signature checks, no textconv (`--no-textconv`); blobs are
  read raw with one `git cat-file --batch`, so `.gitattributes` filters never apply;
- no network: `protocol.allow=never` and `GIT_NO_LAZY_FETCH=1` (a partial clone cannot fetch
  a missing blob behind our back), `GIT_TERMINAL_PROMPT=0` (never ask for a password).

`open_repository` says why history is unavailable (git missing, not a work tree, a shallow
clone) as a value, so lint goes on without the H rules and says so in one line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from smartdoc.errors import SmartdocError, UsageError

#: `-c` settings on every git command (see the module docstring for why each is here).
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "diff.external=",
    "core.pager=cat",
    "log.showSignature=false",
    "protocol.allow=never",
    "color.ui=never",
    "core.quotePath=false",
)
#: Environment variables set on every git command.
SAFE_ENV: dict[str, str] = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_LITERAL_PATHSPECS": "1",
    "LC_ALL": "C",
}
#: Environment variables dropped: each would run or show something we did not ask for.
DROPPED_ENV: tuple[str, ...] = ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER", "GIT_ASKPASS")
#: The empty tree's object id (SHA-1 repositories).
_OBJECT_ID = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
#: Longest revision text accepted (a ref name, a hash, `v1.2~3`...).
MAX_REVISION_CHARS = 256

UnavailableReason = Literal["no-git", "not-a-repository", "shallow", "git-failed"]


class GitError(SmartdocError):
    """A git command failed in a way the user cannot fix by changing a plan (exit 2)."""


@dataclass(frozen=True, slots=True)
class HistoryUnavailable:
    """Why the H rules cannot run here, and the one line that says so."""

    reason: UnavailableReason
    #: One line for the user, e.g. "history rules skipped: not a git work tree".
    message: str


@dataclass(frozen=True, slots=True)
class Repository:
    """A git work tree holding the project, and how to run git in it safely."""

    #: The work tree's top folder.
    top: Path
    #: The project root relative to `top`, POSIX, with a trailing `/` (or "" at the top).
    prefix: str
    #: The git executable.
    git: str
    #: True when the clone has no full history (`git clone --depth N`).
    shallow: bool = False

    def command(self, args: Sequence[str]) -> list[str]:
        """Return the full argument list for `git args` with the safe settings."""
        settings = [part for item in SAFE_CONFIG for part in ("-c", item)]
        return [self.git, "--no-pager", *settings, *args]

    def run(self, args: Sequence[str], *, input_bytes: bytes | None = None) -> bytes:
        """Run git in the work tree; return its output, or raise GitError with its message."""
        try:
            done = subprocess.run(
                self.command(args),
                cwd=self.top,
                env=git_environment(),
                input=input_bytes,
                stdin=None if input_bytes is not None else subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        if done.returncode != 0:
            raise GitError(f"git {args[0]} failed: {first_line(done.stderr)}")
        return done.stdout

    def resolve_commit(self, revision: str) -> str:
        """Return the full hash of the commit `revision` names, or raise UsageError."""
        check_revision(revision)
        try:
            out = self.run(
                ["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"]
            )
        except GitError:
            hint = " (a shallow clone lacks older commits: fetch with fetch-depth: 0)"
            raise UsageError(
                f"unknown revision '{revision}': name a commit, branch or tag"
                + (hint if self.shallow else "")
            ) from None
        sha = out.strip()
        if not _OBJECT_ID.match(sha):
            raise GitError(f"git rev-parse gave an unexpected answer for '{revision}'")
        return sha.decode("ascii")

    def has_commits(self) -> bool:
        """Return True when HEAD names a commit (a new repository has none yet)."""
        try:
            self.run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        except GitError:
            return False
        return True

    def pathspec(self, project_path: str) -> str:
        """Return a pathspec (relative to the top) for a project-relative POSIX path."""
        spec = (self.prefix + project_path.strip("/")).rstrip("/") or "."
        # a name starting with '-' stays a path even where no `--` could protect it
        return "./" + spec if spec.startswith("-") else spec

    def read_blobs(
        self, object_ids: Iterable[str], limit: int
    ) -> Iterator[tuple[str, bytes | None]]:
        """Yield (id, content) per blob, content None when over `limit` bytes or missing."""
        for object_id, blob in self.stream_blobs(object_ids):
            yield object_id, (blob.read_all() if blob is not None and blob.size <= limit else None)

    def stream_blobs(self, object_ids: Iterable[str]) -> Iterator[tuple[str, Blob | None]]:
        """Yield (id, blob reader) per object, from ONE `git cat-file --batch` process.

        Blobs are read raw, so no filter or textconv from `.gitattributes` runs. A reader is
        valid until the next item; what it did not read is skipped. None: object missing.
        """
        wanted = list(object_ids)
        for oid in wanted:
            if not _OBJECT_ID.match(oid.encode("ascii", "replace")):
                raise GitError(f"not an object id: {oid[:50]!r}")
        if not wanted:
            return
        try:
            process = subprocess.Popen(
                self.command(["cat-file", "--batch"]),
                cwd=self.top,
                env=git_environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        assert process.stdin is not None
        assert process.stdout is not None
        # A thread writes the requests while we read, so neither side waits on a full pipe.
        requests = "".join(f"{oid}\n" for oid in wanted).encode("ascii")
        writer = threading.Thread(target=_write_and_close, args=(process.stdin, requests))
        writer.start()
        try:
            for oid in wanted:
                header = process.stdout.readline()
                parts = header.split()
                if len(parts) == 2 and parts[1] == b"missing":
                    yield oid, None
                    continue
                if len(parts) != 3 or parts[0].decode("ascii", "replace") != oid:
                    raise GitError(f"git cat-file gave an unexpected answer: {first_line(header)}")
                blob = Blob(parts[1].decode("ascii", "replace"), int(parts[2]), process.stdout)
                yield oid, blob
                blob.skip_rest()
                _read_exact(process.stdout, 1)  # the newline after each object
        finally:
            process.stdout.close()
            writer.join()
            process.wait()


class Blob:
    """The content of one object in the cat-file stream, read at most once, in chunks."""

    def __init__(self, kind: str, size: int, stream: IO[bytes]) -> None:
        #: The object type: blob, tree, commit or tag.
        self.kind = kind
        #: Size of the content in bytes.
        self.size = size
        self._stream = stream
        self._left = size

    def read(self, limit: int = 1 << 20) -> bytes:
        """Return up to `limit` more bytes of the content (b"" at the end)."""
        if self._left <= 0:
            return b""
        chunk = _read_exact(self._stream, min(limit, self._left))
        self._left -= len(chunk)
        return chunk

    def read_all(self) -> bytes:
        """Return the rest of the content."""
        return self.read(self._left) if self._left > 0 else b""

    def skip_rest(self) -> None:
        """Read and drop what is left, so the stream is at the next object."""
        while self._left > 0:
            self.read()


def _write_and_close(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
    except OSError:
        pass  # git went away; the reader reports it
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise GitError("git cat-file ended early")
    return data


def git_environment() -> dict[str, str]:
    """Return the environment for git: ours, minus what would run a program, plus SAFE_ENV."""
    environ = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    environ.update(SAFE_ENV)
    return environ


def first_line(raw: bytes) -> str:
    """Return the first non-empty line of git's output, printable, for a one-line message."""
    text = raw.decode("utf-8", errors="replace")
    for line in text.splitlines():
        line = line.strip()
        if line:
            line = line.removeprefix("fatal: ").removeprefix("error: ")
            return "".join(c if c.isprintable() else "?" for c in line)[:200]
    return "no message"


def check_revision(revision: str) -> None:
    """Refuse a revision git could read as an option or that is no revision at all."""
    if revision.startswith("-"):
        raise UsageError(
            f"revision '{_printable(revision)}' starts with '-': name a commit, branch or tag"
        )
    if not revision or len(revision) > MAX_REVISION_CHARS:
        raise UsageError("revision is empty or too long: name a commit, branch or tag")
    if any(not c.isprintable() or c.isspace() for c in revision):
        raise UsageError(f"revision '{_printable(revision)}' holds spaces or control characters")


def check_path(path: str) -> None:
    """Refuse a path given on the command line that git could read as an option."""
    if path.startswith("-"):
        raise UsageError(f"path '{_printable(path)}' starts with '-': write ./{_printable(path)}")


def _printable(text: str) -> str:
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def open_repository(root: Path, git: str | None = None) -> Repository | HistoryUnavailable:
    """Return the git work tree holding `root`, or why there is none to read history from."""
    executable = git or shutil.which("git")
    if executable is None:
        return HistoryUnavailable("no-git", "history rules skipped: git is not installed")
    args = [
        executable,
        "--no-pager",
        "rev-parse",
        "--is-inside-work-tree",
        "--is-shallow-repository",
        "--show-toplevel",
    ]
    try:
        done = subprocess.run(
            args,
            cwd=root,
            env=git_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        return HistoryUnavailable("no-git", f"history rules skipped: cannot run git ({exc})")
    lines = done.stdout.decode("utf-8", errors="surrogateescape").splitlines()
    if done.returncode != 0 or len(lines) < 3 or lines[0] != "true":
        why = first_line(done.stderr) if done.returncode != 0 else "not inside a work tree"
        if "not a git repository" in why:
            why = "not a git work tree"
        return HistoryUnavailable("not-a-repository", f"history rules skipped: {why}")
    top = Path(lines[2])
    try:
        relative = root.resolve().relative_to(top.resolve())
    except ValueError:
        return HistoryUnavailable(
            "not-a-repository", "history rules skipped: the project is not inside its work tree"
        )
    prefix = "" if relative == Path(".") else relative.as_posix().strip("/") + "/"
    repository = Repository(top=top, prefix=prefix, git=executable, shallow=lines[1] == "true")
    return repository


def tracks_anything_under(root: Path, relative: str) -> bool | None:
    """Return whether git tracks a file at or under `relative` (a path inside `root`).

    None when there is no git or `root` is not in a work tree: nobody can tell. The cache uses
    it to refuse a folder a plans repository committed (`smartdoc.cache`).
    """
    executable = shutil.which("git")
    if executable is None:
        return None
    settings = [part for item in SAFE_CONFIG for part in ("-c", item)]
    args = [executable, "--no-pager", *settings, "ls-files", "-z", "--", relative]
    try:
        done = subprocess.run(
            args, cwd=root, env=git_environment(), stdin=subprocess.DEVNULL,
            capture_output=True, check=False,
        )  # fmt: skip
    except OSError:
        return None
    return bool(done.stdout) if done.returncode == 0 else None


def shallow_notice() -> HistoryUnavailable:
    """Return the one line said when the clone is shallow."""
    return HistoryUnavailable(
        "shallow",
        "history rules skipped: this is a shallow clone; they need full history "
        "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)",
    )
