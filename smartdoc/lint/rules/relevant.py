"""R: Relevant. Every goal serves a strategic objective of the plan, and every objective is served.

A plan lists its long-term objectives under `strategy` (key -> title, or key -> {title, area,
horizon}); each goal names the key it serves in `serves`. Scorecards and the portfolio roll up
goals per objective, so a goal without a known objective cannot be placed, and one key must
mean one objective in every plan that lists it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from smartdoc.lint.registry import Hit, PortfolioHit, rule
from smartdoc.lint.rules._text import goal_label

if TYPE_CHECKING:
    from smartdoc.config import LintConfig
    from smartdoc.lint.engine import GoalContext, PlanContext
    from smartdoc.load import LoadedPlan
    from smartdoc.model import Goal, Objective


@rule("R101", "serves-missing", "error")
def serves_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal does not name the strategic objective it serves.

    ## What it checks
    Every goal has a `serves` key naming one key of the plan's `strategy`. The finding is on
    the goal's first line. It is an error, like an unknown objective (R102): either way the
    goal cannot be rolled up under an objective.

    ## Why
    A goal that serves no long-term objective is activity, not strategy. Naming the objective
    makes reviewers ask "does this goal move that objective?" and lets smartdoc roll goals
    up per objective across plans.

    ## Fails
    ```yaml
    strategy:
      brand: Be seen as a young, fresh brand
    goals:
      - id: positive-sentiment
        kind: qualitative
    ```

    ## Passes
    ```yaml
    strategy:
      brand: Be seen as a young, fresh brand
    goals:
      - id: positive-sentiment
        kind: qualitative
        serves: brand
    ```
    """
    if goal.serves:
        return
    yield Hit(
        ("serves",),
        f"{goal_label(goal, ctx.index)} lacks 'serves': name the strategy objective it serves",
    )


