"""M: Measurable. Each goal has the figures to be scored: before, target, unit, and a proxy.

Baseline and target are required of every goal, quantitative or qualitative: for a
qualitative goal they are the numbers of its indicator (the proxy that measures it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.figures import format_number
from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._text import goal_label
from smartdoc.model import Band, Goal

if TYPE_CHECKING:
    from smartdoc.lint.engine import GoalContext

#: Directions whose target is a single number the goal moves towards.
_MOVING = (None, "increase", "decrease")


@rule("M101", "baseline-missing", "error")
def baseline_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal has no baseline (the figure before).

    ## What it checks
    Every goal, quantitative or qualitative (where it is the indicator's figure), has
    `baseline: {date, value}`.

    ## Why
    The baseline is the benchmark: progress is `(current - baseline) / (target - baseline)`,
    so without it a goal cannot be scored, and the "before" column of the scorecard is empty.

    ## Fails
    ```yaml
    - id: ig-followers
      target: 18000
    ```

    ## Passes
    ```yaml
    - id: ig-followers
      baseline: {date: 2026-12-31, value: 12000}
      target: 18000
    ```
    """
    if goal.baseline is not None:
        return
    yield Hit(
        ("baseline",),
        f"{goal_label(goal, ctx.index)}: baseline is missing; add "
        "baseline: {date, value} with the figure before the goal starts",
    )


