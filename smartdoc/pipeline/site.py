"""Stages 2-4, site: score and render every published plan, then the portfolio, then PDFs.

`build_site` is the one path from checked plans to a site; `smartdoc build` (a staging folder
on disk), `smartdoc serve` (memory) and `make bench` differ only in the `SiteSink` they pass
and the memo they keep. Nothing is held for the whole site: each output goes to the sink as
soon as it is made, and what the index, `plans.json` and the roll-ups need of a plan is its
small `PlanSummary`.

Each output has a key, the hash of everything it is made from. When the previous build wrote
an output with the same key, the sink reuses that file (a hard link on disk) instead of the
output being made again; a plan whose page, summary and PDF are all current is not even
parsed. `build_site` refuses (returns `refused`) before rendering when findings fail the run,
except in preview (`serve`), which renders every plan it can and shows the broken ones'
findings in their place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from smartdoc import __version__
from smartdoc.cache import (
    CACHE_FORMAT,
    Memo,
    deps_unchanged,
    digest,
    file_sha,
    project_cache_dir,
    template_closure,
    tree_fingerprint,
)
from smartdoc.config import Config
from smartdoc.discover import check_slug
from smartdoc.errors import SmartdocError
from smartdoc.lint.finding import Finding, fails
from smartdoc.options import Options
from smartdoc.pipeline.check import (
    Checked,
    CheckedPlan,
    check_plans,
    finding_from_json,
    finding_to_json,
    is_project_path,
)
from smartdoc.pipeline.render import PlanWork, RenderJob, plan_history, render_all
from smartdoc.site.pages import (
    PAGE_TEMPLATES,
    PlanSummary,
    SiteRenderer,
    get_asset_files,
    get_schema_json,
)
from smartdoc.theme import theme_dir

PRINT_TEMPLATES = ("print/scorecard.html", "print/portfolio.html")
HANDOUT = "pdf/handout.pdf"


@dataclass(frozen=True, slots=True)
class SiteRequest:
    """What a site build makes, beyond the options every command shares."""

    base_url: str | None
    drafts: bool
    with_pdf: bool
    strict: bool
    #: `smartdoc serve`: render what can be rendered even when findings fail the run.
    preview: bool = False


@dataclass(frozen=True, slots=True)
class Output:
    """One file of a site: the key it was made from (None: not reusable by key) and its hash."""

    key: str | None
    sha: str


class SiteSink(Protocol):
    """Where a build's files go as they are made: a staging folder, or memory."""

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        """Write one file of the new site."""

    def copy_file(self, rel_path: str, source: Path) -> None:
        """Copy a project file into the new site."""

    def reuse(self, rel_path: str) -> bool:
        """Take the previous site's file as it is; False when it cannot be trusted or taken."""

    def read_bytes(self, rel_path: str) -> bytes:
        """Return a file of the new site (written or reused this run)."""


class MemorySite:
    """A site in memory (`smartdoc serve`, `make bench`): relative path -> bytes."""

    def __init__(self, previous: Mapping[str, bytes] | None = None) -> None:
        #: The previous build's files, which `reuse` takes as they are.
        self.previous = previous or {}
        self.files: dict[str, bytes] = {}

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        self.files[rel_path] = data

    def copy_file(self, rel_path: str, source: Path) -> None:
        self.files[rel_path] = source.read_bytes()

    def reuse(self, rel_path: str) -> bool:
        data = self.previous.get(rel_path)
        if data is None:
            return False
        self.files[rel_path] = data
        return True

    def read_bytes(self, rel_path: str) -> bytes:
        return self.files[rel_path]


