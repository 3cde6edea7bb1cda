"""The one place that touches the output folder: check it, fill a temporary twin, swap it in.

A build never writes into the output folder itself. It writes a complete new tree into a
temporary folder beside it (`.<name>.tmp-<pid>-<random>` in the same parent, so the swap is
a rename on one file system) and swaps it in only when everything succeeded:

- on Linux with `renameat2(RENAME_EXCHANGE)` the old and new trees trade places in one
  atomic step; elsewhere two renames leave a window of microseconds without an output folder.
- a failed build removes its temporary folder; a killed one leaves it behind, and the next
  build removes every leftover whose process is gone (`<pid>` in the name says whose it is).
- pages of deleted plans disappear, because the whole tree is replaced.
- files are written as given (callers pass deterministic bytes), with world-readable
  permissions (0644 files, 0755 folders, whatever the umask) and, when `SOURCE_DATE_EPOCH`
  is set, that modification time.

Two builds of one project never run at once: `build_lock` takes an exclusive `flock` on
`build.lock` in the project's cache folder (or, when that cannot be written, on
`.<output name>.smartdoc-lock` beside the output folder; never through a symlink) for the
whole build, and a second
build is **refused at once** (exit 2, "another smartdoc build is running on this project
(pid N)") rather than queued: in CI a queued build would only publish the same tree again,
and a refusal is never a hang. The kernel drops the lock when its process dies, so a killed
build never leaves a stale lock. A full disk or a read-only output folder while writing is
one line (`SiteWriteFailed`, exit 2) and the output folder stays as it was.

`check_output_dir` refuses an output folder that is, or contains, the project root, the plans
folder, the templates folder, the home folder or `/`, or that holds a `smartdoc.yml` or a
`.git`, or that lies inside the plans or templates folder, or that is a symlink (or behind
one, inside the project), or that is not empty and was not built by smartdoc: every site
holds a `.smartdoc-site` marker file (exit 2, before anything is written or deleted).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

from smartdoc.cache import stat_of
from smartdoc.config import CONFIG_NAMES
from smartdoc.errors import OutputError, UsageError

#: Written into every site smartdoc builds: a folder holding it may be replaced by a build.
MARKER = ".smartdoc-site"
MARKER_TEXT = "This folder is a site built by smartdoc; `smartdoc build` replaces it whole.\n"
#: How a site built before the marker existed (smartdoc 0.1) names its generator.
_GENERATOR_TAG = b'<meta name="generator" content="smartdoc '
FILE_MODE = 0o644
DIR_MODE = 0o755
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputRefused(OutputError):
    """The output folder may not be used: writing there could destroy sources."""


def _refuse(output: Path, why: str) -> OutputRefused:
    return OutputRefused(f"refusing to use {output} as the output folder: {why}")


def check_output_dir(output: Path, *, root: Path, sources: Iterable[tuple[str, Path]] = ()) -> Path:
    """Return the absolute output folder, or raise OutputRefused (exit 2) if it is unsafe.

    `sources` are (label, folder) pairs, e.g. ("plans folder", config.plans_path).
    """
    shown = output
    if str(output).startswith("~"):
        raise _refuse(shown, "it is a home folder path ('~')")
    absolute = Path(os.path.abspath(output))
    _refuse_links(absolute, root.absolute(), shown)
    real = absolute.resolve()
    if real == Path(real.anchor):
        raise _refuse(shown, "it is the file-system root")
    home = Path.home().resolve()
    protected: list[tuple[str, Path]] = [("the home folder", home), ("the project root", root)]
    protected.extend(sources)
    for label, folder in protected:
        folder_real = folder.resolve()
        if real == folder_real:
            raise _refuse(shown, f"it is {label}")
        if folder_real.is_relative_to(real):
            raise _refuse(shown, f"it contains {label} ({folder})")
    for label, folder in sources:
        if real.is_relative_to(folder.resolve()):
            raise _refuse(shown, f"it is inside {label} ({folder})")
    if real.exists() and not real.is_dir():
        raise _refuse(shown, "it is not a folder")
    for name in CONFIG_NAMES:
        if (real / name).exists():
            raise _refuse(shown, f"it holds {name}, so it looks like a project")
    if real.is_dir() and (real / ".git").exists():
        raise _refuse(shown, "it holds a .git folder")
    if real.is_dir() and not is_replaceable(real):
        raise _refuse(
            shown,
            f"it holds files and no {MARKER}, so smartdoc did not build it; empty it or "
            "choose another folder",
        )
    return real


def is_replaceable(folder: Path) -> bool:
    """Return whether a build may replace `folder`: empty, or a site smartdoc built.

    A site built by smartdoc holds the marker file; one built by smartdoc 0.1 (before the
    marker) is recognised by its index.html naming smartdoc as the generator.
    """
    try:
        if not any(folder.iterdir()):
            return True
        marker = folder / MARKER
        if marker.is_file() and not marker.is_symlink():
            return True
        index = folder / "index.html"
        if index.is_file() and not index.is_symlink():
            with open(index, "rb") as handle:
                return _GENERATOR_TAG in handle.read(4096)
    except OSError:
        return False
    return False


def _refuse_links(absolute: Path, root: Path, shown: Path) -> None:
    """Refuse an output folder that is a symlink, or lies in the project behind one.

    A `site` link committed to a plans repository would make the build empty and replace
    whatever folder it points at, anywhere on the machine (issue 15).
    """
    if absolute.is_symlink():
        raise _refuse(shown, "it is a symbolic link; remove the link or name a real folder")
    if not absolute.is_relative_to(root):
        return  # named outside the project by whoever runs the build: theirs to choose
    current = root
    for part in absolute.relative_to(root).parts[:-1]:
        current = current / part
        if current.is_symlink():
            raise _refuse(shown, f"{current.relative_to(root)} is a symbolic link")


def _temp_prefix(output: Path) -> str:
    return f".{output.name}.tmp-"


def _old_prefix(output: Path) -> str:
    return f".{output.name}.old-"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_pid(name: str, prefix: str) -> int | None:
    rest = name[len(prefix) :]
    pid_text = rest.split("-", 1)[0]
    return int(pid_text) if pid_text.isdigit() else None


def leftover_folders(output: Path) -> list[Path]:
    """Return temporary folders beside `output` left by builds that no longer run."""
    parent = output.parent
    if not parent.is_dir():
        return []
    found = []
    for prefix in (_temp_prefix(output), _old_prefix(output)):
        for entry in sorted(parent.iterdir()):
            if not entry.name.startswith(prefix) or entry.is_symlink() or not entry.is_dir():
                continue
            pid = _owner_pid(entry.name, prefix)
            if pid is None or not _pid_alive(pid) or pid == os.getpid():
                found.append(entry)
    return found


def clean_leftovers(output: Path) -> None:
    """Remove what killed builds left beside `output`; restore the site if a swap was cut."""
    leftovers = leftover_folders(output)
    olds = [p for p in leftovers if p.name.startswith(_old_prefix(output))]
    if not output.exists() and len(olds) == 1:
        # killed between the two renames of the fallback swap: the old site is the good one
        os.rename(olds[0], output)
        leftovers.remove(olds[0])
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)


def _libc_exchange() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; return False where the system cannot."""
    function = _libc_exchange()
    if function is None:
        return False
    result = function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


