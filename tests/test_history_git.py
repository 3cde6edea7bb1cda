"""Git safety and `--at` snapshots: no shell, no filters, no fetch, work tree untouched.

- a shallow clone, a folder outside git and a machine without git each give one line saying
  why the H rules are skipped;
- a revision starting with '-' is refused before git sees it;
- a repository whose configuration and `.gitattributes` name programs (filters, textconv,
  external diff, fsmonitor, signature checks) has none of them run;
- `materialize(root, tag)` writes exactly what `git worktree add` checks out for the tag
  (byte for byte, symlinks and modes included), leaves the work tree, index and HEAD alone,
  removes its folder afterwards, and a build of it equals a build of the checkout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from history_git import ISOLATED_ENV, GitRepo, git_env, plan_text, tree_bytes
from project_helpers import load_plans

from smartdoc.config import Config, LintConfig
from smartdoc.errors import UsageError
from smartdoc.history import (
    History,
    HistoryUnavailable,
    history_findings,
    materialize,
    read_history,
)

PLAN = "plans/northwind.md"
TODAY = dt.date(2027, 6, 15)


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "plans-repo")
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(target="16000"))
    repo.commit("Lower the target", "2027-03-10")
    return repo


def loaded_plans(root: Path) -> list:
    config = Config(root=root)
    return load_plans(config)


# --- when there is no history to read ----------------------------------------------------


def test_shallow_clone_says_once_that_full_history_is_needed(repo: GitRepo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)],
        env=git_env(),
        check=True,
    )
    result = read_history(clone, loaded_plans(clone))
    assert isinstance(result, HistoryUnavailable)
    assert result.reason == "shallow"
    assert "fetch-depth: 0" in result.message and "\n" not in result.message


def test_outside_git_the_rules_are_skipped_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / PLAN).write_text(plan_text())
    result = read_history(tmp_path, loaded_plans(tmp_path))
    assert result == HistoryUnavailable(
        "not-a-repository", "history rules skipped: not a git work tree"
    )


def test_without_git_installed(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo.path / "no-such-folder"))
    result = read_history(repo.path, loaded_plans(repo.path))
    assert result == HistoryUnavailable("no-git", "history rules skipped: git is not installed")


# --- revisions -----------------------------------------------------------------------------


@pytest.mark.parametrize("revision", ["--output=written-by-git", "-p", "-"])
def test_a_revision_starting_with_a_dash_is_refused(repo: GitRepo, revision: str) -> None:
    with pytest.raises(UsageError, match="starts with '-'") as refused:
        read_history(repo.path, loaded_plans(repo.path), rev=revision)
    assert "\n" not in str(refused.value)
    with pytest.raises(UsageError, match="starts with '-'"), materialize(repo.path, revision):
        pass
    assert not (repo.path / "written-by-git").exists()


@pytest.mark.parametrize("revision", ["no-such-tag", "HEAD~9", "main\nHEAD", "a b"])
def test_an_unknown_or_malformed_revision_is_one_usage_error(repo: GitRepo, revision: str) -> None:
    with pytest.raises(UsageError) as refused:
        read_history(repo.path, loaded_plans(repo.path), rev=revision)
    assert "\n" not in str(refused.value)


def test_history_up_to_a_tag(repo: GitRepo) -> None:
    repo.tag("v1")
    repo.write(PLAN, plan_text(target="15000"))
    repo.commit("Lower again", "2027-04-10")
    with materialize(repo.path, "v1") as snapshot:
        plans = loaded_plans(snapshot)
        history = read_history(repo.path, plans, rev="v1", files_root=snapshot)
        assert isinstance(history, History)
        report = history_findings(history, plans, LintConfig(), TODAY)
    assert [f.message.split(" after")[0] for f in report.findings] == [
        "goal 'ig-followers': target changed 18,000 → 16,000"
    ]


# --- nothing the repository names runs ---------------------------------------------------

EVIL = """#!/bin/sh
# records that it ran, then behaves like cat
touch "{marker}/ran-$1"
cat
"""


def test_filters_textconv_and_other_configured_programs_never_run(
    repo: GitRepo, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    script = tmp_path / "evil.sh"
    script.write_text(EVIL.format(marker=markers))
    script.chmod(0o755)
    repo.write(
        ".gitattributes",
        "*.md filter=evil diff=evil ident\n*.csv filter=evil diff=evil\n",
    )
    for key, value in {
        "filter.evil.smudge": f"{script} smudge",
        "filter.evil.clean": f"{script} clean",
        "filter.evil.required": "true",
        "diff.evil.textconv": f"{script} textconv",
        "diff.external": f"{script} external",
        "core.fsmonitor": f"{script} fsmonitor",
        "core.pager": f"{script} pager",
        "log.showSignature": "true",
        "gpg.program": f"{script} gpg",
    }.items():
        repo.git("config", key, value)
    repo.write(PLAN, plan_text(target="15000"))
    repo.commit("Lower again", "2027-04-10")
    for name in os.listdir(markers):  # committing ran the clean filter: that is git, not us
        (markers / name).unlink()
    repo.write(PLAN, plan_text(target="14000"))  # an uncommitted edit too
    plans = loaded_plans(repo.path)
    history = read_history(repo.path, plans)
    assert isinstance(history, History)
    report = history_findings(history, plans, LintConfig(), TODAY)
    assert [f.code for f in report.findings] == ["H101", "H101", "H101"]
    with materialize(repo.path, "HEAD") as snapshot:
        written = (snapshot / PLAN).read_bytes()
    committed = subprocess.run(
        ["git", "cat-file", "blob", f"HEAD:{PLAN}"],
        cwd=repo.path,
        env=git_env(),
        capture_output=True,
        check=True,
    ).stdout
    assert written == committed
    assert sorted(os.listdir(markers)) == []


# --- --at: materialize -------------------------------------------------------------------

TEMPLATE = "{% extends '!theme/base.html' %}\n"


def _build_project(repo: GitRepo, prefix: str = "") -> None:
    repo.write(prefix + "smartdoc.yml", "site_name: Northwind plans\n")
    repo.write(prefix + PLAN, plan_text(measurements="data/followers.csv"))
    repo.write(prefix + "plans/data/followers.csv", "date,value\n2027-02-01,12900\n")
    repo.write(prefix + "templates/extra.html", TEMPLATE)
    repo.write(prefix + "plans/images/chart.png", bytes(range(256)) * 4)
    tool = repo.write(prefix + "tools/update.sh", "#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    (repo.path / prefix / "plans/linked.md").symlink_to("northwind.md")
    (repo.path / prefix / "plans/outside.md").symlink_to("../../../etc/hostname")
    repo.write(prefix + "plans/café ø.md", plan_text(second_goal=False))


def _index_state(repo: GitRepo) -> tuple[str, str, str]:
    index = (repo.path / ".git" / "index").read_bytes()
    return (
        repo.git("rev-parse", "HEAD"),
        repo.git("status", "--porcelain", "--untracked-files=all"),
        hashlib.sha256(index).hexdigest(),
    )


@pytest.mark.parametrize("prefix", ["", "strategy/"])
def test_materialize_equals_a_checkout_of_the_tag(tmp_path: Path, prefix: str) -> None:
    repo = GitRepo(tmp_path / "plans-repo")
    _build_project(repo, prefix)
    repo.write("README.md", "outside the project when it is in a subfolder\n")
    repo.commit("Plan 2027", "2026-12-15")
    repo.tag("v1")
    repo.write(prefix + PLAN, plan_text(target="16000"))
    repo.write(prefix + "plans/new.md", plan_text())
    repo.commit("Later", "2027-03-10")
    repo.write(prefix + PLAN, "uncommitted edit\n")
    before = _index_state(repo)
    checkout = tmp_path / "checkout"
    repo.git("worktree", "add", "-q", "--detach", str(checkout), "v1")
    project = repo.path / prefix
    with materialize(project, "v1") as snapshot:
        assert not snapshot.resolve().is_relative_to(repo.path.resolve())
        assert tree_bytes(snapshot) == tree_bytes(checkout / prefix)
        folder = snapshot.parent
    assert not folder.exists()
    repo.git("worktree", "remove", "--force", str(checkout))
    assert _index_state(repo) == before
    assert (repo.path / prefix / PLAN).read_text() == "uncommitted edit\n"


def test_build_at_a_tag_equals_a_build_of_its_checkout(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "plans-repo")
    _build_project(repo)
    (repo.path / "plans/outside.md").unlink()  # a build refuses it: keep this one clean
    repo.commit("Plan 2027", "2026-12-15")
    repo.tag("v1")
    repo.write(PLAN, plan_text(target="16000"))
    repo.commit("Later", "2027-03-10")
    checkout = tmp_path / "checkout"
    repo.git("worktree", "add", "-q", "--detach", str(checkout), "v1")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1805000000"}
    command = [sys.executable, "-m", "smartdoc.cli", "build", "--no-pdf", "-d"]
    built = subprocess.run(
        [*command, str(tmp_path / "from-checkout")], cwd=checkout, env=env, capture_output=True
    )
    assert built.returncode == 0, built.stderr
    # `--at v1` builds the snapshot with the history up to v1: what the checkout sees
    built = subprocess.run(
        [*command, str(tmp_path / "from-snapshot"), "--at", "v1"],
        cwd=repo.path,
        env=env,
        capture_output=True,
    )
    assert built.returncode == 0, built.stderr
    assert tree_bytes(tmp_path / "from-snapshot") == tree_bytes(tmp_path / "from-checkout")
    plans = json.loads((tmp_path / "from-snapshot" / "plans.json").read_text(encoding="utf-8"))
    assert plans["plans"][0]["dropped"] == []  # history was read, as in the checkout


def test_crafted_tree_entries_cannot_escape_the_snapshot(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "plans-repo")
    blob = (
        subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=repo.path,
            input=b"escaped\n",
            env=git_env(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    entries = [f"100644 blob {blob}\t..", f"100644 blob {blob}\t.git", f"100644 blob {blob}\tok.md"]
    plans_tree = (
        subprocess.run(
            ["git", "mktree"],
            cwd=repo.path,
            input="\n".join(entries).encode() + b"\n",
            env=git_env(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    root_tree = (
        subprocess.run(
            ["git", "mktree"],
            cwd=repo.path,
            input=f"040000 tree {plans_tree}\tplans\n".encode(),
            env=git_env(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    commit = repo.git("commit-tree", root_tree, "-m", "crafted").strip()
    with materialize(repo.path, commit) as snapshot:
        written = tree_bytes(snapshot)
        outside = sorted(os.listdir(snapshot.parent))
    assert written == {"plans": ("dir", b"", 0), "plans/ok.md": ("file", b"escaped\n", 0)}
    assert outside == [snapshot.name]


def test_a_csv_named_with_a_leading_dash_is_a_path_not_an_option(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "plans-repo")
    repo.write(PLAN, plan_text(measurements="../-followers.csv"))
    repo.write("-followers.csv", "date,value\n2027-02-01,12900\n2027-03-01,13800\n")
    repo.commit("Plan 2027", "2026-12-15")
    repo.write("-followers.csv", "date,value\n2027-02-01,12900\n2027-03-01,13500\n")
    repo.commit("Rewrite March", "2027-04-02")
    plans = loaded_plans(repo.path)
    assert plans[0].data_files == ["-followers.csv"]
    history = read_history(repo.path, plans)
    assert isinstance(history, History)
    report = history_findings(history, plans, LintConfig(), TODAY)
    assert [(f.file, f.line, f.code) for f in report.findings] == [("-followers.csv", 3, "H104")]


def test_check_path_refuses_a_leading_dash() -> None:
    from smartdoc.history.git import check_path

    check_path("plans/-x.md")
    with pytest.raises(UsageError, match=r"starts with '-': write \./-x\.md"):
        check_path("-x.md")
