"""`smartdoc diff` logic: two scorecards in, what a pull request changes out.

The main case is the one a reviewer meets: a pull request that lowers a target and adds a
check-in, diffed against main in a real repository (base scored from a snapshot of main,
head from the work tree, H rules included), then rendered as text, Markdown and JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from history_git import ISOLATED_ENV, GitRepo, plan_text
from project_helpers import load_plans

from smartdoc.config import Config, LintConfig
from smartdoc.history import (
    History,
    Scorecard,
    compare_scorecards,
    goal_budgets,
    has_new_errors,
    history_findings,
    materialize,
    read_history,
    reconcile_suppressions,
    render_json,
    render_markdown,
    render_text,
)
from smartdoc.history.diff import escape_markdown
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.finding import Finding
from smartdoc.load import load_plan
from smartdoc.scoring import PlanScore, score_plan

TODAY = dt.date(2027, 4, 15)
PLAN = "plans/northwind.md"


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


def scorecard(project: Path, history_root: Path, rev: str | None = None) -> Scorecard:
    """Score and lint a project the way `lint`/`build` do, H rules included."""
    config = Config(root=project, lint=LintConfig())
    plans = load_plans(config)
    findings = [f for loaded in plans for f in lint_plan(loaded, config.lint, TODAY)]
    history = read_history(history_root, plans, rev=rev, files_root=project)
    assert isinstance(history, History)
    report = history_findings(history, plans, config.lint, TODAY)
    findings = reconcile_suppressions(findings, report) + list(report.findings)
    scores = [
        score_plan(loaded.plan, TODAY, config.lint.tolerance, slug=loaded.slug)
        for loaded in plans
        if loaded.plan is not None
    ]
    return Scorecard(scores, sorted(findings), goal_budgets(plans))


@pytest.fixture
def pull_request(tmp_path: Path) -> GitRepo:
    """Main holds the plan; the pull request lowers the target and adds April's check-in.

    On main the goal is 8% of the way by 1 March, where the interim target asks for 22%:
    at risk. With April's figure and the lower target it is 75% of the way: on track.
    """
    repo = GitRepo(tmp_path / "plans-repo")
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(
        PLAN,
        plan_text(
            measurements="[{date: 2027-02-01, value: 12400}, {date: 2027-03-01, value: 12500}]"
        ),
    )
    repo.commit("March figures", "2027-03-02")
    repo.git("checkout", "-q", "-b", "lower-target")
    repo.write(
        PLAN,
        plan_text(
            target="16000",
            measurements="[{date: 2027-02-01, value: 12400}, {date: 2027-03-01, value: 12500}, "
            "{date: 2027-04-01, value: 15000}]",
        ),
    )
    repo.commit("April figure; lower the Instagram target", "2027-04-02", author="Ann Other")
    return repo


def test_pull_request_that_lowers_a_target_and_adds_a_checkin(pull_request: GitRepo) -> None:
    repo = pull_request
    with materialize(repo.path, "main") as snapshot:
        base = scorecard(snapshot, repo.path, rev="main")
    head = scorecard(repo.path, repo.path)
    diff = compare_scorecards(base, head, base_label="main", head_label="lower-target")
    (goal,) = diff.goals
    assert (goal.plan, goal.goal, goal.change) == ("northwind", "ig-followers", "changed")
    assert goal.status == ("at-risk", "on-track")
    assert goal.progress == (pytest.approx(500 / 6000), pytest.approx(0.75))
    assert goal.progress_delta == pytest.approx(0.75 - 500 / 6000)
    assert goal.target == (18000.0, 16000.0) and goal.target_moved
    assert not goal.baseline_moved and not goal.budget_moved
    assert [(f.code, f.goal) for f in diff.introduced] == [("H101", "ig-followers")]
    assert diff.fixed == ()
    assert not has_new_errors(diff)

    markdown = render_markdown(diff)
    assert markdown.splitlines()[0] == "### smartdoc scorecard: main → lower-target"
    assert (
        "**✅ no new error findings** · 1 goal changed, 1 status change, 1 goalpost moved, "
        "1 finding introduced (0 errors), 0 fixed"
    ) in markdown
    assert (
        "| northwind | ig-followers<br><sub>Grow Instagram followers from 12,000 to 18,000 "
        "by 30 June 2027</sub> | at-risk → **on-track** | 8% → **75%** (+67 pts) | "
        "18,000 → **16,000** | 12,000 | 8,000 |"
    ) in markdown
    assert "<summary>1 finding introduced</summary>" in markdown
    assert "**H101** goalpost-moved: goal 'ig-followers': target changed 18,000 → 16,000" in (
        markdown
    )

    text = render_text(diff)
    assert text.splitlines()[1] == (
        "  northwind/ig-followers: status at-risk → on-track; progress 8% → 75% (+67 pts); "
        "target 18,000 → 16,000"
    )
    data = json.loads(render_json(diff))
    assert data["version"] == 1
    assert data["goals"][0]["target"] == {"base": 18000, "head": 16000}
    assert data["findings"]["introduced"][0]["code"] == "H101"


def _finding(
    line: int, code: str = "P101", severity: str = "warning", message: str = "m"
) -> Finding:
    return Finding(PLAN, line, 5, code, "name", severity, message, "northwind", "ig-followers")


def _plan_score(text: str, tmp_path: Path) -> tuple[PlanScore, dict[tuple[str, str], float]]:
    (tmp_path / "plans").mkdir(exist_ok=True)
    (tmp_path / PLAN).write_text(text)
    loaded = load_plan(tmp_path / PLAN, tmp_path, tmp_path / "plans")
    assert loaded.plan is not None
    return score_plan(loaded.plan, TODAY, slug="northwind"), goal_budgets([loaded])


def test_findings_are_matched_by_message_not_by_line(tmp_path: Path) -> None:
    score, _ = _plan_score(plan_text(), tmp_path)
    moved_only = compare_scorecards(([score], [_finding(10)]), ([score], [_finding(14)]))
    assert moved_only.is_empty
    assert render_markdown(moved_only).endswith(
        "No change to the scorecard, and no finding introduced or fixed.\n"
    )
    one_more = compare_scorecards(
        ([score], [_finding(10)]), ([score], [_finding(14), _finding(20)])
    )
    assert [f.line for f in one_more.introduced] == [20]
    fixed = compare_scorecards(([score], [_finding(10), _finding(12, "M101")]), ([score], []))
    assert [f.code for f in fixed.fixed] == ["P101", "M101"]


def test_an_introduced_error_fails_the_diff(tmp_path: Path) -> None:
    score, _ = _plan_score(plan_text(), tmp_path)
    warning = compare_scorecards(([score], []), ([score], [_finding(3)]))
    error = compare_scorecards(([score], []), ([score], [_finding(3, "M101", "error")]))
    assert not has_new_errors(warning)
    assert has_new_errors(error)
    assert "**❌ introduces error findings**" in render_markdown(error)


def test_budget_moved_between_goals(tmp_path: Path) -> None:
    base, base_budgets = _plan_score(plan_text(), tmp_path)
    moved = (
        plan_text().replace("budget: 8000", "budget: 6000").replace("budget: 4000", "budget: 6000")
    )
    head, head_budgets = _plan_score(moved, tmp_path)
    diff = compare_scorecards(
        Scorecard([base], [], base_budgets), Scorecard([head], [], head_budgets)
    )
    (move,) = diff.budgets
    assert move.goals == (("ig-followers", 8000.0, 6000.0), ("positive-sentiment", 4000.0, 6000.0))
    assert move.allocated == (12000.0, 12000.0)
    assert "budget moved in northwind: ig-followers 8,000 → 6,000 (−2,000); " in render_text(diff)
    assert [g.budget for g in diff.goals] == [(8000.0, 6000.0), (4000.0, 6000.0)]


def test_goals_and_plans_added_and_removed(tmp_path: Path) -> None:
    base, _ = _plan_score(plan_text(), tmp_path)
    head, _ = _plan_score(plan_text(second_goal=False), tmp_path)
    other = PlanScore(**{**{f: getattr(head, f) for f in head.__dataclass_fields__}, "slug": "new"})
    diff = compare_scorecards(([base], []), ([head, other], []))
    assert [(g.goal, g.change) for g in diff.goals if g.plan == "northwind"] == [
        ("positive-sentiment", "removed")
    ]
    assert diff.plans_added == ("new",)
    assert "| *removed*, was on-track | 21% | 55 | 41 | – |" in render_markdown(diff)


def test_markdown_escapes_what_a_plan_wrote(tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)> @acme/owners [click](javascript:alert(1)) | `x`"
    assert escape_markdown(hostile) == (
        "&lt;img src=x onerror=alert(1)&gt; @\u200bacme/owners \\[click\\](javascript:alert(1)) "
        "\\| \\`x\\`"
    )
    base, _ = _plan_score(plan_text(), tmp_path)
    head, _ = _plan_score(
        plan_text(target="16000").replace(
            "title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027",
            f'title: "{hostile}"',
        ),
        tmp_path,
    )
    markdown = render_markdown(compare_scorecards(([base], []), ([head], [])))
    assert "<img" not in markdown and "@acme" not in markdown and "[click](" not in markdown
    body_rows = [line for line in markdown.splitlines() if line.startswith("| northwind")]
    assert len(body_rows) == 1 and body_rows[0].count(" | ") == 6  # the title's | is escaped
