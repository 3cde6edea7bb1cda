"""smartdoc.yml: discovery, overrides, thresholds, per-file ignores and suppression comments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main
from smartdoc.config import load_config

TODAY = "2027-07-15"

# One goal with a missing unit (M104) and no support (A102); only quantitative (Q102): warnings.
PLAN = """\
---
title: Coffee plan 2027
owner: Maria Lopez
period: {start: 2027-01-01, end: 2027-12-31}
strategy:
  revenue: Increase online revenue by 3% in 2027
goals:
  - id: followers
    title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    kind: quantitative
    serves: revenue
    metric: Instagram followers
    direction: increase
    deadline: 2027-06-30
    baseline: {date: 2026-12-31, value: 12000}
    target: 18000
    final: {date: 2027-06-30, value: 17650}
---
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "plans" / "team").mkdir(parents=True)
    (root / "plans" / "coffee.md").write_text(PLAN, encoding="utf-8")
    monkeypatch.chdir(root)
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    return root


def findings(*args: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["lint", "--today", TODAY, "-f", "json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def codes(found: list[dict[str, object]]) -> set[str]:
    return {str(f["code"]) for f in found}


def test_defaults_without_a_config(project: Path) -> None:
    exit_code, found = findings()
    assert exit_code == 0
    assert {"M104", "A102"} <= codes(found)


def test_config_is_found_walking_up(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "smartdoc.yml").write_text("lint:\n  ignore: [M104]\n", encoding="utf-8")
    monkeypatch.chdir(project / "plans" / "team")
    config = load_config()
    assert config.root == project.resolve()
    assert config.lint.ignore == ("M104",)


def test_config_file_option_names_another(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yml"
    other.write_text("lint:\n  ignore: [A]\n", encoding="utf-8")
    (project / "smartdoc.yml").write_text("plans_dir: plans\n", encoding="utf-8")
    _, found = findings("-c", str(other), str(project / "plans"))
    assert "A102" not in codes(found) and "M104" in codes(found)


def test_severity_override_makes_a_warning_fail(project: Path) -> None:
    (project / "smartdoc.yml").write_text("lint:\n  severity: {M104: error}\n", encoding="utf-8")
    exit_code, found = findings()
    assert exit_code == 1
    assert [f["severity"] for f in found if f["code"] == "M104"] == ["error"]


def test_per_file_ignores_use_globs(project: Path) -> None:
    (project / "smartdoc.yml").write_text(
        "lint:\n  per-file-ignores:\n    'plans/coffee*.md': [M104, A]\n", encoding="utf-8"
    )
    _, found = findings()
    assert not {"M104", "A102"} & codes(found)


def test_growth_ceiling_threshold(project: Path) -> None:
    _, found = findings()
    assert "A101" not in codes(found)  # +50% in six months passes the default
    (project / "smartdoc.yml").write_text("lint:\n  growth_ceiling: 0.05\n", encoding="utf-8")
    _, found = findings()
    [ceiling] = [f for f in found if f["code"] == "A101"]
    assert "+50%" in str(ceiling["message"]) and "ceiling" in str(ceiling["message"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lint:\n  growth_ceiling: lots\n", "lint.growth_ceiling"),
        ("lint:\n  selekt: [S]\n", "lint.selekt"),
        ("site_name: [unclosed\n", "YAML syntax error"),
        ("- a list\n", "must be a mapping"),
    ],
)
def test_bad_config_is_one_line_and_exit_2(project: Path, text: str, message: str) -> None:
    (project / "smartdoc.yml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--today", TODAY])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_suppression_on_a_field_line(project: Path) -> None:
    text = PLAN.replace(
        "    kind: quantitative\n",
        "    kind: quantitative  # smartdoc: ignore[A102] funded centrally\n",
    )
    text = text.replace(
        "    metric: Instagram followers\n",
        "    metric: Instagram followers  # smartdoc: ignore[M104] counts\n",
    )
    (project / "plans" / "coffee.md").write_text(text, encoding="utf-8")
    _, found = findings()
    # M104 is reported at the goal's first line, not the metric line: that suppression is
    # unused, and the A102 one on an unrelated field line is unused too.
    assert "M104" in codes(found)
    unused = [f for f in found if f["code"] == "E901"]
    assert sorted(f["line"] for f in unused) == [10, 12]


def test_suppression_on_the_goal_line_covers_the_goal(project: Path) -> None:
    text = PLAN.replace(
        "  - id: followers\n", "  - id: followers  # smartdoc: ignore[M104, A102] unit is implied\n"
    )
    (project / "plans" / "coffee.md").write_text(text, encoding="utf-8")
    exit_code, found = findings()
    assert exit_code == 0
    assert not {"M104", "A102", "E901"} & codes(found)


def test_unused_suppression_is_reported(project: Path) -> None:
    text = PLAN.replace("    target: 18000\n", "    target: 18000  # smartdoc: ignore[M102] x\n")
    (project / "plans" / "coffee.md").write_text(text, encoding="utf-8")
    _, found = findings()
    [unused] = [f for f in found if f["code"] == "E901"]
    assert unused["line"] == 16 and "M102" in str(unused["message"])


@pytest.mark.parametrize(
    ("lint", "message"),
    [
        (
            "lint:\n  select: [S, P1O1]\n",
            "smartdoc.yml:2:15: lint.select[1]: unknown rule code or prefix 'P1O1'; "
            "did you mean P101?",
        ),
        ("lint:\n  ignore: [Z]\n", "smartdoc.yml:2:12: lint.ignore[0]: unknown rule code"),
        (
            "lint:\n  severity: {M1O1: error}\n",
            "smartdoc.yml:2:14: lint.severity.M1O1: unknown rule code or prefix 'M1O1'; "
            "did you mean M101?",
        ),
        (
            'lint:\n  per-file-ignores:\n    "plans/old-*.md": [S, X9]\n',
            "smartdoc.yml:3:27: lint.per-file-ignores.plans/old-*.md[1]: unknown rule code",
        ),
    ],
)
def test_an_unknown_rule_code_in_the_config_is_an_error_not_silence(
    project: Path, lint: str, message: str
) -> None:
    """A typo in select would otherwise turn every check off and lint would pass."""
    (project / "smartdoc.yml").write_text(lint, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "-q"])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_known_codes_prefixes_and_any_case_are_accepted(project: Path) -> None:
    (project / "smartdoc.yml").write_text(
        "lint:\n  select: [ALL]\n  ignore: [m101, s, H]\n  severity: {P101: error}\n",
        encoding="utf-8",
    )
    config = load_config(project / "smartdoc.yml")
    assert config.lint.ignore == ("m101", "s", "H")


def test_a_letter_o_typed_for_a_zero_is_suggested_back(project: Path) -> None:
    result = CliRunner().invoke(main, ["lint", "-q", "--select", "M1O1"])
    assert result.exit_code == 2
    assert "--select: unknown rule code or prefix 'M1O1'; did you mean M101?" in result.output
