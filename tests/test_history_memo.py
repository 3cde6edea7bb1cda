"""The H findings are remembered per plan: editing one plan reads only that plan's history
again, and what comes out equals a run with nothing remembered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from history_git import ISOLATED_ENV, GitRepo, plan_text

from smartdoc.cache import MemoryMemo, NullMemo
from smartdoc.config import load_config
from smartdoc.options import make_options
from smartdoc.pipeline import history as history_stage
from smartdoc.pipeline.check import check_plans
from smartdoc.pipeline.history import HistorySource

NAMES = ("plans/alpha.md", "plans/beta.md", "plans/gamma.md")


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


def test_an_edited_plan_reads_only_its_own_history_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "plans-repo")
    repo.write("smartdoc.yml", "site_name: Memo\n")
    for name in NAMES:
        repo.write(name, plan_text())
    repo.commit("Plans 2027", "2026-12-15")
    for name in NAMES:  # every plan's target lowered after the period started: H101 each
        repo.write(name, plan_text(target="16000"))
    repo.commit("Lower the targets", "2027-05-02", author="Ann Other")

    config = load_config(repo.path / "smartdoc.yml")
    options = make_options(today=dt.date(2027, 6, 15), jobs=1, environ={})
    source = HistorySource(repo.path)
    read: list[list[str]] = []
    run_history = history_stage.run_history

    def counting(loaded: Any, *args: Any) -> Any:
        read.append(sorted(plan.rel_path for plan in loaded))
        return run_history(loaded, *args)

    monkeypatch.setattr(history_stage, "run_history", counting)
    memo = MemoryMemo()
    first = check_plans(config, options, memo=memo, history=source)
    again = check_plans(config, options, memo=memo, history=source)
    edited = repo.path / NAMES[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEdited after review.\n")
    after_edit = check_plans(config, options, memo=memo, history=source)
    fresh = check_plans(config, options, memo=NullMemo(), history=source)

    assert read == [list(NAMES), list(NAMES[1:2]), list(NAMES)]  # the second run read none
    moved = [f for f in fresh.findings if f.code == "H101"]
    assert sorted(f.file for f in moved) == sorted(NAMES)
    for remembered in (first, again, after_edit):
        assert remembered.findings == fresh.findings
        assert remembered.history.goals == fresh.history.goals
        assert remembered.history.dropped == fresh.history.dropped
