"""Stage 5, publish: a whole `smartdoc build` into an output folder, atomically.

`publish_site` holds the project's build lock, checks every plan, and either finds the site up
to date (same inputs as the build that wrote it, and every file as that build left it: nothing
to do) or builds into a staging folder beside the output (`smartdoc.site.publish.SiteWriter`)
and swaps it in only when nothing refuses the build. The last good site stays otherwise.

What the last publish into an output folder made is kept in the memo (`site` record): each
file's key, hash and inode/size/mtime, so the next build hard-links the unchanged ones. The
record is checked like any memo record: a path that is not a plain relative path, or a value
of the wrong type, throws the record away.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartdoc import __version__
from smartdoc.cache import (
    CACHE_FORMAT,
    DiskMemo,
    Memo,
    deps_unchanged,
    digest,
    project_cache_dir,
    stat_of,
    tree_fingerprint,
)
from smartdoc.config import Config
from smartdoc.lint.finding import Finding
from smartdoc.options import Options
from smartdoc.pipeline.check import (
    Checked,
    CheckedPlan,
    check_plans,
    finding_from_json,
    finding_to_json,
    is_project_path,
)
from smartdoc.pipeline.history import HistorySource
from smartdoc.pipeline.site import Output, SiteRequest, build_site, select_published
from smartdoc.site.publish import MARKER, SiteWriter, build_lock
from smartdoc.theme import theme_dir


@dataclass(frozen=True, slots=True)
class Published:
    """The outcome of `publish_site`."""

    checked: Checked
    #: The plans in the site (or that would have been), by slug.
    published: tuple[CheckedPlan, ...]
    #: Findings to report: lint (drafts left out excluded) and narrative.
    findings: tuple[Finding, ...]
    #: "built", "up-to-date", "refused" (findings or --strict PDF refusals) or "crashed".
    outcome: str
    pdf_warnings: tuple[str, ...] = ()
    #: Files in the site, and those written (not reused) this run.
    files: int = 0
    written: tuple[str, ...] = ()
    rendered: tuple[str, ...] = ()
    #: Cache records dropped as invalid (and worked out again) this run.
    cache_invalid: int = 0


@dataclass(frozen=True, slots=True)
class _LastBuild:
    inputs: str | None
    outputs: dict[str, Output]
    stats: dict[str, list[int]]
    image_deps: dict[str, str | None]
    narrative: tuple[Finding, ...] = field(default_factory=tuple)


def _read_last_build(record: Any) -> _LastBuild:
    """Return a site record's content; ValueError when anything in it is not sound."""
    if not isinstance(record, dict):
        raise ValueError("a site record is a mapping")
    inputs, outputs = record.get("inputs"), record.get("outputs")
    image_deps, narrative = record.get("image_deps"), record.get("narrative")
    if not (inputs is None or isinstance(inputs, str)) or not isinstance(outputs, dict):
        raise ValueError("site record fields of the wrong type")
    if not isinstance(image_deps, dict) or not isinstance(narrative, list):
        raise ValueError("site record fields of the wrong type")
    made, stats = {}, {}
    for rel, value in outputs.items():
        if not is_project_path(rel) or not isinstance(value, list) or len(value) != 3:
            raise ValueError(f"site record output not a plain path: {rel!r}")
        key, sha, info = value
        stat_ok = isinstance(info, list) and len(info) == 3
        if not (key is None or isinstance(key, str)) or not isinstance(sha, str) or not stat_ok:
            raise ValueError("site record output of the wrong type")
        if not all(isinstance(n, int) for n in info):
            raise ValueError("site record stat of the wrong type")
        made[rel], stats[rel] = Output(key, sha), info
    for rel, sha in image_deps.items():
        if not is_project_path(rel) or not (sha is None or isinstance(sha, str)):
            raise ValueError("site record dependency outside the project")
    findings = tuple(finding_from_json(item) for item in narrative)
    return _LastBuild(inputs, made, stats, dict(image_deps), findings)