@rule("R102", "objective-unknown", "error")
def objective_unknown(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal serves an objective that is not a key of the plan's `strategy`.

    ## What it checks
    The value of `serves` is one of the keys of `strategy` (exact match, case included). The
    message suggests the closest key ("did you mean"), else lists the keys. When the plan
    has no `strategy` at all, R104 reports that once instead of this rule on every goal.

    ## Why
    A misspelt objective silently drops the goal from the objective's roll-up.

    ## Fails
    ```yaml
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
    goals:
      - id: ig-followers
        serves: online-revenu
    ```

    ## Passes
    ```yaml
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
    goals:
      - id: ig-followers
        serves: online-revenue
    ```
    """
    keys = list(ctx.plan.strategy or {})
    if not goal.serves or not keys or goal.serves in keys:
        return
    close = difflib.get_close_matches(goal.serves, keys, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(keys)
    message = (
        f"{goal_label(goal, ctx.index)} serves '{goal.serves}', which is not a key of "
        f"'strategy'; {hint}"
    )
    yield Hit(("serves",), message)


@rule("R103", "objective-unserved", "warning", scope="plan")
def objective_unserved(ctx: PlanContext) -> Iterator[Hit]:
    """A strategic objective is served by no goal.

    ## What it checks
    Each key of `strategy` is named by the `serves` of at least one goal. The finding is on
    the objective's key.

    ## Why
    An objective with no goal has no plan behind it: either add a goal, or drop the objective
    from this plan (another plan may serve it).

    ## Fails
    ```yaml
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
      brand: Be seen as a young, fresh brand
    goals:
      - id: ig-followers
        serves: online-revenue
    ```

    ## Passes
    ```yaml
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
      brand: Be seen as a young, fresh brand
    goals:
      - id: ig-followers
        serves: online-revenue
      - id: positive-sentiment
        serves: brand
    ```
    """
    served = {goal.serves for goal in ctx.plan.goals if goal.serves}
    for key in ctx.plan.strategy or {}:
        if key not in served:
            yield Hit(
                ("strategy", key),
                f"strategy objective '{key}' is served by no goal; "
                "add a goal with 'serves: " + key + "' or drop it",
            )


@rule("R104", "strategy-missing", "error", scope="plan")
def strategy_missing(ctx: PlanContext) -> Iterator[Hit]:
    """The plan lists no strategic objectives.

    ## What it checks
    The plan has a `strategy` mapping with at least one objective (key -> description). An
    error for the same reason as R102: without objectives, no goal's `serves` can be known.
    Not reported when `strategy` was written but invalid (E111 names it).

    ## Why
    A plan serves long-term objectives; listing them is what makes goals Relevant and lets
    the portfolio roll plans up per objective.

    ## Fails
    ```yaml
    title: Northwind Coffee social media plan 2027
    goals:
      - id: ig-followers
        serves: online-revenue
    ```

    ## Passes
    ```yaml
    title: Northwind Coffee social media plan 2027
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
    goals:
      - id: ig-followers
        serves: online-revenue
    ```
    """
    if ctx.plan.strategy:
        return
    written = ctx.plan.strategy is not None
    message = (
        "'strategy' lists no objectives"
        if written
        else "plan lacks 'strategy': list the long-term objectives its goals serve"
    )
    yield Hit(("strategy",), message)


@rule("R105", "horizon-within-period", "warning", scope="plan")
def horizon_within_period(ctx: PlanContext) -> Iterator[Hit]:
    """A strategic objective's `horizon` does not lie beyond the plan period.

    ## What it checks
    An objective written as a mapping with a `horizon` year has `horizon` after the year
    the plan period ends (`period.end`): a 2027 plan may serve objectives due in 2028 or
    later. The finding is on `horizon`. Not checked without a period (T103 asks for it).

    ## Why
    Objectives are the long-term vision and the plan's goals are short-term steps toward
    them. An objective due within the plan's own period is a goal in disguise (give it a
    figure and a deadline under `goals`), or its horizon year is a typo.

    ## Fails
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    strategy:
      brand: {title: Be seen as a young and fresh brand, horizon: 2027}
    ```

    ## Passes
    ```yaml
    period: {start: 2027-01-01, end: 2027-12-31}
    strategy:
      brand: {title: Be seen as a young and fresh brand, horizon: 2030}
    ```
    """
    period = ctx.plan.period
    if period is None:
        return
    for key, objective in (ctx.plan.strategy or {}).items():
        if objective.horizon is None or objective.horizon > period.end.year:
            continue
        yield Hit(
            ("strategy", key, "horizon"),
            f"objective '{key}' has horizon {objective.horizon}, within the plan period "
            f"(it ends in {period.end.year}); an objective is the long-term aim its goals "
            f"lead to: set a year after {period.end.year}, or make it a goal",
        )


def _differences(first: Objective, second: Objective) -> list[str]:
    """Return how two objectives of one key differ: title, and area or horizon when both say."""
    found = []
    if " ".join(first.title.split()) != " ".join(second.title.split()):
        found.append(f"'{second.title}' here, '{first.title}' there")
    for field in ("area", "horizon"):
        mine, theirs = getattr(second, field), getattr(first, field)
        if mine is not None and theirs is not None and mine != theirs:
            found.append(f"{field} {mine} here, {theirs} there")
    return found


@rule("R106", "objective-differs", "warning", scope="portfolio")
def objective_differs(plans: Sequence[LoadedPlan], config: LintConfig) -> Iterator[PortfolioHit]:
    """Two plans give the same objective key different texts.

    ## What it checks
    Across all plans linted together, each `strategy` key has one title (compared with
    runs of spaces collapsed), and one `area` and `horizon` where both plans declare them.
    The first plan (in path order) that lists a key sets it; every later plan that reads
    otherwise gets one finding on its key, naming the first plan and both texts.

    ## Why
    The portfolio rolls goals up per objective key across plans: two texts under one key
    merge two objectives into one heading, and the site can only show one of them. Either
    the texts should agree (copy it), or they are different objectives (use another key).

    ## Fails
    ```yaml
    # plans/a.md
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
    # plans/b.md
    strategy:
      online-revenue: Double online revenue by 2030
    ```

    ## Passes
    ```yaml
    # plans/a.md
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
    # plans/b.md
    strategy:
      online-revenue: Increase online revenue by 3% in 2027
    ```
    """
    first_seen: dict[str, tuple[LoadedPlan, Objective]] = {}
    for index, loaded in enumerate(plans):
        if loaded.plan is None:
            continue
        for key, objective in (loaded.plan.strategy or {}).items():
            if key not in first_seen:
                first_seen[key] = (loaded, objective)
                continue
            first_plan, first = first_seen[key]
            differences = _differences(first, objective)
            if not differences:
                continue
            yield PortfolioHit(
                index,
                ("strategy", key),
                f"objective '{key}' differs from {first_plan.rel_path}: "
                f"{'; '.join(differences)}; one key means one objective across plans: "
                "use the same text, or another key",
            )


RULES = (
    serves_missing,
    objective_unknown,
    objective_unserved,
    strategy_missing,
    horizon_within_period,
    objective_differs,
)
