"""One pipeline: build, serve and the bench make the same pages; serve previews what it can;
flags are settled at the edge with one-line usage errors."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from serve_helpers import Served

from bench.__main__ import floor_pages
from smartdoc.commands.serve import Preview
from smartdoc.config import load_config
from smartdoc.options import make_options
from smartdoc.serve_http import SiteState
from smartdoc.site.publish import MARKER

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"
EPOCH = "1700000000"


def run_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "smartdoc", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A project holding a copy of the repository's example plans."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "plans", project / "plans")
    (project / "smartdoc.yml").write_text("site_name: Three ways\n", encoding="utf-8")
    return project


def test_build_serve_and_bench_make_the_same_pages(examples: Path) -> None:
    built = run_cli(examples, "build", "--no-pdf", "--today", TODAY)
    assert built.returncode == 0, built.stderr
    site = examples / "site"
    on_disk = {
        p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
    }
    assert on_disk.pop(MARKER).startswith(b"This folder is a site built by smartdoc")

    config = load_config(examples / "smartdoc.yml")
    options = make_options(today=dt.date.fromisoformat(TODAY), environ={"SOURCE_DATE_EPOCH": EPOCH})
    preview = Preview(config, options, pdf=False, drafts=False, state=SiteState()).build()
    assert preview.files is not None and preview.problems == ()
    assert preview.files == on_disk  # every file, byte for byte

    pages = floor_pages(config)
    assert set(pages) == {"index.html"} | {
        f"{p.stem}.html" for p in (examples / "plans").glob("*.md")
    }
    for path, html in pages.items():
        assert html.encode("utf-8") == on_disk[path], path


BROKEN = """---
title: Second plan, started
goals:
  - id: first
    title: [unclosed
---
"""


def test_serve_previews_the_clean_plan_beside_a_broken_one(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    assert run_cli(project, "init", ".").returncode == 0
    (project / "plans" / "second.md").write_text(BROKEN, encoding="utf-8")
    assert run_cli(project, "build", "--no-pdf").returncode == 1  # build still refuses

    server = Served(project)
    try:
        state = server.state()
        assert state["ok"] is False
        assert any("plans/second.md:" in line and "E104" in line for line in state["problems"])
        for path in ("/example.html", "/", "/rules.html", "/second.html"):
            status, _, body = server.request(path)
            assert status == 200, path
            assert b'id="smartdoc-overlay"' in body, path
        clean = server.text("/example.html")
        assert "Example Coffee online plan" in clean
        broken = server.text("/second.html")  # a page of its findings, never seen before
        assert "plans/second.md" in broken and "E104" in broken
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["build", "--no-pdf", "--jobs", "banana"], "--jobs takes a whole number"),
        (["status", "--jobs", "0"], "--jobs must be at least 1"),
        (["lint", "--jobs", "-3"], "--jobs must be at least 1"),
        (["lint", "--today", "2026-02-30"], "--today: '2026-02-30': February 2026 has 28 days"),
        (["lint", "--today", "30/02/2026"], "--today: '30/02/2026' is not a date YYYY-MM-DD"),
        (["lint", "--today", "2026-01-01", "--as-of", "2026-01-01"], "not both"),
        (["lint", "--format", "xml"], "Invalid value for '-f' / '--format'"),
    ],
)
def test_bad_flags_are_one_line_usage_errors(examples: Path, args: list[str], words: str) -> None:
    result = run_cli(examples, *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smartdoc: error: "), result.stderr
    assert words in lines[0]
    assert result.stdout == ""


def test_a_bad_epoch_is_one_line_usage_error(examples: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "yesterday"}
    result = subprocess.run(
        [sys.executable, "-m", "smartdoc", "lint"],
        cwd=examples,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "smartdoc: error: SOURCE_DATE_EPOCH is not a whole number of seconds since 1970: "
        "'yesterday'"
    ]


def test_piped_status_that_stops_reading_is_quiet(examples: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    command = f"{sys.executable} -m smartdoc status --today {TODAY} | head -n 1"
    result = subprocess.run(
        ["bash", "-c", command], cwd=examples, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.count("\n") == 1
    assert "Error" not in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    "args", [["status"], ["lint", "-f", "json"], ["rules"]], ids=["status", "lint", "rules"]
)
def test_a_reader_gone_before_the_output_exits_141_quietly(examples: Path, args: list[str]) -> None:
    """As `smartdoc status | head` does when head has left: 141 (SIGPIPE), not 1 (findings)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "NO_COLOR": "1", "SOURCE_DATE_EPOCH": EPOCH}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "smartdoc", *args],
            cwd=examples,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == ""


