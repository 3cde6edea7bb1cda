"""Q: Split. Each goal says its kind and its area, and a plan has both kinds.

Quantitative goals are figures (sales, followers, traffic); qualitative goals are soft factors
(brand image, satisfaction) measured through a proxy `indicator` and a `method`. The kind
decides which Measurable rules apply, so it must be stated, and it should fit the fields used.
The area says whether a goal is financial (revenue +3%) or communication (reach, brand, social
media work); the site shows the kind x area split and the portfolio rolls goals up per area.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._text import goal_label
from smartdoc.model import AREAS

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


#: What each area holds, as messages explain it.
_AREA_HINTS = {
    "financial": "revenue, sales, cost",
    "communication": "reach, brand, social media",
}


def closest_area(value: str) -> str | None:
    """Return the area a near miss means (`finance`, `comms`, `Communications`), if any."""
    folded = value.strip().lower()
    for area in AREAS:
        # a shared start of 3+ letters: `fin`, `comms`; the two areas differ in their first 3
        if len(folded) >= 3 and area.startswith(folded[:3]):
            return area
    close = difflib.get_close_matches(folded, AREAS, n=1, cutoff=0.6)
    return close[0] if close else None


def _area_choices() -> str:
    return " or ".join(f"'area: {area}' ({_AREA_HINTS[area]})" for area in AREAS)


@rule("Q105", "area-missing", "warning")
def area_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal does not say whether it is a financial or a communication goal.

    ## What it checks
    Every goal has `area: financial` (revenue, sales, cost) or `area: communication`
    (reach, brand, sentiment, social media work). The finding is on `area:` when it is
    written empty, else on the goal's first line; when the objective the goal serves
    declares an area, the message proposes it. A value that is not an area is Q106.

    ## Why
    A plan sets financial goals and communication goals for a period; social media work
    belongs to the communication goals. The site, the scorecards and `plans.json` show the
    kind x area split and roll goals up per area: a goal without an area is left out of it.

    ## Fails
    ```yaml
    goals:
      - id: ig-followers
        kind: quantitative
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        kind: quantitative
        area: communication
    ```
    """
    if goal.area is not None or ctx.was_invalid("area"):
        return
    objective = ctx.plan.objective(goal.serves)
    if objective is not None and objective.area is not None:
        fix = f"add 'area: {objective.area}' (the area of objective '{goal.serves}')"
    else:
        fix = f"add {_area_choices()}"
    yield Hit(("area",), f"{goal_label(goal, ctx.index)} lacks 'area': {fix}")


@rule("Q106", "area-unknown", "error")
def area_unknown(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's `area` is not one of the areas.

    ## What it checks
    `area` is exactly `financial` or `communication` (lowercase). For a near miss the
    message says which one was meant (`finance` -> financial; `comms`, `Communications` ->
    communication). An error, like a misspelt `kind`: the goal would drop out of the per-area
    roll-up without anyone noticing.

    ## Why
    The area is a fixed vocabulary so that plans roll up together across the portfolio;
    `finance` in one plan and `financial` in another would split one area in two.

    ## Fails
    ```yaml
    area: comms
    ```

    ## Passes
    ```yaml
    area: communication
    ```
    """
    if goal.area is None or goal.area in AREAS:
        return
    meant = closest_area(goal.area)
    hint = f"did you mean '{meant}'?" if meant else f"use {_area_choices()}"
    yield Hit(
        ("area",),
        f"{goal_label(goal, ctx.index)}: area '{goal.area}' is not financial or "
        f"communication; {hint}",
    )


@rule("Q107", "area-mismatch", "warning")
def area_mismatch(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal's area differs from the area of the objective it serves.

    ## What it checks
    When the objective named in `serves` declares an `area` (`strategy: {key: {title,
    area}}`), a goal serving it has the same `area`: a communication goal does not serve a
    financial objective, nor a financial goal a communication one. Goals or objectives
    without an area are not checked (Q105 asks for the goal's).

    ## Why
    Communication work (reach, brand, social media) feeds the communication strategy;
    counting it under a financial objective mixes the two roll-ups and hides how far the
    financial objective really is. Usually one of the two areas is a slip; sometimes the goal
    serves the wrong objective.

    ## Fails
    ```yaml
    strategy:
      online-revenue: {title: Increase online revenue by 3% in 2027, area: financial}
    goals:
      - id: ig-followers
        area: communication
        serves: online-revenue
    ```

    ## Passes
    ```yaml
    strategy:
      online-revenue: {title: Increase online revenue by 3% in 2027, area: financial}
      brand: {title: Be seen as a young and fresh brand, area: communication, horizon: 2030}
    goals:
      - id: ig-followers
        area: communication
        serves: brand
    ```
    """
    objective = ctx.plan.objective(goal.serves)
    if objective is None or objective.area is None or goal.area not in AREAS:
        return
    if goal.area == objective.area:
        return
    yield Hit(
        ("area",),
        f"{goal_label(goal, ctx.index)} is a {goal.area} goal but serves "
        f"'{goal.serves}', a {objective.area} objective; change the goal's area or "
        f"serve a {goal.area} objective",
    )


RULES = (
    kind_missing,
    kinds_unbalanced,
    qualitative_looks_quantitative,
    quantitative_looks_qualitative,
    area_missing,
    area_unknown,
    area_mismatch,
)