class SiteWriter:
    """A new output tree being built beside the output folder; `commit()` swaps it in.

    Use as a context manager: leaving the block without `commit()` (an error, a refusal)
    removes the temporary tree and leaves the output folder as it was.
    """

    def __init__(
        self,
        output: Path,
        *,
        epoch: int | None = None,
        previous: Mapping[str, Sequence[int] | None] | None = None,
    ) -> None:
        self.output = output
        #: SOURCE_DATE_EPOCH: the modification time of every file written, when set.
        self.epoch = epoch
        #: Files of the current site that `reuse` may take: path -> [inode, size, mtime_ns]
        #: as the build that wrote them left them.
        self.previous = previous or {}
        self.temp: Path | None = None
        self._written: set[str] = set()
        self.committed = False

    def __enter__(self) -> SiteWriter:
        try:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(self.output)
            name = f"{_temp_prefix(self.output)}{os.getpid()}-{secrets.token_hex(4)}"
            self.temp = self.output.parent / name
            self.temp.mkdir(mode=0o700)
        except OSError as exc:
            self.temp = None
            raise SiteWriteFailed(_write_failure(self.output, exc)) from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.discard()
        if isinstance(error, OSError):  # a full disk, a read-only folder: one line, exit 2
            raise SiteWriteFailed(_write_failure(self.output, error)) from None

    @property
    def written(self) -> list[str]:
        """Return the relative paths written so far, sorted."""
        return sorted(self._written)

    def _target(self, rel_path: str) -> Path:
        assert self.temp is not None, "use SiteWriter as a context manager"
        pure = PurePosixPath(rel_path)
        if pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts):
            raise UsageError(f"refusing to write outside the output folder: {rel_path}")
        target = self.temp.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        """Write one file of the new tree."""
        target = self._target(rel_path)
        if target.exists() or target.is_symlink():
            target.unlink()
        with open(target, "xb") as handle:
            handle.write(data)
        self._written.add(rel_path)

    def write_text(self, rel_path: str, text: str) -> None:
        """Write one UTF-8 text file of the new tree (LF line endings as given)."""
        self.write_bytes(rel_path, text.encode("utf-8"))

    def copy_file(self, rel_path: str, source: Path) -> None:
        """Copy a regular file's bytes into the new tree (no metadata, no symlinks)."""
        self.write_bytes(rel_path, source.read_bytes())

    def read_bytes(self, rel_path: str) -> bytes:
        """Return a file of the new tree."""
        return self._target(rel_path).read_bytes()

    def reuse(self, rel_path: str) -> bool:
        """Hard-link the current site's file into the new tree, if it is as it was written.

        A file is taken only when its inode, size and modification time are those the
        build that wrote it recorded (so it is that file, untouched); False otherwise.
        """
        recorded = self.previous.get(rel_path)
        current = self.output / rel_path
        if recorded is None or self.output.is_symlink() or stat_of(current) != list(recorded):
            return False
        target = self._target(rel_path)
        try:
            os.link(current, target)
        except OSError:
            return False
        self._written.add(rel_path)
        return True

    def has(self, rel_path: str) -> bool:
        """Return whether `rel_path` was written."""
        return rel_path in self._written

    def _write_marker(self) -> None:
        """Put the marker into the new tree: the current site's own when it is the same."""
        assert self.temp is not None
        current = self.output / MARKER
        try:
            if not current.is_symlink() and current.read_text(encoding="utf-8") == MARKER_TEXT:
                os.link(current, self.temp / MARKER)  # unchanged: keep its inode
                return
        except (OSError, UnicodeError):
            pass
        (self.temp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")

    def _finish_tree(self) -> None:
        assert self.temp is not None
        self._write_marker()
        mtime = self.epoch
        for current, dirs, files in os.walk(self.temp):
            for name in files:
                path = os.path.join(current, name)
                os.chmod(path, FILE_MODE)
                if mtime is not None:
                    os.utime(path, (mtime, mtime))
            for name in dirs:
                os.chmod(os.path.join(current, name), DIR_MODE)
        os.chmod(self.temp, DIR_MODE)
        if mtime is not None:
            for current, dirs, _files in os.walk(self.temp, topdown=False):
                for name in dirs:
                    os.utime(os.path.join(current, name), (mtime, mtime))
            os.utime(self.temp, (mtime, mtime))

    def commit(self) -> None:
        """Swap the new tree in for the output folder and remove the old one."""
        assert self.temp is not None
        self._finish_tree()
        output = self.output
        if output.is_symlink() or (output.exists() and not output.is_dir()):
            raise UsageError(f"refusing to replace {output}: it is not a folder")
        if not output.exists():
            os.rename(self.temp, output)
        elif exchange(self.temp, output):
            shutil.rmtree(self.temp, ignore_errors=True)  # now holds the old site
        else:
            old = output.parent / f"{_old_prefix(output)}{os.getpid()}-{secrets.token_hex(4)}"
            os.rename(output, old)
            os.rename(self.temp, output)
            shutil.rmtree(old, ignore_errors=True)
        self.committed = True
        self.temp = None

    def discard(self) -> None:
        """Remove the temporary tree (the output folder is untouched)."""
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)
            self.temp = None


