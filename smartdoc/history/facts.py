"""What the H rules compare between two versions of a plan or a CSV file, as plain values.

A version's front-matter is reduced to the fields that decide success (target, baseline,
deadline, direction, interim), the inline check-ins by date, and the goal's raw mapping (to
score a dropped goal as it last stood). Values are normalised so that `18000` and `18000.0`
are equal and a note added to a baseline is not a change. A value that is not valid is kept
as `Invalid(text)`, so a change to or from it still shows; a field the current plan could
not read is `UNKNOWN` and never compared (E rules report it).

Historical versions come from `read_document` or `load_yaml` (safe, size-limited YAML; see
`incremental.py`); the version on disk comes from the already loaded plan
(`facts_from_loaded`), so it is not parsed twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smartdoc.figures import format_number
from smartdoc.load import MAX_CSV_FIELD, LoadedPlan
from smartdoc.model import Band, Checkin, Goal
from smartdoc.source import Location

#: The goal fields whose change after the period started is a moved goalpost (H101).
GOALPOST_FIELDS: tuple[str, ...] = ("target", "baseline", "deadline", "direction", "interim")


@dataclass(frozen=True, slots=True)
class Invalid:
    """A value that is not what the field needs, kept as short text to show."""

    text: str


@dataclass(frozen=True, slots=True)
class _Unknown:
    """A field the loaded plan dropped as invalid: never compared."""


UNKNOWN = _Unknown()

#: A normalised field value: a figure, a band (min, max), a dated figure (date, value), a
#: date, a word, a tuple of dated figures (interim), Invalid, UNKNOWN or None (absent).
Value = Any


@dataclass(frozen=True, slots=True)
class GoalFacts:
    """One goal in one version: what decides success, and its check-ins by date."""

    id: str
    title: str | None
    #: GOALPOST_FIELDS -> normalised value (None when absent).
    fields: Mapping[str, Value]
    #: Inline check-ins: date -> the values listed for it, sorted.
    checkins: Mapping[dt.date, tuple[float, ...]]
    #: The goal's mapping as written (CSV paths unresolved); None for the loaded version.
    raw: Mapping[str, Any] | None = field(default=None, compare=False)
    #: The goal as loaded, for the version on disk.
    model: Goal | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """One version of a plan file: its period start and its goals by id."""

    period_start: dt.date | None
    #: Goal id -> facts; the first goal wins when an id is used twice (S rules report it).
    goals: Mapping[str, GoalFacts]


@dataclass(frozen=True, slots=True)
class CsvFacts:
    """One version of a measurements CSV: (goal id or None, date) -> values, sorted."""

    rows: Mapping[tuple[str | None, dt.date], tuple[float, ...]]


EMPTY_PLAN = PlanFacts(None, {})


# --- normalising -------------------------------------------------------------------------


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _figure(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number_value = float(value)
    return number_value if math.isfinite(number_value) else None


def _dated(value: Any) -> tuple[dt.date, float] | Invalid:
    """Return (date, value) of a {date, value} mapping, else Invalid."""
    if isinstance(value, dict):
        when, figure = value.get("date"), _figure(value.get("value"))
        if type(when) is dt.date and figure is not None:
            return (when, figure)
    return Invalid(_short(value))


def _target(value: Any) -> Value:
    figure = _figure(value)
    if figure is not None:
        return figure
    if isinstance(value, dict) and set(value) == {"min", "max"}:
        low, high = _figure(value["min"]), _figure(value["max"])
        if low is not None and high is not None:
            return (low, high)
    return Invalid(_short(value))


def _interim(value: Any) -> Value:
    if not isinstance(value, list):
        return Invalid(_short(value))
    points = [_dated(item) for item in value]
    if any(isinstance(point, Invalid) for point in points):
        return Invalid("a list with an invalid entry")
    return tuple(sorted(points))


def _plain(value: Any, kind: type) -> Value:
    return value if type(value) is kind else Invalid(_short(value))


def _raw_fields(goal: Mapping[str, Any]) -> dict[str, Value]:
    normalisers = {
        "target": _target,
        "baseline": _dated,
        "deadline": lambda v: _plain(v, dt.date),
        "direction": lambda v: _plain(v, str),
        "interim": _interim,
    }
    return {
        name: (None if goal.get(name) is None else normalise(goal[name]))
        for name, normalise in normalisers.items()
    }


def _checkins(items: Iterable[tuple[dt.date, float]]) -> dict[dt.date, tuple[float, ...]]:
    by_date: dict[dt.date, list[float]] = {}
    for when, figure in items:
        by_date.setdefault(when, []).append(figure)
    return {when: tuple(sorted(values)) for when, values in by_date.items()}


def _raw_checkins(value: Any) -> dict[dt.date, tuple[float, ...]]:
    if not isinstance(value, list):
        return {}
    items = []
    for item in value:
        dated = _dated(item)
        if not isinstance(dated, Invalid):
            items.append(dated)
    return _checkins(items)


# --- a version from git ------------------------------------------------------------------


def facts_from_front_matter(data: Any) -> PlanFacts:
    """Return the facts of a front-matter mapping as written (a version from git)."""
    if not isinstance(data, dict):
        return EMPTY_PLAN
    period = data.get("period")
    start = period.get("start") if isinstance(period, dict) else None
    goals: dict[str, GoalFacts] = {}
    listed = data.get("goals")
    for goal in listed if isinstance(listed, list) else []:
        if not isinstance(goal, dict) or not isinstance(goal.get("id"), str):
            continue  # a goal without an id cannot be followed across versions
        goal_id = goal["id"].strip()
        if goal_id in goals:
            continue
        title = goal.get("title")
        goals[goal_id] = GoalFacts(
            id=goal_id,
            title=title.strip() if isinstance(title, str) else None,
            fields=_raw_fields(goal),
            checkins=_raw_checkins(goal.get("measurements")),
            raw=goal,
        )
    return PlanFacts(start if type(start) is dt.date else None, goals)


def csv_facts(raw: bytes) -> CsvFacts:
    """Return the dated values of a measurements CSV version; unreadable rows are skipped."""
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(text.replace("\r\n", "\n").split("\n"))
    rows: dict[tuple[str | None, dt.date], list[float]] = {}
    try:
        header = [name.strip().lower() for name in next(reader)]
        if "date" not in header or "value" not in header:
            return CsvFacts({})
        date_at, value_at = header.index("date"), header.index("value")
        goal_at = header.index("goal") if "goal" in header else None
        for cells in reader:
            parsed = _csv_row(cells, date_at, value_at, goal_at)
            if parsed is not None:
                key, figure = parsed
                rows.setdefault(key, []).append(figure)
    except (csv.Error, StopIteration):
        pass  # the loader reports a broken CSV for the version on disk; history keeps what it read
    return CsvFacts({key: tuple(sorted(values)) for key, values in rows.items()})


def _csv_row(
    cells: list[str], date_at: int, value_at: int, goal_at: int | None
) -> tuple[tuple[str | None, dt.date], float] | None:
    if len(cells) <= max(date_at, value_at, goal_at or 0):
        return None
    try:
        when = dt.date.fromisoformat(cells[date_at].strip())
        figure = float(cells[value_at].strip())
    except ValueError:
        return None
    if not math.isfinite(figure):
        return None
    goal = cells[goal_at].strip() if goal_at is not None else None
    return (goal, when), figure


# --- the version on disk -----------------------------------------------------------------


def _model_target(target: float | Band | None) -> Value:
    if isinstance(target, Band):
        return (float(target.min), float(target.max))
    return None if target is None else float(target)


def _model_dated(checkin: Checkin | None) -> Value:
    return None if checkin is None else (checkin.date, float(checkin.value))


def _inline_checkins(
    loaded: LoadedPlan, index: int, goal: Goal
) -> dict[dt.date, tuple[float, ...]]:
    """Return the goal's check-ins written in the plan file (not those read from a CSV)."""
    items = []
    for position, checkin in enumerate(goal.measurements or []):
        mark = loaded.marks.values.get(("goals", index, "measurements", position))
        if isinstance(mark, Location) and mark.file != loaded.rel_path:
            continue  # a CSV row: its history is the CSV file's
        items.append((checkin.date, float(checkin.value)))
    return _checkins(items)


