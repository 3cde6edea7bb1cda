"""`smartdoc init` and `smartdoc new`: a new project lints and builds; `new` lists what is left."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from smartdoc.commands.init import SCAFFOLD_FILES, scaffold
from smartdoc.commands.new import slugify
from smartdoc.config import config_schema

SMARTDOC = [sys.executable, "-m", "smartdoc.cli"]
TODAY = "2026-11-23"
EPOCH = str(int(dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc).timestamp()))


def smartdoc(*args: str, cwd: Path, epoch: str = EPOCH) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [*SMARTDOC, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_init_then_lint_and_build_pass(tmp_path: Path) -> None:
    result = smartdoc("init", "project", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "project"
    for _, target in SCAFFOLD_FILES:
        assert (project / target).is_file(), target
    assert "created   plans/example.md" in result.stdout
    assert "Next steps:" in result.stdout and "smartdoc serve" in result.stdout

    lint = smartdoc("lint", "--format", "json", cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    findings = json.loads(lint.stdout)["findings"]
    assert [f for f in findings if f["severity"] in ("error", "warning")] == []

    build = smartdoc("build", "--no-pdf", cwd=project)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (project / "site" / "example.html").is_file()
    assert (project / "site" / "schema.json").is_file()


@pytest.mark.parametrize(
    "day", ["2026-01-01", "2026-01-31", "2026-02-03", "2026-06-15", "2026-12-31", "2028-02-29"]
)
def test_example_plan_lints_clean_whatever_the_day(tmp_path: Path, day: str) -> None:
    epoch = str(int(dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()))
    assert smartdoc("init", str(tmp_path), cwd=tmp_path, epoch=epoch).returncode == 0
    lint = smartdoc("lint", "--format", "concise", cwd=tmp_path, epoch=epoch)
    assert lint.returncode == 0 and "warning" not in lint.stdout, lint.stdout
    assert f"period: {{start: {day[:4]}-01-01" in (tmp_path / "plans/example.md").read_text()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n")
    result = smartdoc("init", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert ".gitignore" in result.stderr and "--force" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore"]
    assert (tmp_path / ".gitignore").read_text() == "mine\n"

    forced = smartdoc("init", ".", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "overwrote .gitignore" in forced.stdout
    assert "site/" in (tmp_path / ".gitignore").read_text()


def test_scaffold_config_documents_every_key() -> None:
    text = scaffold(dt.date(2026, 5, 1))["smartdoc.yml"]
    schema = config_schema()
    keys = list(schema["properties"])  # type: ignore[call-overload]
    for section in ("lint", "status", "pdf", "markdown"):
        ref = schema["properties"][section]  # type: ignore[index]
        name = ref.get("$ref", "").rsplit("/", 1)[-1] or ref["allOf"][0]["$ref"].rsplit("/", 1)[-1]
        keys += list(schema["$defs"][name]["properties"])  # type: ignore[index]
    for key in keys:
        assert re.search(rf"^#?\s*{re.escape(key)}:", text, re.MULTILINE), key
    assert yaml.safe_load(text) == {"site_name": "Example Coffee plans"}
    uncommented = yaml.safe_load(
        "\n".join(
            line.replace("# ", "", 1) if re.match(r"#\s{0,3}[a-z_-]+:", line) else line
            for line in text.splitlines()
        )
    )
    assert set(uncommented) >= {"site_url", "plans_dir", "lint", "status", "pdf", "markdown"}


def test_scaffold_workflows_are_yaml() -> None:
    files = scaffold(dt.date(2026, 5, 1))
    workflow = yaml.safe_load(files[".github/workflows/smartdoc.yml"])
    steps = [s.get("uses", s.get("run", "")) for j in workflow["jobs"].values() for s in j["steps"]]
    assert "smartdoc lint" in steps
    assert any(s.startswith("github/codeql-action/upload-sarif") for s in steps)
    assert any(s.startswith("actions/upload-pages-artifact") for s in steps)
    assert any(s.startswith("actions/deploy-pages") for s in steps)
    gitlab = yaml.safe_load(files[".gitlab-ci.yml"])
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    hooks = yaml.safe_load(files[".pre-commit-config.yaml"])
    assert hooks["repos"][0]["hooks"][0]["id"] == "smartdoc-lint"
    assert "@VERSION@" not in "".join(files.values())


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Webshop growth 2027", "webshop-growth-2027"),
        ("Café Olé: Ærø & Straße 2027!", "cafe-ole-aero-strasse-2027"),
        ("  --Brand   awareness--  ", "brand-awareness"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_new_then_lint_lists_what_is_left(tmp_path: Path) -> None:
    (tmp_path / "smartdoc.yml").write_text("site_name: Test\n")
    result = smartdoc("new", "Webshop growth 2027", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "plans/webshop-growth-2027.md" in result.stdout
    text = (tmp_path / "plans/webshop-growth-2027.md").read_text()
    lines = text.splitlines()
    assert lines[0] == "---"
    assert lines[1] == "# yaml-language-server: $schema=../site/schema.json"
    assert "title: Webshop growth 2027" in text
    assert "period: {start: 2027-01-01, end: 2027-12-31}" in text  # November: next year

    lint = smartdoc("lint", "--format", "json", cwd=tmp_path)
    assert lint.returncode == 1
    findings = json.loads(lint.stdout)["findings"]
    codes = {(f["goal"], f["code"]) for f in findings}
    for goal in ("quantitative-goal", "qualitative-goal"):
        assert {(goal, "M101"), (goal, "M102"), (goal, "S101"), (goal, "R101")} <= codes
    assert (None, "R104") in codes
    assert ("qualitative-goal", "M105") in codes
    type_errors = [f for f in findings if f["code"].startswith("E")]
    assert not type_errors, "the skeleton must not hold type errors"

    again = smartdoc("new", "Webshop growth 2027", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert smartdoc("new", "Webshop growth 2027", "--force", cwd=tmp_path).returncode == 0


def test_new_points_the_modeline_at_the_published_schema(tmp_path: Path) -> None:
    (tmp_path / "smartdoc.yml").write_text("site_url: https://example.org/plans/\n")
    assert smartdoc("new", "Brand 2027", cwd=tmp_path).returncode == 0
    first = (tmp_path / "plans/brand-2027.md").read_text().splitlines()[1]
    assert first == "# yaml-language-server: $schema=https://example.org/plans/schema.json"


@pytest.mark.parametrize("title", ["计划", "Rules", "   "])
def test_new_refuses_titles_without_a_usable_name(tmp_path: Path, title: str) -> None:
    result = smartdoc("new", title, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("smartdoc: error:")
    assert not (tmp_path / "plans").exists() or not list((tmp_path / "plans").iterdir())


# --- the install line of the CI recipes (issue 15) -----------------------------------------


def ci_install_lines(files: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Return recipe -> (the SMARTDOC value, the comment lines above it)."""
    found = {}
    for name in (".github/workflows/smartdoc.yml", ".gitlab-ci.yml"):
        text = files[name]
        lines = text.splitlines()
        [index] = [i for i, line in enumerate(lines) if line.strip().startswith("SMARTDOC:")]
        comment = []
        for line in reversed(lines[:index]):
            if not line.strip().startswith("#"):
                break
            comment.insert(0, line.strip().lstrip("# "))
        value = (yaml.safe_load(text).get("env") or yaml.safe_load(text)["variables"])["SMARTDOC"]
        found[name] = (value, "\n".join(comment))
    return found


