"""The plan model: typed, validated, and the source of `smartdoc schema`.

Fields a rule checks for (target, baseline, deadline, kind...) are optional here on purpose:
their absence is a lint finding with a SMART letter, not a type error. Types are strict: a
string where a number belongs (`"84%"`, `TBD`) is an E-family finding naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Kind = Literal["quantitative", "qualitative"]
Direction = Literal["increase", "decrease", "at-least", "at-most", "range"]
#: A share of check-ins, 0..1 (`hold: 0.9`).
Share = Annotated[float, Field(strict=True, ge=0, le=1, allow_inf_nan=False)]


def _check_hold(value: object) -> object:
    """Refuse a `hold` that is not all, latest or a share 0..1, in one sentence."""
    is_word = value in ("all", "latest")
    is_share = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    if value is None or is_word or is_share:
        return value
    raise PydanticCustomError("hold_type", "Input should be all, latest or a share from 0 to 1")


#: `hold` of a band goal: all, latest, or the share of check-ins that must be inside.
Hold = Annotated[Literal["all", "latest"] | Share, BeforeValidator(_check_hold)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
#: A free label: `2026` in `tags: [social, 2026]` is read by YAML as a number; keep it as text.
Label = Annotated[
    str,
    BeforeValidator(
        lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    ),
    StringConstraints(strip_whitespace=True),
]

DIRECTIONS: tuple[str, ...] = ("increase", "decrease", "at-least", "at-most", "range")
BAND_DIRECTIONS: frozenset[str] = frozenset({"at-least", "at-most", "range"})
#: The areas a goal or an objective belongs to (docs/plan-format.md).
AREAS: tuple[str, ...] = ("financial", "communication")
#: The five letters shown as a goal's S·M·A·R·T badge row (rule families of the same names).
SMART_LETTERS: tuple[str, ...] = ("S", "M", "A", "R", "T")
#: The status vocabulary (docs/scoring.md): what an `override` may say.
STATUS_VOCABULARY: tuple[str, ...] = (
    "achieved",
    "on-track",
    "at-risk",
    "off-track",
    "no-data",
    "not-started",
    "missed",
    "met",
    "breached",
)
#: How a band goal is held: every check-in inside, or only the current figure.
HOLD_WORDS: tuple[str, ...] = ("all", "latest")


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Period(_Strict):
    """The time the plan covers."""

    start: dt.date = Field(description="First day of the plan (YYYY-MM-DD).")
    end: dt.date = Field(description="Last day of the plan (YYYY-MM-DD).")


class Budget(_Strict):
    """The plan's money."""

    total: Number = Field(description="Total budget in the plan currency.")
    currency: Text = Field("EUR", description="ISO 4217 code, e.g. EUR, USD.")


class Checkin(_Strict):
    """One dated figure: a baseline, a check-in or a final result."""

    date: dt.date = Field(description="When the figure was measured (YYYY-MM-DD).")
    value: Number = Field(description="The figure, in the goal's unit.")
    note: Text | None = Field(None, description="What happened; shown beside the figure.")


class Band(_Strict):
    """A target range, bounds inclusive."""

    min: Number = Field(description="Lowest value that meets the goal.")
    max: Number = Field(description="Highest value that meets the goal.")


class Override(_Strict):
    """A human judgement shown beside the computed status, never instead of it.

    Every field is optional and `status` is free text here, so that a missing or unknown
    value is a lint finding (P106, P108) naming the fix, not a type error that drops the
    whole override.
    """

    status: Text | None = Field(
        None,
        description=(
            "The judged status: achieved, on-track, at-risk, off-track, no-data, "
            "not-started, missed, met or breached."
        ),
    )
    reason: Text | None = Field(None, description="Why the computed status is not the whole story.")
    date: dt.date | None = Field(None, description="When the judgement was made (YYYY-MM-DD).")
    by: Text | None = Field(None, description="Who made the judgement.")