@rule("M102", "target-missing", "error")
def target_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal has no target.

    ## What it checks
    Every goal, quantitative or qualitative (where it is the indicator's figure), has a
    `target`: a number, or `{min, max}` for a `range` goal.

    ## Why
    Without a target there is nothing to measure progress against: the goal cannot be met,
    missed or scored.

    ## Fails
    ```yaml
    - id: ig-followers
      baseline: {date: 2026-12-31, value: 12000}
    ```

    ## Passes
    ```yaml
    - id: ig-followers
      baseline: {date: 2026-12-31, value: 12000}
      target: 18000
    ```
    """
    if goal.target is not None:
        return
    yield Hit(
        ("target",),
        f"{goal_label(goal, ctx.index)}: target is missing; add the figure "
        "to reach (a number, or {min, max} for a range)",
    )


@rule("M103", "metric-missing", "warning")
def metric_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A quantitative goal does not say what is counted.

    ## What it checks
    Goals with `kind: quantitative` have a `metric` (qualitative goals name an `indicator`
    instead; see M105).

    ## Why
    "18,000" of what? The metric tells every reader, and the next analyst pulling the
    export, which figure the goal is about.

    ## Fails
    ```yaml
    kind: quantitative
    unit: followers
    target: 18000
    ```

    ## Passes
    ```yaml
    kind: quantitative
    metric: Instagram followers
    unit: followers
    target: 18000
    ```
    """
    if goal.kind != "quantitative" or goal.metric:
        return
    label = goal_label(goal, ctx.index)
    yield Hit(
        ("metric",),
        f"{label}: metric is missing; name what is counted (e.g. 'Instagram followers')",
    )


@rule("M104", "unit-missing", "warning")
def unit_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's figures have no unit.

    ## What it checks
    Every goal has a `unit` (`followers`, `EUR`, `visits`, `%` for percentages), the
    qualitative ones included: the unit is that of their indicator.

    ## Why
    A target of 55 could be 55 mentions or 55%; charts and scorecards print the unit beside
    every figure, and `%` turns on the 0-100 check (M110).

    ## Fails
    ```yaml
    metric: Instagram followers
    target: 18000
    ```

    ## Passes
    ```yaml
    metric: Instagram followers
    unit: followers
    target: 18000
    ```
    """
    if goal.unit:
        return
    yield Hit(
        ("unit",),
        f"{goal_label(goal, ctx.index)}: unit is missing; say what the figures "
        "count (e.g. followers, EUR, %)",
    )


@rule("M105", "proxy-missing", "warning")
def proxy_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A qualitative goal lacks its objective, indicator or method.

    ## What it checks
    Goals with `kind: qualitative` have all three of `objective` (the soft factor),
    `indicator` (the proxy figure that stands for it) and `method` (how the proxy is
    measured: survey, social listening, panel, NPS...). One finding per missing field.

    ## Why
    Soft factors such as image or satisfaction cannot be counted directly; a goal about
    them is measurable only through a named proxy measured the same way each time.

    ## Fails
    ```yaml
    kind: qualitative
    objective: Be perceived as young and fresh
    ```

    ## Passes
    ```yaml
    kind: qualitative
    objective: Be perceived as young and fresh
    indicator: Share of positive mentions
    method: Monthly social-listening report
    ```
    """
    if goal.kind != "qualitative":
        return
    label = goal_label(goal, ctx.index)
    needs = (
        ("objective", goal.objective, "the soft factor this goal is about"),
        ("indicator", goal.indicator, "the proxy figure that measures it"),
        ("method", goal.method, "how the indicator is measured (survey, social listening...)"),
    )
    for field, value, meaning in needs:
        if not value:
            yield Hit((field,), f"{label}: qualitative goal lacks '{field}': {meaning}")


@rule("M106", "target-equals-baseline", "error")
def target_equals_baseline(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's target is the same figure as its baseline.

    ## What it checks
    For `increase` and `decrease` goals (and goals with no `direction`), a number `target`
    equal to `baseline.value`. Band goals (`at-least`, `at-most`) may hold a level, so
    they are not checked.

    ## Why
    A goal that asks for no change has no progress to measure: `target - baseline` is zero.
    To keep a level, use `direction: at-least` or `at-most`.

    ## Fails
    ```yaml
    direction: increase
    baseline: {date: 2026-12-31, value: 12000}
    target: 12000
    ```

    ## Passes
    ```yaml
    direction: at-least
    baseline: {date: 2026-12-31, value: 12000}
    target: 12000
    ```
    """
    if goal.direction not in _MOVING or goal.baseline is None:
        return
    if isinstance(goal.target, Band) or goal.target is None:
        return
    if goal.target != goal.baseline.value:
        return
    label = goal_label(goal, ctx.index)
    yield Hit(
        ("target",),
        f"{label}: target {format_number(goal.target)} equals the baseline; "
        "set the figure to reach, or use direction at-least/at-most",
    )


@rule("M107", "direction-contradicts-target", "error")
def direction_contradicts_target(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's target moves the other way from its `direction`.

    ## What it checks
    `direction: increase` needs `target` above `baseline.value`; `direction: decrease`
    needs it below.

    ## Why
    The numbers and the direction disagree, so one of them is a typo; progress would be
    computed towards the wrong side and the status would be wrong.

    ## Fails
    ```yaml
    direction: decrease
    baseline: {date: 2026-12-31, value: 12}
    target: 18
    ```

    ## Passes
    ```yaml
    direction: decrease
    baseline: {date: 2026-12-31, value: 18}
    target: 12
    ```
    """
    if goal.direction not in ("increase", "decrease") or goal.baseline is None:
        return
    if isinstance(goal.target, Band) or goal.target is None:
        return
    target, baseline = goal.target, goal.baseline.value
    wrong = target < baseline if goal.direction == "increase" else target > baseline
    if not wrong:
        return
    side = "below" if goal.direction == "increase" else "above"
    yield Hit(
        ("target",),
        f"{goal_label(goal, ctx.index)}: target {format_number(target)} is {side} the "
        f"baseline {format_number(baseline)} but direction is '{goal.direction}'",
    )


@rule("M108", "target-shape-mismatch", "error")
def target_shape_mismatch(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's target is a number where its direction needs a range, or the reverse.

    ## What it checks
    `direction: range` needs `target: {min, max}`; `increase`, `decrease`, `at-least` and
    `at-most` need a single number.

    ## Why
    A band goal is met while the figure stays inside `{min, max}`; a moving goal is scored
    against one figure. A target of the other shape cannot be scored.

    ## Fails
    ```yaml
    direction: at-least
    target: {min: 40, max: 60}
    ```

    ## Passes
    ```yaml
    direction: range
    target: {min: 40, max: 60}
    ```
    """
    if goal.direction is None or goal.target is None:
        return
    label = goal_label(goal, ctx.index)
    is_band = isinstance(goal.target, Band)
    if goal.direction == "range" and not is_band:
        yield Hit(
            ("target",),
            f"{label}: target is a number but direction is 'range'; write target: {{min, max}}",
        )
    elif goal.direction != "range" and is_band:
        yield Hit(
            ("target",),
            f"{label}: target is a range {{min, max}} but direction is "
            f"'{goal.direction}'; write one number, or use direction: range",
        )


@rule("M109", "range-inverted", "error")
def range_inverted(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A range target's `min` is not below its `max`.

    ## What it checks
    `target: {min, max}` with `min < max`. The finding is at `min`.

    ## Why
    An empty or one-point band is almost always swapped or mistyped bounds; no figure (or
    only one exact figure) could meet it.

    ## Fails
    ```yaml
    direction: range
    target: {min: 60, max: 40}
    ```

    ## Passes
    ```yaml
    direction: range
    target: {min: 40, max: 60}
    ```
    """
    if not isinstance(goal.target, Band) or goal.target.min < goal.target.max:
        return
    low, high = format_number(goal.target.min), format_number(goal.target.max)
    yield Hit(
        ("target", "min"),
        f"{goal_label(goal, ctx.index)}: target min {low} is not below "
        f"max {high}; a range needs min < max",
    )


def _percent_figures(goal: Goal) -> Iterator[tuple[tuple[str | int, ...], str, float]]:
    """Yield (path, field name, value) for every figure of a goal."""
    if goal.baseline is not None:
        yield ("baseline", "value"), "baseline", goal.baseline.value
    if isinstance(goal.target, Band):
        yield ("target", "min"), "target min", goal.target.min
        yield ("target", "max"), "target max", goal.target.max
    elif goal.target is not None:
        yield ("target",), "target", goal.target
    for index, checkin in enumerate(goal.interim or []):
        yield ("interim", index, "value"), f"interim target of {checkin.date}", checkin.value
    for index, checkin in enumerate(goal.measurements or []):
        yield ("measurements", index, "value"), f"check-in of {checkin.date}", checkin.value
    if goal.final is not None:
        yield ("final", "value"), "final", goal.final.value


@rule("M110", "percent-out-of-range", "warning")
def percent_out_of_range(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A percentage figure is below 0 or above 100.

    ## What it checks
    For goals with `unit: "%"`: the baseline, target (or its min and max), interim targets,
    every check-in (in a CSV file too, at the CSV's line) and the final figure lie within
    0..100. One finding per figure.

    ## Why
    A share cannot be negative or more than the whole; 410 is usually 41.0 mistyped. For a
    growth rate that can pass 100, use a unit such as `% growth`.

    ## Fails
    ```yaml
    unit: "%"
    baseline: {date: 2026-12-01, value: 41}
    target: 155
    ```

    ## Passes
    ```yaml
    unit: "%"
    baseline: {date: 2026-12-01, value: 41}
    target: 55
    ```
    """
    if goal.unit != "%":
        return
    label = goal_label(goal, ctx.index)
    for path, field, value in _percent_figures(goal):
        if 0 <= value <= 100:
            continue
        yield Hit(path, f"{label}: {field} is {format_number(value)}%, outside 0-100%")


@rule("M111", "interim-outside-range", "error")
def interim_outside_range(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """An interim target lies outside the span from the baseline to the target.

    ## What it checks
    For goals with a number `target` and a `baseline` (increase, decrease, or no
    `direction`), every `interim` value lies between `baseline.value` and `target`, bounds
    included: an interim equal to the baseline (a slow start) or to the target (reached
    early) passes. One finding per interim target outside. Band goals (`at-least`,
    `at-most`, `range`) have no pace to phase, so they are not checked.

    ## Why
    Interim targets phase the way from the baseline to the target, and the expected pace
    follows them. An interim of 150 on the way from 50 to 100 asks for more than the goal
    itself (or goes backwards): one of the figures is a typo, and the pace line would be
    clipped at the target, hiding it.

    ## Fails
    ```yaml
    direction: increase
    baseline: {date: 2026-12-31, value: 50}
    target: 100
    interim:
      - {date: 2027-03-31, value: 150}
    ```

    ## Passes
    ```yaml
    direction: increase
    baseline: {date: 2026-12-31, value: 50}
    target: 100
    interim:
      - {date: 2027-03-31, value: 70}
    ```
    """
    if goal.direction not in _MOVING or goal.baseline is None or not goal.interim:
        return
    if isinstance(goal.target, Band) or goal.target is None:
        return
    baseline, target = goal.baseline.value, goal.target
    low, high = min(baseline, target), max(baseline, target)
    label = goal_label(goal, ctx.index)
    for index, checkin in enumerate(goal.interim):
        if low <= checkin.value <= high:
            continue
        yield Hit(
            ("interim", index, "value"),
            f"{label}: interim target of {checkin.date.isoformat()} is "
            f"{format_number(checkin.value)}, outside baseline {format_number(baseline)} to target "
            f"{format_number(target)}; interim targets lie between them (bounds included)",
        )


@rule("M112", "hold-on-moving-goal", "warning")
def hold_on_moving_goal(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal that moves towards a target has `hold`, which only band goals use.

    ## What it checks
    `hold` (`all`, `latest` or a share 0..1) is written only on `at-least`, `at-most` and
    `range` goals. On an `increase` or `decrease` goal, or one without a `direction` and a
    single-number target, it is reported and ignored. A warning: the goal is still scored,
    by its progress.

    ## Why
    `hold` says how a band goal counts as met (every check-in inside, the latest one, or a
    share of them). A goal moving from a baseline to a target is judged by its progress, so
    `hold` there means nothing: usually the direction is wrong ("keep the open rate at 35%
    or above" is `at-least`, not `increase`).

    ## Fails
    ```yaml
    direction: increase
    target: 35
    hold: all
    ```

    ## Passes
    ```yaml
    direction: at-least
    target: 35
    hold: all
    ```
    """
    if goal.hold is None:
        return
    has_number_target = goal.target is not None and not isinstance(goal.target, Band)
    if goal.direction in ("increase", "decrease"):
        direction = f"'{goal.direction}'"
    elif goal.direction is None and has_number_target:
        direction = "not set, so it is read from the target as increase or decrease"
    else:
        return
    yield Hit(
        ("hold",),
        f"{goal_label(goal, ctx.index)}: 'hold' applies to at-least, at-most and range "
        f"goals, and direction is {direction}; it is ignored: remove it or change the "
        "direction",
    )


RULES = (
    baseline_missing,
    target_missing,
    metric_missing,
    unit_missing,
    proxy_missing,
    target_equals_baseline,
    direction_contradicts_target,
    target_shape_mismatch,
    range_inverted,
    percent_out_of_range,
    interim_outside_range,
    hold_on_moving_goal,
)
