"""Scores and status (docs/scoring.md): pure arithmetic of (model, today, tolerance, staleness).

No I/O, no clock, no global state. The site, the PDFs, `plans.json` (`site/plans_json.py`)
and `smartdoc status` all read the same `GoalScore` / `PlanScore` values.

Definitions, for a goal with baseline `b`, target `t` and current value `c`:

- **Today.** Figures dated after `today` are ignored (lint rule T reports them), so
  `--today` in the past gives the scorecard as it stood that day.
- **Current value** `c`: the final figure if any, else the latest check-in *by date* (the
  last listed wins among check-ins of the same date).
- **As-of date** `a`: the date of `c`. A goal is judged on the figure it has: expected pace
  is taken at `a`, not at today, so a goal does not slide to "at risk" in the days between
  two check-ins. None without a figure.
- **Progress** `p = (c - b) / (t - b)` for increase and decrease alike, not clamped: a goal
  moving away from its target has negative progress. None without `b`, `t` or `c`, when
  `t == b`, or for band goals.
- **Direction**, when not written: a `{min, max}` target is `range`; `t >= b` is `increase`;
  `t < b` is `decrease`; unknown without a baseline.
- **Expected pace** `e`: the share of the time from the baseline date to the deadline that
  has passed at `a`, clamped to 0..1. With `interim` targets the expected *value* is
  interpolated piecewise-linearly through (baseline date, b), the interim points sorted by
  date (those outside the baseline-deadline span are ignored), and (deadline, t); then
  `e = (expected value - b) / (t - b)`, also clamped to 0..1. None for band goals, without
  a figure, and when the baseline date, the deadline or a deadline after the baseline date
  is missing. The expected *value* printed beside the current one is `b + e x (t - b)`.
- **Bands** (`at-least`: the target is the floor; `at-most`: the ceiling; `range`:
  `{min, max}`; bounds inclusive) count their figures inside: every check-in and the final
  figure (the final counts as a check-in), as of today: "n of m inside". They are *met*
  while their `hold` holds, else *breached*: `all` (the default) every figure inside;
  `latest` the current figure inside; a share `s` at least `s x m` of them inside.
- **Stale**: while check-ins are due (the period has started, the baseline date and not
  the deadline has passed, no final figure yet), the latest check-in is older than the
  goal's cadence allows: its `frequency` plus 3 days of grace, else `staleness_days` (the
  P101 rule, from `smartdoc.cadence`). Shown beside the status ("last figure 83 days
  ago"), never instead of it. A goal without any check-in is `no-data`, not stale.

Status precedence (the first that applies wins):

1. `not-started`: today is before the plan period starts (before the baseline date when
   the plan has no period).
2. `no-data`: no check-in or final figure yet.
3. `met` / `breached`: band goals.
4. `achieved`: p >= 1.
5. `missed`: the deadline has passed (today > deadline) and p < 1.
6. `on-track` (p >= e - tolerance), `at-risk` (p >= e - 2 x tolerance), else `off-track`.

A goal that has figures but lacks the numbers to be judged (no baseline or target, t == b,
no deadline to pace against) is `no-data` too: lint reports what is missing. Comparisons
allow `EPSILON` so a figure printed as 100% is never "not achieved" by a rounding error.

Roll-ups: each goal adds its *attainment* 0..1: progress clamped to 0..1 (so one runaway
goal cannot hide the others; per-goal progress stays raw), or for a band goal its share of
figures inside. A plan's attainment is the weighted mean over its goals that have one
(goals of weight <= 0 are left out); None when none is left. The same roll-up runs per
strategic objective across plans, per area (financial, communication; goals without an
area in a bucket of their own, so none is hidden) and per kind x area. A roll-up never
hides a bad goal: next to every attainment stands the worst status among its goals, in
`WORST_FIRST` order.

A goal's `override` (a human judgement) is carried beside the computed status, never
instead of it: nothing here reads it to decide a status or a roll-up.

The package: `results` (the vocabulary and the frozen results), `goal` (one goal), `rollup`
(plans, objectives, areas, the kind x area split). Everything is importable from here.
"""

from __future__ import annotations

from smartdoc.scoring.goal import (
    checkins_as_of,
    clamp,
    current_checkin,
    decide_status,
    final_as_of,
    get_as_of,
    get_band,
    get_change,
    get_expected,
    get_expected_value,
    get_phases,
    get_progress,
    get_staleness,
    get_status,
    hold_holds,
    infer_direction,
    interpolate,
    is_band,
    is_inside,
    is_started,
    numeric_target,
    progress_of,
    score_goal,
    time_share,
)
from smartdoc.scoring.results import (
    ACHIEVED,
    AT_RISK,
    BREACHED,
    DEFAULT_TOLERANCE,
    EPSILON,
    KINDS,
    MET,
    MISSED,
    NO_DATA,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
    STATUSES,
    WORST_FIRST,
    AreaScore,
    BandScore,
    Basis,
    BudgetScore,
    Change,
    GoalScore,
    Hold,
    ObjectiveGoal,
    ObjectiveScore,
    OverrideScore,
    Phases,
    PlanScore,
    RollupGoal,
    RollupPlan,
    SmartLetters,
    SmartScore,
    SplitCell,
    Staleness,
    worst_status,
)
from smartdoc.scoring.rollup import (
    count_statuses,
    get_area_scores,
    get_budget,
    get_smart_score,
    get_split,
    score_areas,
    score_plan,
    score_portfolio,
    weighted_attainment,
)

__all__ = [
    "ACHIEVED",
    "AT_RISK",
    "BREACHED",
    "DEFAULT_TOLERANCE",
    "EPSILON",
    "KINDS",
    "MET",
    "MISSED",
    "NOT_STARTED",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "STATUSES",
    "WORST_FIRST",
    "AreaScore",
    "BandScore",
    "Basis",
    "BudgetScore",
    "Change",
    "GoalScore",
    "Hold",
    "ObjectiveGoal",
    "ObjectiveScore",
    "OverrideScore",
    "Phases",
    "PlanScore",
    "RollupGoal",
    "RollupPlan",
    "SmartLetters",
    "SmartScore",
    "SplitCell",
    "Staleness",
    "checkins_as_of",
    "clamp",
    "count_statuses",
    "current_checkin",
    "decide_status",
    "final_as_of",
    "get_area_scores",
    "get_as_of",
    "get_band",
    "get_budget",
    "get_change",
    "get_expected",
    "get_expected_value",
    "get_phases",
    "get_progress",
    "get_smart_score",
    "get_split",
    "get_staleness",
    "get_status",
    "hold_holds",
    "infer_direction",
    "interpolate",
    "is_band",
    "is_inside",
    "is_started",
    "numeric_target",
    "progress_of",
    "score_areas",
    "score_goal",
    "score_plan",
    "score_portfolio",
    "time_share",
    "weighted_attainment",
    "worst_status",
]
