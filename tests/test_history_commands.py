"""The history features as a user runs them: H findings in lint and build, `--at REV`, and
`smartdoc diff` for a pull request, on real temporary git repositories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from history_git import GitRepo, git_env, plan_text

REPO = Path(__file__).resolve().parent.parent
PLAN = "plans/northwind.md"
TODAY = "2027-04-15"


def smartdoc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = git_env({"NO_COLOR": "1", "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1800000000"})
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "smartdoc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A plans repository: the plan agreed before 2027, then the target lowered in March."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("smartdoc.yml", "site_name: Northwind\n")
    repo.write(PLAN, plan_text(target="18000"))
    repo.commit("Plan 2027", "2026-12-15")
    repo.tag("v1")
    repo.write(
        PLAN,
        plan_text(
            target="16000",
            measurements=(
                "[{date: 2027-02-01, value: 12900}, {date: 2027-03-01, value: 13800},"
                " {date: 2027-04-01, value: 14600}]"
            ),
        ),
    )
    repo.commit("Lower the Instagram target; April check-in", "2027-04-02", author="Ann Other")
    return repo


def test_lint_reports_the_moved_goalpost(repo: GitRepo) -> None:
    run = smartdoc(repo.path, "lint", "--format", "concise", "--today", TODAY)
    lines = [line for line in run.stdout.splitlines() if "H101" in line]
    assert len(lines) == 1, run.stdout
    assert "target changed 18,000 → 16,000 after the period started" in lines[0]
    assert "by Ann Other" in lines[0]


def test_outside_git_the_h_rules_say_so_once_with_verbose(tmp_path: Path, repo: GitRepo) -> None:
    plain = tmp_path / "plain"
    (plain / "plans").mkdir(parents=True)
    (plain / PLAN).write_text(plan_text(), encoding="utf-8")
    quiet = smartdoc(plain, "lint", "--today", TODAY)
    assert "history rules skipped" not in quiet.stderr
    loud = smartdoc(plain, "lint", "-v", "--today", TODAY)
    notices = [line for line in loud.stderr.splitlines() if "history rules skipped" in line]
    assert notices == ["smartdoc: info: history rules skipped: not a git work tree"]


def test_a_shallow_clone_says_it_needs_full_history(tmp_path: Path, repo: GitRepo) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(shallow)],
        env=git_env(),
        check=True,
    )
    run = smartdoc(shallow, "lint", "--today", TODAY)
    notices = [line for line in run.stderr.splitlines() if "history rules skipped" in line]
    assert len(notices) == 1 and "fetch-depth: 0" in notices[0], run.stderr
    assert "H101" not in run.stdout


def test_build_at_a_tag_is_the_build_of_its_checkout(tmp_path: Path, repo: GitRepo) -> None:
    checkout = tmp_path / "checkout"
    repo.git("worktree", "add", "-q", str(checkout), "v1")
    at = smartdoc(
        repo.path, "build", "--no-pdf", "--at", "v1", "--today", TODAY, "-d", str(tmp_path / "at")
    )
    assert at.returncode == 0, at.stderr
    there = smartdoc(checkout, "build", "--no-pdf", "--today", TODAY, "-d", str(tmp_path / "there"))
    assert there.returncode == 0, there.stderr

    def files(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }

    assert files(tmp_path / "at") == files(tmp_path / "there")
    assert b"18,000" in files(tmp_path / "at")["northwind.html"]
    # the work tree was not touched: nothing checked out, nothing written into it
    assert repo.git("status", "--porcelain") == ""
    assert "16000" in (repo.path / PLAN).read_text(encoding="utf-8")


def test_build_at_names_its_revision_safely(repo: GitRepo) -> None:
    run = smartdoc(repo.path, "build", "--no-pdf", "--at", "--output=/tmp/x", "--today", TODAY)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smartdoc: error: "), run.stderr
    missing = smartdoc(repo.path, "lint", "--at", "no-such-tag", "--today", TODAY)
    assert missing.returncode == 2
    assert "unknown revision 'no-such-tag'" in missing.stderr


def test_diff_of_a_pull_request_as_markdown(repo: GitRepo) -> None:
    run = smartdoc(repo.path, "diff", "v1", "-f", "markdown", "--today", TODAY)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert text.startswith("### smartdoc scorecard: v1 → work tree")
    assert "ig-followers" in text and "18,000 → **16,000**" in text
    assert "H101" in text  # the moved goalpost is a finding the change introduces
    # a change that introduces an error finding fails the diff
    plan = repo.path / PLAN
    plan.write_text(plan.read_text(encoding="utf-8").replace("target: 16000", "target: TBD"))
    failing = smartdoc(repo.path, "diff", "v1", "--today", TODAY)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "E111" in failing.stdout


def test_diff_outside_git_names_the_diff_not_a_flag_it_was_not_given(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "smartdoc.yml").write_text("site_name: No git\n", encoding="utf-8")
    diff = smartdoc(tmp_path, "diff", "HEAD")
    assert diff.returncode == 2
    assert diff.stderr == "smartdoc: error: smartdoc diff HEAD: not a git work tree\n"
    status = smartdoc(tmp_path, "status", "--at", "HEAD")
    assert status.stderr == "smartdoc: error: --at HEAD: not a git work tree\n"
