"""T: Timely. Goals have a deadline inside the plan period, and every figure has a plausible date.

"Today" is the lint's reference date (`--today`, else `SOURCE_DATE_EPOCH`, else the clock);
rules read it from the context, never from the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._dates import dated_figures, figure_name
from smartdoc.lint.rules._text import goal_label

if TYPE_CHECKING:
    from smartdoc.lint.engine import GoalContext, PlanContext
    from smartdoc.model import Goal


@rule("T101", "deadline-missing", "error")
def deadline_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal has no deadline.

    ## What it checks
    Every goal has `deadline: YYYY-MM-DD`. The finding is on the goal's first line.

    ## Why
    Without a deadline a goal is not Timely: there is no expected pace, no status and no
    moment to compare the final figure with the target.

    ## Fails
    ```yaml
    goals:
      - id: ig-followers
        target: 18000
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        target: 18000
        deadline: 2027-06-30
    ```
    """
    if goal.deadline is None:
        yield Hit(("deadline",), f"{goal_label(goal, ctx.index)} lacks 'deadline' (YYYY-MM-DD)")


@rule("T102", "deadline-outside-period", "warning")
def deadline_outside_period(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's deadline falls outside the plan period.

    ## What it checks
    `period.start <= deadline <= period.end`, bounds included. A warning, not an error: the
    goal can still be scored, but it belongs to another plan's period (or a date is a typo).
    Not checked when the period is missing or reversed (T103, T104).

    ## Why
    A plan for 2027 whose goal is due in 2028 will publish a scorecard that can never show
    the goal's result; a deadline before the period is usually a wrong year.

    ## Fails
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        deadline: 2028-06-30
    ```

    ## Passes
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        deadline: 2027-06-30
    ```
    """
    period = ctx.plan.period
    if goal.deadline is None or period is None or period.start >= period.end:
        return
    label = goal_label(goal, ctx.index)
    if goal.deadline < period.start:
        yield Hit(
            ("deadline",),
            f"{label}: deadline {goal.deadline.isoformat()} is before the "
            f"plan period starts ({period.start.isoformat()})",
        )
    elif goal.deadline > period.end:
        yield Hit(
            ("deadline",),
            f"{label}: deadline {goal.deadline.isoformat()} is after the "
            f"plan period ends ({period.end.isoformat()})",
        )


@rule("T103", "period-missing", "error", scope="plan")
def period_missing(ctx: PlanContext) -> Iterator[Hit]:
    """The plan has no period.

    ## What it checks
    The plan has `period: {start: YYYY-MM-DD, end: YYYY-MM-DD}`. Not reported when `period`
    was written but invalid (E109, E111 name the problem).

    ## Why
    The period frames every goal: deadlines are checked against it, staleness (P101) starts
    with it, and status is `not-started` before it.

    ## Fails
    ```yaml
    title: Northwind Coffee social media plan 2027
    goals: []
    ```

    ## Passes
    ```yaml
    title: Northwind Coffee social media plan 2027
    period: {start: 2027-01-01, end: 2027-12-31}
    goals: []
    ```
    """
    if ctx.plan.period is None:
        yield Hit(("period",), "plan lacks 'period': {start: YYYY-MM-DD, end: YYYY-MM-DD}")


@rule("T104", "period-reversed", "error", scope="plan")
def period_reversed(ctx: PlanContext) -> Iterator[Hit]:
    """The plan period does not start before it ends.

    ## What it checks
    `period.start < period.end`, strictly: a period that ends on or before its start day has
    no time for any goal. The finding is on `end`.

    ## Why
    A reversed period is a typo (usually the year) that would make every deadline look out
    of period and every expected pace meaningless.

    ## Fails
    ```yaml
    period: {start: 2027-12-31, end: 2027-01-01}
    ```

    ## Passes
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    ```
    """
    period = ctx.plan.period
    if period is None or period.start < period.end:
        return
    yield Hit(
        ("period", "end"),
        f"period end {period.end.isoformat()} is not after its start {period.start.isoformat()}",
    )


def baseline_grace_days(ctx: GoalContext) -> int:
    """Return the days after the period start a baseline may be dated (`lint.baseline_grace`)."""
    period = ctx.plan.period
    if period is None or period.end <= period.start:
        return 0
    return int(ctx.config.baseline_grace * (period.end - period.start).days)


@rule("T105", "baseline-after-period-start", "warning")
def baseline_after_period_start(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's baseline is dated well after the plan period starts.

    ## What it checks
    `baseline.date <= period.start + grace`: the *before* figure is measured before the
    work starts, or soon after. The grace is `lint.baseline_grace` (default 0.1) times the
    length of the period, in whole days: 36 days for a one-year plan, about 18 months for a
    15-year plan. Set it to 0 to require a baseline on or before the start day.

    ## Why
    A baseline taken after the work began already includes some of its effect, so the change
    from before to after is understated. The grace is there because public indicator
    frameworks date a baseline at the first measurement after the period starts (a census
    held 12 months into a 15-year plan); a baseline later than that is usually a typo or a
    figure that no longer describes "before". A warning: sometimes a late baseline is all
    there is.

    ## Fails
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        baseline: {date: 2027-02-15, value: 12000}   # 45 days in; the grace is 36
    ```

    ## Passes
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        baseline: {date: 2026-12-31, value: 12000}
    ```
    """
    period = ctx.plan.period
    if goal.baseline is None or period is None:
        return
    late_by = (goal.baseline.date - period.start).days
    grace = baseline_grace_days(ctx)
    if late_by <= grace:
        return
    share = f"{ctx.config.baseline_grace:.0%}"
    yield Hit(
        ("baseline", "date"),
        f"{goal_label(goal, ctx.index)}: baseline dated "
        f"{goal.baseline.date.isoformat()}, {late_by} days after the plan period "
        f"starts ({period.start.isoformat()}), beyond the grace of {grace} days ({share} "
        "of the period, lint.baseline_grace); use a figure from before the work started",
    )


@rule("T106", "figure-in-future", "error")
def figure_in_future(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A check-in or the final figure is dated after today.

    ## What it checks
    Every entry of `measurements` and the `final` figure is dated on or before "today"
    (`--today`, else `SOURCE_DATE_EPOCH`, else the clock). One finding per future date; for
    check-ins read from a CSV file it points at the CSV's line. The baseline is not checked:
    a plan written ahead of its period may state the baseline it expects.

    ## Why
    A figure cannot be measured before it happens: a future date is a typo (often the year or
    a swapped month and day), and it would become the "latest" value status is computed from.

    ## Fails
    ```yaml
    # today: 2027-04-15
    measurements:
      - {date: 2027-03-01, value: 13800}
      - {date: 2027-05-01, value: 14200}
    ```

    ## Passes
    ```yaml
    # today: 2027-04-15
    measurements:
      - {date: 2027-03-01, value: 13800}
      - {date: 2027-04-01, value: 14200}
    ```
    """
    label = goal_label(goal, ctx.index)
    for path, figure in dated_figures(goal):
        if figure.date > ctx.today:
            yield Hit(
                path,
                f"{label}: {figure_name(path)} is dated {figure.date.isoformat()}, "
                f"after today ({ctx.today.isoformat()})",
            )


@rule("T107", "figure-before-baseline", "error")
def figure_before_baseline(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A check-in or the final figure is dated before the baseline.

    ## What it checks
    Every entry of `measurements` and the `final` figure is dated on or after
    `baseline.date`. One finding per early date.

    ## Why
    The baseline is the *before* figure: progress is measured from it. A check-in older than
    the baseline is a typo, or the baseline is not the starting point it claims to be.

    ## Fails
    ```yaml
    baseline: {date: 2026-12-31, value: 12000}
    measurements:
      - {date: 2026-02-01, value: 12900}
    ```

    ## Passes
    ```yaml
    baseline: {date: 2026-12-31, value: 12000}
    measurements:
      - {date: 2027-02-01, value: 12900}
    ```
    """
    if goal.baseline is None:
        return
    label = goal_label(goal, ctx.index)
    baseline_date = goal.baseline.date
    for path, figure in dated_figures(goal):
        if figure.date < baseline_date:
            yield Hit(
                path,
                f"{label}: {figure_name(path)} is dated {figure.date.isoformat()}, "
                f"before the baseline ({baseline_date.isoformat()})",
            )


RULES = (
    deadline_missing,
    deadline_outside_period,
    period_missing,
    period_reversed,
    baseline_after_period_start,
    figure_in_future,
    figure_before_baseline,
)
