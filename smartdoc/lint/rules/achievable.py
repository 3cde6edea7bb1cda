"""A: Achievable. The change asked for fits the time available, and goals carry support."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.figures import format_number
from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._text import goal_label, money, percent
from smartdoc.model import Band, Goal

if TYPE_CHECKING:
    from smartdoc.lint.engine import GoalContext, PlanContext

#: Average days in a month (365.25 / 12): months are counted as days / this.
DAYS_PER_MONTH = 30.4375


def _period_text(days: int) -> str:
    """Return a span of days as a reader says it: 7 days, 6 months, 1.5 months."""
    if days < 60:
        return f"{days} day" if days == 1 else f"{days} days"
    return f"{format_number(round(days / DAYS_PER_MONTH, 1))} months"


@rule("A101", "growth-ceiling", "warning")
def growth_ceiling(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """The change from baseline to target is above the growth ceiling for the time available.

    ## What it checks
    The implied change `|target - baseline| / |baseline|` against the allowed change
    `lint.growth_ceiling x months`, where months are the time from the baseline date to the
    deadline (days / 30.44; a period under one month counts as one month). The default
    ceiling is 0.5: +50% of the baseline per month, so +300% over six months.

    Skipped when the target is a range, the baseline is 0, or the baseline date or deadline
    is missing or in the wrong order (the T rules report those). The message quotes the
    implied change, the figures, the time and the ceiling.

    ## Why
    Goals should stretch, not be wishful: 5,000 to 2,000,000 followers in a week will be
    missed, and a goal everyone knows is out of reach stops steering the work. Raise the
    ceiling in `smartdoc.yml` (`lint: {growth_ceiling: 1.0}`) if your channels grow faster.

    ## Fails
    ```yaml
    deadline: 2027-01-08
    baseline: {date: 2027-01-01, value: 5000}
    target: 2000000
    ```

    ## Passes
    ```yaml
    deadline: 2027-06-30
    baseline: {date: 2026-12-31, value: 12000}
    target: 18000
    ```
    """
    baseline, target, deadline = goal.baseline, goal.target, goal.deadline
    if baseline is None or deadline is None or target is None or isinstance(target, Band):
        return
    if baseline.value == 0 or deadline < baseline.date:
        return
    days = (deadline - baseline.date).days
    implied = abs(target - baseline.value) / abs(baseline.value)
    ceiling = ctx.config.growth_ceiling
    allowed = ceiling * max(days / DAYS_PER_MONTH, 1)
    if implied <= allowed:
        return
    growing = target >= baseline.value
    change = percent(implied if growing else -implied)
    yield Hit(
        ("target",),
        (
            f"{goal_label(goal, ctx.index)}: implied change {change} "
            f"({format_number(baseline.value)} → {format_number(target)}) "
            f"in {_period_text(days)} is above the "
            f"ceiling of {percent(ceiling, signed=growing)} per month "
            f"({percent(allowed, signed=growing)} for this period)"
        ),
    )


@rule("A102", "support-missing", "warning")
def support_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal has neither a budget nor resources.

    ## What it checks
    Each goal has a `budget` above 0 (in the plan currency) or a non-empty `resources` list
    (people, tools, agency hours). A `budget: 0` with no resources is reported at the budget.

    ## Why
    Social media is not free: a goal with no money and no people behind it is a wish.
    Naming the support also lets the plan check that goal budgets fit the plan budget (A103).

    ## Fails
    ```yaml
    - id: ig-followers
      title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    ```

    ## Passes
    ```yaml
    - id: ig-followers
      title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
      resources: [Community manager 2 days a week, Canva Pro]
    ```
    """
    if (goal.budget is not None and goal.budget > 0) or goal.resources:
        return
    path = ("budget",) if goal.budget is not None else ()
    yield Hit(
        path,
        f"{goal_label(goal, ctx.index)}: no budget or resources; add budget "
        "(plan currency) or resources: [people, tools]",
    )


@rule("A103", "budgets-over-plan", "warning", scope="plan")
def budgets_over_plan(ctx: PlanContext) -> Iterator[Hit]:
    """The goal budgets add up to more than the plan budget.

    ## What it checks
    When the plan sets `budget: {total, currency}`, the sum of the goals' `budget` figures
    is at most `total`. The finding is at the plan's `budget.total` and names both figures.

    ## Why
    A plan whose goals spend more than it has will cut some of them silently. Raise the plan
    budget or trim the goals so the money is decided up front.

    ## Fails
    ```yaml
    budget: {total: 40000, currency: EUR}
    goals:
      - {id: ig-followers, budget: 30000}
      - {id: web-sales, budget: 22000}
    ```

    ## Passes
    ```yaml
    budget: {total: 40000, currency: EUR}
    goals:
      - {id: ig-followers, budget: 18000}
      - {id: web-sales, budget: 22000}
    ```
    """
    plan_budget = ctx.plan.budget
    if plan_budget is None:
        return
    budgets = [goal.budget for goal in ctx.plan.goals if goal.budget is not None]
    total = sum(budgets)
    if total <= plan_budget.total:
        return
    currency = plan_budget.currency
    yield Hit(
        ("budget", "total"),
        (
            f"goal budgets total {money(total, currency)}, over the plan budget of "
            f"{money(plan_budget.total, currency)} "
            f"(by {money(total - plan_budget.total, currency)}, "
            f"{len(budgets)} goals)"
        ),
    )


RULES = (growth_ceiling, support_missing, budgets_over_plan)
