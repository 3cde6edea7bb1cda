"""What git says reaches the reader: the card, the plan page, the PDF source and plans.json.

A plan committed before its period, then, in May, a lower target for one goal and another
goal deleted: the card shows the moved goalpost and the goal scored against the target it
started with; the page lists the deleted goal with its last status; plans.json carries the
goal's `history` and the plan's `dropped`. Outside git both are null and nothing is shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from history_git import ISOLATED_ENV, GitRepo, plan_text

REPO = Path(__file__).resolve().parent.parent
PLAN = "plans/northwind.md"
TODAY = "2027-06-15"


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


def build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    environ.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "smartdoc.cli", "build", "--no-pdf", "--today", TODAY, *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def moved(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "plans-repo")
    repo.write("smartdoc.yml", "site_name: Northwind\n")
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    lowered = plan_text(
        target="16000", second_goal=False, measurements=_FIGURES.replace("13800", "14000")
    )
    repo.write(PLAN, lowered)
    repo.commit("Lower the Instagram target; drop sentiment", "2027-05-02", author="Ann Other")
    return repo


_FIGURES = "[{date: 2027-02-01, value: 12900}, {date: 2027-05-01, value: 13800}]"


def test_a_moved_goalpost_and_a_dropped_goal_are_on_the_page(moved: GitRepo) -> None:
    run = build(moved.path)
    assert run.returncode == 0, run.stdout + run.stderr
    page = (moved.path / "site" / "northwind.html").read_text(encoding="utf-8")
    # the card: the change with its commit and author, and the original target's verdict:
    # 14,000 is 2,000 of the 6,000 to 18,000 (33%) on 1 May, where 67% was due: off track
    assert "Goalposts moved." in page
    assert "Against the original target of 18,000 followers: 33% of the way" in page
    assert "target changed: 18,000 → 16,000" in page
    assert "Ann Other" in page
    # the page lists the goal that was deleted mid-period, with its last status
    assert "Dropped goals" in page
    assert "Raise positive brand mentions from 41% to 55% by December 2027" in page

    data = json.loads((moved.path / "site" / "plans.json").read_text(encoding="utf-8"))
    (plan,) = data["plans"]
    (goal,) = plan["goals"]
    assert goal["history"]["revised"] is True
    assert goal["history"]["original"]["target"] == 18000
    assert [c["field"] for c in goal["history"]["changes"]] == ["target"]
    (dropped,) = plan["dropped"]
    assert dropped["id"] == "positive-sentiment"
    assert dropped["removed"]["date"] == "2027-05-02"


def test_outside_git_history_is_null_and_nothing_is_shown(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "plans").mkdir(parents=True)
    (project / "smartdoc.yml").write_text("site_name: Northwind\n", encoding="utf-8")
    (project / PLAN).write_text(plan_text(), encoding="utf-8")
    run = build(project)
    assert run.returncode == 0, run.stdout + run.stderr
    page = (project / "site" / "northwind.html").read_text(encoding="utf-8")
    assert "Goalposts moved" not in page and "Dropped goals" not in page
    data = json.loads((project / "site" / "plans.json").read_text(encoding="utf-8"))
    assert data["plans"][0]["dropped"] is None
    assert all(goal["history"] is None for goal in data["plans"][0]["goals"])


def test_a_new_commit_renders_the_page_again(moved: GitRepo) -> None:
    # the page's cache key includes what git says: a rebaseline trailer changes the card
    assert build(moved.path).returncode == 0
    moved.write(PLAN, plan_text(target="15000", second_goal=False))
    moved.commit(
        "Lower it again",
        "2027-06-01",
        trailers=["Smartdoc-Rebaseline: budget halved in the June review"],
    )
    assert build(moved.path).returncode == 0
    page = (moved.path / "site" / "northwind.html").read_text(encoding="utf-8")
    assert "budget halved in the June review" in page


def test_serve_shows_what_git_says_too(moved: GitRepo) -> None:
    import datetime as dt

    from smartdoc.commands.serve import Preview
    from smartdoc.config import load_config
    from smartdoc.options import make_options
    from smartdoc.serve_http import SiteState

    config = load_config(moved.path / "smartdoc.yml")
    options = make_options(today=dt.date.fromisoformat(TODAY), environ={})
    preview = Preview(config, options, pdf=False, drafts=False, state=SiteState()).build()
    assert preview.files is not None
    page = preview.files["northwind.html"].decode("utf-8")
    assert "Goalposts moved." in page and "Dropped goals" in page
    assert "H101" in page  # the H findings are among the card's review notes, as in a build
