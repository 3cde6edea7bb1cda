"""`smartdoc serve`: preview the site, rebuilding it and reloading open pages on every change.

- The site is built **in memory** by the build's own pipeline (`smartdoc.pipeline`: the same
  `check_plans` and `build_site`, with a memory sink and a memo kept between rebuilds, so an
  edit re-renders only what it changed), never into `site/`: nothing on disk changes.
  PDFs are rendered only with `--pdf`; drafts are shown (with the theme's banner) unless
  `--no-drafts`.
- It watches, with `watchfiles`, the plans folder, the project's templates folder, the
  built-in theme, the folders of measurements CSV files outside the plans folder, and the
  project root itself (not recursively) for `smartdoc.yml`. Any change rebuilds the **whole**
  site: a build of a few plans takes well under a second, and a whole build can never
  serve a page that is stale against another.
- It previews what it can: a plan with error findings still gets its page (the findings are
  on it); a plan that cannot be read keeps the last page it had, or, when it never had one
  (the skeleton `smartdoc new` writes), gets a page of its findings; and every page carries
  an overlay listing what would stop `smartdoc build`. A build that fails as a whole (a broken
  template, a bad config) keeps the last good pages served, with the overlay. Pages reload
  by themselves (see `smartdoc.serve_http`).
- It binds 127.0.0.1:8000 unless `-a/--dev-addr HOST:PORT` says otherwise (port 0 picks a
  free port); an address other than loopback is served only with a printed warning.
- Ctrl-C (or SIGTERM) stops it: the server, the event streams and the watcher threads are
  stopped, and the exit code is 0.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

import click

from smartdoc.cache import MemoryMemo
from smartdoc.config import CONFIG_NAMES, Config, load_config
from smartdoc.errors import SmartdocError, UsageError
from smartdoc.options import Options
from smartdoc.pipeline.check import check_plans
from smartdoc.pipeline.history import HistorySource
from smartdoc.pipeline.site import MemorySite, Output, SiteRequest, build_site
from smartdoc.serve_http import DevServer, SiteState, Snapshot, format_host, is_loopback
from smartdoc.theme import theme_dir

DEFAULT_ADDR = "127.0.0.1:8000"
#: Folder names in watched trees that never hold sources.
IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".smartdoc_cache",
        "node_modules",
        ".venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)


def parse_dev_addr(text: str) -> tuple[str, int]:
    """Return (host, port) of `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`."""
    value = text.strip()
    if value.isdigit():
        host, port_text = "127.0.0.1", value
    elif value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = value.rpartition(":")
        host = host or "127.0.0.1"
        if ":" in host:
            raise UsageError(f"--dev-addr {text}: write an IPv6 address in brackets: [::1]:8000")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise UsageError(f"--dev-addr {text}: expected HOST:PORT, e.g. 127.0.0.1:8000")
    return host, int(port_text)


def finding_line(finding: Any) -> str:
    """Return a finding as the overlay shows it: `file:line:col: CODE message`."""
    return f"{finding.file}:{finding.line}:{finding.column}: {finding.code} {finding.message}"


def _problem_of(exc: BaseException) -> str:
    """Return one line for a failure of the build itself (config, template, usage)."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if type(exc).__module__.startswith("jinja2") and name:
        where = f"{name}:{line}" if line else str(name)
        return f"{where}: template error: {getattr(exc, 'message', None) or exc}"
    if isinstance(exc, SmartdocError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


@dataclasses.dataclass(frozen=True, slots=True)
class BuildResult:
    """One in-memory build."""

    #: The site built (None: nothing could be built; the last good pages stay served).
    files: dict[str, bytes] | None
    #: What stops `smartdoc build` from publishing: one line per error, or the failure.
    problems: tuple[str, ...]
    config: Config
    watched_dirs: tuple[Path, ...]
    data_files: frozenset[Path]
    plans: int = 0


class Preview:
    """Builds the site in memory and hands each result to the server's state."""

    def __init__(
        self, config: Config, options: Options, *, pdf: bool, drafts: bool, state: SiteState
    ) -> None:
        self.config = config
        self.options = options
        self.pdf = pdf
        self.drafts = drafts
        self.state = state
        self.build_number = 0
        self.good_files: dict[str, bytes] = {}
        self.outputs: dict[str, Output] = {}
        self.memo = MemoryMemo()
        self.watched_dirs: tuple[Path, ...] = ()
        self.data_files: frozenset[Path] = frozenset()
        self.paths_changed = threading.Event()
        self._lock = threading.Lock()

    # -- building ----------------------------------------------------------------------------

    def _reload_config(self) -> Config:
        if self.options.config_file is not None:
            return load_config(self.options.config_file)
        return load_config(None, start=self.config.root)

    def build(self) -> BuildResult:
        """Check and render every plan that can be rendered; never raises on a broken plan.

        A plan with error findings still gets its page (its findings are listed on it); a plan
        that cannot be read gets a page of its findings. What would stop `smartdoc build` is
        returned as problems, which the server shows over every page.
        """
        config = self.config
        try:
            config = self._reload_config()
        except SmartdocError as exc:
            return BuildResult(None, (str(exc),), config, self.watched_dirs, self.data_files)
        watched = self._dirs_to_watch(config, theme_dir(), ())
        data_files: frozenset[Path] = frozenset()
        try:
            checked = check_plans(
                config,
                self.options,
                memo=self.memo,
                keep_loaded=True,
                history=HistorySource(config.root),
            )
            data_files = frozenset(
                (config.root / name).absolute()
                for plan in checked.plans
                for name in plan.data_files
            )
            watched = self._dirs_to_watch(config, theme_dir(), data_files)
            request = SiteRequest(
                base_url=config.site_url,
                drafts=self.drafts,
                with_pdf=self.pdf,
                strict=False,
                preview=True,
            )
            sink = MemorySite(previous=self.good_files)
            result = build_site(
                config,
                self.options,
                request,
                memo=self.memo,
                sink=sink,
                previous=self.outputs,
                checked=checked,
            )
        except Exception as exc:
            if os.environ.get("SMARTDOC_DEBUG"):
                raise
            return BuildResult(None, (_problem_of(exc),), config, watched, data_files)
        self.outputs = dict(result.outputs)
        self.memo.finish()
        problems = tuple(finding_line(f) for f in result.findings if f.severity == "error")
        problems += result.crashes
        return BuildResult(
            sink.files, problems, config, watched, data_files, plans=len(result.published)
        )

    @staticmethod
    def _dirs_to_watch(config: Config, theme: Path, data_files: Iterable[Path]) -> tuple[Path, ...]:
        """Return the folders watched recursively (the project root is watched on its own)."""
        root = config.root.absolute()
        candidates = [config.plans_path, config.root / config.templates_dir, theme]
        candidates += [path.parent for path in data_files]
        chosen: list[Path] = []
        for folder in candidates:
            folder = folder.absolute()
            if folder == root or folder.is_symlink() or not folder.is_dir():
                continue  # the root is watched without recursion, for smartdoc.yml
            if any(folder.is_relative_to(other) for other in chosen):
                continue
            chosen = [other for other in chosen if not other.is_relative_to(folder)]
            chosen.append(folder)
        return tuple(sorted(chosen))

    def rebuild(self, reason: str = "") -> Snapshot:
        """Build, publish the outcome to the server, say what happened; return the snapshot."""
        with self._lock:
            started = time.perf_counter()
            result = self.build()
            self.config = result.config
            self.build_number += 1
            if result.files is not None:
                self.good_files = result.files
            snapshot = Snapshot(
                build=self.build_number,
                files=self.good_files,
                ok=not result.problems,
                problems=result.problems,
                partial=result.files is not None,
            )
            self.state.publish(snapshot)
            if result.watched_dirs != self.watched_dirs:
                self.watched_dirs = result.watched_dirs
                self.paths_changed.set()
            self.data_files = result.data_files
            self._report(result, reason, time.perf_counter() - started)
            return snapshot

    def _report(self, result: BuildResult, reason: str, seconds: float) -> None:
        why = f" after a change to {reason}" if reason else ""
        if result.files is None:
            kept = "the last good pages" if self.good_files else "no pages yet"
            click.echo(f"smartdoc serve: the site does not build{why}; serving {kept}:", err=True)
            for line in result.problems:
                click.echo(f"  {line}", err=True)
            return
        if not self.options.quiet:
            plural = "s" if result.plans != 1 else ""
            click.echo(
                f"smartdoc serve: built {result.plans} plan{plural}{why} in {seconds:.2f} s",
                err=True,
            )
        if result.problems:
            click.echo(
                f"smartdoc serve: the site does not build{why} (`smartdoc build` would refuse "
                "it); pages show what they can:",
                err=True,
            )
            for line in result.problems:
                click.echo(f"  {line}", err=True)

    # -- watching ----------------------------------------------------------------------------

    def is_relevant(self, path: str, *, in_root: bool) -> bool:
        """Return whether a changed path is a source of the site."""
        changed = Path(path)
        config = self.config
        root = config.root.absolute()
        if in_root:  # the project root, watched alone: config files, data and source folders
            if changed.parent != root:
                return False
            return (
                changed.name in CONFIG_NAMES
                or changed in self.data_files
                or changed.name
                in {Path(config.plans_dir).parts[0], Path(config.templates_dir).parts[0]}
            )
        site = config.site_path.absolute()
        if changed == site or changed.is_relative_to(site):
            return False
        parts = set(changed.parts)
        if parts & IGNORED_DIRS:
            return False
        name = changed.name
        return not (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp")))

    def on_changes(self, changes: Iterable[tuple[Any, str]], *, in_root: bool) -> None:
        """Rebuild when a watched change touched a source."""
        paths = sorted(
            {path for _, path in changes if self.is_relevant(path, in_root=in_root)},
            key=lambda path: (not Path(path).exists(), path),
        )
        if not paths:
            return
        root = self.config.root.absolute()
        shown = [os.path.relpath(p, root) if Path(p).is_relative_to(root) else p for p in paths]
        reason = shown[0] + (f" (and {len(shown) - 1} more)" if len(shown) > 1 else "")
        self.rebuild(reason)


class _Either:
    """A stop flag for watchfiles: set when any of the events is."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class Watcher(threading.Thread):
    """A thread that watches some folders and calls back on each batch of changes."""

    def __init__(
        self,
        name: str,
        paths: Callable[[], tuple[Path, ...]],
        on_changes: Callable[[Iterable[tuple[Any, str]]], None],
        *,
        recursive: bool,
        stop: threading.Event,
        restart: threading.Event | None = None,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.paths = paths
        self.on_changes = on_changes
        self.recursive = recursive
        self.stop = stop
        self.restart = restart or threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        import watchfiles

        while not self.stop.is_set():
            self.restart.clear()
            paths = [p for p in self.paths() if p.is_dir()]
            if not paths:
                self.ready.set()
                _ = self.restart.wait(0.5) or self.stop.wait(0.5)
                continue
            try:
                changes_seen = watchfiles.watch(
                    *paths,
                    stop_event=_Either(self.stop, self.restart),
                    recursive=self.recursive,
                    raise_interrupt=False,
                    debounce=800,
                    step=50,
                    rust_timeout=1000,
                    yield_on_timeout=True,
                    ignore_permission_denied=True,
                    watch_filter=None,
                )
                for changes in changes_seen:
                    self.ready.set()
                    if changes:
                        self.on_changes(changes)
            except (OSError, RuntimeError) as exc:
                click.echo(
                    f"smartdoc serve: watching {', '.join(map(str, paths))} failed: "
                    f"{exc}; retrying",
                    err=True,
                )
                self.stop.wait(1.0)


def _warn_if_exposed(host: str, port: int) -> None:
    if is_loopback(host):
        return
    click.echo(
        f"smartdoc serve: WARNING: serving on {format_host(host)}:{port}, which other machines "
        "can reach. This is a preview server for your own use: anyone who can reach it can "
        "read every plan, drafts included. Use 127.0.0.1 unless you mean it.",
        err=True,
    )


def run(
    config: Config,
    options: Options,
    *,
    dev_addr: str = DEFAULT_ADDR,
    pdf: bool = False,
    drafts: bool = True,
    open_browser: bool = False,
) -> int:
    """Serve the site with live reload until Ctrl-C; return 0."""
    host, port = parse_dev_addr(dev_addr)
    _warn_if_exposed(host, port)
    state = SiteState()
    try:
        server = DevServer(host, port, state, verbose=options.verbose)
    except OSError as exc:
        raise UsageError(
            f"cannot serve on {format_host(host)}:{port}: {exc.strerror or exc}"
        ) from None

    stop = threading.Event()
    previous_handlers: dict[signal.Signals, Any] = {}

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    watchers: list[Watcher] = []
    try:
        if threading.current_thread() is threading.main_thread():
            # SIGINT too: a shell starting us in the background may have set it to ignored
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous_handlers[signum] = signal.signal(signum, interrupt)
        preview = Preview(config, options, pdf=pdf, drafts=drafts, state=state)
        preview.rebuild()
        root = preview.config.root.absolute()
        watchers = [
            Watcher(
                "smartdoc-watch-sources",
                lambda: preview.watched_dirs,
                lambda changes: preview.on_changes(changes, in_root=False),
                recursive=True,
                stop=stop,
                restart=preview.paths_changed,
            ),
            Watcher(
                "smartdoc-watch-root",
                lambda: (root,),
                lambda changes: preview.on_changes(changes, in_root=True),
                recursive=False,
                stop=stop,
            ),
        ]
        for watcher in watchers:
            watcher.start()
        # say "serving" only once the watchers see changes: an edit made right after the
        # message is then never missed (on a busy machine the first pass can take seconds)
        for watcher in watchers:
            watcher.ready.wait(timeout=30)
        url = (
            f"http://{format_host(host if host not in ('', '0.0.0.0', '::') else '127.0.0.1')}"
            f":{server.port}/"
        )
        click.echo(
            f"smartdoc serve: serving {url} (Ctrl-C to stop); rebuilding on changes "
            "to plans, data, templates and smartdoc.yml",
            err=True,
        )
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        state.close()
        server.server_close()
        for watcher in watchers:
            watcher.join(timeout=5)
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
    click.echo("smartdoc serve: stopped", err=True)
    return 0
