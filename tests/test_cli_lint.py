"""`smartdoc lint`, `rule`, `rules`, `schema` and `clean` from the command line.

Exit codes (docs/commands.md): 0 no failing finding, 1 findings fail the run, 2 usage or config.
The plans here are checked with `--select E` where the exit code is the point, so the
tests do not depend on the judgement rules of the other families.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smartdoc.cli import main
from smartdoc.lint.registry import all_rules

REPO = Path(__file__).resolve().parent.parent
TODAY = "2027-06-15"

CLEAN = "---\ntitle: Clean plan\ngoals:\n  - id: followers\n    target: 18000\n---\n# Clean\n"
WARNS = "---\ntitle: Plan of the Norwegian team\nowner: no\ngoals: []\n---\n"
FAILS = "---\ntitle: Bad plan\ngoals:\n  - id: followers\n    deadline: 2027-04-31\n---\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "plans").mkdir(parents=True)
    (root / "smartdoc.yml").write_text("site_name: Test\n", encoding="utf-8")
    monkeypatch.chdir(root)
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "NO_COLOR", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / "plans" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def smartdoc(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def lint(*args: str, env: dict[str, str] | None = None) -> Result:
    return smartdoc("lint", "--today", TODAY, *args, env=env)


# --- exit codes ----------------------------------------------------------------------------


def test_clean_plans_exit_0(project: Path) -> None:
    write(project, "clean.md", CLEAN)
    result = lint("--select", "E")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "The plan passed."


def test_error_findings_exit_1_and_every_plan_is_reported(project: Path) -> None:
    write(project, "a.md", "---\ntitle: A\nowner: [unclosed\ngoals: []\n---\n")
    write(project, "b.md", FAILS)
    write(project, "c.md", CLEAN)
    result = lint("--select", "E", "-f", "concise")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("plans/a.md:4:")
    assert lines[1].startswith("plans/b.md:5:15: E109/invalid-date [error] ")
    assert lines[-1] == "Found 2 errors in 2 of 3 plans."


def test_warnings_pass_unless_strict(project: Path) -> None:
    write(project, "draft.md", WARNS)
    assert lint("--select", "E").exit_code == 0
    strict = lint("--select", "E", "--strict", "-f", "concise")
    assert strict.exit_code == 1
    assert "E107/yaml11-boolean [warning]" in strict.stdout
    assert strict.stdout.splitlines()[-1] == "Found 1 warning in 1 of 1 plan."


def test_exit_zero(project: Path) -> None:
    write(project, "bad.md", FAILS)
    result = lint("--select", "E", "--exit-zero")
    assert result.exit_code == 0
    assert "E109" in result.stdout
    assert lint("--select", "E", "--strict", "--exit-zero").exit_code == 0


def test_missing_path_is_a_usage_error(project: Path) -> None:
    result = lint("plans/nope.md")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "smartdoc: error: plans/nope.md: no such file or folder"
    ]


def test_unknown_select_code_is_a_usage_error(project: Path) -> None:
    result = lint("--select", "E10,X123")
    assert result.exit_code == 2
    assert "unknown rule code or prefix 'X123'" in result.stderr


def test_bad_config_exits_2(project: Path) -> None:
    (project / "smartdoc.yml").write_text("lint: {growth_ceiling: -1}\n", encoding="utf-8")
    result = lint()
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_draft_yes_is_one_error_not_a_warning_and_an_error(project: Path) -> None:
    # `yes` is text in YAML 1.2: E111 says draft needs true/false; E107 there would say it twice
    write(project, "draft.md", "---\ntitle: Draft\ndraft: yes\ngoals: []\n---\n")
    result = lint("-f", "concise")
    found = [line for line in result.stdout.splitlines() if line.startswith("plans/draft.md:3:")]
    assert found == [
        "plans/draft.md:3:8: E111/wrong-type [error] draft must be true or false, not 'yes'"
    ]
    assert result.exit_code == 1


# --- select and ignore ---------------------------------------------------------------------


def test_select_and_ignore_comma_separated_or_repeated(project: Path) -> None:
    write(
        project,
        "mixed.md",
        "---\ntitle: Mixed\nowner: no\ngoals:\n"
        "  - id: g\n    deadline: 2027-04-31\n    target: TBD\n---\n",
    )

    def codes(*args: str) -> set[str]:
        result = lint("-f", "json", *args)
        return {f["code"] for f in json.loads(result.stdout)["findings"]}

    assert codes("--select", "E107,E109") == {"E107", "E109"}
    assert codes("--select", "E107", "--select", "E111") == {"E107", "E111"}
    assert codes("--select", "E1", "--ignore", "E107", "--ignore", "E109") == {"E111"}
    assert codes("--select", "e1", "--ignore", "e107,e111") == {"E109"}


def test_cli_select_and_ignore_override_the_config(project: Path) -> None:
    (project / "smartdoc.yml").write_text(
        "lint:\n  select: [E107]\n  ignore: [E109]\n", encoding="utf-8"
    )
    write(
        project,
        "mixed.md",
        "---\ntitle: Mixed\nowner: no\ngoals:\n  - id: g\n    deadline: 2027-04-31\n---\n",
    )

    def codes(*args: str) -> set[str]:
        return {f["code"] for f in json.loads(lint("-f", "json", *args).stdout)["findings"]}

    assert codes() == {"E107"}
    assert codes("--select", "E109") == set()  # config ignore still applies
    assert codes("--select", "E109", "--ignore", "E107") == {"E109"}


# --- formats and output --------------------------------------------------------------------


def test_github_format_under_github_actions(project: Path) -> None:
    write(project, "bad.md", FAILS)
    result = lint("--select", "E", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "::error file=plans/bad.md,line=5,col=15,title=smartdoc (E109)::invalid date"
    )
    explicit = lint("--select", "E", "-f", "concise", env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith("plans/bad.md:5:15: E109/invalid-date")
    local = lint("--select", "E")
    assert "::error" not in local.stdout
    assert "plans/bad.md:5:15: E109 invalid date" in local.stdout


def test_github_paths_are_relative_to_the_workspace(project: Path) -> None:
    write(project, "bad.md", FAILS)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(project.parent)}
    result = lint("--select", "E", env=env)
    assert result.stdout.startswith("::error file=project/plans/bad.md,line=5,")


def test_output_file_is_written_atomically_in_new_folders(project: Path) -> None:
    write(project, "bad.md", FAILS)
    target = project / "reports" / "nested" / "lint.json"
    result = lint("--select", "E", "-f", "json", "-o", str(target))
    assert result.exit_code == 1
    assert "Report written to" in result.stdout
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["findings"][0]["code"] == "E109"
    assert sorted(p.name for p in target.parent.iterdir()) == ["lint.json"]
    quiet = lint("--select", "E", "-f", "sarif", "-q", "-o", str(target))
    assert quiet.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_quiet_prints_only_findings(project: Path) -> None:
    write(project, "bad.md", FAILS)
    write(project, "clean.md", CLEAN)
    result = lint("--select", "E", "-q", "-f", "concise")
    assert result.stdout.splitlines() == [
        "plans/bad.md:5:15: E109/invalid-date [error] "
        "invalid date '2027-04-31': April 2027 has 30 days"
    ]
    assert lint("--select", "E", "-q", "plans/clean.md").stdout == ""


def test_colour_follows_the_flags(project: Path) -> None:
    write(project, "bad.md", FAILS)
    assert "\x1b[" in lint("--select", "E", "--color").stdout
    assert "\x1b[" not in lint("--select", "E", "--no-color").stdout
    assert "\x1b[" not in lint("--select", "E").stdout  # not a terminal


def test_json_today_from_source_date_epoch(project: Path) -> None:
    write(project, "clean.md", CLEAN)
    result = smartdoc(
        "lint", "-f", "json", "--select", "E", env={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    assert json.loads(result.stdout)["today"] == "2023-11-14"


def test_lint_in_a_real_subprocess(project: Path) -> None:
    write(project, "bad.md", FAILS)
    write(project, "clean.md", CLEAN)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "smartdoc.cli", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    failing = run("lint", "--today", TODAY, "--select", "E", "-f", "concise")
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[-1] == "Found 1 error in 1 of 2 plans."
    assert run("lint", "--today", TODAY, "--select", "E", "plans/clean.md").returncode == 0
    usage = run("lint", "plans/missing.md")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


# --- rule, rules, schema, clean ------------------------------------------------------------


def test_rule_prints_its_doc_page() -> None:
    result = smartdoc("rule", "E104")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "E104/yaml-syntax (error)"
    assert lines[1] == ""
    assert lines[2] == "The front-matter is not valid YAML."
    for section in ("## What it checks", "## Why", "## Fails", "## Passes"):
        assert section in result.stdout
    assert smartdoc("rule", "e104").stdout == result.stdout
    assert smartdoc("rule", "yaml-syntax").stdout == result.stdout


def test_unknown_rule_suggests_one() -> None:
    result = smartdoc("rule", "E1044")
    assert result.exit_code == 2
    assert result.stderr.startswith("smartdoc: error: unknown rule 'E1044'; did you mean E104")
    assert "did you mean E106/duplicate-key?" in smartdoc("rule", "duplicate-kye").stderr


def test_rules_table_json_and_markdown() -> None:
    catalogue = all_rules()
    table = smartdoc("rules")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "SEVERITY", "SUMMARY"]
    assert [line.split()[0] for line in lines[1:]] == list(catalogue)
    e104 = next(line for line in lines if line.startswith("E104"))
    assert e104.split()[1:3] == ["yaml-syntax", "error"]
    items = json.loads(smartdoc("rules", "-f", "json").stdout)
    assert [item["code"] for item in items] == list(catalogue)
    assert set(items[0]) >= {"code", "name", "severity", "summary", "doc"}
    markdown = smartdoc("rules", "-f", "markdown").stdout.splitlines()
    assert markdown[0] == "| Code | Name | Severity | Summary |"
    assert len(markdown) == len(catalogue) + 2


def test_schema_is_json_with_goals() -> None:
    result = smartdoc("schema")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert "goals" in document["properties"]
    assert json.loads(smartdoc("schema", "--config").stdout)


def test_clean_removes_only_the_cache(project: Path, tmp_path: Path) -> None:
    cache = project / ".smartdoc_cache"
    (cache / "pages").mkdir(parents=True)
    (cache / "pages" / "a.html").write_text("x" * 2048, encoding="utf-8")
    (project / "site").mkdir()
    result = smartdoc("clean")
    assert result.exit_code == 0
    assert result.stdout.startswith("Removed .smartdoc_cache/ (1 file, 2.0 KiB)")
    assert not cache.exists()
    assert (project / "site").is_dir() and (project / "plans").is_dir()
    again = smartdoc("clean")
    assert again.exit_code == 0
    assert "Nothing to clean" in again.stdout


def test_clean_does_not_follow_a_symlinked_cache(project: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep", encoding="utf-8")
    (project / ".smartdoc_cache").symlink_to(precious, target_is_directory=True)
    assert smartdoc("clean").exit_code == 0
    assert (precious / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert not (project / ".smartdoc_cache").exists()
