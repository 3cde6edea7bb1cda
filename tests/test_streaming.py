"""Output streams: each page is on disk as soon as it is rendered, and the number of jobs or a
cache never changes a byte of the site (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from smartdoc.cache import NullMemo, project_cache_dir
from smartdoc.config import load_config
from smartdoc.options import make_options
from smartdoc.pipeline.build import publish_site
from smartdoc.pipeline.site import SiteRequest, build_site
from smartdoc.site import pages
from smartdoc.site.publish import SiteWriter, tree_digest

TODAY = dt.date(2026, 11, 23)
REQUEST = SiteRequest(base_url=None, drafts=False, with_pdf=False, strict=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    generate(root, 24)
    (root / "smartdoc.yml").write_text("site_name: Streams\n", encoding="utf-8")
    return root


def test_each_page_is_written_before_the_next_plan_is_rendered(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(project / "smartdoc.yml")
    options = make_options(today=TODAY, jobs=1, environ={})
    render_plan = pages.SiteRenderer.render_plan
    seen: list[str] = []
    on_disk_when_rendering: list[list[str]] = []
    writer = SiteWriter(tmp_path / "site")

    def watching(self: pages.SiteRenderer, loaded, findings, history=None):  # type: ignore[no-untyped-def]
        assert writer.temp is not None
        on_disk_when_rendering.append(
            sorted(p.stem for p in writer.temp.glob("*.html") if p.stem.startswith("plan-"))
        )
        seen.append(loaded.slug)
        return render_plan(self, loaded, findings, history)

    monkeypatch.setattr(pages.SiteRenderer, "render_plan", watching)
    with writer:
        result = build_site(config, options, REQUEST, memo=NullMemo(), sink=writer)
        assert not result.refused
    assert len(seen) == 24
    # when a plan is rendered, the pages of every plan rendered before it are already files
    for index, present in enumerate(on_disk_when_rendering):
        assert present == sorted(seen[:index]), index


def build_into(project: Path, output: Path, jobs: int) -> list[tuple[str, str]]:
    config = load_config(project / "smartdoc.yml")
    options = make_options(today=TODAY, jobs=jobs, environ={"SOURCE_DATE_EPOCH": "1700000000"})
    published = publish_site(config, options, REQUEST, output)
    assert published.outcome == "built", published.findings
    return tree_digest(output)


def test_one_job_and_two_jobs_build_the_same_site(project: Path, tmp_path: Path) -> None:
    from smartdoc.pipeline import render

    assert render.workers_for(24, 2) == 2  # the two-job build does use two processes
    one = build_into(project, tmp_path / "one", 1)
    shutil.rmtree(project_cache_dir(project), ignore_errors=True)  # a cold second build
    two = build_into(project, tmp_path / "two", 2)
    assert one == two


def test_an_incremental_build_equals_a_clean_one(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_into(project, site, 2)
    plan = project / "plans" / "plan-00003.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("Plan 00003", "Plan three"))
    (project / "plans" / "plan-00005.md").unlink()
    incremental = build_into(project, site, 2)
    shutil.rmtree(project_cache_dir(project))
    assert incremental == build_into(project, tmp_path / "clean", 1)


def test_with_two_workers_each_writes_its_pages_before_rendering_its_next_plan(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forked path: workers render side by side, so the order across them is free, but a
    worker's pages reach the staging folder before it starts its next plan."""
    config = load_config(project / "smartdoc.yml")
    options = make_options(today=TODAY, jobs=2, environ={})
    render_plan = pages.SiteRenderer.render_plan
    log = tmp_path / "renders.jsonl"
    writer = SiteWriter(tmp_path / "site")

    def watching(self: pages.SiteRenderer, loaded, findings, history=None):  # type: ignore[no-untyped-def]
        assert writer.temp is not None
        present = sorted(p.stem for p in writer.temp.glob("plan-*.html"))
        line = json.dumps({"pid": os.getpid(), "slug": loaded.slug, "present": present})
        with log.open("a", encoding="utf-8") as handle:  # one short append per render
            handle.write(line + "\n")
        return render_plan(self, loaded, findings, history)

    monkeypatch.setattr(pages.SiteRenderer, "render_plan", watching)
    with writer:
        result = build_site(config, options, REQUEST, memo=NullMemo(), sink=writer)
        assert not result.refused
    renders = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["slug"] for r in renders) == sorted(
        p.stem for p in (project / "plans").glob("*.md")
    )
    by_worker: dict[int, list[dict[str, object]]] = {}
    for render in renders:
        by_worker.setdefault(int(render["pid"]), []).append(render)
    assert len(by_worker) == 2 and os.getpid() not in by_worker  # two forked workers
    for worker_renders in by_worker.values():
        for index, render in enumerate(worker_renders):
            earlier = {str(r["slug"]) for r in worker_renders[:index]}
            assert earlier <= set(render["present"]), (index, render["slug"])  # type: ignore[arg-type]
