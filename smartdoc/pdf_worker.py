"""Render one PDF in a worker process: the only module that imports WeasyPrint.

`smartdoc.pdf` sends plain dicts here through a process pool and gets plain dicts back, so
the build process never loads WeasyPrint (docs/architecture.md: "heavy imports load only when
needed"). Resources go through `JailedFetcher`: `data:` URLs and regular files whose real
path is inside one of the allowed folders (the project root, the built-in theme); every
other URL is refused and recorded. Attachments (`<link rel=attachment>`, `<a
rel=attachment>`) are never embedded. WeasyPrint's log is captured and returned.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import select
import signal
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: WeasyPrint's logger; its records are captured, never printed.
LOGGER_NAME = "weasyprint"


class Refused(ValueError):
    """A resource the jail does not serve (WeasyPrint catches it and skips the resource)."""


class JailedFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
    """Serve `data:` URLs and regular files inside `roots`; refuse and record the rest."""

    def __init__(self, roots: list[tuple[str, str]]) -> None:
        super().__init__(
            timeout=1,
            allowed_protocols=("data", "file"),
            allow_redirects=False,
            fail_on_errors=False,
        )
        #: (label, real folder) pairs; label names the folder in cache records.
        self.roots = [(label, os.path.realpath(folder)) for label, folder in roots]
        #: (url, reason) of every refused resource, in the order asked.
        self.refused: list[tuple[str, str]] = []
        #: (root label, path relative to it, sha256) of every file served.
        self.served: list[tuple[str, str, str]] = []
        self._locked: str | None = None

    def lock(self, reason: str) -> None:
        """Refuse every later request (layout is done: anything after is an attachment)."""
        self._locked = reason

    def refuse(self, url: str, reason: str) -> Refused:
        """Record a refusal and return the exception that tells WeasyPrint."""
        self.refused.append((url, reason))
        return Refused(f"refused by smartdoc: {reason}")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if self._locked is not None:
            raise self.refuse(url, self._locked)
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise self.refuse(url, f"{scheme or 'relative'} URLs are not fetched")
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self.refuse(url, "file URL on another host")
        path = urllib.request.url2pathname(parts.path)
        real = os.path.realpath(path)
        inside = [
            (label, folder)
            for label, folder in self.roots
            if real == folder or real.startswith(folder + os.sep)
        ]
        if not inside:
            linked = any(
                os.path.normpath(path).startswith(folder + os.sep) for _, folder in self.roots
            )
            raise self.refuse(url, "links outside the project" if linked else "outside the project")
        if not os.path.isfile(real):
            raise self.refuse(url, "not a regular file" if os.path.exists(real) else "missing")
        with open(real, "rb") as stream:
            data = stream.read()
        label, folder = inside[0]
        rel = os.path.relpath(real, folder).replace(os.sep, "/")
        self.served.append((label, rel, hashlib.sha256(data).hexdigest()))
        content_type = mimetypes.guess_type(real)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": content_type})


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _captured_log() -> Iterator[_Capture]:
    logger = logging.getLogger(LOGGER_NAME)
    handler = _Capture()
    saved = logger.handlers[:], logger.propagate
    logger.handlers = [handler]
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.handlers, logger.propagate = saved


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread after `seconds`."""
    if not seconds:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _drop_local_links(document: Any, fetcher: JailedFetcher) -> None:
    """Remove links to local files (a relative href resolved against the project folder).

    They would write a path of this machine into the PDF and point nowhere for a reader.
    Attachments stay listed: the locked fetcher refuses them, so WeasyPrint embeds nothing.
    """
    for page in document.pages:
        kept = []
        for link in page.links:
            link_type, target = link[0], link[1]
            if link_type == "external" and str(target).lower().startswith("file:"):
                fetcher.refused.append((str(target), "links to local files are dropped"))
                continue
            kept.append(link)
        page.links = kept


def render_job(job: dict[str, Any]) -> dict[str, Any]:
    """Render `job` (name, html, base_url, roots, epoch, timeout); return the PDF and notes."""
    os.environ["SOURCE_DATE_EPOCH"] = str(job["epoch"])  # fontTools stamps subset fonts
    fetcher = JailedFetcher([tuple(root) for root in job["roots"]])
    result: dict[str, Any] = {"name": job["name"], "pdf": None, "error": None}
    with _captured_log() as log:
        try:
            with _deadline(job.get("timeout")):
                document = HTML(
                    string=job["html"], base_url=job["base_url"], url_fetcher=fetcher
                ).render()
                fetcher.lock("attachments are not embedded")
                _drop_local_links(document, fetcher)
                identifier = hashlib.sha256(job["html"].encode("utf-8")).hexdigest()[:32]
                result["pdf"] = document.write_pdf(pdf_identifier=identifier.encode("ascii"))
        except TimeoutError:
            result["error"] = f"took longer than {job['timeout']:g} s; not made"
        except Exception as exc:  # noqa: BLE001 - reported per PDF, the other PDFs go on
            result["error"] = f"{type(exc).__name__}: {exc}"
    result["refused"] = fetcher.refused
    result["served"] = fetcher.served
    result["log"] = log.messages
    return result


def init_worker(build_pid: int) -> None:
    """Set up a worker process: leave Ctrl-C to the build, and end when the build is gone.

    A worker is a child of the pool's fork server, not of the build, and it holds a copy of
    the pipe the fork server watches to learn that the build ended: without this, a killed
    build leaves the fork server and idle workers waiting for each other forever (issue 15).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    threading.Thread(
        target=_exit_with, args=(build_pid,), name="exit-with-build", daemon=True
    ).start()


def _exit_with(build_pid: int) -> None:
    """Wait for the build process to end, then end this worker at once."""
    try:
        handle = os.pidfd_open(build_pid)  # Linux: wait without polling, no pid reuse race
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:  # pragma: no cover - systems without pidfd
        while _is_alive(build_pid):
            time.sleep(0.5)
    os._exit(1)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def warm_up() -> bool:
    """Return True once WeasyPrint is loaded (a no-op task that starts a worker early)."""
    return Path(__file__).is_file()