def test_install_line_from_a_git_url_and_commit() -> None:
    from smartdoc.commands.init import describe_install

    direct_url = {
        "url": "https://ci-bot:s3cret@git.example.org/tools/smartdoc.git",
        "vcs_info": {"vcs": "git", "commit_id": "0123abcd" * 5, "requested_revision": "main"},
    }
    line = describe_install(direct_url, "0.1.0")
    assert line.requirement == (
        "smartdoc @ git+https://git.example.org/tools/smartdoc.git@" + "0123abcd" * 5
    )
    assert "s3cret" not in line.requirement  # a token is never written into a repository
    assert "commit" in " ".join(line.comment)
    for value, comment in ci_install_lines(scaffold(dt.date(2026, 5, 1), line)).values():
        assert value == line.requirement
        assert "to upgrade, put a newer" in comment


def test_install_line_from_a_local_folder() -> None:
    from smartdoc.commands.init import GitCheckout, describe_install

    direct_url = {"url": "file:///home/maria/src/smartdoc", "dir_info": {"editable": True}}
    line = describe_install(direct_url, "0.1.0")
    assert line.requirement == "smartdoc @ file:///home/maria/src/smartdoc"
    assert line.comment[0].startswith("CHANGE THIS: smartdoc was installed from a folder")
    # a checkout with a network remote gives that remote and its commit instead
    checkouts = {
        Path("/home/maria/src/smartdoc"): GitCheckout("git@github.com:acme/smartdoc.git", "f" * 40)
    }
    line = describe_install(direct_url, "0.1.0", checkouts.get)
    assert line.requirement == "smartdoc @ git+ssh://git@github.com/acme/smartdoc.git@" + "f" * 40
    local_remote = {Path("/home/maria/src/smartdoc"): GitCheckout("/srv/git/smartdoc", "f" * 40)}
    line = describe_install(direct_url, "0.1.0", local_remote.get)
    assert line.requirement == "smartdoc @ file:///home/maria/src/smartdoc"


def test_install_line_from_an_index() -> None:
    from smartdoc.commands.init import describe_install

    line = describe_install(None, "0.1.0")
    assert line.requirement == "smartdoc==0.1.0"
    assert "change the version to upgrade" in " ".join(line.comment)
    archive = {"url": "https://files.example.org/smartdoc-0.1.0.tar.gz", "archive_info": {}}
    assert describe_install(archive, "0.1.0").requirement == (
        "smartdoc @ https://files.example.org/smartdoc-0.1.0.tar.gz"
    )
    odd = {"url": 'https://example.org/x"; rm -rf /', "archive_info": {}}
    assert describe_install(odd, "0.1.0").requirement == "smartdoc==0.1.0"


def test_init_writes_the_install_line_of_this_installation(tmp_path: Path) -> None:
    """This test environment has smartdoc installed editable from a local checkout."""
    from smartdoc.commands.init import install_line

    expected = install_line()
    result = smartdoc("init", "project", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = {
        name: (tmp_path / "project" / name).read_text(encoding="utf-8")
        for name in (".github/workflows/smartdoc.yml", ".gitlab-ci.yml")
    }
    for value, comment in ci_install_lines(files).values():
        assert value == expected.requirement
        assert value != "smartdoc==0.1.0" or "change the version" in comment
        assert comment.startswith("What `pip install` gets, written by `smartdoc init`")
