"""The HTTP side of `smartdoc serve`: serve one in-memory site snapshot, and nothing else.

The site is a dict of relative path -> bytes, made by the build's rendering stage; no request
ever touches the file system, so `..`, percent-encoded traversal and symlinks cannot reach
anything outside the built site. Requests are refused when:

- the Host header is not the address served (`localhost`, `127.0.0.1`, `[::1]` or the bound
  host, with the port): 400, against DNS rebinding;
- the path has a `.` or `..` segment (raw or percent-encoded), a backslash, a NUL, or bytes
  that are not UTF-8: 404; so is any path that is not a file of the site.

HTML responses get two things injected just before `</body>` (never into built files): a
small live-reload script that listens on `/__smartdoc/events` (Server-Sent Events) and
reloads the page when the build number changes, and, while the latest edit does not build,
an overlay listing its findings (`file:line:col: CODE message`, HTML-escaped).
`/__smartdoc/state` returns the build number, whether it built, and the findings, as JSON.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

EVENTS_PATH = "/__smartdoc/events"
STATE_PATH = "/__smartdoc/state"
#: Seconds between keep-alive comments on an open event stream.
HEARTBEAT_SECONDS = 15.0
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")

#: Errors that mean the client went away (closed the tab, reloaded, timed out).
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".webp": "image/webp",
    ".avif": "image/avif",
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What is served: the last good site, and the outcome of the latest build."""

    #: Increases with every build attempt; open pages reload when it changes.
    build: int
    #: The last site that built (relative path -> bytes); empty before the first good build.
    files: dict[str, bytes] = field(default_factory=dict)
    #: Whether the latest build has nothing that would stop `smartdoc build`.
    ok: bool = True
    #: When it has: one line per problem, `file:line:col: CODE message`.
    problems: tuple[str, ...] = ()
    #: True when `files` is the latest build, made despite its problems; False when it is the
    #: last good site because the latest build made nothing.
    partial: bool = False


class SiteState:
    """The snapshot being served; threads wait here for the next one."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._snapshot = Snapshot(build=0, ok=False, problems=("building the site…",))
        self.closing = False

    @property
    def snapshot(self) -> Snapshot:
        """Return the current snapshot."""
        with self._condition:
            return self._snapshot

    def publish(self, snapshot: Snapshot) -> None:
        """Serve a new snapshot and wake the event streams."""
        with self._condition:
            self._snapshot = snapshot
            self._condition.notify_all()

    def wait_for_change(self, build: int, timeout: float) -> Snapshot:
        """Return the snapshot once its build number differs from `build` (or on timeout)."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._snapshot.build != build or self.closing, timeout=timeout
            )
            return self._snapshot

    def is_closing(self) -> bool:
        """Return whether the server is stopping (set by another thread)."""
        return self.closing

    def close(self) -> None:
        """End every event stream."""
        with self._condition:
            self.closing = True
            self._condition.notify_all()


# --- pure helpers ----------------------------------------------------------------------------


def format_host(host: str) -> str:
    """Return a host as it appears in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def is_loopback(host: str) -> bool:
    """Return whether a bind host only accepts connections from this machine."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """Return the Host header values accepted for a server bound to host:port."""
    names = {*LOOPBACK_NAMES, format_host(host).lower()}
    if host in WILDCARD_HOSTS:
        for name in (socket.gethostname(), socket.getfqdn()):
            if name:
                names.add(name.lower())
    accepted = {f"{name}:{port}" for name in names}
    if port == 80:
        accepted |= names
    return frozenset(accepted)


def is_allowed_host(header: str | None, allowed: frozenset[str], host: str) -> bool:
    """Return whether a request's Host header names this server."""
    if not header:
        return False
    value = header.strip().lower()
    if value in allowed:
        return True
    if host not in WILDCARD_HOSTS:
        return False
    # bound to every interface: any IP literal of this machine, with our port
    name, _, port = value.rpartition(":")
    if not name or not any(a.endswith(f":{port}") for a in allowed):
        return False
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def site_path(url_path: str) -> str | None:
    """Return the site-relative file a URL path names, or None if it is refused.

    `/` and `/folder/` name `index.html` in them. Percent-encoding is decoded once; `.`
    and `..` segments, backslashes, NUL and bytes that are not UTF-8 are refused.
    """
    if not url_path.startswith("/"):
        return None
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts):
        return None
    if any(part == "" for part in parts[:-1]):  # "//": no such folder in a site
        return None
    rel = "/".join(parts)
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def content_type(rel_path: str) -> str:
    """Return the Content-Type of a site file."""
    suffix = "." + rel_path.rsplit(".", 1)[-1].lower() if "." in rel_path else ""
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(rel_path)
    return guessed or "application/octet-stream"


def reload_script(build: int) -> str:
    """Return the live-reload script for a page served from build `build`."""
    return (
        '<script id="smartdoc-live-reload">(function(){'
        f"var built={build};"
        "if(!window.EventSource){return;}"
        f'var s=new EventSource("{EVENTS_PATH}");'
        "s.onmessage=function(e){var d=JSON.parse(e.data);"
        "if(d.build!==built){s.close();location.reload();}};"
        "})();</script>"
    )


