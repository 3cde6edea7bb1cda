"""PDF scorecards (one per plan) and the handout's front: HTML in, PDF bytes out.

Two steps, both plain data:

1. `get_scorecard_html` renders `print/scorecard.html` (styled by `print/print.css`) with
   the build's one Jinja environment and the same plan data as the site page; the handout's
   front is `print/portfolio.html` (`smartdoc.pdf_handout`, which also joins the pages).
2. `render_pdfs` turns `PdfJob`s into PDF bytes in a pool of worker processes
   (`smartdoc.pdf_worker`, the only module that imports WeasyPrint) and returns them; the
   caller writes them (the build, into its staging folder).

Safety (docs/pdf.md): the workers' URL fetcher serves `data:` URLs and regular files whose
real path is inside the project root or the built-in theme. Anything else (`file:` outside,
`../` escapes, symlinks out, `http(s):`, attachments) is refused, and each refusal is a
warning naming the PDF, the plan and the URL; `strict=True` turns them into one error
(exit 1) after every PDF was tried. WeasyPrint's own log is captured into the warnings.

Speed: a PDF is re-made only when its cache key changes: the hash of its HTML (the print
stylesheet is inlined), the WeasyPrint and smartdoc versions, the installed font files and
the creation date; a cached PDF is also re-made when a file it loaded changed. The cache is
`pdf/` in the project's cache folder, outside the project (`smartdoc.cache`): `<key>.pdf`
plus `<key>.json` with the files loaded and the warnings, which a cache hit reports again;
it keeps the PDFs of the last run only, and a record that is not as written is ignored.

Reproducible: the creation date is `SOURCE_DATE_EPOCH` when set, else midnight UTC of the
"as of" day, written as `<meta name="dcterms.created">` and given to the workers as
`SOURCE_DATE_EPOCH` (fontTools stamps subset fonts with it), so the same inputs give the
same bytes. Links to local files are dropped, so no machine path reaches a PDF.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from smartdoc import __version__
from smartdoc.errors import SmartdocError

#: Bump when the cache record or the worker output changes meaning.
CACHE_FORMAT = 1
#: The PDF cache's folder inside the project's cache folder (`smartdoc.cache`).
CACHE_DIR = "pdf"
#: Seconds one PDF may take before it is given up.
DEFAULT_TIMEOUT = 120.0
#: Jobs a worker process renders before it is replaced (bounds WeasyPrint's memory growth).
MAX_TASKS_PER_CHILD = 25
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")


class PdfRefused(SmartdocError):
    """Under --strict, a PDF refused a resource or could not be made (exit 1)."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class PdfJob:
    """One PDF to make: plain data, so it crosses to a worker process as it is."""

    name: str
    """Output path relative to the site folder: `pdf/<slug>.pdf`, `pdf/handout.pdf`."""
    plan: str
    """The plan it shows (its slug), or `all plans` for the handout: named in warnings."""
    html: str
    """The complete HTML document, print stylesheet inlined."""
    base_url: str
    """The folder relative URLs resolve against: the project root."""
    epoch: int
    """Creation time in seconds since 1970 (SOURCE_DATE_EPOCH)."""


@dataclass(slots=True)
class PdfResult:
    """What `render_pdfs` made."""

    written: dict[str, bytes] = field(default_factory=dict)
    """Job name -> PDF bytes, for every PDF made or taken from the cache."""
    warnings: list[str] = field(default_factory=list)
    """Refused resources, WeasyPrint's log and failures, one line each, in job order."""
    rerendered: list[str] = field(default_factory=list)
    """Names of the PDFs rendered this run (the others came from the cache)."""
    failed: list[str] = field(default_factory=list)
    """Names of the PDFs that could not be made (timeout, crash); not in `written`."""


# --- HTML ----------------------------------------------------------------------------------