def test_piped_status_keeps_long_goal_ids_whole(examples: Path) -> None:
    plan = examples / "plans" / "kessler-b2b-2026.md"
    long_id = "a-very-long-goal-identifier-" + "x" * 90
    text = plan.read_text(encoding="utf-8")
    first_id = text.split("  - id: ", 1)[1].split("\n", 1)[0]
    plan.write_text(text.replace(f"id: {first_id}\n", f"id: {long_id}\n", 1), encoding="utf-8")
    result = run_cli(examples, "status", "--today", TODAY)
    assert long_id in result.stdout


def test_as_of_shows_the_plans_as_they_stood_without_future_figure_errors(examples: Path) -> None:
    """`--today` in the past reports later figures (T106); `--as-of` leaves them out."""
    past = run_cli(examples, "lint", "-f", "concise", "--today", "2026-04-01")
    assert past.returncode == 1 and "T106/figure-in-future" in past.stdout
    as_of = run_cli(examples, "lint", "-f", "concise", "--as-of", "2026-04-01")
    assert as_of.returncode == 0, as_of.stdout
    assert "T106" not in as_of.stdout
    built = run_cli(examples, "build", "--no-pdf", "--as-of", "2026-04-01")
    assert built.returncode == 0, built.stderr
    plans = (examples / "site" / "plans.json").read_text(encoding="utf-8")
    assert '"today": "2026-04-01"' in plans
    # the check-ins after that day are not in the published figures
    assert "2026-11-01" not in plans and "2026-03-01" in plans


def test_as_of_leaves_out_an_override_written_after_that_day(examples: Path) -> None:
    """The churn goal's override is dated 2026-11-23: on 2026-04-01 nobody had judged it yet."""
    reason = "win-back offer went live"
    today = run_cli(examples, "build", "--no-pdf", "--today", TODAY)
    assert today.returncode == 0, today.stderr
    pages = [examples / "site" / "plans.json", *(examples / "site").rglob("velo-verde*.html")]
    assert len(pages) > 1 and all(reason in p.read_text("utf-8") for p in pages)
    earlier = run_cli(examples, "build", "--no-pdf", "--as-of", "2026-04-01")
    assert earlier.returncode == 0, earlier.stderr
    assert not any(reason in p.read_text("utf-8") for p in pages)


def test_build_counts_an_unreadable_plan_as_lint_does(examples: Path) -> None:
    (examples / "plans" / "broken.md").write_text("---\ntitle: [\n---\nText.\n", encoding="utf-8")
    linted = run_cli(examples, "lint", "--today", TODAY)
    built = run_cli(examples, "build", "--no-pdf", "--today", TODAY)
    assert built.returncode == 1
    summary = linted.stdout.strip().splitlines()[-1]
    assert summary.endswith("in 2 of 4 plans."), summary
    assert summary in built.stdout


def test_a_missing_csv_says_where_it_was_looked_for(examples: Path) -> None:
    """The CSV sits at the project root, the plan says data/...: paths start at the plan."""
    shutil.move(examples / "plans" / "data", examples / "data")
    result = run_cli(examples, "lint", "-f", "concise", "--today", TODAY)
    assert result.returncode == 1
    assert (
        "plans/kessler-b2b-2026.md:26:15: E113/unreadable-file [error] CSV file not found: "
        "'data/kessler-b2b-2026.csv' (looked for plans/data/kessler-b2b-2026.csv: paths are "
        "relative to the plan's folder)"
    ) in result.stdout