@dataclass(frozen=True, slots=True)
class SiteResult:
    """What `build_site` did."""

    checked: Checked
    #: The plans published, by slug.
    published: tuple[CheckedPlan, ...]
    #: Findings of the run: lint (draft plans left out of the build excluded) and narrative.
    findings: tuple[Finding, ...]
    #: True when findings refuse the build (nothing should be published).
    refused: bool
    #: Every file now in the sink.
    outputs: Mapping[str, Output] = field(default_factory=dict)
    #: Outputs rendered this run, and every file written (the others were reused).
    rendered: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    #: Findings the narratives raised (E120), also in `findings`.
    narrative: tuple[Finding, ...] = ()
    #: Refused PDF resources and WeasyPrint's warnings, one line each.
    pdf_warnings: tuple[str, ...] = ()
    #: Project files (images) the site was made from, with their hashes.
    image_deps: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def crashes(self) -> tuple[str, ...]:
        """Return one line per plan whose check crashed."""
        return self.checked.crashes


def select_published(checked: Checked, drafts: bool) -> tuple[list[CheckedPlan], set[str]]:
    """Return (plans to publish, by slug; slugs of draft plans left out of the build)."""
    published, left_out = [], set()
    for plan in checked.plans:
        if not plan.readable:
            continue
        if plan.draft and not drafts:
            left_out.add(plan.slug)
        else:
            published.append(plan)
    return sorted(published, key=lambda p: p.slug), left_out


class _Outputs:
    """The files a build puts into its sink, made only when the previous one cannot serve."""

    def __init__(self, sink: SiteSink, previous: Mapping[str, Output]) -> None:
        self.sink = sink
        self.previous = previous
        self.made: dict[str, Output] = {}
        #: Outputs made by rendering this run, and every file written (not reused).
        self.rendered: list[str] = []
        self.written: list[str] = []

    def is_current(self, rel: str, key: str | None) -> bool:
        """Return whether the previous build wrote `rel` from the same key."""
        old = self.previous.get(rel)
        return key is not None and old is not None and old.key == key

    def reuse(self, rel: str, key: str | None) -> bool:
        """Take the previous file of `rel` when it was made from the same key."""
        if self.is_current(rel, key) and self.sink.reuse(rel):
            self.made[rel] = self.previous[rel]
            return True
        return False

    def write(self, rel: str, key: str | None, data: bytes) -> None:
        """Write a file made this run (the previous file when its bytes are the same)."""
        sha = hashlib.sha256(data).hexdigest()
        self.made[rel] = Output(key, sha)
        self.rendered.append(rel)
        old = self.previous.get(rel)
        if old is not None and old.sha == sha and self.sink.reuse(rel):
            return  # same bytes: keep the file (and its inode) the site already has
        self.sink.write_bytes(rel, data)
        self.written.append(rel)

    def read(self, rel: str) -> bytes:
        """Return a file already in the new site (made or reused this run)."""
        return self.sink.read_bytes(rel)

    def adopt(self, rel: str, output: Output, written: bool) -> None:
        """Record a file a render worker put into the sink (written, or the old one kept)."""
        self.made[rel] = output
        self.rendered.append(rel)
        if written:
            self.written.append(rel)

    def emit(self, rel: str, key: str | None, make: Callable[[], bytes]) -> None:
        """Reuse the previous file of the same key, else make and write it."""
        if not self.reuse(rel, key):
            self.write(rel, key, make())

    def emit_copy(self, rel: str, source: Path) -> None:
        """Reuse the previous copy when the source has the same bytes, else copy it."""
        sha = file_sha(source)
        if sha is None:
            raise SmartdocError(f"{source}: cannot read a file of the site")
        old = self.previous.get(rel)
        if old is not None and old.sha == sha and self.sink.reuse(rel):
            self.made[rel] = old
            return
        self.sink.copy_file(rel, source)
        self.made[rel] = Output(None, sha)
        self.written.append(rel)


def _templates_key(renderer: SiteRenderer, names: Sequence[str], fallback: str) -> dict[str, str]:
    keys = {}
    for name in names:
        closure = template_closure(renderer.env, name)
        keys[name] = digest(closure if closure is not None else fallback)
    return keys


def _print_settings(
    config: Config, options: Options, renderer: SiteRenderer
) -> tuple[str, int, str | None]:
    """Return the page size, creation time and link base of the scorecards."""
    from smartdoc import pdf

    return config.pdf.page_size, pdf.get_epoch(options.today, options.epoch), renderer.base_url


