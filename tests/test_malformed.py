"""The malformed corpus: every hostile or broken plan gives one clear E finding, never a crash.

`tests/corpus/malformed/` holds the small cases; the huge ones are generated here, in a
temporary project. Each case says which single E finding it must give (code, line, column)
and the CLI must exit 1 without a traceback. Rows 1, 2, 3, 4, 12 and 13 of docs/testing.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smartdoc.cli import main

CORPUS = Path(__file__).parent / "corpus" / "malformed"
REPO = Path(__file__).resolve().parent.parent
TODAY = "2027-06-15"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose plans/ folder is a copy of the malformed corpus, plus generated cases."""
    root = tmp_path / "project"
    plans = root / "plans"
    shutil.copytree(CORPUS, plans, ignore=shutil.ignore_patterns("README.md"))
    (root / "smartdoc.yml").write_text("site_name: Malformed\n", encoding="utf-8")
    outside = tmp_path / "outside.csv"
    outside.write_text("date,value\n2027-01-01,1\n", encoding="utf-8")
    (plans / "data" / "outside-link.csv").symlink_to(outside)
    huge = 'date,value,note\n2027-01-01,12100,\n2027-02-01,12900,"' + "y" * 200_000 + '"\n'
    (plans / "data" / "huge-field.csv").write_text(huge, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def lint_json(*args: str) -> tuple[int, dict[str, Any], str]:
    """Run `smartdoc lint -f json ARGS` in-process; return exit code, report, stderr."""
    result = CliRunner().invoke(main, ["lint", "-f", "json", "--today", TODAY, *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout), result.stderr


def e_findings(report: dict[str, Any], file: str | None = None) -> list[dict[str, Any]]:
    return [
        f
        for f in report["findings"]
        if f["code"].startswith("E") and (file is None or f["file"] == file)
    ]


# --- the committed small cases -------------------------------------------------------------

#: file -> (code, line, column or None, words the message must contain, file of the finding)
CASES: dict[str, tuple[str, int, int | None, tuple[str, ...], str | None]] = {
    # row 1: the problem is found on line 4; the message says where the flow opened
    "yaml-unclosed-flow.md": ("E104", 4, None, ("YAML syntax error", "line 3"), None),
    "impossible-date.md": ("E109", 5, 15, ("2021-04-31",), None),
    "tbd-target.md": ("E111", 5, 13, ("target", "number", "'TBD'"), None),
    "wrong-type.md": ("E111", 5, 41, ("value", "number", "'84%'"), None),
    # row 4: one error each, at the value's line and column
    "measurements-dotdot.md": ("E114", 5, 19, ("path escapes the project root",), None),
    "measurements-absolute.md": ("E114", 5, 19, ("path escapes the project root",), None),
    "measurements-home.md": ("E114", 5, 19, ("path escapes the project root",), None),
    "measurements-percent.md": ("E114", 5, 19, ("path escapes the project root",), None),
    "measurements-symlink.md": ("E114", 5, 19, ("path escapes the project root",), None),
    "measurements-folder.md": ("E113", 5, 19, ("not a regular file",), None),
    # row 13: at the CSV's own line, naming the plan line that refers to it
    "csv-unterminated-quote.md": (
        "E112",
        3,
        1,
        ("unterminated quote", "plans/csv-unterminated-quote.md:5"),
        "plans/data/unterminated-quote.csv",
    ),
    "csv-not-a-number.md": (
        "E112",
        4,
        1,
        ("'abc'", "not a number", "plans/csv-not-a-number.md:5"),
        "plans/data/not-a-number.csv",
    ),
    "csv-huge-field.md": (
        "E112",
        3,
        1,
        ("longer than", "plans/csv-huge-field.md:5"),
        "plans/data/huge-field.csv",
    ),
    # row 12: Latin-1 byte 0xE9 on line 3
    "latin1.md": ("E108", 3, 11, ("not valid UTF-8", "byte 0xe9", "save it as UTF-8"), None),
}


@pytest.mark.parametrize("name", sorted(CASES), ids=str)
def test_malformed_case_gives_one_clear_finding(project: Path, name: str) -> None:
    code, line, column, words, in_file = CASES[name]
    exit_code, report, stderr = lint_json(f"plans/{name}")
    assert exit_code == 1
    assert stderr == ""
    found = e_findings(report)
    assert len(found) == 1, found
    finding = found[0]
    assert finding["code"] == code, finding
    assert finding["file"] == (in_file or f"plans/{name}")
    assert finding["line"] == line, finding
    if column is not None:
        assert finding["column"] == column, finding
    for word in words:
        assert word in finding["message"], finding
    assert finding["plan"] == name.removesuffix(".md")
    assert finding["severity"] == "error"


def test_duplicate_keys_top_level_and_nested(project: Path) -> None:
    exit_code, report, _ = lint_json("plans/duplicate-keys.md")
    assert exit_code == 1
    found = [(f["line"], f["column"], f["code"], f["message"]) for f in e_findings(report)]
    assert found == [
        (5, 1, "E106", "duplicate key 'owner' (first on line 3)"),
        (10, 5, "E106", "duplicate key 'target' (first on line 8)"),
    ]


def test_duplicate_key_keeps_the_first_value(project: Path) -> None:
    from smartdoc.load import load_plan

    loaded = load_plan(project / "plans" / "duplicate-keys.md", project, project / "plans")
    assert loaded.plan is not None
    assert loaded.plan.owner == "Maria Lopez"
    assert loaded.plan.goals[0].target == 18000


def test_concise_output_has_path_line_col_code(project: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "lint",
            "-f",
            "concise",
            "--today",
            TODAY,
            "--select",
            "E",
            "plans/yaml-unclosed-flow.md",
            "plans/impossible-date.md",
        ],
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("plans/impossible-date.md:5:15: E109/invalid-date [error] ")
    assert lines[1].startswith("plans/yaml-unclosed-flow.md:4:")
    assert "E104/yaml-syntax" in lines[1]
    assert lines[-1] == "Found 2 errors in 2 of 2 plans."


def test_every_bad_plan_is_reported_in_one_run(project: Path) -> None:
    """One bad plan never stops the others: the whole corpus in one run."""
    exit_code, report, stderr = lint_json()
    assert exit_code == 1
    assert stderr == ""
    reported = {f["plan"] for f in e_findings(report)}
    expected = {name.removesuffix(".md") for name in CASES} | {"duplicate-keys", "twin-lf"}
    assert expected <= reported
    assert report["summary"]["plans"] == len(list((project / "plans").glob("*.md")))


# --- BOM and CRLF (row 12) ---------------------------------------------------------------


def test_bom_crlf_twin_gives_the_same_findings(project: Path) -> None:
    lf = (project / "plans" / "twin-lf.md").read_bytes()
    assert b"\r" not in lf
    (project / "plans" / "twin-crlf.md").write_bytes(b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"))
    _, lf_report, _ = lint_json("plans/twin-lf.md")
    _, crlf_report, _ = lint_json("plans/twin-crlf.md")

    def shape(report: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (f["line"], f["column"], f["code"], f["goal"], f["message"]) for f in report["findings"]
        ]

    assert shape(lf_report) == shape(crlf_report)
    assert "E109" in {f["code"] for f in lf_report["findings"]}  # the twin is not trivially clean
    assert {f["file"] for f in crlf_report["findings"]} == {"plans/twin-crlf.md"}


# --- huge inputs (row 3) -------------------------------------------------------------------


def alias_bomb() -> str:
    """Return a 'billion laughs' front-matter of about 432 bytes (9 levels of 9 aliases)."""
    lines = ["---", 'a: &a ["lulz","lulz","lulz","lulz","lulz","lulz","lulz","lulz","lulz"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines += ["title: Laughs  # 9**9 = 387,420,489 of them once expanded, in RAM", "---", ""]
    return "\n".join(lines)


def test_alias_bomb(project: Path) -> None:
    text = alias_bomb()
    assert 420 <= len(text.encode()) <= 440
    (project / "plans" / "bomb.md").write_text(text, encoding="utf-8")
    exit_code, report, _ = lint_json("plans/bomb.md")
    assert exit_code == 1
    found = e_findings(report)
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("E103", 3, 8)]
    assert "alias '*a'" in found[0]["message"]


def test_two_megabytes_of_front_matter(project: Path) -> None:
    body = "".join(f"  line {i:07d} " + "x" * 84 + "\n" for i in range(21_000))
    text = "---\ntitle: Big\nnotes: |\n" + body + "---\n"
    assert len(text) > 2_000_000
    (project / "plans" / "big.md").write_text(text, encoding="utf-8")
    exit_code, report, _ = lint_json("plans/big.md")
    assert exit_code == 1
    found = e_findings(report)
    assert [(f["code"], f["line"]) for f in found] == [("E102", 2)]
    assert "over the limit" in found[0]["message"]


def test_deep_nesting_in_a_subprocess(project: Path) -> None:
    """50,000 `[`: a segfault in libyaml would show as a negative return code here."""
    (project / "plans" / "deep.md").write_text(
        "---\ntitle: Deep\nowner: " + "[" * 50_000 + "\n---\n", encoding="utf-8"
    )
    (project / "plans" / "deep-block.md").write_text(
        "---\ntitle: Deep\nowner:\n" + "".join(" " * i + "- \n" for i in range(1, 3000)) + "---\n",
        encoding="utf-8",
    )
    (project / "plans" / "bomb.md").write_text(alias_bomb(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_ACTIONS", None)
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "smartdoc.cli",
            "lint",
            "-f",
            "json",
            "--today",
            TODAY,
            "plans/deep.md",
            "plans/deep-block.md",
            "plans/bomb.md",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stdout + process.stderr
    report = json.loads(process.stdout)
    deep = e_findings(report, "plans/deep.md")
    assert [(f["code"], f["line"], f["column"]) for f in deep] == [("E102", 3, 72)]
    assert "nested more than 64 levels" in deep[0]["message"]
    block = e_findings(report, "plans/deep-block.md")
    assert [f["code"] for f in block] == ["E102"]
    assert [f["code"] for f in e_findings(report, "plans/bomb.md")] == ["E103"]


# --- odd paths that must not crash ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ('"data/x\\0.csv"', "E113"),  # a NUL byte in the path
        ("a" * 5000 + ".csv", "E113"),  # longer than PATH_MAX
        ("/".join(["b" * 300] * 3), "E113"),  # a component longer than NAME_MAX
        ("data/../../../x.csv", "E114"),
    ],
)
def test_odd_measurement_paths(project: Path, value: str, code: str) -> None:
    (project / "plans" / "odd.md").write_text(
        f"---\ntitle: Odd\ngoals:\n  - id: g\n    measurements: {value}\n---\n", encoding="utf-8"
    )
    exit_code, report, stderr = lint_json("plans/odd.md")
    assert exit_code == 1
    assert stderr == ""
    found = e_findings(report)
    assert [(f["code"], f["line"], f["column"]) for f in found] == [(code, 5, 19)]
    assert "\0" not in found[0]["message"]


def test_plan_symlinked_from_outside_is_refused_not_read(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: [secret\n---\n", encoding="utf-8")
    (project / "plans" / "linked.md").symlink_to(secret)
    exit_code, report, _ = lint_json("plans/linked.md")
    assert exit_code == 1
    assert [(f["code"], f["line"]) for f in e_findings(report)] == [("E114", 1)]
    assert "secret" not in json.dumps(report["findings"][0]["message"])
