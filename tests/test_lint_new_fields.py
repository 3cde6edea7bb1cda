"""Areas, objectives as mappings, overrides and the rules across plans (issues 12 and 13).

The rule cases in tests/rules/ pin each rule's lines and columns; these tests pin what a user
sees from `smartdoc lint` on a whole plan, `lint_portfolio` called directly, and the status
tolerance's move from `lint:` to `status:`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main
from smartdoc.commands.init import scaffold
from smartdoc.config import Config, LintConfig, load_config
from smartdoc.lint.engine import lint_plan, lint_portfolio
from smartdoc.load import LoadedPlan, load_plan

TODAY = dt.date(2026, 6, 15)


def write_project(root: Path, plan_text: str | None = None) -> Path:
    """Write the project `init` makes (on TODAY); optionally replace its example plan."""
    for name, text in scaffold(TODAY).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    plan = root / "plans" / "example.md"
    if plan_text is not None:
        plan.write_text(plan_text, encoding="utf-8")
    return plan


def lint_json(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[dict[str, object]]]:
    monkeypatch.chdir(root)
    for name in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["lint", "--today", TODAY.isoformat(), "-f", "json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_plan_with_areas_and_mapped_objectives_lints_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = write_project(tmp_path)
    text = plan.read_text(encoding="utf-8")
    assert "    area: communication" in text and "    horizon: 2028" in text
    assert lint_json(tmp_path, monkeypatch) == (0, [])


def test_plan_without_areas_warns_once_per_goal_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = write_project(tmp_path)
    text = plan.read_text(encoding="utf-8")
    head, goals = text.split("\ngoals:\n")
    goals_without = re.sub(r"^    area: .*\n", "", goals, flags=re.MULTILINE)
    assert "area:" in head and "area:" not in goals_without  # objectives keep theirs
    plan.write_text(head + "\ngoals:\n" + goals_without, encoding="utf-8")
    exit_code, found = lint_json(tmp_path, monkeypatch)
    assert exit_code == 0  # warnings only
    assert [(f["code"], f["goal"], f["severity"]) for f in found] == [
        ("Q105", "newsletter-subscribers", "warning"),
        ("Q105", "customer-satisfaction", "warning"),
    ]
    assert found[0]["message"] == (
        "goal 'newsletter-subscribers' lacks 'area': add 'area: financial' (revenue, sales, "
        "cost) or 'area: communication' (reach, brand, social media)"
    )
    # the objective it serves declares an area: the fix proposes it
    assert found[1]["message"] == (
        "goal 'customer-satisfaction' lacks 'area': add 'area: communication' "
        "(the area of objective 'loyalty')"
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [("finance", "financial"), ("comms", "communication"), ("communications", "communication")],
)
def test_near_miss_area_says_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, meant: str
) -> None:
    plan = write_project(tmp_path)
    text = plan.read_text(encoding="utf-8")
    head, goals = text.split("\ngoals:\n")
    goals = goals.replace("    area: communication", f"    area: {written}", 1)
    plan.write_text(head + "\ngoals:\n" + goals, encoding="utf-8")
    exit_code, found = lint_json(tmp_path, monkeypatch)
    assert exit_code == 1  # Q106 is an error, like a misspelt kind
    assert [(f["code"], f["goal"]) for f in found] == [("Q106", "newsletter-subscribers")]
    assert str(found[0]["message"]).endswith(f"did you mean '{meant}'?")


# --- lint_portfolio -------------------------------------------------------------------------

PLAN = """\
---
title: {title}
strategy:
{strategy}
goals: []
---
"""


def plan_file(root: Path, name: str, strategy: str) -> LoadedPlan:
    path = root / "plans" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PLAN.format(title=name, strategy=strategy), encoding="utf-8")
    return load_plan(path, root, root / "plans")


def test_same_key_with_another_text_is_reported_at_the_second_plan(tmp_path: Path) -> None:
    first = plan_file(tmp_path, "north", "  revenue: Increase online revenue by 3% in 2027")
    second = plan_file(
        tmp_path,
        "south",
        "  brand: Be seen as young\n  revenue: Double online revenue by 2030",
    )
    found = lint_portfolio([first, second], LintConfig())
    assert [(f.file, f.line, f.column, f.code, f.plan, f.goal) for f in found] == [
        ("plans/south.md", 5, 3, "R106", "south", None)
    ]
    assert found[0].severity == "warning" and found[0].name == "objective-differs"
    assert found[0].message == (
        "objective 'revenue' differs from plans/north.md: 'Double online revenue by 2030' here, "
        "'Increase online revenue by 3% in 2027' there; one key means one objective across "
        "plans: use the same text, or another key"
    )


def test_every_later_plan_is_compared_with_the_first(tmp_path: Path) -> None:
    plans = [
        plan_file(tmp_path, "a", "  brand: {title: Young brand, horizon: 2030}"),
        plan_file(tmp_path, "b", "  brand: {title: Young   brand, area: communication}"),
        plan_file(tmp_path, "c", "  brand: {title: Young brand, horizon: 2031}"),
    ]
    found = lint_portfolio(plans, LintConfig())
    # b: same title (spaces collapsed), no horizon to compare; c: another horizon
    assert [(f.plan, f.message.split(": ", 1)[1]) for f in found] == [
        (
            "c",
            "horizon 2031 here, 2030 there; one key means one objective across plans: "
            "use the same text, or another key",
        ),
    ]


def test_portfolio_findings_honour_select_severity_and_suppressions(tmp_path: Path) -> None:
    first = plan_file(tmp_path, "north", "  revenue: Increase online revenue by 3%")
    second = plan_file(tmp_path, "south", "  revenue: Double it")
    assert lint_portfolio([first, second], LintConfig(ignore=("R106",))) == []
    as_error = lint_portfolio([first, second], LintConfig(severity={"R106": "error"}))
    assert [f.severity for f in as_error] == ["error"]
    silenced = plan_file(
        tmp_path, "south", "  revenue: Double it  # smartdoc: ignore[R106] a new plan"
    )
    assert lint_portfolio([first, silenced], LintConfig()) == []
    # lint_plan cannot know whether a portfolio suppression is used: it leaves it alone
    assert "E901" not in {f.code for f in lint_plan(silenced, LintConfig(), TODAY)}


def test_unused_portfolio_suppression_is_reported_by_lint_portfolio(tmp_path: Path) -> None:
    first = plan_file(tmp_path, "north", "  revenue: Increase online revenue by 3%")
    second = plan_file(
        tmp_path, "south", "  revenue: Increase online revenue by 3%  # smartdoc: ignore[R106]"
    )
    found = lint_portfolio([first, second], LintConfig())
    assert [(f.file, f.line, f.code) for f in found] == [("plans/south.md", 4, "E901")]
    assert "E901" not in {f.code for f in lint_plan(second, LintConfig(), TODAY)}


def test_plans_that_failed_to_load_are_skipped(tmp_path: Path) -> None:
    broken = tmp_path / "plans" / "broken.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("---\n[unclosed\n---\n", encoding="utf-8")
    loaded = load_plan(broken, tmp_path, tmp_path / "plans")
    assert loaded.plan is None
    fine = plan_file(tmp_path, "fine", "  revenue: Increase online revenue by 3%")
    assert lint_portfolio([loaded, fine], LintConfig()) == []


# --- status tolerance -------------------------------------------------------------------------


def config_with(tmp_path: Path, text: str) -> Config:
    file = tmp_path / "smartdoc.yml"
    file.write_text(text, encoding="utf-8")
    return load_config(file)


def test_status_tolerance_defaults_to_a_tenth(tmp_path: Path) -> None:
    config = config_with(tmp_path, "site_name: x\n")
    assert config.status_tolerance == 0.10 and config.deprecations == ()


def test_status_tolerance_is_read_from_the_status_section(tmp_path: Path) -> None:
    config = config_with(tmp_path, "status: {tolerance: 0.2}\n")
    assert config.status_tolerance == 0.2 and config.deprecations == ()


def test_lint_tolerance_is_a_deprecated_alias(tmp_path: Path) -> None:
    config = config_with(tmp_path, "lint: {tolerance: 0.05}\n")
    assert config.status_tolerance == 0.05
    assert config.deprecations == (
        "smartdoc.yml: lint.tolerance is deprecated; move it to status.tolerance",
    )


def test_status_tolerance_wins_over_the_deprecated_alias(tmp_path: Path) -> None:
    config = config_with(tmp_path, "lint: {tolerance: 0.05}\nstatus: {tolerance: 0.15}\n")
    assert config.status_tolerance == 0.15
    assert "ignored" in config.deprecations[0]


def test_a_bad_status_tolerance_is_one_config_error(tmp_path: Path) -> None:
    from smartdoc.errors import ConfigError

    with pytest.raises(ConfigError, match=r"status\.tolerance"):
        config_with(tmp_path, "status: {tolerance: 2}\n")
