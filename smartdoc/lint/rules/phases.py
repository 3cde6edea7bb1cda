"""P: Phases. Goals are measured before, during and after: fresh check-ins, then a final figure.

*Before* is the baseline (checked by M and T rules), *during* the dated check-ins under
`measurements`, *after* the `final` figure. These rules check that the during phase keeps
pace with the goal's `frequency` and that the after phase is recorded once the deadline passes.
A human `override` of the status is a judgement at a point in the phases: it needs its reason
and date, and a newer figure calls for a new look at it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.cadence import (
    FREQUENCY_GRACE_DAYS,
    frequency_days,
    is_due,
    measuring_since,
    staleness_window,
)
from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._dates import latest_on_or_before, long_date
from smartdoc.lint.rules._text import goal_label
from smartdoc.model import STATUS_VOCABULARY

if TYPE_CHECKING:
    from smartdoc.lint.engine import GoalContext
    from smartdoc.model import Goal


def _staleness_window(goal: Goal, ctx: GoalContext) -> tuple[int, str]:
    """Return (days allowed since the last check-in, how that was decided)."""
    window = staleness_window(goal, ctx.config.staleness_days)
    days = window.frequency_days
    if days is None:
        return window.days, "the configured staleness_days"
    plural = "" if days == 1 else "s"
    return window.days, (
        f"frequency '{goal.frequency}' ({days} day{plural} + {FREQUENCY_GRACE_DAYS} grace)"
    )


@rule("P101", "checkin-stale", "warning")
def checkin_stale(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal running now has no recent check-in.

    ## What it checks
    Once the plan period has started, and until the deadline passes or a `final` figure is
    recorded, the latest check-in dated on or before today is at most a window old. The
    window is the goal's `frequency` plus a grace of 3 days (daily 1, weekly 7, fortnightly
    14, monthly 31, quarterly 92, yearly or annually 366 days, `N days`, `N weeks`, or a
    whole number of days); without a `frequency` (or with one P105 does not understand) it
    is `lint.staleness_days` (default 45), used as is. With no check-in yet, the window
    counts from the period start (or from the baseline, when that is later). Nothing is due
    while today is before the baseline date: a check-in dated before the baseline is itself
    an error (T107). Without a period the baseline date stands in for its start. After the
    deadline, P102 takes over.

    ## Why
    *During* measurement is what allows correction: a goal last measured months ago may be
    off track with nobody knowing. Future-dated check-ins (T106) do not count as recent.

    ## Fails
    ```yaml
    # today: 2027-06-15
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        frequency: monthly
        deadline: 2027-12-15
        measurements:
          - {date: 2027-03-01, value: 13800}
    ```

    ## Passes
    ```yaml
    # today: 2027-06-15
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        frequency: monthly
        deadline: 2027-12-15
        measurements:
          - {date: 2027-03-01, value: 13800}
          - {date: 2027-06-01, value: 15100}
    ```
    """
    # nothing is due before the period or the baseline (T107 would reject such a check-in;
    # issue 12), after the deadline (P102) or once the final figure is in
    since = measuring_since(goal, ctx.plan.period)
    if since is None or not is_due(
        goal, ctx.plan.period, ctx.today, has_final=goal.final is not None
    ):
        return
    latest = latest_on_or_before(goal.measurements or [], ctx.today)
    if latest is None and goal.baseline is not None and since < goal.baseline.date <= ctx.today:
        since = goal.baseline.date
    reference = latest or since
    window, reason = _staleness_window(goal, ctx)
    age = (ctx.today - reference).days
    if age <= window:
        return
    today = ctx.today.isoformat()
    what = (
        f"last check-in is dated {reference.isoformat()}, {age} days before today ({today})"
        if latest
        else f"no check-in in the {age} days since {reference.isoformat()} (today {today})"
    )
    yield Hit(
        ("measurements",), f"{goal_label(goal, ctx.index)}: {what}; {reason} allows {window} days"
    )


