"""Attacks through what a plans repository can hold where smartdoc keeps state (issue 15).

Every test here failed on the code before the fix (3451f84): a committed cache record ran
code, symlinks committed where the lock, the cache, the site or the templates go made a build
write, delete or read outside the project, a build replaced any folder it was given, a plan
named `handout` replaced the combined handout, and a project template ran Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import guards
import pytest

REPO = Path(__file__).resolve().parent.parent
TODAY = "2027-04-01"

#: A plan both smartdoc 0.1 and this version build (no `area`: a warning here, not an error).
PLAN = """---
title: {title}
owner: Zoé Laurent
period: {{start: 2027-01-01, end: 2027-12-31}}
strategy:
  brand: Be seen as a fresh brand
goals:
  - id: followers
    title: Grow Instagram followers from 3,000 to 4,500 by 30 November 2027
    kind: quantitative
    serves: brand
    owner: Zoé Laurent
    budget: 1000
    frequency: monthly
    direction: increase
    deadline: 2027-11-30
    baseline: {{date: 2026-12-31, value: 3000}}
    target: 4500
    unit: followers
    metric: Instagram followers
    source: Instagram export
    measurements:
      - {{date: 2027-03-15, value: 3400}}
  - id: sentiment
    title: Raise positive brand mentions from 41% to 55% by December 2027
    kind: qualitative
    serves: brand
    owner: Zoé Laurent
    resources: [social listening tool]
    objective: Be perceived as fresh
    indicator: Share of positive mentions
    method: Monthly social-listening report
    frequency: monthly
    unit: "%"
    direction: increase
    deadline: 2027-12-15
    baseline: {{date: 2026-12-01, value: 41}}
    target: 55
    measurements:
      - {{date: 2027-03-20, value: 44}}
---
Narrative.
"""


def make_project(folder: Path, *plans: str) -> Path:
    (folder / "plans").mkdir(parents=True)
    (folder / "smartdoc.yml").write_text("site_name: Attacked\n", encoding="utf-8")
    for name in plans or ("a",):
        (folder / "plans" / f"{name}.md").write_text(
            PLAN.format(title=f"Plan {name} 2027"), encoding="utf-8"
        )
    return folder


def smartdoc(project: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    environ = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO), **(env or {})}
    environ.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "smartdoc.cli", *args, "--today", TODAY],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def one_error(stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("smartdoc: error: "), stderr
    for word in words:
        assert word in lines[0], lines[0]


# --- 1. the cache -------------------------------------------------------------------------


class _RunsCode:
    """Unpickling this runs a shell command (what a committed cache record did)."""

    def __init__(self, witness: Path) -> None:
        self.witness = witness

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (f"touch {self.witness}",))


def _digest(*parts: Any) -> str:
    """The cache key function of smartdoc 0.1, so a planted record sits where it would look."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def test_a_committed_cache_record_runs_no_code_and_publishes_nothing(tmp_path: Path) -> None:
    import datetime as dt

    from smartdoc import __version__
    from smartdoc.config import load_config

    project = make_project(tmp_path / "project")
    witness = tmp_path / "pwned"
    config = load_config(project / "smartdoc.yml")
    # where smartdoc 0.1 looked up the lint record of plans/a.md (its key, recomputed)
    lint_key = _digest(
        _digest(1, __version__, str(config.root), config.model_dump_json()),
        dt.date.fromisoformat(TODAY).isoformat(),
    )
    raw = (project / "plans" / "a.md").read_bytes()
    key = _digest(lint_key, "plans/a.md", "a", hashlib.sha256(raw).hexdigest())
    for kind in ("lint", "page"):
        folder = project / ".smartdoc_cache" / "build" / kind
        folder.mkdir(parents=True)
        (folder / f"{key}.pickle").write_bytes(pickle.dumps(_RunsCode(witness)))
    (project / ".smartdoc_cache" / "build" / "manifest.json").write_text(
        '{"format": 1, "site": "x", "outputs": {"media/passwd": {"key": null, "sha": "x"}}}'
    )
    run = smartdoc(project, "build", "--no-pdf")
    assert run.returncode == 0, run.stderr
    assert not witness.exists(), "a cache record in the project ran code"
    site = project / "site"
    assert not (site / "media").exists()
    assert all(b"root:" not in p.read_bytes() for p in site.rglob("*") if p.is_file())