def facts_from_loaded(loaded: LoadedPlan, *, checkins: bool = True) -> PlanFacts:
    """Return the facts of the plan as loaded from disk (fields dropped as invalid: UNKNOWN).

    `checkins=False` leaves the check-ins out: a plan with one committed version has nothing
    to compare them with, and most plans are like that.
    """
    plan = loaded.plan
    if plan is None:
        return EMPTY_PLAN
    goals: dict[str, GoalFacts] = {}
    for index, goal in enumerate(plan.goals):
        if goal.id is None or goal.id in goals:
            continue
        fields: dict[str, Value] = {
            "target": _model_target(goal.target),
            "baseline": _model_dated(goal.baseline),
            "deadline": goal.deadline,
            "direction": goal.direction,
            "interim": (
                None
                if goal.interim is None
                else tuple(sorted((c.date, float(c.value)) for c in goal.interim))
            ),
        }
        for name in fields:
            if _touches_invalid(loaded, ("goals", index, name)):
                fields[name] = UNKNOWN
        goals[goal.id] = GoalFacts(
            id=goal.id,
            title=goal.title,
            fields=fields,
            checkins=_inline_checkins(loaded, index, goal) if checkins else {},
            model=goal,
        )
    return PlanFacts(plan.period.start if plan.period else None, goals)


def _touches_invalid(loaded: LoadedPlan, path: tuple[str | int, ...]) -> bool:
    """Return True when the value at `path`, or a part of it, was dropped as invalid."""
    return any(path[: len(bad)] == bad or bad[: len(path)] == path for bad in loaded.invalid_paths)


# --- showing values ----------------------------------------------------------------------


def show(value: Value) -> str:
    """Return a normalised value as a message shows it: 18,000 · 10–20 · 12,000 on 2026-12-31."""
    if value is None:
        return "(none)"
    if isinstance(value, Invalid):
        return value.text
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dt.date):
        return f"{format_number(value[1])} on {value[0].isoformat()}"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], float):
        return f"{format_number(value[0])}–{format_number(value[1])}"
    if isinstance(value, tuple):
        return ", ".join(show(item) for item in value) or "(none)"
    return str(value)


def show_values(values: tuple[float, ...]) -> str:
    """Return the values of one check-in date: 13,800 (or 13,800 / 13,900 when listed twice)."""
    return " / ".join(format_number(v) for v in values)