class Goal(_Strict):
    """One goal: what, how it is measured, by when, and the figures before, during and after."""

    id: Text | None = Field(None, description="Unique id, lowercase words joined by '-'.")
    title: Text | None = Field(None, description="The goal in one sentence, with its figure.")
    kind: Kind | None = Field(None, description="quantitative (a figure) or qualitative.")
    area: Text | None = Field(
        None,
        description=(
            "financial (revenue, sales, cost) or communication (reach, brand, social media)."
        ),
    )
    serves: Text | None = Field(None, description="Key of the `strategy` objective it serves.")
    owner: Text | list[Text] | None = Field(None, description="The one person accountable.")
    budget: Number | None = Field(None, description="Money for this goal, in plan currency.")
    resources: list[Text] | None = Field(None, description="People or tools, if not money.")
    metric: Text | None = Field(None, description="What is counted (quantitative goals).")
    unit: Text | None = Field(None, description="Unit of the figures; '%' for percentages.")
    source: Text | None = Field(None, description="Where the numbers come from.")
    frequency: Text | int | None = Field(
        None, description="Check-in cadence: weekly, monthly, quarterly or 'N days'."
    )
    direction: Direction | None = Field(
        None, description="increase | decrease | at-least | at-most | range."
    )
    deadline: dt.date | None = Field(None, description="When the target is due.")
    baseline: Checkin | None = Field(None, description="The figure before (benchmark).")
    target: Number | Band | None = Field(None, description="A number, or {min, max}.")
    interim: list[Checkin] | None = Field(None, description="Phased targets on the way.")
    measurements: list[Checkin] | None = Field(
        None, description="Check-ins (during): a list, or a CSV path date,value[,note]."
    )
    final: Checkin | None = Field(None, description="The figure after (final result).")
    hold: Hold | None = Field(
        None,
        description=(
            "Band goals (at-least, at-most, range): when the goal counts as met. all (the "
            "default): every check-in inside; latest: the current figure inside; a share "
            "0..1: at least that share of check-ins inside."
        ),
    )
    override: Override | None = Field(
        None, description="{status, reason, date, by}: a judgement shown beside the status."
    )
    weight: Number | None = Field(None, description="Weight in roll-ups (default 1).")
    objective: Text | None = Field(None, description="The soft factor (qualitative goals).")
    indicator: Text | None = Field(None, description="The proxy that measures it.")
    method: Text | None = Field(None, description="How the proxy is measured.")
    notes: Text | None = Field(None, description="Free text shown with the goal.")

    @property
    def checkins_by_date(self) -> list[Checkin]:
        """Return the check-ins sorted by date (stable for equal dates)."""
        return sorted(self.measurements or [], key=lambda checkin: checkin.date)


class Objective(_Strict):
    """A long-term strategic objective (a plain string in `strategy` is its title)."""

    title: Text = Field(description="The objective in one sentence.")
    area: Literal["financial", "communication"] | None = Field(
        None, description="financial or communication: the area of the goals that serve it."
    )
    horizon: int | None = Field(
        None, description="The year the objective is due, beyond the plan period (e.g. 2030)."
    )


def _objective_from_text(value: object) -> object:
    """Read a plain-string objective as `{title: ...}` (the short form of `strategy`)."""
    if isinstance(value, str):
        return {"title": value}
    if isinstance(value, (dict, Objective)):
        return value
    raise PydanticCustomError(
        "objective_type", "Input should be text or a mapping {title, area, horizon}"
    )


#: A `strategy` value: a plain string (the title) or `{title, area, horizon}`.
ObjectiveEntry = Annotated[Objective, BeforeValidator(_objective_from_text)]


class Plan(_Strict):
    """A strategy plan: front-matter of `plans/<slug>.md`."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        json_schema_extra={"$id": "https://smartdoc.invalid/schema/plan.json"},
    )

    title: Text | None = Field(None, description="Plan title.")
    owner: Text | list[Text] | None = Field(None, description="Who owns the plan.")
    period: Period | None = Field(None, description="{start, end} of the plan.")
    strategy: dict[str, ObjectiveEntry] | None = Field(
        None,
        description=(
            "Long-term objectives this plan serves: key -> title, or key -> {title, area, horizon}."
        ),
    )
    budget: Budget | None = Field(None, description="{total, currency}.")
    draft: bool = Field(False, description="Keep out of `build` unless --drafts.")
    summary: Text | None = Field(None, description="One-paragraph summary for the index.")
    tags: list[Label] | None = Field(None, description="Free labels (numbers read as text).")
    measurements: Text | None = Field(
        None, description="A CSV path (goal,date,value[,note]) with check-ins for all goals."
    )
    goals: list[Goal] = Field(default_factory=list, description="The goals.")

    @property
    def objective_titles(self) -> dict[str, str]:
        """Return each strategic objective's title by key, in the order written."""
        return {key: objective.title for key, objective in (self.strategy or {}).items()}

    def objective(self, key: str | None) -> Objective | None:
        """Return the strategic objective with this key, if the plan declares it."""
        return None if key is None else (self.strategy or {}).get(key)


def plan_schema() -> dict[str, object]:
    """Return the JSON Schema of the front-matter, with CSV paths allowed for measurements."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "smartdoc plan front-matter"
    goal = schema["$defs"]["Goal"]["properties"]
    goal["measurements"]["anyOf"].insert(0, {"type": "string", "description": "CSV path"})
    # the model reads these as text so that lint can say "did you mean"; editors get the list
    goal["area"]["anyOf"][0]["enum"] = list(AREAS)
    override = schema["$defs"]["Override"]["properties"]
    override["status"]["anyOf"][0]["enum"] = list(STATUS_VOCABULARY)
    # strategy values are validated as Objective after a plain string is read as its title
    strategy = schema["properties"]["strategy"]["anyOf"][0]
    strategy["additionalProperties"] = {
        "anyOf": [
            {"type": "string", "description": "The objective's title."},
            strategy["additionalProperties"],
        ]
    }
    return schema