def test_records_that_name_files_outside_the_project_are_thrown_away(tmp_path: Path) -> None:
    from smartdoc.discover import PlanSource
    from smartdoc.pipeline.check import CheckedPlan
    from smartdoc.pipeline.site import _read_plan_record
    from smartdoc.site.pages import PlanSummary

    project = make_project(tmp_path / "project")
    plan = CheckedPlan(PlanSource(project / "plans/a.md", "plans/a.md", "a"), "k", True, False, ())
    summary = PlanSummary("a", {}, {}, {}, (), "{}").to_json()
    sound = {"summary": summary, "findings": [], "copies": {}, "deps": {}}
    assert _read_plan_record(sound, plan, project.resolve()).copies == {}
    for copies, why in [
        ({"media/passwd": "../../../../etc/passwd"}, "copy from outside the project"),
        ({"media/passwd": "/etc/passwd"}, "copy from outside the project"),
        ({"../escape.html": "plans/a.md"}, "copy to an unexpected place"),
        ({"index.html": "plans/a.md"}, "copy to an unexpected place"),
    ]:
        with pytest.raises(ValueError, match=why):
            _read_plan_record({**sound, "copies": copies}, plan, project.resolve())


def _git(project: Path, *args: str) -> None:
    environ = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=project, env=environ, check=True, capture_output=True,
    )  # fmt: skip


def test_cache_records_committed_inside_the_project_are_not_believed(tmp_path: Path) -> None:
    # GitLab caches only folders inside the project, so SMARTDOC_CACHE_DIR may point there;
    # a pull request that commits records into it must not make them believed.
    project = make_project(tmp_path / "project")
    plan = project / "plans" / "a.md"
    plan.write_text(plan.read_text().replace("target: 4500", "target: lots"), encoding="utf-8")
    _git(project, "init", "-q")
    cache = {"SMARTDOC_CACHE_DIR": str(project / ".cache" / "smartdoc")}
    first = smartdoc(project, "build", "--no-pdf", env=cache)
    assert first.returncode == 1 and "E111" in first.stdout, first.stdout + first.stderr
    records = list((project / ".cache").rglob("check/*.json"))
    assert records, "an untracked cache folder inside the project is used"
    for record in records:  # forge: the plan's findings are gone
        text = record.read_text(encoding="utf-8")
        envelope = json.loads(text)
        envelope["record"]["findings"] = []
        record.write_text(json.dumps(envelope), encoding="utf-8")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "plans and a helpful cache")
    second = smartdoc(project, "build", "--no-pdf", env=cache)
    assert second.returncode == 1 and "E111" in second.stdout, second.stdout + second.stderr
    assert not (project / "site").exists()
    assert ".cache/ is committed to the repository" in second.stderr


