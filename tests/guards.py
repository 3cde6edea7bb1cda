"""Test guards: "nothing read outside", "no request made", "under a timeout", "nothing lost".

The hostile-input conventions of docs/testing.md, as helpers every hardening test shares:

- `recording_reads()`: an audit hook (`sys.addaudithook`) records every path this process
  opens (`open`) or lists (`os.listdir`, `os.scandir`) while recording is on. Audit hooks cannot
  be removed, so the hook is installed once, when this module is first imported, and costs
  one attribute test per event while recording is off. `outside(reads, allowed)` returns the
  recorded paths that resolve outside the allowed folders.
- `allowed_roots(project, *extra)`: the project, the given extra folders (an output folder
  outside the project and its parent, where smartdoc's temporary twin lives) and the
  installation: the standard library and site-packages (sysconfig), the smartdoc package and
  its built-in theme, and the font folders. Nothing else: not the home folder, not /etc (a
  couple of named, secret-free files excepted: see SYSTEM_FILES), not /proc, not /tmp at large.
- `LoopbackServer`: an HTTP server on 127.0.0.1 that records every TCP connection and
  request; a test asserts `.requests == []` and `.connections == 0`.
- `time_limit(seconds)`: raise `TimeLimitExceeded` in the main thread after `seconds`
  (SIGALRM), so an in-process build can never hang the suite.
- `tree_hash(folder)`: "nothing lost": sorted relative paths + sha256, plus any temporary
  build folder beside it.
- `descendants_alive(marker)`: processes (from /proc) whose environment carries `marker`.

Subprocess builds are not seen by the audit hook: tests that need "nothing read" use in-process
builds; PDF workers are jailed by `smartdoc.pdf_worker.JailedFetcher`, whose record of served
and refused URLs the PDF tests assert instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import signal
import sys
import sysconfig
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# --- the audit hook ---------------------------------------------------------------------------

_EVENTS = {"open": "open", "os.listdir": "list", "os.scandir": "list"}


class _Recorder:
    """Where the hook puts what it sees; `active` is None while recording is off."""

    active: list[tuple[str, str, str]] | None = None
    lock = threading.Lock()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    records = _Recorder.active
    if records is None or event not in _EVENTS:
        return
    path = args[0] if args else None
    if path is None or isinstance(path, int):  # an already open descriptor
        return
    try:
        text = os.fsdecode(path)
    except (TypeError, ValueError):
        return
    if not os.path.isabs(text):
        with contextlib.suppress(OSError):
            text = os.path.join(os.getcwd(), text)
    records.append((_EVENTS[event], text, threading.current_thread().name))


if not getattr(sys, "_smartdoc_test_audit_hook", False):
    sys.addaudithook(_hook)
    sys._smartdoc_test_audit_hook = True  # type: ignore[attr-defined]


@contextlib.contextmanager
def recording_reads() -> Iterator[list[tuple[str, str, str]]]:
    """Record (kind, absolute path, thread) of every open and folder listing in the block."""
    records: list[tuple[str, str, str]] = []
    with _Recorder.lock:
        previous, _Recorder.active = _Recorder.active, records
    try:
        yield records
    finally:
        with _Recorder.lock:
            _Recorder.active = previous


#: Font folders WeasyPrint and fontconfig read: public system data, no secrets.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts", "/var/cache/fontconfig")
#: Single system files the standard library reads on its own (mimetypes.init reads the MIME
#: tables); public, secret-free, and named one by one rather than allowing /etc.
SYSTEM_FILES = (
    "/etc/mime.types",
    "/etc/apache2/mime.types",
    "/etc/httpd/mime.types",
    "/etc/httpd/conf/mime.types",
    "/etc/apache/mime.types",
    "/usr/local/etc/httpd/conf/mime.types",
    "/usr/local/lib/netscape/mime.types",
    "/usr/local/etc/mime.types",
    # git runs (history rules) with stdin from /dev/null: it holds nothing to read
    "/dev/null",
)


def installation_roots() -> list[Path]:
    """Return the folders of the Python installation and of smartdoc itself."""
    from smartdoc.theme import theme_dir

    names = ("stdlib", "platstdlib", "purelib", "platlib")
    roots = {Path(sysconfig.get_paths()[name]) for name in names}
    import smartdoc

    roots.add(Path(smartdoc.__file__).parent)
    roots.add(theme_dir())
    roots.update(Path(folder) for folder in FONT_DIRS)
    return sorted({root.resolve() for root in roots})


def allowed_roots(project: Path, *extra: Path) -> list[Path]:
    """Return the folders a build of `project` may read: it, its own cache folder (outside
    the project, see smartdoc.cache), `extra` and the installation."""
    from smartdoc.cache import project_cache_dir

    own_cache = project_cache_dir(project)
    own_cache.mkdir(parents=True, exist_ok=True)  # resolve() needs it to exist
    return [
        project.resolve(),
        own_cache.resolve(),
        *(p.resolve() for p in extra),
        *installation_roots(),
    ]


def outside(records: Iterable[tuple[str, str, str]], allowed: Iterable[Path]) -> list[str]:
    """Return the recorded paths whose real location is in none of the `allowed` folders."""
    roots = list(allowed)
    found = []
    import_paths = {os.path.abspath(entry or ".") for entry in sys.path}
    for kind, path, _thread in records:
        if path in SYSTEM_FILES:
            continue
        if path in import_paths:  # the import system lists (or opens, a .zip) sys.path entries
            continue
        real = Path(os.path.realpath(path))
        lexical = Path(os.path.normpath(path))
        if not any(p.is_relative_to(root) for root in roots for p in (real, lexical)):
            found.append(f"{kind} {path}")
            continue
        if not any(real.is_relative_to(root) for root in roots):
            found.append(f"{kind} {path} (-> {real})")
    return sorted(set(found))


# --- a loopback server that must stay silent --------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    server: LoopbackServer

    def do_GET(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


class LoopbackServer(http.server.ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1:<free port> recording every connection and request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self.connections = 0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.connections += 1
        return True

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


# --- time -------------------------------------------------------------------------------------


class TimeLimitExceeded(BaseException):
    """A block ran past its time limit (BaseException: `except Exception` cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in this (main) thread once `seconds` have passed."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"over the time limit of {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- nothing lost -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeState:
    """An output folder's files (path, sha256) and the temporary build folders beside it."""

    files: tuple[tuple[str, str], ...]
    temporaries: tuple[str, ...] = field(default=())


def tree_hash(folder: Path) -> TreeState:
    """Return the state of `folder`: sorted relative paths + sha256, and leftover temp twins."""
    files: list[tuple[str, str]] = []
    if folder.exists():
        for current, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = Path(current, name)
                digest = (
                    "symlink -> " + os.readlink(path)
                    if path.is_symlink()
                    else hashlib.sha256(path.read_bytes()).hexdigest()
                )
                files.append((path.relative_to(folder).as_posix(), digest))
    parent = folder.parent
    prefixes = (f".{folder.name}.tmp-", f".{folder.name}.old-")
    temporaries = (
        sorted(p.name for p in parent.iterdir() if p.name.startswith(prefixes))
        if parent.is_dir()
        else []
    )
    return TreeState(tuple(files), tuple(temporaries))


# --- processes --------------------------------------------------------------------------------


def descendants_alive(marker: str) -> list[tuple[int, str]]:
    """Return (pid, command line) of live processes whose environment holds `marker`."""
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            if needle not in environ:
                continue
            status = (entry / "status").read_text()
            if "\nState:\tZ" in status:  # a zombie is dead; only its parent's wait is missing
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((int(entry.name), command.strip()))
    return found
