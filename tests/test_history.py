"""The H rules on real git repositories: one test per rule, the trailer, renames, the working tree.

Each test builds a repository with commits at fixed author dates, loads the plans the way
`smartdoc lint` does, reads history and checks the findings (code, line, and the words a
user reads: commit, date, author, old → new) and the records the page card uses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from history_git import ISOLATED_ENV, GitRepo, line_of, plan_text
from project_helpers import load_plans

from smartdoc.config import Config, LintConfig
from smartdoc.history import (
    History,
    HistoryReport,
    history_findings,
    original_progress,
    read_history,
    reconcile_suppressions,
)
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.finding import Finding
from smartdoc.load import LoadedPlan

TODAY = dt.date(2027, 6, 15)
PLAN = "plans/northwind.md"


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the machine's git configuration out of every git process smartdoc starts."""
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "plans-repo")


def check(
    root: Path, lint: LintConfig | None = None, today: dt.date = TODAY
) -> tuple[HistoryReport, list[LoadedPlan]]:
    config = Config(root=root, lint=lint or LintConfig())
    plans = load_plans(config)
    history = read_history(root, plans, plans_dir=config.plans_dir)
    assert isinstance(history, History), history
    return history_findings(history, plans, config.lint, today), plans


def codes(report: HistoryReport) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in report.findings]


def only(report: HistoryReport, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.findings
    return found[0]


# --- H101 goalpost moved -----------------------------------------------------------------


def test_target_lowered_after_the_period_started(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text(target="18000"))
    repo.commit("Plan 2027", "2026-12-15")
    text = repo.write(PLAN, plan_text(target="16000")).read_text()
    sha = repo.commit("Lower the Instagram target", "2027-03-10", author="Ann Other")
    report, _ = check(repo.path)
    finding = only(report, "H101")
    assert (finding.file, finding.line, finding.severity) == (
        PLAN,
        line_of(text, "target: 16000"),
        "warning",
    )
    assert finding.goal == "ig-followers"
    assert finding.message == (
        "goal 'ig-followers': target changed 18,000 → 16,000 after the period started "
        f"(2027-01-01), in {repo.short(sha)} on 2027-03-10 by Ann Other; say why in a "
        "'Smartdoc-Rebaseline: <reason>' commit trailer"
    )
    history = report.goal("northwind", "ig-followers")
    assert history is not None and history.is_revised
    assert (history.original_target, history.target) == (18000.0, 16000.0)
    # the card: 16,520 is 113% of the revised target and 75% of the original one
    assert original_progress(history, 16520) == pytest.approx(4520 / 6000)
    change = history.changes[0]
    assert (change.kind, change.field, change.old, change.new) == (
        "moved",
        "target",
        "18,000",
        "16,000",
    )
    assert history.to_json()["original"] == {
        "target": 18000,
        "baseline": {"date": "2026-12-31", "value": 12000},
    }


def test_changes_before_the_period_started_are_fine(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text(target="18000"))
    repo.commit("Draft", "2026-11-01")
    repo.write(PLAN, plan_text(target="16000", deadline="2027-07-31"))
    repo.commit("Agreed plan", "2026-12-20")
    report, _ = check(repo.path)
    assert codes(report) == []
    history = report.goal("northwind", "ig-followers")
    assert history is not None and not history.is_revised


@pytest.mark.parametrize(
    ("field", "changed", "shown"),
    [
        (
            "baseline",
            {"baseline": "{date: 2026-12-31, value: 11000}"},
            "12,000 on 2026-12-31 → 11,000",
        ),
        ("deadline", {"deadline": "2027-09-30"}, "2027-06-30 → 2027-09-30"),
        ("direction", {"direction": "at-least"}, "increase → at-least"),
        (
            "interim",
            {"interim": "[{date: 2027-03-31, value: 13000}]"},
            "14,000 on 2027-03-31 → 13,000 on 2027-03-31",
        ),
    ],
)
def test_every_goalpost_field_is_watched(
    repo: GitRepo, field: str, changed: dict[str, str], shown: str
) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    text = repo.write(PLAN, plan_text(**changed)).read_text()
    repo.commit(f"Change the {field}", "2027-04-02")
    report, _ = check(repo.path)
    finding = only(report, "H101")
    assert finding.line == line_of(text, f"    {field}:")
    assert f"{field} changed {shown}" in finding.message


def test_moving_the_period_start_does_not_hide_a_change(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(period="{start: 2027-05-01, end: 2027-12-31}", target="16000"))
    repo.commit("Start later, lower target", "2027-03-01")
    report, _ = check(repo.path)
    assert "after the period started (2027-01-01)" in only(report, "H101").message


# --- the trailer -------------------------------------------------------------------------


def test_rebaseline_trailer_turns_the_change_into_an_info_with_its_reason(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text(target="18000"))
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(target="16000"))
    sha = repo.commit(
        "Lower the Instagram target",
        "2027-05-10",
        author="Ann Other",
        trailers=["Smartdoc-Rebaseline: budget cut by the board on 2027-05-02"],
    )
    report, _ = check(repo.path)
    assert [f.code for f in report.findings] == ["H106"]
    finding = report.findings[0]
    assert finding.severity == "info"
    assert finding.message.endswith("rebaselined: budget cut by the board on 2027-05-02")
    assert f"in {repo.short(sha)} on 2027-05-10 by Ann Other" in finding.message
    history = report.goal("northwind", "ig-followers")
    assert history is not None
    assert history.changes[0].reason == "budget cut by the board on 2027-05-02"
    assert history.to_json()["changes"][0]["reason"] == "budget cut by the board on 2027-05-02"


