"""Git-native history: the H rules, `--at REV` snapshots and the scorecard diff.

Entry points (everything else in the package is detail):

- `read_history(root, plans, plans_dir=..., rev=None)` -> `History | HistoryUnavailable`:
  one `git log` and one `git cat-file --batch` for all plans (`log.py`);
- `history_findings(history, plans, lint_config, today)` -> `HistoryReport`: the H findings
  and each goal's `GoalHistory` / each plan's `DroppedGoal`s (`rules.py`);
  `reconcile_suppressions(findings, report)` drops the engine's E901 for `ignore[H...]`;
- `original_progress(goal_history, current)`: progress against the original target;
- `materialize(root, rev)`: a context manager yielding the project at REV in a temporary
  folder (`snapshot.py`);
- `compare_scorecards(base, head)` -> `ScorecardDiff`, `render_text`, `render_markdown`,
  `render_json`, `has_new_errors` (`diff.py`).

`git.py` is the only module that runs git.
"""

from smartdoc.history.diff import (
    Scorecard,
    ScorecardDiff,
    compare_scorecards,
    goal_budgets,
    has_new_errors,
    render_json,
    render_markdown,
    render_text,
)
from smartdoc.history.findings import reconcile_suppressions
from smartdoc.history.git import HistoryUnavailable, check_revision
from smartdoc.history.log import Commit, History, read_history
from smartdoc.history.records import (
    DroppedGoal,
    GoalChange,
    GoalHistory,
    HistoryReport,
    original_progress,
)
from smartdoc.history.rules import history_findings
from smartdoc.history.snapshot import materialize

__all__ = [
    "Commit",
    "DroppedGoal",
    "GoalChange",
    "GoalHistory",
    "History",
    "HistoryReport",
    "HistoryUnavailable",
    "Scorecard",
    "ScorecardDiff",
    "check_revision",
    "compare_scorecards",
    "goal_budgets",
    "has_new_errors",
    "history_findings",
    "materialize",
    "original_progress",
    "read_history",
    "reconcile_suppressions",
    "render_json",
    "render_markdown",
    "render_text",
]
