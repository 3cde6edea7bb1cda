"""The scoring vocabulary and its results: statuses, worst-first order, and the frozen
values a score hands to pages, PDFs, plans.json and `status` (see `smartdoc.scoring`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from smartdoc.model import (
    Band,
    Checkin,
    Objective,
    Period,
)

#: Default status tolerance (`status.tolerance` in smartdoc.yml).
DEFAULT_TOLERANCE = 0.10
#: Slack in status comparisons, far below anything a scorecard prints.
EPSILON = 1e-9
#: The kinds of goal, in the order the kind x area split lists them.
KINDS: tuple[str, ...] = ("quantitative", "qualitative")

ACHIEVED = "achieved"
MET = "met"
ON_TRACK = "on-track"
AT_RISK = "at-risk"
OFF_TRACK = "off-track"
MISSED = "missed"
BREACHED = "breached"
NO_DATA = "no-data"
NOT_STARTED = "not-started"
#: The status vocabulary, in the order counts are listed (best first, then the unjudged).
STATUSES: tuple[str, ...] = (
    ACHIEVED,
    MET,
    ON_TRACK,
    AT_RISK,
    OFF_TRACK,
    MISSED,
    BREACHED,
    NO_DATA,
    NOT_STARTED,
)
#: The vocabulary worst first: the status a roll-up shows beside its attainment (docs/scoring.md).
WORST_FIRST: tuple[str, ...] = (
    MISSED,
    BREACHED,
    OFF_TRACK,
    AT_RISK,
    NO_DATA,
    ON_TRACK,
    NOT_STARTED,
    MET,
    ACHIEVED,
)
_BADNESS = {status: rank for rank, status in enumerate(WORST_FIRST)}

Basis = Literal["after", "latest"]
Hold = Literal["all", "latest"] | float
SmartLetters = Mapping[str, bool | None]


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BandScore:
    """Where a band goal stands: its bounds, its hold, and its figures inside."""

    #: Lowest value inside the band (None: no floor, as for `at-most`).
    low: float | None
    #: Highest value inside the band (None: no ceiling, as for `at-least`).
    high: float | None
    #: Whether the hold holds (the goal is met); None without any figure.
    met: bool | None
    #: Figures (check-ins and the final, as of today) inside the band: the n of "n of m".
    inside: int
    #: Figures counted: the m of "n of m".
    total: int
    #: `all`, `latest` or a share 0..1: what `met` asks of the figures.
    hold: Hold = "all"
    #: Whether the current figure is inside; None without one.
    current_inside: bool | None = None

    @property
    def share(self) -> float | None:
        """Return the share of figures inside, or None without any."""
        return self.inside / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Change:
    """The change from before to after (or to the latest check-in when there is no final)."""

    #: Which figure is compared with the baseline: `after`, `latest`, or None (neither).
    basis: Basis | None
    #: Figure minus baseline, in the goal's unit.
    abs: float | None
    #: The change in % of the baseline (of its magnitude); None when the baseline is 0.
    pct: float | None


@dataclass(frozen=True, slots=True)
class Phases:
    """The before / during / after comparison of one goal."""

    before: Checkin | None
    #: Check-ins as of today, sorted by date.
    during: tuple[Checkin, ...]
    #: The latest check-in by date.
    latest: Checkin | None
    #: The final figure, if dated on or before today.
    after: Checkin | None
    target: float | Band | None
    change: Change


@dataclass(frozen=True, slots=True)
class OverrideScore:
    """A human judgement of a goal's status, shown beside the computed one (as written)."""

    status: str | None
    reason: str | None
    date: dt.date | None
    by: str | None


@dataclass(frozen=True, slots=True)
class Staleness:
    """A goal whose latest check-in is older than its cadence allows (P101)."""

    #: The date of the latest check-in.
    last: dt.date
    #: Days from it to today.
    days: int
    #: Days the cadence allows.
    window: int


@dataclass(frozen=True, slots=True)
class GoalScore:
    """Everything the scorecards show about one goal."""

    id: str | None
    title: str | None
    kind: str | None
    #: As written, else inferred (see the module docs); None when it cannot be told.
    direction: str | None
    unit: str | None
    serves: str | None
    deadline: dt.date | None
    #: Weight in roll-ups (1 unless written).
    weight: float
    #: One of `STATUSES`.
    status: str
    #: Raw progress (not clamped), or None.
    progress: float | None
    #: Expected pace 0..1 at the as-of date, or None.
    expected: float | None
    #: The figure scored: the final, else the latest check-in.
    current: Checkin | None
    band: BandScore | None
    phases: Phases
    #: Per SMART letter: True (met), False (failed), None (not checked).
    smart: Mapping[str, bool | None]
    #: `financial` or `communication`; None when not declared or not an area (Q105, Q106).
    area: str | None = None
    #: The human override, if the goal has one; never changes `status`.
    override: OverrideScore | None = None
    #: The date of the current figure: the day the goal is judged at; None without one.
    as_of: dt.date | None = None
    #: The expected figure at the as-of date, in the goal's unit; None where `expected` is.
    expected_value: float | None = None
    #: Set when the latest check-in is older than the cadence allows; beside the status.
    stale: Staleness | None = None
    #: What the goal adds to roll-ups, 0..1: clamped progress, or a band's share inside.
    attainment: float | None = None

    @property
    def attainment_pct(self) -> float | None:
        """Return progress in percent, unclamped."""
        return None if self.progress is None else self.progress * 100