def site_matches(output: Path, stats: Mapping[str, list[int]]) -> bool:
    """Return whether the site holds exactly the recorded files, each as it was written."""
    if output.is_symlink() or not output.is_dir():
        return False
    found = 0
    for current, _dirs, files in os.walk(output):
        for name in files:
            rel = Path(current, name).relative_to(output).as_posix()
            if rel == MARKER:
                continue  # written by the SiteWriter into every site, not an output
            if rel not in stats or stat_of(Path(current, name)) != stats[rel]:
                return False
            found += 1
    return found == len(stats)


def _inputs_digest(
    config: Config, options: Options, request: SiteRequest, checked: Checked, output: Path
) -> str | None:
    """Return the hash of every input of a build, or None when one cannot be hashed."""
    if any(plan.key is None for plan in checked.plans):
        return None
    fonts = ""
    if request.with_pdf:
        from smartdoc import pdf

        fonts = digest(pdf.get_fonts_fingerprint(), pdf.weasyprint_version())
    return digest(
        CACHE_FORMAT,
        __version__,
        str(output),
        request,
        options.today.isoformat(),
        options.as_of is not None,
        options.epoch,
        config.model_dump_json(),
        tree_fingerprint([theme_dir(), config.root / config.templates_dir]),
        fonts,
        [(p.rel_path, p.key, sorted(p.data_files.items())) for p in checked.plans],
    )


def _read_record(memo: Memo, key: str) -> _LastBuild | None:
    record = memo.get("site", key)
    if record is None:
        return None
    try:
        return _read_last_build(record)
    except ValueError:
        memo.forget("site", key)
        return None


def publish_site(
    config: Config,
    options: Options,
    request: SiteRequest,
    output: Path,
    *,
    history: HistorySource | None = None,
    state_root: Path | None = None,
) -> Published:
    """Build the site into `output`, atomically; the last good site stays on any refusal.

    `state_root` is the project whose cache and build lock the build uses (the real project
    when `config.root` is a snapshot of `--at`).
    """
    cache_dir = project_cache_dir(state_root or config.root)
    with build_lock(cache_dir, output):
        memo = DiskMemo(cache_dir)
        published = _publish(config, options, request, output, memo, history)
        # said once by the command: records that failed their checks were worked out again
        return dataclasses.replace(published, cache_invalid=memo.invalid)


def _publish(
    config: Config,
    options: Options,
    request: SiteRequest,
    output: Path,
    memo: DiskMemo,
    history: HistorySource | None,
) -> Published:
    """Check, render and swap in the site under the build lock (see `publish_site`)."""
    site_key = digest("site", str(output))
    last = _read_record(memo, site_key)
    checked = check_plans(config, options, memo=memo, keep_loaded=True, history=history)
    published, left_out = select_published(checked, request.drafts)
    plans = tuple(published)
    inputs = _inputs_digest(config, options, request, checked, output)
    if (
        last is not None
        and inputs is not None
        and last.inputs == inputs
        and not checked.crashes
        and deps_unchanged(config.root, last.image_deps)
        and site_matches(output, last.stats)
    ):
        lint = [f for f in checked.findings if f.plan not in left_out]
        findings = tuple(sorted([*lint, *last.narrative]))
        return Published(checked, plans, findings, "up-to-date", files=len(last.stats))
    with SiteWriter(output, epoch=options.epoch, previous=last.stats if last else {}) as writer:
        result = build_site(
            config,
            options,
            request,
            memo=memo,
            sink=writer,
            previous=last.outputs if last else {},
            checked=checked,
        )
        if result.crashes:
            return Published(checked, plans, result.findings, "crashed")
        if result.refused or (request.strict and result.pdf_warnings):
            return Published(checked, plans, result.findings, "refused", result.pdf_warnings)
        writer.commit()
    memo.put(
        "site",
        site_key,
        {
            "inputs": inputs,
            "outputs": {
                rel: [out.key, out.sha, stat_of(output / rel)]
                for rel, out in sorted(result.outputs.items())
            },
            "image_deps": dict(result.image_deps),
            "narrative": [finding_to_json(f) for f in result.narrative],
        },
    )
    memo.finish()
    return Published(
        checked,
        plans,
        result.findings,
        "built",
        result.pdf_warnings,
        files=len(result.outputs),
        written=result.written,
        rendered=result.rendered,
    )
