"""Rendering the plans whose outputs are stale, in this process or across cores.

`build_site` decides, per plan, whether its page (and scorecard) can be reused from the last
build; the plans left are rendered here, each page written into the sink as soon as it is
made. With many plans and more than one job, the work is split into chunks across forked
worker processes: they inherit the loaded plans and the site renderer (nothing is pickled on
the way in), write their pages straight into the staging folder, and send back only what the
site needs of each plan (its memo record, its page's hash, its scorecard HTML). Results come
back in plan order, so output is the same whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from smartdoc.config import Config
from smartdoc.options import Options
from smartdoc.pipeline.check import Checked, CheckedPlan, finding_to_json, reload
from smartdoc.pipeline.history import HistoryOutcome
from smartdoc.site.goalposts import PlanHistory
from smartdoc.site.pages import RenderedPlan, SiteRenderer

#: Below this many plans to render, starting worker processes costs more than it saves.
PARALLEL_MIN_PLANS = 16


class Sink(Protocol):
    """The part of a SiteSink rendering needs."""

    def write_bytes(self, rel_path: str, data: bytes) -> None: ...
    def reuse(self, rel_path: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class PlanWork:
    """A plan to render, and which of its outputs are wanted."""

    plan: CheckedPlan
    #: The page's key (None: not reusable by key), and whether the page must be written.
    page_key: str | None
    write_page: bool
    #: Whether its scorecard's HTML is wanted (its PDF could not be reused).
    scorecard: bool


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """What rendering one plan gave back."""

    #: The plan's memo record (summary, narrative findings, copies, image hashes).
    record: Mapping[str, Any]
    #: The page's hash when it was made this run, and whether new bytes were written.
    page_sha: str | None
    page_written: bool
    #: The scorecard's HTML, when wanted (the PDF could not be reused).
    scorecard_html: str | None


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Everything a worker needs, inherited across fork."""

    renderer: SiteRenderer
    config: Config
    options: Options
    checked: Checked
    sink: Sink
    #: The previous build's page hashes (a page with the same bytes is reused, not written).
    previous_sha: Mapping[str, str]
    #: Print settings for scorecards: page size, creation time, link base; None without PDFs.
    print_settings: tuple[str, int, str | None] | None


def plan_record(rendered: RenderedPlan, root: Path) -> dict[str, Any]:
    """Return the memo record of a rendered plan."""
    from smartdoc.cache import file_sha

    copies = {
        rel: path.resolve().relative_to(root).as_posix() for rel, path in rendered.copies.items()
    }
    return {
        "summary": rendered.summary.to_json(),
        "findings": [finding_to_json(f) for f in rendered.findings],
        "copies": copies,
        "deps": {rel: file_sha(root / rel) for rel in copies.values()},
    }


def plan_history(outcome: HistoryOutcome, slug: str) -> PlanHistory | None:
    """Return what the history stage found about one plan; None when it did not run."""
    if not outcome.ran:
        return None
    goals = {goal: value for (plan, goal), value in outcome.goals.items() if plan == slug}
    return PlanHistory(goals, tuple(outcome.dropped.get(slug, ())))


def render_one(job: RenderJob, work: PlanWork) -> PlanOutcome:
    """Render one plan; write its page into the sink (or keep the identical old one)."""
    plan = work.plan
    loaded = reload(plan, job.config, job.options)
    history = plan_history(job.checked.history, plan.slug)
    rendered = job.renderer.render_plan(loaded, job.checked.of(plan.slug), history)
    record = plan_record(rendered, job.config.root.resolve())
    page_sha, written = None, False
    if work.write_page:
        data = rendered.page_html.encode("utf-8")
        page_sha = hashlib.sha256(data).hexdigest()
        rel = rendered.page_path
        if job.previous_sha.get(rel) != page_sha or not job.sink.reuse(rel):
            job.sink.write_bytes(rel, data)
            written = True
    scorecard = None
    if work.scorecard and job.print_settings is not None:
        from smartdoc.pdf import get_scorecard_html

        page_size, epoch, link_base = job.print_settings
        scorecard = get_scorecard_html(
            job.renderer.env,
            site=job.renderer.site,
            plan=rendered.context,
            page_size=page_size,
            epoch=epoch,
            link_base=link_base,
        )
    return PlanOutcome(record, page_sha, written, scorecard)


def _render_chunk(works: Sequence[PlanWork]) -> list[PlanOutcome]:
    """Render a chunk in a worker (the job was inherited when the worker was forked)."""
    assert _WORKER_JOB is not None, "a render worker runs only in a forked pool"
    return [render_one(_WORKER_JOB, work) for work in works]


#: Set once in each forked render worker, from the parent's memory (see `render_all`).
_WORKER_JOB: RenderJob | None = None


def _adopt_job(job: RenderJob) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def workers_for(count: int, jobs: int) -> int:
    """Return how many processes to render `count` plans with (1: in this process)."""
    # fork is only safe with no other thread running (serve runs threads: it renders here)
    if count < PARALLEL_MIN_PLANS or jobs < 2 or threading.active_count() > 1:
        return 1
    if os.name != "posix" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(jobs, count // (PARALLEL_MIN_PLANS // 2))


def render_all(job: RenderJob, works: Sequence[PlanWork]) -> list[PlanOutcome]:
    """Render every plan of `works`, across cores when there are many; results in order."""
    workers = workers_for(len(works), job.options.jobs)
    if workers == 1:
        return [render_one(job, work) for work in works]
    size = max(1, -(-len(works) // (workers * 4)))  # a few chunks per worker evens them out
    chunks = [works[i : i + size] for i in range(0, len(works), size)]
    context = multiprocessing.get_context("fork")
    outcomes: list[PlanOutcome] = []
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_adopt_job, initargs=(job,)
    ) as pool:
        for chunk in pool.map(_render_chunk, chunks):
            outcomes.extend(chunk)
    return outcomes