@dataclass(frozen=True, slots=True)
class SmartScore:
    """SMART criteria met over criteria checked, across a plan's goals."""

    met: int
    checked: int

    @property
    def score(self) -> float | None:
        """Return met / checked, or None when nothing was checked."""
        return self.met / self.checked if self.checked else None


@dataclass(frozen=True, slots=True)
class BudgetScore:
    """Goal budgets against the plan budget."""

    #: Sum of the goal budgets.
    allocated: float
    #: The plan's `budget.total`, if any.
    total: float | None
    currency: str | None
    #: Goals that carry a budget figure.
    goals_with_budget: int

    @property
    def remaining(self) -> float | None:
        """Return total minus allocated (negative when over), or None without a total."""
        return None if self.total is None else self.total - self.allocated

    @property
    def is_over(self) -> bool | None:
        """Return True when goal budgets exceed the plan total; None without a total."""
        return None if self.total is None else self.allocated > self.total + EPSILON


@dataclass(frozen=True, slots=True)
class PlanScore:
    """A plan's goal scores and roll-ups."""

    slug: str
    title: str | None
    period: Period | None
    #: The plan's strategic objectives: key -> description.
    strategy: Mapping[str, str]
    goals: tuple[GoalScore, ...]
    #: Goals per status, every key of `STATUSES` present, in that order.
    status_counts: Mapping[str, int]
    #: Weighted mean of the goals' attainment, or None.
    attainment: float | None
    smart: SmartScore
    budget: BudgetScore
    #: The plan's strategic objectives by key, with their area and horizon.
    objectives: Mapping[str, Objective] = field(default_factory=dict)
    #: The worst status among the goals (`WORST_FIRST`); None without goals.
    worst_status: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectiveGoal:
    """A goal as listed under a strategic objective in the portfolio."""

    plan: str
    goal: str | None
    title: str | None
    status: str
    progress: float | None


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    """One strategic objective across plans: the goals that serve it."""

    key: str
    #: The distinct descriptions plans give it, in plan order.
    descriptions: tuple[str, ...]
    #: Slugs of the plans that declare it in `strategy`.
    plans: tuple[str, ...]
    goals: tuple[ObjectiveGoal, ...]
    status_counts: Mapping[str, int]
    attainment: float | None
    #: The title the first declaring plan gives it (R106 reports other texts); None if none.
    title: str | None = None
    #: Its area and horizon, from the first declaring plan that states them.
    area: str | None = None
    horizon: int | None = None
    #: The worst status among the goals serving it; None without goals.
    worst_status: str | None = None


@dataclass(frozen=True, slots=True)
class AreaScore:
    """One area (financial, communication; None: goals without one) rolled up."""

    area: str | None
    #: Goals in the area.
    goal_count: int
    status_counts: Mapping[str, int]
    #: Weighted mean of the goals' attainment, as for a plan; None without any.
    attainment: float | None
    #: The worst status among its goals; None without goals.
    worst_status: str | None = None


@dataclass(frozen=True, slots=True)
class SplitCell:
    """One cell of the kind x area split: the goals of one kind in one area."""

    #: `quantitative`, `qualitative`, or None for goals that do not say.
    kind: str | None
    #: `financial`, `communication`, or None for goals that do not say.
    area: str | None
    goal_count: int
    attainment: float | None
    worst_status: str | None


class RollupGoal(Protocol):
    """What a roll-up reads of a goal: a `GoalScore`, or a summary kept between builds."""

    @property
    def id(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def serves(self) -> str | None: ...
    @property
    def weight(self) -> float: ...
    @property
    def status(self) -> str: ...
    @property
    def progress(self) -> float | None: ...
    @property
    def attainment(self) -> float | None: ...
    @property
    def smart(self) -> Mapping[str, bool | None]: ...
    @property
    def area(self) -> str | None: ...


class RollupPlan(Protocol):
    """What the portfolio roll-up reads of a plan: a `PlanScore`, or its summary."""

    @property
    def slug(self) -> str: ...
    @property
    def strategy(self) -> Mapping[str, str]: ...
    @property
    def objectives(self) -> Mapping[str, Objective]: ...
    @property
    def goals(self) -> Sequence[RollupGoal]: ...


def worst_status(statuses: Iterable[str]) -> str | None:
    """Return the worst of the statuses (`WORST_FIRST` order), or None when there are none."""
    return min(statuses, key=_BADNESS.__getitem__, default=None)