def test_an_invalid_cache_record_is_redone_and_said_once(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    cache = {"SMARTDOC_CACHE_DIR": str(tmp_path / "cache")}
    assert smartdoc(project, "build", "--no-pdf", env=cache).returncode == 0
    (record,) = (tmp_path / "cache").rglob("check/*.json")
    envelope = json.loads(record.read_text(encoding="utf-8"))
    envelope["record"]["findings"] = [{"code": "E999", "line": "not a number"}]
    record.write_text(json.dumps(envelope), encoding="utf-8")
    (project / "site" / "index.html").unlink()  # so the build runs again
    run = smartdoc(project, "build", "--no-pdf", env=cache)
    assert run.returncode == 0, run.stderr
    assert "smartdoc: ignored 1 cache record that failed validation (redone)" in run.stderr
    assert "E999" not in run.stdout + run.stderr


def test_a_cache_folder_reached_through_a_committed_symlink_is_not_written(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "project")
    outside = tmp_path / "home-ssh"
    outside.mkdir()
    (project / ".cache").symlink_to(outside)
    cache = {"SMARTDOC_CACHE_DIR": str(project / ".cache" / "smartdoc")}
    run = smartdoc(project, "build", "--no-pdf", env=cache)
    assert run.returncode == 0, run.stderr
    assert list(outside.iterdir()) == [], "the build wrote through a symlink out of the project"
    assert "is a symbolic link inside the project" in run.stderr


# --- 2. symlinks where smartdoc keeps state -----------------------------------------------------


def test_a_lock_symlinked_out_of_the_project_is_never_written(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n", encoding="utf-8")
    (project / ".smartdoc_cache").mkdir()
    (project / ".smartdoc_cache" / "build.lock").symlink_to(outside)
    (project / ".site.smartdoc-lock").symlink_to(outside)
    run = smartdoc(project, "build", "--no-pdf")
    assert run.returncode == 0, run.stderr
    assert outside.read_text(encoding="utf-8") == "precious\n"


def test_a_cache_folder_symlinked_out_is_never_pruned(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    outside = tmp_path / "home-ssh"
    outside.mkdir()
    for name in ("id_rsa", "credentials.json"):
        (outside / name).write_text("secret\n", encoding="utf-8")
    build_cache = project / ".smartdoc_cache" / "build"
    build_cache.mkdir(parents=True)
    for kind in ("lint", "page"):
        (build_cache / kind).symlink_to(outside, target_is_directory=True)
    for _ in range(2):
        run = smartdoc(project, "build", "--no-pdf")
        assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["credentials.json", "id_rsa"]


def test_a_site_folder_symlinked_out_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    outside = tmp_path / "somebody-elses"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n", encoding="utf-8")
    (project / "site").symlink_to(outside, target_is_directory=True)
    run = smartdoc(project, "build", "--no-pdf")
    assert run.returncode == 2
    one_error(run.stderr, "refusing to use", "symbolic link")
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]


def test_a_templates_folder_symlinked_out_is_refused_unread(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    outside = tmp_path / "big"
    for index in range(50):
        (outside / f"d{index}").mkdir(parents=True)
        (outside / f"d{index}" / "f.html").write_text("TOP-SECRET", encoding="utf-8")
    (outside / "assets").mkdir()
    (outside / "assets" / "x.css").write_text("TOP-SECRET", encoding="utf-8")
    (project / "templates").symlink_to(outside, target_is_directory=True)
    with guards.recording_reads() as records:
        from click.testing import CliRunner

        from smartdoc.cli import main

        result = CliRunner().invoke(
            main, ["build", "--no-pdf", "--today", TODAY, "-c", str(project / "smartdoc.yml")]
        )
    assert result.exit_code == 2, result.output
    assert "templates folder is a symbolic link" in result.output
    assert "TOP-SECRET" not in result.output
    read_outside = [path for _, path, _ in records if Path(path).is_relative_to(outside)]
    assert read_outside == []
    assert not (project / "site").exists()


# --- 4. output folders that are not ours -------------------------------------------------------


def test_dot_git_as_output_is_refused_and_kept(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    before = guards.tree_hash(project / ".git")
    run = smartdoc(project, "build", "--no-pdf", "-d", ".git")
    assert run.returncode == 2
    one_error(run.stderr, "refusing to use .git")
    assert guards.tree_hash(project / ".git").files == before.files


def test_an_unrelated_folder_with_files_is_refused_and_kept(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.odt").write_text("years of work\n", encoding="utf-8")
    run = smartdoc(project, "build", "--no-pdf", "-d", str(documents))
    assert run.returncode == 2
    one_error(run.stderr, "refusing to use", "did not build it")
    assert sorted(p.name for p in documents.iterdir()) == ["thesis.odt"]
    # an empty folder, and a site smartdoc built, are fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert smartdoc(project, "build", "--no-pdf", "-d", str(empty)).returncode == 0
    assert (empty / ".smartdoc-site").is_file() and (empty / "index.html").is_file()
    assert smartdoc(project, "build", "--no-pdf", "-d", str(empty)).returncode == 0


# --- 6. reserved names ---------------------------------------------------------------------


def test_a_plan_named_handout_is_refused_not_published_over_the_handout(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "a", "handout")
    run = smartdoc(project, "build", "--no-pdf")
    assert run.returncode == 2
    one_error(run.stderr, "plans/handout.md", "used by the site itself", "rename")
    assert not (project / "site").exists()


# --- 11. templates run no code -----------------------------------------------------------------


def test_a_project_template_cannot_run_python(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    witness = tmp_path / "template-ran-code"
    (project / "templates").mkdir()
    (project / "templates" / "index.html").write_text(
        '{% extends "!theme/index.html" %}{% block content %}'
        "{{ cycler.__init__.__globals__.os.system('touch " + str(witness) + "') }}"
        "{% endblock %}",
        encoding="utf-8",
    )
    run = smartdoc(project, "build", "--no-pdf")
    assert not witness.exists(), "a template from the repository ran a shell command"
    assert run.returncode == 2, run.stderr
    one_error(run.stderr, "index.html", "unsafe")
    assert not (project / "site").exists()


def test_a_readme_in_the_plans_folder_is_not_a_plan(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "plans" / "README.md").write_text("# About these plans\n", encoding="utf-8")
    (project / "plans" / "team").mkdir()
    (project / "plans" / "team" / "README.md").write_text("# Team plans\n", encoding="utf-8")
    run = smartdoc(project, "build", "--no-pdf")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "E101" not in run.stdout
    (project / "smartdoc.yml").write_text("site_name: X\nexclude: []\n", encoding="utf-8")
    assert smartdoc(project, "lint").returncode == 1  # without the default, it is a plan
    shutil.rmtree(project / "plans" / "team")
