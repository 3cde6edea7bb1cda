"""Q: Split. Each goal says whether it is quantitative or qualitative, and a plan has both.

Quantitative goals are figures (sales, followers, traffic); qualitative goals are soft factors
(brand image, satisfaction) measured through a proxy `indicator` and a `method`. The kind
decides which Measurable rules apply, so it must be stated, and it should fit the fields used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._dates import goal_label

if TYPE_CHECKING:
    from smartdoc.lint.engine import GoalContext, PlanContext
    from smartdoc.model import Goal


@rule("Q101", "kind-missing", "error")
def kind_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal does not declare its kind.

    ## What it checks
    Every goal has `kind: quantitative` or `kind: qualitative`. The finding is on the goal's
    first line (a wrong value is reported by E111).

    ## Why
    The kind decides how the goal is measured: a metric and a unit, or an objective with a
    proxy indicator and a method. Without it smartdoc cannot check Measurable or score it.

    ## Fails
    ```yaml
    goals:
      - id: ig-followers
        metric: Instagram followers
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        kind: quantitative
        metric: Instagram followers
    ```
    """
    if goal.kind is None:
        yield Hit(
            ("kind",), f"{goal_label(goal, ctx.index)} lacks 'kind': quantitative or qualitative"
        )


@rule("Q102", "kinds-unbalanced", "warning", scope="plan")
def kinds_unbalanced(ctx: PlanContext) -> Iterator[Hit]:
    """A plan has only quantitative or only qualitative goals.

    ## What it checks
    Among the goals that declare a `kind`, at least one is quantitative and at least one
    qualitative. The finding is on the `goals` key. Not reported when no goal declares a kind
    (Q101 reports each goal) or the plan has no goals.

    ## Why
    Figures (sales, followers) show what happened; soft factors (brand image, sentiment) show
    why it will last. A plan with only one kind sees half the picture.

    ## Fails
    ```yaml
    goals:
      - id: ig-followers
        kind: quantitative
      - id: web-sales
        kind: quantitative
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        kind: quantitative
      - id: positive-sentiment
        kind: qualitative
    ```
    """
    kinds = {goal.kind for goal in ctx.plan.goals if goal.kind is not None}
    if not kinds or kinds == {"quantitative", "qualitative"}:
        return
    (only,) = kinds
    other = "qualitative" if only == "quantitative" else "quantitative"
    yield Hit(
        ("goals",),
        f"plan has no {other} goal (every goal with a 'kind' is {only}); "
        f"add at least one {other} goal",
    )


@rule("Q103", "qualitative-looks-quantitative", "info")
def qualitative_looks_quantitative(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A qualitative goal has a `metric` but no `indicator`: it is probably quantitative.

    ## What it checks
    A goal with `kind: qualitative`, a `metric` and no `indicator`. The finding is on `kind`.

    ## Why
    A metric counted directly is a quantitative goal; a qualitative goal measures a soft
    factor through a proxy `indicator`. The wrong kind applies the wrong Measurable rules.

    ## Fails
    ```yaml
    kind: qualitative
    metric: Instagram followers
    ```

    ## Passes
    ```yaml
    kind: quantitative
    metric: Instagram followers
    ```
    """
    if goal.kind != "qualitative" or not goal.metric or goal.indicator:
        return
    yield Hit(
        ("kind",),
        f"{goal_label(goal, ctx.index)} is qualitative but has a 'metric' and "
        "no 'indicator'; is it quantitative?",
    )


@rule("Q104", "quantitative-looks-qualitative", "info")
def quantitative_looks_qualitative(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A quantitative goal has an `indicator` but no `metric`: it is probably qualitative.

    ## What it checks
    A goal with `kind: quantitative`, an `indicator` and no `metric`. The finding is on
    `kind`.

    ## Why
    A proxy indicator is how a qualitative goal is measured; a quantitative goal counts a
    `metric`. The wrong kind applies the wrong Measurable rules.

    ## Fails
    ```yaml
    kind: quantitative
    objective: Be perceived as young and fresh
    indicator: Share of positive mentions
    ```

    ## Passes
    ```yaml
    kind: qualitative
    objective: Be perceived as young and fresh
    indicator: Share of positive mentions
    ```
    """
    if goal.kind != "quantitative" or not goal.indicator or goal.metric:
        return
    yield Hit(
        ("kind",),
        f"{goal_label(goal, ctx.index)} is quantitative but has an "
        "'indicator' and no 'metric'; is it qualitative?",
    )


RULES = (
    kind_missing,
    kinds_unbalanced,
    qualitative_looks_quantitative,
    quantitative_looks_qualitative,
)