def test_a_hostile_trailer_and_author_stay_on_one_line(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text(target="18000"))
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(target="16000"))
    repo.commit(
        "Lower",
        "2027-05-10",
        author="Eve \x1b[31mRed",
        trailers=["Smartdoc-Rebaseline: first line", " folded \x07second line"],
    )
    finding = only(check(repo.path)[0], "H106")
    assert "\n" not in finding.message and "\x1b" not in finding.message
    assert "\x07" not in finding.message
    assert finding.message.endswith("rebaselined: first line folded second line")


# --- H102 goal added late ----------------------------------------------------------------

LATE_GOAL = """  - id: tiktok-views
    title: Reach 50,000 TikTok views a month by June 2027
    kind: quantitative
    serves: brand
    owner: Maria Lopez
    budget: 2000
    metric: TikTok views
    unit: views
    direction: increase
    deadline: 2027-06-30
    baseline: {date: 2026-12-31, value: 20000}
    target: 50000"""


def test_goal_first_committed_long_after_the_start(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    text = repo.write(PLAN, plan_text(extra_goal=LATE_GOAL)).read_text()
    sha = repo.commit("Add a TikTok goal", "2027-03-15", author="Ann Other")
    report, _ = check(repo.path)
    finding = only(report, "H102")
    assert finding.line == line_of(text, "id: tiktok-views")
    assert finding.goal == "tiktok-views"
    assert "first committed 73 days after the period started (2027-01-01)" in finding.message
    assert f"in {repo.short(sha)} on 2027-03-15 by Ann Other" in finding.message
    history = report.goal("northwind", "tiktok-views")
    assert history is not None and history.first_committed is not None
    assert history.first_committed.date == dt.date(2027, 3, 15)


def test_goal_added_within_the_grace_days_or_a_wider_window(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(extra_goal=LATE_GOAL))
    repo.commit("Add a TikTok goal", "2027-01-25")
    assert codes(check(repo.path)[0]) == []  # 24 days: inside the default 30
    narrow = check(repo.path, LintConfig(history_grace_days=10))[0]
    assert [f.line for f in narrow.findings if f.code == "H102"] == [
        line_of(plan_text(extra_goal=LATE_GOAL), "id: tiktok-views")
    ]


def test_a_plan_committed_late_is_one_finding_not_one_per_goal(repo: GitRepo) -> None:
    text = repo.write(PLAN, plan_text()).read_text()
    sha = repo.commit("Plan 2027, written in March", "2027-03-20")
    report, _ = check(repo.path)
    finding = only(report, "H102")
    assert (finding.line, finding.goal) == (line_of(text, "period:"), None)
    assert finding.message == (
        "plan first committed 78 days after its period started (2027-01-01), "
        f"in {repo.short(sha)} on 2027-03-20 by Maria Lopez: its 2 goal(s) were set after the "
        "work began; say why in a 'Smartdoc-Rebaseline: <reason>' commit trailer"
    )
    history = report.goal("northwind", "ig-followers")
    assert history is not None
    assert [c.kind for c in history.changes] == ["added-late", "baseline-late"]
    # each baseline was also written long after its date: H103 stays per goal
    assert [f.goal for f in report.findings if f.code == "H103"] == [
        "ig-followers",
        "positive-sentiment",
    ]


# --- H103 baseline committed late --------------------------------------------------------


def test_baseline_committed_long_after_its_date(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text(baseline="{date: 2026-12-31, value: 12000}"))
    repo.commit("Plan 2027", "2026-12-15")
    text = repo.write(PLAN, plan_text(baseline="{date: 2026-12-31, value: 9000}")).read_text()
    sha = repo.commit("Fix the baseline", "2027-04-20", author="Ann Other")
    report, _ = check(repo.path)
    late = only(report, "H103")
    assert late.line == line_of(text, "value: 9000")
    assert late.message.startswith(
        "goal 'ig-followers': baseline 9,000 on 2026-12-31 committed 110 days after its date, "
        f"in {repo.short(sha)} on 2027-04-20 by Ann Other: a benchmark written after the fact"
    )
    # the same commit also moved a goalpost
    assert (
        "baseline changed 12,000 on 2026-12-31 → 9,000 on 2026-12-31"
        in only(report, "H101").message
    )


def test_baseline_committed_soon_after_its_date_is_fine(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text(baseline="{date: 2026-12-31, value: TBD}"))
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(baseline="{date: 2026-12-31, value: 12000}"))
    repo.commit("Baseline measured", "2027-01-05")
    assert [f.code for f in check(repo.path)[0].findings] == []