@rule("P102", "final-missing", "warning")
def final_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's deadline has passed and it has no final figure.

    ## What it checks
    When today is after `deadline`, the goal has a `final: {date, value}`: the *after*
    figure compared with the baseline and the target. The finding is on the goal's first
    line.

    ## Why
    Without the final figure the scorecard cannot say whether the goal was achieved or
    missed; the last check-in is not the result.

    ## Fails
    ```yaml
    # today: 2027-07-15
    goals:
      - id: ig-followers
        deadline: 2027-06-30
    ```

    ## Passes
    ```yaml
    # today: 2027-07-15
    goals:
      - id: ig-followers
        deadline: 2027-06-30
        final: {date: 2027-07-01, value: 17650}
    ```
    """
    if goal.deadline is None or ctx.today <= goal.deadline or goal.final is not None:
        return
    yield Hit(
        ("final",),
        f"{goal_label(goal, ctx.index)}: deadline "
        f"{goal.deadline.isoformat()} has passed but 'final' is missing",
    )


@rule("P103", "checkin-date-duplicate", "error")
def checkin_date_duplicate(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """Two check-ins of a goal have the same date.

    ## What it checks
    Dates under `measurements` are unique within a goal. The finding is on each repeat,
    naming the entry that first used the date (for CSV data: the CSV's line).

    ## Why
    Status uses the latest check-in by date; two figures for one day make "latest"
    ambiguous, and it is usually a copy-paste slip. An error, so it is fixed before the
    scorecard picks one at random.

    ## Fails
    ```yaml
    measurements:
      - {date: 2027-02-01, value: 12900}
      - {date: 2027-02-01, value: 13100}
    ```

    ## Passes
    ```yaml
    measurements:
      - {date: 2027-02-01, value: 12900}
      - {date: 2027-03-01, value: 13100}
    ```
    """
    first_at: dict[dt.date, int] = {}
    label = goal_label(goal, ctx.index)
    for position, checkin in enumerate(goal.measurements or []):
        if checkin.date not in first_at:
            first_at[checkin.date] = position
            continue
        yield Hit(
            ("measurements", position, "date"),
            f"{label}: measurements[{position}] has the same date "
            f"{checkin.date.isoformat()} as measurements[{first_at[checkin.date]}]",
        )


@rule("P104", "checkins-unordered", "warning")
def checkins_unordered(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's check-ins are not listed in date order.

    ## What it checks
    Each entry of `measurements` is dated on or after the one before it. One finding per
    goal, on the first entry out of order. smartdoc sorts check-ins by date anyway, so
    status and charts are right; the warning is for the reader of the file.

    ## Why
    A reviewer reads the last line as the latest figure. Out of order, the file says one
    thing and the scorecard another.

    ## Fails
    ```yaml
    measurements:
      - {date: 2027-03-01, value: 13800}
      - {date: 2027-02-01, value: 12900}
    ```

    ## Passes
    ```yaml
    measurements:
      - {date: 2027-02-01, value: 12900}
      - {date: 2027-03-01, value: 13800}
    ```
    """
    checkins = goal.measurements or []
    for position in range(1, len(checkins)):
        previous, current = checkins[position - 1], checkins[position]
        if current.date < previous.date:
            yield Hit(
                ("measurements", position, "date"),
                f"{goal_label(goal, ctx.index)}: measurements[{position}] dated "
                f"{current.date.isoformat()} is listed after {previous.date.isoformat()}; "
                "smartdoc sorts check-ins by date, list them in date order",
            )
            return


@rule("P105", "frequency-unknown", "warning")
def frequency_unknown(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's `frequency` is not a cadence smartdoc understands.

    ## What it checks
    `frequency` is one of daily, weekly, fortnightly, monthly, quarterly, yearly, annually
    (any case), `N days`, `N weeks`, or a whole number of days above 0. Otherwise P101
    falls back to `lint.staleness_days`.

    ## Why
    The cadence sets when a goal counts as stale; a value smartdoc cannot read (`bi-monthly`,
    `every month`, `0`) silently changes that window.

    ## Fails
    ```yaml
    frequency: every month
    ```

    ## Passes
    ```yaml
    frequency: monthly
    ```
    """
    if goal.frequency is None or frequency_days(goal.frequency) is not None:
        return
    yield Hit(
        ("frequency",),
        f"{goal_label(goal, ctx.index)}: frequency '{goal.frequency}' is "
        "not daily, weekly, fortnightly, monthly, quarterly, yearly, "
        "'N days', 'N weeks' or a number of days",
    )


@rule("P106", "override-incomplete", "error")
def override_incomplete(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A status override lacks its status, reason or date.

    ## What it checks
    A goal's `override` has all of `status` (the judged status), `reason` (why the computed
    status is not the whole story) and `date` (when the judgement was made); `by` is
    optional. One finding per override, naming every missing field.

    ## Why
    An override is shown beside the computed status on the card, the scorecard and in
    `plans.json`. A reader trusts it only with the reason and the day it was made: an
    unexplained, undated "on track" next to a red figure is exactly what a scorecard exists
    to prevent.

    ## Fails
    ```yaml
    override: {status: at-risk}
    ```

    ## Passes
    ```yaml
    override:
      status: at-risk
      reason: Reels reach fell after the algorithm change
      date: 2027-03-05
    ```
    """
    override = goal.override
    if override is None:
        return
    missing = [
        name
        for name, value in (
            ("status", override.status),
            ("reason", override.reason),
            ("date", override.date),
        )
        if not value and not _invalid(ctx, name)
    ]
    if not missing:
        return
    names = " and ".join(f"'{name}'" for name in missing)
    yield Hit(
        ("override",),
        f"{goal_label(goal, ctx.index)}: override lacks {names}; an override needs the "
        "status, the reason and the date it was made (YYYY-MM-DD)",
    )


def _invalid(ctx: GoalContext, field: str) -> bool:
    """Return True when `override.<field>` was written but dropped as invalid (E111)."""
    return ("goals", ctx.index, "override", field) in ctx.loaded.invalid_paths


@rule("P107", "override-stale", "warning")
def override_stale(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A status override is older than the goal's latest figure.

    ## What it checks
    An `override` with a `date` is dated on or after the goal's latest figure: the latest
    check-in or the `final` figure, among those dated on or before today (a future-dated
    figure is T106's). An override made the same day as the figure passes. The finding is
    on the override's `date`.

    ## Why
    An override judges the figures known when it was made. A newer figure may prove it
    wrong (or right): whoever made it should look again and confirm it with a new date, or
    remove it, so the card does not show last month's judgement beside this month's figure.

    ## Fails
    ```yaml
    measurements:
      - {date: 2027-04-01, value: 14200}
    override: {status: at-risk, reason: Reels reach fell, date: 2027-03-05}
    ```

    ## Passes
    ```yaml
    measurements:
      - {date: 2027-04-01, value: 14200}
    override: {status: at-risk, reason: Reels reach still low in April, date: 2027-04-03}
    ```
    """
    if goal.override is None or goal.override.date is None:
        return
    latest = latest_on_or_before(goal.measurements or [], ctx.today)
    what = "check-in"
    final = goal.final.date if goal.final is not None else None
    if final is not None and final <= ctx.today and (latest is None or final >= latest):
        latest, what = final, "final figure"
    made = goal.override.date
    if latest is None or made >= latest:
        return
    yield Hit(
        ("override", "date"),
        f"{goal_label(goal, ctx.index)}: override from {long_date(made)} predates the "
        f"{long_date(latest)} {what}; confirm or remove it",
    )


@rule("P108", "override-status-unknown", "error")
def override_status_unknown(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A status override names a status outside the status vocabulary.

    ## What it checks
    `override.status` is one of the statuses smartdoc computes: achieved, on-track,
    at-risk, off-track, no-data, not-started, missed, met, breached (exactly, lowercase).
    The message proposes the closest one (`on track` -> on-track) and lists them all.

    ## Why
    The override stands beside the computed status and is counted and coloured the same
    way; a status the scorecard does not know ("fine", "green") cannot be compared with it.

    ## Fails
    ```yaml
    override: {status: green, reason: Campaign starts in May, date: 2027-04-03}
    ```

    ## Passes
    ```yaml
    override: {status: on-track, reason: Campaign starts in May, date: 2027-04-03}
    ```
    """
    status = goal.override.status if goal.override is not None else None
    if status is None or status in STATUS_VOCABULARY:
        return
    folded = "-".join(status.lower().replace("_", " ").split())
    close = difflib.get_close_matches(folded, STATUS_VOCABULARY, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    yield Hit(
        ("override", "status"),
        f"{goal_label(goal, ctx.index)}: override status '{status}' is not a status; "
        f"{hint}use one of {', '.join(STATUS_VOCABULARY)}",
    )


RULES = (
    checkin_stale,
    final_missing,
    checkin_date_duplicate,
    checkins_unordered,
    frequency_unknown,
    override_incomplete,
    override_stale,
    override_status_unknown,
)