def overlay(problems: tuple[str, ...], *, partial: bool = False) -> str:
    """Return the overlay that lists why the latest edit does not build (escaped)."""
    lines = "\n".join(html.escape(line) for line in problems)
    headline = (
        "smartdoc serve: `smartdoc build` would refuse this site; pages show what they can."
        if partial
        else "smartdoc serve: the latest edit does not build; showing the last good pages."
    )
    return (
        '<div id="smartdoc-overlay" role="alert" style="position:fixed;left:1rem;right:1rem;'
        "bottom:1rem;max-height:60vh;overflow:auto;z-index:2147483647;background:#fff4f4;"
        "color:#5c0011;border:2px solid #b3001b;border-radius:6px;padding:1rem;"
        'font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 4px 24px #0005">'
        '<button type="button" onclick="this.parentNode.remove()" style="float:right">'
        "Close</button>"
        f"<strong>{html.escape(headline)}</strong>"
        f'<pre style="white-space:pre-wrap;margin:.75rem 0 0">{lines}</pre></div>'
    )


def inject(page: bytes, snapshot: Snapshot) -> bytes:
    """Return an HTML page with the reload script (and the overlay, if failing) added."""
    problems = "" if snapshot.ok else overlay(snapshot.problems, partial=snapshot.partial)
    extra = problems + reload_script(snapshot.build)
    data = extra.encode("utf-8")
    index = page.lower().rfind(b"</body>")
    if index < 0:
        return page + data
    return page[:index] + data + page[index:]


def fallback_page(title: str, message: str) -> bytes:
    """Return a bare page for 404s and for a site that has not built yet."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">Portfolio</a></p></main></body></html>\n'
    ).encode()


# --- the server ------------------------------------------------------------------------------


class DevServer(ThreadingHTTPServer):
    """A threading HTTP server that knows the site state and the addresses it answers to."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, state: SiteState, *, verbose: bool = False) -> None:
        self.address_family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        super().__init__((host.strip("[]"), port), RequestHandler)
        self.state = state
        self.verbose = verbose
        self.bind_host = host.strip("[]")
        self.allowed = allowed_hosts(self.bind_host, self.server_address[1])

    @property
    def port(self) -> int:
        """Return the port listened on (the chosen one when asked for port 0)."""
        return int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing when a client hangs up mid-answer; one line (no traceback) otherwise.

        A browser that reloads or closes a tab drops its connection while a page or PDF is
        still being sent: that is normal, not a server error (socketserver would print a
        full traceback for it).
        """
        error = sys.exc_info()[1]
        if isinstance(error, _DISCONNECTS):
            return
        where = format_host(str(client_address[0])) if client_address else "a client"
        name = type(error).__name__ if error is not None else "error"
        print(f"smartdoc serve: error answering {where}: {name}: {error}", file=sys.stderr)


class RequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the in-memory site; no directory listings, no file system."""

    server: DevServer
    server_version = "smartdoc-serve"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer(head=False)

    def do_HEAD(self) -> None:
        """Answer a HEAD."""
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Log requests only with --verbose."""
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        *,
        head: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _text(self, status: int, message: str, *, head: bool) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", head=head)

    def _answer(self, *, head: bool) -> None:
        server = self.server
        if not is_allowed_host(self.headers.get("Host"), server.allowed, server.bind_host):
            self._text(400, "400 Bad Request: unknown Host header", head=head)
            return
        if not self.path.startswith("/"):  # absolute-form targets: we are no proxy
            self._text(400, "400 Bad Request", head=head)
            return
        url_path = urlsplit(self.path).path
        if url_path == EVENTS_PATH and not head:
            self._events()
            return
        snapshot = server.state.snapshot
        if url_path == STATE_PATH:
            document = {
                "build": snapshot.build,
                "ok": snapshot.ok,
                "problems": list(snapshot.problems),
            }
            self._send(200, json.dumps(document).encode("utf-8"), "application/json", head=head)
            return
        rel = site_path(url_path)
        if rel is not None and rel in snapshot.files:
            body = snapshot.files[rel]
            kind = content_type(rel)
            if kind.startswith("text/html"):
                body = inject(body, snapshot)
            self._send(200, body, kind, head=head)
            return
        if rel is not None and f"{rel}/index.html" in snapshot.files:
            self._send(301, b"", "text/plain", head=head, extra={"Location": url_path + "/"})
            return
        if not snapshot.files:
            page = fallback_page(
                "The site has not built yet",
                "Fix the problems listed below; this page reloads by itself.",
            )
            self._send(503, inject(page, snapshot), _TYPES[".html"], head=head)
            return
        page = fallback_page("Page not found", f"There is no {url_path} in the site.")
        self._send(404, inject(page, snapshot), _TYPES[".html"], head=head)

    def _events(self) -> None:
        """Stream the build number as Server-Sent Events until the client or server leaves."""
        state = self.server.state
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        build = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not state.is_closing():
                snapshot = state.wait_for_change(build, HEARTBEAT_SECONDS)
                if state.is_closing():
                    break
                if snapshot.build != build:
                    build = snapshot.build
                    message = json.dumps({"build": build, "ok": snapshot.ok})
                    self.wfile.write(f"data: {message}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return
