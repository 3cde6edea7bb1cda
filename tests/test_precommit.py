"""The pre-commit hooks of this repository (.pre-commit-hooks.yaml) run on a plans repository.

`pre-commit try-repo` needs the hook repository to be a git repository with the hook files
committed, so the working tree (tracked and untracked files, minus ignored ones) is copied
into a temporary git repository and committed there; /work/main itself is never touched.
pre-commit then pip-installs smartdoc from that copy into its own environment (PyPI access
for the dependencies), which is why the test is slow.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}

BAD_PLAN = """\
---
title: Broken plan 2026
owner: Test Owner
period: {start: 2026-01-01, end: 2026-12-31}
strategy:
  sales: Sell more coffee online
goals:
  - id: orders
    title: Take 500 web-shop orders a month by December 2026
    kind: quantitative
    serves: sales
    budget: 100
    metric: Web-shop orders
    unit: orders
    direction: increase
    deadline: 2026-12-31
    target: 500
---
"""


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
        timeout=120,
    )
    return result.stdout


def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["smartdoc-lint"]["pass_filenames"] is True
    assert hooks["smartdoc-check"]["pass_filenames"] is False
    assert {h["language"] for h in hooks.values()} == {"python"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PRE_COMMIT.exists():
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    copy = tmp_path_factory.mktemp("hook-repo")
    listed = git("ls-files", "-co", "--exclude-standard", "-z", cwd=REPO).split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if not source.is_file() or name.startswith(("tests/", "bench/", "node_modules/")):
            continue
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git("init", "-q", cwd=copy)
    git("add", "-A", cwd=copy)
    git("commit", "-q", "-m", "snapshot", cwd=copy)
    return copy


def test_try_repo_reports_findings(hook_repo: Path, tmp_path: Path) -> None:
    plans = tmp_path / "plans-repo"
    (plans / "plans").mkdir(parents=True)
    (plans / "plans" / "x.md").write_text(BAD_PLAN)
    (plans / "README.md").write_text("# Not a plan\n")
    git("init", "-q", cwd=plans)
    git("add", "-A", cwd=plans)
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "SOURCE_DATE_EPOCH": "1795000000",
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(
        [
            str(PRE_COMMIT),
            "try-repo",
            str(hook_repo),
            "smartdoc-lint",
            "--files",
            "plans/x.md",
            "README.md",
            "--verbose",
        ],
        cwd=plans,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "smartdoc lint" in output and "Failed" in output
    assert "plans/x.md:8:5" in output and "M101" in output, output
    assert "README.md:" not in output.replace("README.md\n", "")  # not a plan: not passed

    check = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hook_repo), "smartdoc-check", "--all-files"],
        cwd=plans,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )
    assert check.returncode == 1, check.stdout + check.stderr
    assert "M101" in check.stdout


def test_the_lint_hooks_pass_plans_but_not_a_readme_in_the_plans_folder() -> None:
    """smartdoc checks a file it is given by name even when `exclude` lists it, so the hooks
    must not give it the README that smartdoc.yml excludes by default (it would fail E101)."""
    from smartdoc.commands.init import scaffold

    ours = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    written = yaml.safe_load(scaffold(dt.date(2027, 1, 1))[".pre-commit-config.yaml"])
    init_hook = written["repos"][0]["hooks"][0]
    for hook in (ours["smartdoc-lint"], init_hook):

        def passed(name: str, hook: dict[str, str] = hook) -> bool:
            return bool(re.search(hook["files"], name)) and not re.search(
                hook.get("exclude", "^$"), name
            )

        assert passed("plans/webshop-2027.md") and passed("plans/team/brand.md")
        assert not passed("plans/README.md") and not passed("plans/team/README.md")