def _cached_part(memo: Memo, key: str | None, plan: CheckedPlan, root: Path) -> _PlanPart | None:
    """Return what the memo holds of a plan's rendering, when it is sound and current."""
    record = memo.get("plan", key) if key is not None else None
    if record is None or key is None:
        return None
    try:
        part = _read_plan_record(record, plan, root)
    except ValueError:
        memo.forget("plan", key)
        return None
    return part if deps_unchanged(root, part.deps) else None


@dataclass(frozen=True, slots=True)
class _PlanPart:
    """What the site needs of a plan that is not rendered again (from its memo record)."""

    summary: PlanSummary
    findings: tuple[Finding, ...]
    copies: dict[str, Path]
    deps: dict[str, str | None]


def _read_plan_record(record: Any, plan: CheckedPlan, root: Path) -> _PlanPart:
    """Return a plan record's content; ValueError when anything in it is not sound."""
    if not isinstance(record, dict):
        raise ValueError("a plan record is a mapping")
    summary = PlanSummary.from_json(record.get("summary"))
    if summary.slug != plan.slug:
        raise ValueError("summary of another plan")
    findings = record.get("findings")
    copies, deps = record.get("copies"), record.get("deps")
    if not isinstance(findings, list) or not isinstance(copies, dict) or not isinstance(deps, dict):
        raise ValueError("plan record fields of the wrong type")
    checked_copies = {}
    for site_rel, project_rel in copies.items():
        if not (is_project_path(site_rel) and site_rel.startswith("media/")):
            raise ValueError(f"copy to an unexpected place: {site_rel!r}")
        if not is_project_path(project_rel):
            raise ValueError(f"copy from outside the project: {project_rel!r}")
        source = (root / project_rel).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            raise ValueError(f"copy from outside the project: {project_rel!r}")
        checked_copies[site_rel] = source
    for rel in deps:
        if not is_project_path(rel):
            raise ValueError(f"dependency outside the project: {rel!r}")
    return _PlanPart(
        summary,
        tuple(finding_from_json(item, plan.source) for item in findings),
        checked_copies,
        dict(deps),
    )