def get_epoch(today: dt.date, epoch: int | None) -> int:
    """Return the creation time: SOURCE_DATE_EPOCH (`epoch`), else midnight UTC of `today`."""
    if epoch is not None:
        return epoch
    return int(dt.datetime(today.year, today.month, today.day, tzinfo=dt.timezone.utc).timestamp())


def get_print_context(
    *, kind: str, page_size: str, epoch: int, link_base: str | None, id_prefix: str = ""
) -> dict[str, Any]:
    """Return the `print` variable of the print templates."""
    created = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
    return {
        "kind": kind,
        "page_size": page_size,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "link_base": link_base.rstrip("/") + "/" if link_base else None,
        "id_prefix": id_prefix,
    }


def scorecard_id_prefix(slug: str) -> str:
    """Return the prefix of every anchor of a plan's scorecard: unique per plan, so that the
    scorecards' pages can share one handout without two plans naming the same place."""
    return "p-" + _UNSAFE_ID.sub("-", slug) + "-"


def get_scorecard_html(
    env: Any,
    *,
    site: Mapping[str, Any],
    plan: Mapping[str, Any],
    page_size: str = "A4",
    epoch: int,
    link_base: str | None = None,
) -> str:
    """Return the HTML of one plan's scorecard (`print/scorecard.html`)."""
    context = get_print_context(
        kind="scorecard",
        page_size=page_size,
        epoch=epoch,
        link_base=link_base,
        id_prefix=scorecard_id_prefix(str(plan["slug"])),
    )
    return str(env.get_template("print/scorecard.html").render(site=site, plan=plan, print=context))


def get_base_url(root: Path) -> str:
    """Return the folder relative URLs of print HTML resolve against: the project root."""
    return str(root.resolve()) + os.sep


# --- cache ---------------------------------------------------------------------------------