# --- H104 check-in rewritten -------------------------------------------------------------


def test_inline_checkin_rewritten(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(
        PLAN,
        plan_text(
            measurements="[{date: 2027-02-01, value: 12900}, {date: 2027-03-01, value: 13800}]"
        ),
    )
    repo.commit("March figure", "2027-03-02")
    text = repo.write(
        PLAN,
        plan_text(
            measurements="[{date: 2027-02-01, value: 12900}, {date: 2027-03-01, value: 14100}, "
            "{date: 2027-04-01, value: 14500}]"
        ),
    ).read_text()
    sha = repo.commit("April figure", "2027-04-02", author="Ann Other")
    report, _ = check(repo.path)
    finding = only(report, "H104")
    line = line_of(text, "value: 14100")
    assert (finding.line, finding.column) == (line, text.splitlines()[line - 1].index("14100") + 1)
    assert finding.message.startswith(
        "goal 'ig-followers': check-in of 2027-03-01 changed 13,800 → 14,100 after it was "
        f"committed, in {repo.short(sha)} on 2027-04-02 by Ann Other"
    )


def test_a_new_checkin_is_no_rewrite(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(
        PLAN,
        plan_text(
            measurements="[{date: 2027-02-01, value: 12900}, {date: 2027-03-01, value: 13800}, "
            "{date: 2027-04-01, value: 14500}]"
        ),
    )
    repo.commit("April figure", "2027-04-02")
    assert codes(check(repo.path)[0]) == []


def test_csv_row_rewritten_is_reported_on_the_csv_line(repo: GitRepo) -> None:
    csv_goal = plan_text(measurements="data/followers.csv")
    repo.write(PLAN, csv_goal)
    repo.write("plans/data/followers.csv", "date,value\n2027-02-01,12900\n2027-03-01,13800\n")
    repo.commit("Plan 2027", "2026-12-15")
    repo.write("plans/data/followers.csv", "date,value\n2027-02-01,12900\n2027-03-01,13300\n")
    sha = repo.commit("Correct March", "2027-04-02", author="Ann Other")
    report, _ = check(repo.path)
    finding = only(report, "H104")
    assert (finding.file, finding.line, finding.goal) == (
        "plans/data/followers.csv",
        3,
        "ig-followers",
    )
    assert "check-in of 2027-03-01 in plans/data/followers.csv changed 13,800 → 13,300" in (
        finding.message
    )
    assert f"in {repo.short(sha)} on 2027-04-02 by Ann Other" in finding.message


def test_shared_csv_rows_are_matched_to_goals_by_the_goal_column(repo: GitRepo) -> None:
    text = plan_text(measurements="[]").replace(
        "budget: {total", "measurements: data/all.csv\nbudget: {total"
    )
    repo.write(PLAN, text)
    rows = "goal,date,value\nig-followers,2027-02-01,12900\npositive-sentiment,2027-02-01,44\n"
    repo.write("plans/data/all.csv", rows)
    repo.commit("Plan 2027", "2026-12-15")
    repo.write("plans/data/all.csv", rows.replace(",44", ",47"))
    repo.commit("Sentiment corrected", "2027-03-01")
    finding = only(check(repo.path)[0], "H104")
    assert (finding.file, finding.line, finding.goal) == (
        "plans/data/all.csv",
        3,
        "positive-sentiment",
    )


# --- H105 goal dropped -------------------------------------------------------------------


def test_goal_removed_mid_period_is_listed_as_dropped(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    text = repo.write(PLAN, plan_text(second_goal=False)).read_text()
    sha = repo.commit("Drop sentiment", "2027-05-01", author="Ann Other")
    report, _ = check(repo.path)
    finding = only(report, "H105")
    assert (finding.line, finding.goal) == (line_of(text, "goals:"), None)
    assert finding.message.startswith(
        "goal 'positive-sentiment' removed after the period started (2027-01-01), "
        f"in {repo.short(sha)} on 2027-05-01 by Ann Other"
    )
    (dropped,) = report.dropped["northwind"]
    assert (dropped.goal, dropped.title) == (
        "positive-sentiment",
        "Raise positive brand mentions from 41% to 55% by December 2027",
    )
    # its last status, on the day it was removed: scored as of its last figure (44 on
    # 2027-02-01), 21% of the way from 41 to 55 where 8% of the period had passed: on track,
    # and stale by then (89 days since that figure)
    score = dropped.last_score(dropped.removal.date)
    assert score is not None and score.status == "on-track"
    assert score.stale is not None and score.stale.days == 89
    assert dropped.to_json(TODAY)["last_status"] == "on-track"


def test_goal_removed_before_the_period_is_not_dropped(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Draft", "2026-11-15")
    repo.write(PLAN, plan_text(second_goal=False))
    repo.commit("Agreed plan", "2026-12-15")
    report, _ = check(repo.path)
    assert codes(report) == [] and report.dropped == {}


# --- renames, the working tree, suppressions, configuration ------------------------------


def test_history_follows_a_renamed_plan(repo: GitRepo) -> None:
    repo.write("plans/old-name.md", plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write("plans/old-name.md", plan_text(target="16000"))
    repo.commit("Lower the target", "2027-03-10")
    repo.git("mv", "plans/old-name.md", PLAN)
    repo.commit("Rename the plan", "2027-04-01")
    report, _ = check(repo.path)
    assert [(f.file, f.code) for f in report.findings] == [(PLAN, "H101")]


def test_uncommitted_edit_is_reported_as_the_working_tree(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(target="16000"))
    finding = only(check(repo.path)[0], "H101")
    assert "in the working tree (not committed yet)" in finding.message
    assert finding.message.endswith("trailer when you commit it")


def test_suppression_comment_silences_a_finding_and_counts_as_used(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    text = plan_text(target="16000  # smartdoc: ignore[H101] agreed at the Q1 review")
    repo.write(PLAN, text)
    repo.commit("Lower the target", "2027-03-10")
    report, plans = check(repo.path)
    assert codes(report) == []
    assert report.used_suppressions == {(PLAN, line_of(text, "target: 16000"), "H101")}
    engine = lint_plan(plans[0], LintConfig(), TODAY)
    assert [f.code for f in engine if f.code == "E901"] == ["E901"]  # the engine alone...
    assert [f.code for f in reconcile_suppressions(engine, report) if f.code == "E901"] == []
    # ...and without history nobody can tell whether it is used: not reported either
    assert [f.code for f in reconcile_suppressions(engine, None) if f.code == "E901"] == []


def test_select_ignore_and_severity_apply(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.write(PLAN, plan_text(target="16000"))
    repo.commit("Lower the target", "2027-03-10")
    assert codes(check(repo.path, LintConfig(ignore=("H",)))[0]) == []
    strict = check(repo.path, LintConfig(severity={"H101": "error"}))[0]
    assert [f.severity for f in strict.findings] == ["error"]


def test_project_in_a_subfolder_of_the_repository(repo: GitRepo) -> None:
    repo.write("strategy/" + PLAN, plan_text())
    repo.write("README.md", "# not a plan\n")
    repo.commit("Plan 2027", "2026-12-15")
    repo.write("strategy/" + PLAN, plan_text(target="16000"))
    repo.commit("Lower the target", "2027-03-10")
    report, _ = check(repo.path / "strategy")
    assert [(f.file, f.code) for f in report.findings] == [(PLAN, "H101")]


def test_one_log_and_one_cat_file_whatever_the_number_of_plans(repo: GitRepo) -> None:
    for index in range(12):
        repo.write(f"plans/p{index:02d}.md", plan_text() + f"Plan {index}.\n")
    repo.commit("Twelve plans", "2026-12-15")
    for month in range(2, 6):
        for index in range(0, 12, 3):
            text = plan_text(target=str(18000 - month * 100)) + f"Plan {index}.\n"
            repo.write(f"plans/p{index:02d}.md", text)
        repo.commit(f"Month {month}", f"2027-0{month}-02")
    config = Config(root=repo.path)
    plans = load_plans(config)
    history = read_history(repo.path, plans)
    assert isinstance(history, History)
    # rev-parse x2, log, cat-file: never a process per plan or per commit
    assert history.processes == 4
    assert history.commit_count == 5
    # plans unchanged since their only commit are not fetched or parsed
    assert history.blobs_read == 4 * 4
    report = history_findings(history, plans, config.lint, TODAY)
    assert len([f for f in report.findings if f.code == "H101"]) == 4 * 4


def test_a_repository_without_commits_has_no_history_findings(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    report, _ = check(repo.path)
    assert codes(report) == [] and report.goals == {}


def test_a_merged_branch_credits_each_change_to_its_own_commit(repo: GitRepo) -> None:
    repo.write(PLAN, plan_text())
    repo.commit("Plan 2027", "2026-12-15")
    repo.git("checkout", "-q", "-b", "lower")
    repo.write(PLAN, plan_text(target="16000"))
    lowered = repo.commit("Lower the target", "2027-03-01", author="Ann Other")
    repo.git("checkout", "-q", "main")
    added = "[{date: 2027-02-01, value: 12900}, {date: 2027-03-01, value: 13800}, " + (
        "{date: 2027-04-01, value: 14500}]"
    )
    repo.write(PLAN, plan_text(measurements=added))
    repo.commit("April figure", "2027-04-02")
    repo.git(
        "merge",
        "-q",
        "--no-edit",
        "lower",
        env={
            "GIT_AUTHOR_DATE": "2027-04-03T12:00:00+00:00",
            "GIT_COMMITTER_DATE": "2027-04-03T12:00:00+00:00",
        },
    )
    assert "target: 16000" in (repo.path / PLAN).read_text()
    report, _ = check(repo.path)
    assert [f.code for f in report.findings] == ["H101"]
    assert f"in {repo.short(lowered)} on 2027-03-01 by Ann Other" in report.findings[0].message