def build_site(
    config: Config,
    options: Options,
    request: SiteRequest,
    *,
    memo: Memo,
    sink: SiteSink,
    previous: Mapping[str, Output] | None = None,
    checked: Checked | None = None,
) -> SiteResult:
    """Check (unless given), score, render and write a whole site into `sink`."""
    previous = previous or {}
    checked = checked or check_plans(config, options, memo=memo, keep_loaded=True)
    published, left_out = select_published(checked, request.drafts)
    findings = [f for f in checked.findings if f.plan not in left_out]
    if not request.preview and (checked.crashes or fails(findings, request.strict)):
        return SiteResult(checked, tuple(published), tuple(findings), refused=True)
    for plan in published:
        check_slug(plan.rel_path, plan.slug)

    root = config.root.resolve()
    renderer = SiteRenderer(
        config,
        options.today,
        base_url=request.base_url,
        with_pdf=request.with_pdf,
        slugs=[p.slug for p in published],
    )
    templates_fp = tree_fingerprint([theme_dir(), config.root / config.templates_dir])
    render_global = digest(
        CACHE_FORMAT,
        __version__,
        str(config.root),
        config.model_dump_json(),
        options.today.isoformat(),
        request.base_url,
        request.drafts,
        request.with_pdf,
        [p.slug for p in published],
    )
    template_keys = _templates_key(renderer, PAGE_TEMPLATES, templates_fp)
    outputs = _Outputs(sink, previous)
    summaries: list[PlanSummary] = []
    narrative: list[Finding] = []
    plan_keys: dict[str, str | None] = {}
    pdf_keys: dict[str, str | None] = {}
    image_deps: dict[str, str | None] = {}
    pdf_base = _pdf_base(renderer, config, options, templates_fp) if request.with_pdf else ""

    # 1. what the last build made that is still good; the rest is rendered below
    works: list[PlanWork] = []
    parts: dict[str, _PlanPart] = {}
    for plan in published:
        # findings are in the key: another plan can change them (rules that compare plans)
        history = plan_history(checked.history, plan.slug)
        plan_key = (
            digest(
                render_global,
                plan.key,
                sorted(plan.data_files.items()),
                [finding_to_json(f) for f in plan.findings],
                history.fingerprint() if history is not None else None,
            )
            if plan.key
            else None
        )
        part = _cached_part(memo, plan_key, plan, root)
        page_rel, pdf_rel = f"{plan.slug}.html", f"pdf/{plan.slug}.pdf"
        page_key = digest(plan_key, template_keys["plan.html"]) if plan_key else None
        page_done = part is not None and outputs.reuse(page_rel, page_key)
        pdf_key = digest(plan_key, pdf_base) if plan_key and request.with_pdf else None
        pdf_done = not request.with_pdf or (part is not None and outputs.reuse(pdf_rel, pdf_key))
        plan_keys[plan.slug] = plan_key
        pdf_keys[pdf_rel] = pdf_key
        if part is not None and page_done and pdf_done:
            parts[plan.slug] = part
        else:
            works.append(PlanWork(plan, page_key, not page_done, not pdf_done))

    # 2. render the others, across cores when there are many; pages go to the sink at once
    job = RenderJob(
        renderer,
        config,
        options,
        checked,
        sink,
        {rel: out.sha for rel, out in previous.items()},
        _print_settings(config, options, renderer) if request.with_pdf else None,
    )
    scorecards: dict[str, str] = {}
    for work, outcome in zip(works, render_all(job, works), strict=True):
        plan, key = work.plan, plan_keys[work.plan.slug]
        if key is not None and not outcome.record["findings"]:  # warnings may hang on files
            memo.put("plan", key, outcome.record)
        else:
            plan_keys[plan.slug] = pdf_keys[f"pdf/{plan.slug}.pdf"] = None
        parts[plan.slug] = _read_plan_record(outcome.record, plan, root)
        if work.write_page and outcome.page_sha is not None:
            page_key = work.page_key if plan_keys[plan.slug] is not None else None
            outputs.adopt(
                f"{plan.slug}.html", Output(page_key, outcome.page_sha), outcome.page_written
            )
        if outcome.scorecard_html is not None:
            scorecards[plan.slug] = outcome.scorecard_html

    # 3. in plan order: images, summaries, narrative findings
    for plan in published:
        part = parts[plan.slug]
        for site_rel, source in sorted(part.copies.items()):
            outputs.emit_copy(site_rel, source)
        summaries.append(part.summary)
        narrative.extend(part.findings)
        image_deps.update(part.deps)

    if request.preview:
        # serve: a plan that cannot be read keeps the last page it had (the overlay says why),
        # or, new or never readable, gets a page of its findings
        for plan in checked.plans:
            rel = f"{plan.slug}.html"
            if plan.readable or plan.crash is not None or plan.slug in renderer.slugs:
                continue
            if not sink.reuse(rel):
                html = renderer.render_problems_page(plan.slug, plan.rel_path, plan.findings)
                outputs.write(rel, None, html.encode("utf-8"))

    # the index and plans.json change only when a summary does (not on a narrative edit)
    all_keys = None if None in plan_keys.values() else digest([s.to_json() for s in summaries])
    outputs.emit(
        "index.html",
        digest(render_global, template_keys["index.html"], all_keys) if all_keys else None,
        lambda: renderer.render_index(summaries).encode("utf-8"),
    )
    outputs.emit(
        "plans.json",
        digest(render_global, all_keys) if all_keys else None,
        lambda: renderer.get_plans_json(summaries).encode("utf-8"),
    )
    outputs.emit(
        "rules.html",
        digest(render_global, template_keys["rules.html"]),
        lambda: renderer.render_rules_page().encode("utf-8"),
    )
    outputs.emit("schema.json", digest(__version__), lambda: get_schema_json().encode("utf-8"))
    for rel, source in sorted(get_asset_files(config).items()):
        outputs.emit_copy(rel, source)

    findings = sorted([*findings, *narrative])
    refused = not request.preview and fails(findings, request.strict)
    pdf_warnings: tuple[str, ...] = ()
    # under --strict PDFs are still tried when only warnings fail, so one run names every
    # refused URL along with the findings (docs/testing.md, hostile-input row 7)
    if request.with_pdf and published and not fails(findings, False):
        handout_key = (
            None
            if None in pdf_keys.values() or all_keys is None
            else digest(pdf_base, sorted(pdf_keys.items()), all_keys)
        )
        pdf_warnings = _render_pdfs(
            config,
            options,
            renderer,
            published,
            summaries,
            scorecards,
            pdf_keys,
            handout_key,
            outputs,
        )
    return SiteResult(
        checked,
        tuple(published),
        tuple(findings),
        refused=refused,
        outputs=dict(outputs.made),
        rendered=tuple(outputs.rendered),
        written=tuple(outputs.written),
        narrative=tuple(narrative),
        pdf_warnings=pdf_warnings,
        image_deps=image_deps,
    )