def weasyprint_version() -> str:
    """Return the installed WeasyPrint version without importing it."""
    try:
        return importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def get_fonts_fingerprint(dirs: Sequence[str] = FONT_DIRS) -> str:
    """Return a hash of the installed font files (path, size, mtime): fonts change PDFs."""
    digest = hashlib.sha256()
    for folder in dirs:
        base = os.path.expanduser(folder)
        for current, subdirs, files in os.walk(base):
            subdirs.sort()
            for name in sorted(files):
                path = os.path.join(current, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def get_cache_key(job: PdfJob, *, root: Path, fonts: str) -> str:
    """Return the hash a PDF is cached under."""
    base = os.path.relpath(job.base_url, root) if os.path.isabs(job.base_url) else job.base_url
    parts = [
        CACHE_FORMAT,
        __version__,
        weasyprint_version(),
        fonts,
        job.name,
        job.plan,
        base,
        job.epoch,
        hashlib.sha256(job.html.encode("utf-8")).hexdigest(),
    ]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _read_cached(
    cache_dir: Path, key: str, roots: Mapping[str, Path]
) -> tuple[bytes, dict[str, Any]] | None:
    """Return (pdf, record) when cached and every file it loaded is unchanged."""
    try:
        record = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
        pdf = (cache_dir / f"{key}.pdf").read_bytes()
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("format") != CACHE_FORMAT:
        return None
    served, refused, log = record.get("served"), record.get("refused"), record.get("log")
    if not (isinstance(served, list) and isinstance(refused, list) and isinstance(log, list)):
        return None
    if not all(isinstance(line, str) for line in log) or not all(
        isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        for item in refused
    ):
        return None
    if not (record.get("error") is None or isinstance(record.get("error"), str)):
        return None
    for item in served:
        if not (
            isinstance(item, list) and len(item) == 3 and all(isinstance(v, str) for v in item)
        ):
            return None
        label, rel, sha = item
        folder = roots.get(label)
        parts = rel.split("/")
        if folder is None or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            return None
        if _file_sha256(folder / rel) != sha:
            return None
    return pdf, record


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _write_cached(cache_dir: Path, key: str, pdf: bytes, record: dict[str, Any]) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(cache_dir / f"{key}.pdf", pdf)
        _write_atomic(
            cache_dir / f"{key}.json",
            json.dumps({"format": CACHE_FORMAT, **record}, sort_keys=True).encode(),
        )
    except OSError:
        pass  # the cache only saves time; a read-only project still builds


def _prune_cache(cache_dir: Path, keep: set[str]) -> None:
    try:
        for entry in cache_dir.iterdir():
            if entry.suffix in (".pdf", ".json") and entry.stem not in keep:
                entry.unlink(missing_ok=True)
    except OSError:
        pass  # no cache folder, or a read-only one


# --- rendering -----------------------------------------------------------------------------


def _shown_url(url: str, root: Path) -> str:
    """Return a refused URL as the user wrote it where possible (relative to the project)."""
    if not url.lower().startswith("file:"):
        return url
    import urllib.parse
    import urllib.request

    path = os.path.normpath(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
    relative = os.path.relpath(path, root)
    if relative.startswith(os.pardir + os.sep + os.pardir):  # far outside: the URL says more
        return url
    return relative.replace(os.sep, "/")


def get_warnings(job: PdfJob, record: Mapping[str, Any], root: Path) -> list[str]:
    """Return the warning lines of one PDF: refused URLs, WeasyPrint's log, a failure."""
    where = f"{job.name} (plan {job.plan})" if job.plan != "all plans" else job.name
    lines = [
        f"{where}: refused {_shown_url(url, root)}: {reason}"
        for url, reason in record.get("refused", [])
    ]
    refused_urls = [url for url, _ in record.get("refused", [])]
    for message in record.get("log", []):
        if not any(url in message for url in refused_urls) and "refused by smartdoc" not in message:
            lines.append(f"{where}: weasyprint: {message}")
    if record.get("error"):
        lines.append(f"{where}: PDF not made: {record['error']}")
    return lines


def _init_worker(build_pid: int) -> None:
    """Set up a worker process (runs there, so WeasyPrint loads there only)."""
    from smartdoc import pdf_worker

    pdf_worker.init_worker(build_pid)


def _render_in_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """Render one payload; runs in a worker, so WeasyPrint loads there only."""
    from smartdoc import pdf_worker

    return pdf_worker.render_job(payload)


def _mp_context() -> multiprocessing.context.BaseContext:
    """Return a start method that allows max_tasks_per_child (not fork)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # workers fork from a server that loaded WeasyPrint once (it takes ~1 s to import)
        context.set_forkserver_preload(["smartdoc.pdf_forkserver"])
        return context
    return multiprocessing.get_context("spawn")


def _is_interactive(stream: TextIO) -> bool:
    if os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _progress(stream: TextIO, done: int, total: int) -> None:
    width = 24
    filled = width * done // max(total, 1)
    stream.write(f"\rPDFs [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        stream.write("\n")
    stream.flush()


def _run_pool(
    payloads: list[dict[str, Any]],
    workers: int,
    timeout: float | None,
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """Render payloads in worker processes; call `on_done` with each result."""
    # each worker enforces its own deadline; this one only catches a hung worker
    deadlines = [p["timeout"] for p in payloads]
    overall = (
        None if not timeout or None in deadlines else sum(deadlines) / workers + max(deadlines) + 30
    )
    recycle: dict[str, Any] = {}
    if sys.version_info >= (3, 11):  # max_tasks_per_child is new in 3.11
        recycle["max_tasks_per_child"] = MAX_TASKS_PER_CHILD
    executor = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(os.getpid(),),
        **recycle,
    )
    # No signal is blocked around the start of the pool: the fork server and the workers
    # would inherit the mask and outlive a SIGTERM (issue 15). They ignore Ctrl-C instead
    # (smartdoc.pdf_forkserver), and this process stops them on any interruption below.
    futures: dict[concurrent.futures.Future[dict[str, Any]], dict[str, Any]] = {}
    try:
        futures = {executor.submit(_render_in_worker, p): p for p in payloads}
        for future in concurrent.futures.as_completed(futures, timeout=overall):
            payload = futures[future]
            try:
                on_done(future.result())
            except Exception as exc:  # noqa: BLE001 - a dead worker fails its PDF only
                on_done(
                    {
                        "name": payload["name"],
                        "pdf": None,
                        "refused": [],
                        "served": [],
                        "log": [],
                        "error": f"worker failed: {type(exc).__name__}: {exc}",
                    }
                )
    except concurrent.futures.TimeoutError:
        for future, payload in futures.items():
            if not future.done():
                future.cancel()
                on_done(
                    {
                        "name": payload["name"],
                        "pdf": None,
                        "refused": [],
                        "served": [],
                        "log": [],
                        "error": "worker hung; not made",
                    }
                )
        # the executor has no public way to stop a running task: end its processes
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
    except BaseException:  # Ctrl-C, SIGTERM: stop the workers now, leave no process behind
        for future in futures:
            future.cancel()
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def render_pdfs(
    jobs: Sequence[PdfJob],
    *,
    root: Path,
    cache_dir: Path | None = None,
    workers: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    strict: bool = False,
    progress: bool | None = None,
    theme: Path | None = None,
) -> PdfResult:
    """Make every job's PDF (from the cache when unchanged); return bytes and warnings.

    `workers` defaults to the number of cores; `progress` None shows a bar on a terminal
    only. With `strict`, any warning raises PdfRefused once every PDF was tried.
    """
    from smartdoc.theme import theme_dir

    root = root.resolve()
    roots = {"project": root, "theme": (theme or theme_dir()).resolve()}
    if cache_dir is None:
        from smartdoc.cache import project_cache_dir

        cache_dir = project_cache_dir(root) / CACHE_DIR
    workers = max(1, workers or os.cpu_count() or 1)
    fonts = get_fonts_fingerprint()
    result = PdfResult()
    records: dict[str, dict[str, Any]] = {}
    keys = {job.name: get_cache_key(job, root=root, fonts=fonts) for job in jobs}

    to_render: list[PdfJob] = []
    for job in jobs:
        cached = _read_cached(cache_dir, keys[job.name], roots)
        if cached is None:
            to_render.append(job)
            continue
        result.written[job.name], records[job.name] = cached

    if to_render:
        stream = sys.stderr
        show = _is_interactive(stream) if progress is None else progress
        done = 0
        payloads = [
            {
                "name": job.name,
                "html": job.html,
                "base_url": job.base_url,
                "epoch": job.epoch,
                "timeout": timeout,
                "roots": [(label, str(folder)) for label, folder in roots.items()],
            }
            # longest first, so the largest scorecard does not start last with one core busy
            for job in sorted(to_render, key=lambda job: len(job.html), reverse=True)
        ]

        def finished(output: dict[str, Any]) -> None:
            nonlocal done
            name = output["name"]
            record = {key: output.get(key) or [] for key in ("refused", "served", "log")}
            record["error"] = output.get("error")
            records[name] = record
            if output.get("pdf") is not None:
                result.written[name] = output["pdf"]
                _write_cached(cache_dir, keys[name], output["pdf"], {**record, "name": name})
            done += 1
            if show:
                _progress(stream, done, len(payloads))

        _run_pool(payloads, min(workers, len(payloads)), timeout, finished)
        result.rerendered = [job.name for job in to_render]

    made = result.written
    result.written = {job.name: made[job.name] for job in jobs if job.name in made}  # job order
    for job in jobs:
        result.warnings.extend(get_warnings(job, records.get(job.name, {}), root))
        if job.name not in made:
            result.failed.append(job.name)
    _prune_cache(cache_dir, {keys[name] for name in result.written})
    if strict and result.warnings:
        raise PdfRefused("PDFs refused (--strict):\n  " + "\n  ".join(result.warnings))
    return result