class SiteWriteFailed(OutputError):
    """The output tree could not be written (full disk, read-only folder); nothing changed."""


def _write_failure(output: Path, exc: OSError) -> str:
    what = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    return f"cannot write the site into {output}: {what}{where}; {output} left unchanged"


# --- one build at a time ------------------------------------------------------------------

LOCK_NAME = "build.lock"


class BuildLocked(OutputError):
    """Another smartdoc build holds this project's lock (exit 2)."""


def _open_lock(cache_dir: Path, output: Path) -> tuple[int, Path]:
    """Open (creating) the lock file: in the project's cache folder, else beside the output.

    Never through a symlink (`O_NOFOLLOW`): a link committed where the lock goes would make
    the build truncate and overwrite whatever it points at.
    """
    candidates = [cache_dir / LOCK_NAME, output.parent / f".{output.name}.smartdoc-lock"]
    failure: OSError | None = None
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
            return os.open(path, flags, 0o644), path
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputRefused(
                    f"{path}: the build lock is a symbolic link; remove it and build again"
                ) from None
            failure = exc
    assert failure is not None
    raise SiteWriteFailed(
        f"cannot create the build lock {candidates[0]}: {failure.strerror or failure}"
    )


@contextlib.contextmanager
def build_lock(cache_dir: Path, output: Path) -> Iterator[Path]:
    """Hold the project's build lock for the whole build; refuse at once if another holds it.

    Yields the lock file's path. Where `fcntl` is missing (Windows) builds are not locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield cache_dir / LOCK_NAME
        return
    descriptor, path = _open_lock(cache_dir, output)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            who = f"pid {holder}" if holder.isdigit() else "pid unknown"
            raise BuildLocked(
                f"another smartdoc build is running on this project ({who}); "
                "wait for it to finish, then build again"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        os.close(descriptor)  # closing drops the lock


def tree_digest(folder: Path) -> list[tuple[str, str]]:
    """Return (relative path, sha256) of every file under `folder`, sorted (for tests, tools)."""
    import hashlib

    found: list[tuple[str, str]] = []
    if not folder.exists():
        return found
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(current, name)
            mode = path.lstat().st_mode
            digest = (
                hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(mode) else "symlink"
            )
            found.append((path.relative_to(folder).as_posix(), digest))
    return found