def _pdf_base(renderer: SiteRenderer, config: Config, options: Options, fallback: str) -> str:
    """Return what every PDF's key holds: print templates, fonts, versions, page set-up."""
    from smartdoc import pdf

    return digest(
        _templates_key(renderer, PRINT_TEMPLATES, fallback),
        pdf.get_fonts_fingerprint(),
        pdf.weasyprint_version(),
        options.epoch,
        config.pdf.page_size,
        renderer.base_url,
    )


def _render_pdfs(
    config: Config,
    options: Options,
    renderer: SiteRenderer,
    published: Sequence[CheckedPlan],
    summaries: Sequence[PlanSummary],
    scorecards: Mapping[str, str],
    pdf_keys: Mapping[str, str | None],
    handout_key: str | None,
    outputs: _Outputs,
) -> tuple[str, ...]:
    """Make the scorecards that could not be reused, then the handout from their pages."""
    from smartdoc import pdf, pdf_handout

    epoch = pdf.get_epoch(options.today, options.epoch)
    base_url = pdf.get_base_url(config.root)
    cache_dir = project_cache_dir(config.root) / pdf.CACHE_DIR
    jobs = [
        pdf.PdfJob(f"pdf/{plan.slug}.pdf", plan.slug, scorecards[plan.slug], base_url, epoch)
        for plan in published
        if f"pdf/{plan.slug}.pdf" not in outputs.made
    ]
    warnings: list[str] = []

    def make(batch: list[pdf.PdfJob]) -> dict[str, bytes]:
        result = pdf.render_pdfs(
            batch, root=config.root, workers=options.jobs, strict=False, cache_dir=cache_dir
        )
        warnings.extend(result.warnings)
        if result.failed:
            raise SmartdocError("PDFs could not be made: " + ", ".join(result.failed))
        return result.written

    for name, data in make(jobs).items():
        outputs.write(name, pdf_keys[name], data)
    if outputs.reuse(HANDOUT, handout_key):
        return tuple(warnings)
    sections = [
        pdf_handout.Section(str(s.card.get("title") or s.slug), outputs.read(f"pdf/{s.slug}.pdf"))
        for s in summaries
    ]
    print_context = pdf.get_print_context(
        kind="handout",
        page_size=config.pdf.page_size,
        epoch=epoch,
        link_base=renderer.base_url,
    )
    portfolio = renderer.get_portfolio(summaries)

    def make_front(contents: list[dict[str, Any]]) -> bytes:
        html = pdf_handout.get_front_html(
            renderer.env,
            site=renderer.site,
            plans=[s.card for s in summaries],
            portfolio=portfolio,
            contents=contents,
            print_context=print_context,
        )
        return make([pdf.PdfJob(HANDOUT, "all plans", html, base_url, epoch)])[HANDOUT]

    front = pdf_handout.lay_out_front(sections, make_front)
    title = f"{config.site_name} · Scorecards"
    outputs.write(
        HANDOUT, handout_key, pdf_handout.assemble(front, sections, epoch=epoch, title=title)
    )
    return tuple(warnings)
