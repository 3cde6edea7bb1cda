"""Load a plan file into the typed model, with every problem as a positioned value.

`load_plan` never raises on what a user wrote: unreadable bytes, YAML errors, wrong types,
unknown keys and bad CSV data all become `Problem`s, and as much of the plan as is sound
is still returned so the rules can check the rest (Pelican's `is_valid()` habit).
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from smartdoc import model
from smartdoc.measurements import (
    MAX_CHECKINS_PER_GOAL,
    MAX_CSV_BYTES,
    MAX_CSV_FIELD,
    MAX_PATH_CHARS,
    read_measurement_files,
    resolve_inside,
)
from smartdoc.source import (
    MAX_PROBLEMS_PER_CODE,
    Location,
    Marks,
    NodePath,
    Problem,
    more_message,
    number_hint,
    read_bounded,
    read_document,
    relative_path,
)

__all__ = [  # the limits and helpers other modules import from here
    "MAX_CHECKINS_PER_GOAL",
    "MAX_CSV_BYTES",
    "MAX_CSV_FIELD",
    "MAX_GOALS_PER_PLAN",
    "MAX_NARRATIVE_BYTES",
    "MAX_PATH_CHARS",
    "MAX_PLAN_BYTES",
    "MAX_PROBLEMS_PER_CODE",
    "LoadedPlan",
    "describe",
    "load_plan",
    "resolve_inside",
]

#: Largest plan file read, in bytes; the front-matter has its own, smaller limit.
MAX_PLAN_BYTES = 8 * 1024 * 1024
#: Most goals one plan may have (each is a card, a chart and a PDF section; issue 7).
MAX_GOALS_PER_PLAN = 500
#: Largest Markdown narrative rendered, in bytes (markdown-it needs ~20-40 µs a byte on
#: hostile input such as 100,000 `[`; a real narrative is a few KiB; issue 7).
MAX_NARRATIVE_BYTES = 512 * 1024

_REMOVED = object()


@dataclass(slots=True)
class LoadedPlan:
    """A plan file after loading: the model (None if unreadable) and everything found."""

    #: Path relative to the project root, POSIX separators (used in every finding).
    rel_path: str
    #: Path relative to the plans folder without `.md`: the page name.
    slug: str
    plan: model.Plan | None
    marks: Marks
    problems: list[Problem]
    body: str
    body_line: int
    suppressions: dict[int, tuple[str, ...]]
    #: Paths of values that were present but invalid (rules do not report them missing).
    invalid_paths: set[NodePath] = field(default_factory=set)
    #: Project-relative paths of the CSV files this plan read (for caches and watching).
    data_files: list[str] = field(default_factory=list)
    #: (file, code) -> (first problem not kept, how many were not kept): see `cap_problems`.
    hidden: dict[tuple[str, str], tuple[Problem, int]] = field(default_factory=dict)
    #: Path -> decimals written, for numbers written with a decimal point (`0.80` -> 2):
    #: the precision figures print with. The marks' own table, kept when marks are dropped.
    decimals: dict[NodePath, int] = field(default_factory=dict)

    def location(self, path: NodePath, *, prefer_key: bool = True) -> Location:
        """Return the position of `path`, or the top of the file if nothing nearer is known."""
        found = self.marks.of(path, prefer_key=prefer_key)
        return found or Location(self.rel_path, 1, 1)

    def goal_id(self, path: NodePath) -> str | None:
        """Return the id of the goal a path lies in, if any."""
        if len(path) >= 2 and path[0] == "goals" and isinstance(path[1], int) and self.plan:
            goals = self.plan.goals
            if 0 <= path[1] < len(goals):
                return goals[path[1]].id
        return None


def load_plan(
    file: Path,
    root: Path,
    plans_dir: Path,
    raw: bytes | None = None,
    *,
    as_of: dt.date | None = None,
) -> LoadedPlan:
    """Read, parse and validate one plan file (`raw`: its bytes, when already read).

    `as_of` (`--as-of DATE`): the plan as it stood that day, so check-ins and final figures
    dated after it are left out, as if not written yet (not reported as future figures).
    """
    rel = relative_path(file, root)
    slug = relative_path(file, plans_dir).removesuffix(".md")
    problem = None
    if raw is None:
        raw, problem = read_bounded(file, rel, MAX_PLAN_BYTES)
    if raw is None:
        return LoadedPlan(rel, slug, None, Marks(), [problem] if problem else [], "", 1, {})
    document = read_document(raw, rel)
    loaded = LoadedPlan(
        rel,
        slug,
        None,
        document.marks,
        document.problems,
        document.body,
        document.body_line,
        document.suppressions,
        decimals=document.marks.decimals,
    )
    _check_narrative_size(loaded)
    if document.front_matter is None and document.problems:
        return loaded
    if not isinstance(document.front_matter, dict):
        kind = "empty" if document.front_matter is None else type(document.front_matter).__name__
        message = f"front-matter must be a mapping of keys (title, period, goals...), not {kind}"
        loaded.problems.append(Problem("E101", Location(rel, 2, 1), message))
        return loaded
    data = document.front_matter
    for problem in document.problems:
        if problem.node_path and problem.code in ("E105", "E109", "E111"):
            _drop(data, problem.node_path, loaded)  # reported already; validation skips it
    read_measurement_files(data, file, root, loaded)
    if as_of is not None:
        _leave_out_after(data, as_of, loaded)
    _check_list_sizes(data, loaded)
    loaded.plan = _validate(data, loaded)
    _drop_explained_booleans(loaded)
    cap_problems(loaded)
    return loaded


def _drop_explained_booleans(loaded: LoadedPlan) -> None:
    """Say `draft: yes` once: the E111 type error at that place already names 'yes'.

    E107 warns that `yes` is text in YAML 1.2; where the field needs a boolean, the E111
    error at the same place says so, and two lines about one word read as two problems.
    """
    errors = {problem.location for problem in loaded.problems if problem.code == "E111"}
    loaded.problems[:] = [
        problem
        for problem in loaded.problems
        if not (problem.code == "E107" and problem.location in errors)
    ]


def cap_problems(loaded: LoadedPlan, limit: int = MAX_PROBLEMS_PER_CODE) -> None:
    """Keep at most `limit` problems per (file, code); one "and N more" problem stands for the
    rest (with those a CSV reader already left out, in `loaded.hidden`)."""
    hidden = dict(loaded.hidden)
    kept: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for problem in loaded.problems:
        key = (problem.location.file, problem.code)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            kept.append(problem)
            continue
        first, count = hidden.get(key, (problem, 0))
        hidden[key] = (first, count + 1)
    for first, count in hidden.values():
        kept.append(_more_problem(first, count, limit))
    loaded.problems = kept
    loaded.hidden = {}


def _more_problem(first_hidden: Problem, hidden: int, limit: int) -> Problem:
    """Return the problem that stands for `hidden` problems not shown, at the first of them."""
    message = more_message(first_hidden.code, hidden, limit)
    return Problem(first_hidden.code, first_hidden.location, message)


def _check_narrative_size(loaded: LoadedPlan) -> None:
    """Refuse a narrative over MAX_NARRATIVE_BYTES (it is not rendered)."""
    size = len(loaded.body.encode("utf-8", errors="replace"))
    if size > MAX_NARRATIVE_BYTES:
        message = (
            f"narrative is {size:,} bytes, over the limit of "
            f"{MAX_NARRATIVE_BYTES // 1024:,} KiB; split the plan or move text out"
        )
        loaded.problems.append(
            Problem("E102", Location(loaded.rel_path, loaded.body_line, 1), message)
        )
        loaded.body = ""


def _check_list_sizes(data: dict[str, Any], loaded: LoadedPlan) -> None:
    """Refuse more goals per plan, or check-ins per goal, than the limits (E102, dropped)."""
    goals = data.get("goals")
    if isinstance(goals, list) and len(goals) > MAX_GOALS_PER_PLAN:
        message = (
            f"plan has {len(goals):,} goals, over the limit of {MAX_GOALS_PER_PLAN:,}; "
            "split it into several plans"
        )
        loaded.problems.append(Problem("E102", loaded.location(("goals",)), message, ("goals",)))
        _drop(data, ("goals",), loaded)
        return
    for index, goal in enumerate(goals if isinstance(goals, list) else []):
        if not isinstance(goal, dict):
            continue
        for key in ("measurements", "interim"):
            items = goal.get(key)
            if isinstance(items, list) and len(items) > MAX_CHECKINS_PER_GOAL:
                path = ("goals", index, key)
                message = (
                    f"{describe(path)} has {len(items):,} entries, over the limit of "
                    f"{MAX_CHECKINS_PER_GOAL:,} per goal; split the data"
                )
                loaded.problems.append(Problem("E102", loaded.location(path), message, path))
                _drop(data, path, loaded)


# --- validation --------------------------------------------------------------------------

_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "finite_number": "a finite number",
    "string_type": "text",
    "bool_type": "true or false",
    "date_type": "a date YYYY-MM-DD",
    "date_from_datetime_inexact": "a date YYYY-MM-DD (no time)",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _fields_at(path: NodePath) -> tuple[str, ...]:
    """Return the keys allowed in the mapping at `path` (for "did you mean")."""
    shape = tuple("#" if isinstance(part, int) else part for part in path)
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): model.Plan,
        ("period",): model.Period,
        ("budget",): model.Budget,
        ("goals", "#"): model.Goal,
        ("goals", "#", "baseline"): model.Checkin,
        ("goals", "#", "final"): model.Checkin,
        ("goals", "#", "interim", "#"): model.Checkin,
        ("goals", "#", "measurements", "#"): model.Checkin,
        ("goals", "#", "target"): model.Band,
        ("goals", "#", "override"): model.Override,
    }
    if len(shape) == 2 and shape[0] == "strategy":
        return tuple(model.Objective.model_fields)  # any key: strategy.<key> is an objective
    found = models.get(shape)
    return tuple(found.model_fields) if found else ()


def describe(path: NodePath) -> str:
    """Return a path as a reader would write it: `goals[2].target`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front-matter"


def _existing_prefix(data: Any, loc: tuple[Any, ...]) -> tuple[NodePath, Any]:
    """Return the longest prefix of `loc` that exists in `data`, and the value there."""
    current, prefix = data, []
    for part in loc:
        in_mapping = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            current = current[part]
        else:
            break
        prefix.append(part)
    return tuple(prefix), current


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _validate(data: dict[str, Any], loaded: LoadedPlan) -> model.Plan | None:
    """Validate, turning each error into a problem and dropping the bad value, until valid."""
    for _attempt in range(50):
        try:
            return model.Plan.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
        grouped: dict[NodePath, list[Any]] = {}
        for error in errors:
            path, _ = _existing_prefix(data, error["loc"])
            if error["type"] == "missing":
                # the missing key under the mapping that lacks it (a union's branch name, as
                # in target.Band.max, is not part of the plan)
                path, _ = _existing_prefix(data, error["loc"][:-1])
                path = (*path, error["loc"][-1])
            grouped.setdefault(path, []).append(error)
        for path in [p for p, found in grouped.items() if found[0]["type"] == "missing"]:
            # {min: 5} for a target is a range lacking its max, not "must be a number"
            parent = path[:-1]
            if isinstance(_existing_prefix(data, parent)[1], dict) and all(
                e["type"] != "missing" for e in grouped.get(parent, [])
            ):
                grouped.pop(parent, None)
        for path, path_errors in grouped.items():
            if not _is_under(path, loaded.invalid_paths):
                loaded.problems.append(_type_problem(data, path, path_errors, loaded))
        for path in sorted(grouped, key=len, reverse=True):
            _drop(data, path[:-1] if grouped[path][0]["type"] == "missing" else path, loaded)
        removals: dict[NodePath, list[int]] = {}
        _compact_lists(data, (), removals)
        _shift_marks(loaded, removals)
    return None  # pragma: no cover - each round removes at least one value


def _is_under(path: NodePath, invalid: set[NodePath]) -> bool:
    """Return whether `path` or one of its parents is in `invalid` (a lookup per level)."""
    return any(path[:depth] in invalid for depth in range(len(path) + 1))


def _type_problem(
    data: dict[str, Any], path: NodePath, errors: list[dict[str, Any]], loaded: LoadedPlan
) -> Problem:
    first = errors[0]
    if first["type"] == "extra_forbidden":
        key = str(path[-1])
        allowed = _fields_at(path[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        where = f" in {describe(path[:-1])}" if path[:-1] else ""
        message = f"unknown key '{key}'{where}{hint}"
        return Problem("E110", loaded.location(path), message, path)
    if first["type"] == "missing":
        message = f"{describe(path[:-1])} lacks '{path[-1]}'"
        return Problem("E111", loaded.location(path), message, path)
    _, value = _existing_prefix(data, path)
    if first["type"] == "literal_error":
        expected = first["msg"].removeprefix("Input should be ")
    else:
        kinds = []
        for error in errors:
            if error["loc"] and error["loc"][-1] == "Band":
                kinds.append("a range {min, max}")
                continue
            kind = _EXPECTED.get(error["type"], error["msg"].removeprefix("Input should be "))
            if kind not in kinds:
                kinds.append(kind)
        expected = " or ".join(kinds)
    message = f"{describe(path)} must be {expected}, not {_short(value)}"
    if isinstance(value, str) and "number" in expected:
        message += number_hint(value)
    return Problem("E111", loaded.location(path, prefer_key=False), message, path)


def _leave_out_after(data: dict[str, Any], day: dt.date, loaded: LoadedPlan) -> None:
    """Leave out the check-ins, final figures and overrides dated after `day` (`--as-of`):
    on that day none of them had been written yet."""

    def is_after(item: Any) -> bool:
        value = item.get("date") if isinstance(item, dict) else None
        return isinstance(value, dt.date) and value > day

    goals = data.get("goals")
    left_out = False
    for goal in goals if isinstance(goals, list) else []:
        if not isinstance(goal, dict):
            continue
        checkins = goal.get("measurements")
        if isinstance(checkins, list):
            for index, item in enumerate(checkins):
                if is_after(item):
                    checkins[index] = _REMOVED
                    left_out = True
        for later in ("final", "override"):
            if is_after(goal.get(later)):
                del goal[later]
    if left_out:  # positions of the check-ins after them move up with them
        removals: dict[NodePath, list[int]] = {}
        _compact_lists(data, (), removals)
        _shift_marks(loaded, removals)


def _drop(data: Any, path: NodePath, loaded: LoadedPlan) -> None:
    """Remove the value at `path` (lists keep a placeholder until compacted)."""
    loaded.invalid_paths.add(path)
    if not path:
        data.clear()
        return
    parent_path, parent = _existing_prefix(data, path[:-1])
    if parent_path != path[:-1]:
        return
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = _REMOVED


def _compact_lists(value: Any, path: NodePath, removals: dict[NodePath, list[int]]) -> None:
    """Drop placeholders from lists; record list path -> removed indexes (ascending).

    A list's path is recorded with its parents' indexes as they are *after* compaction, the
    order `_renumber` walks a path in.
    """
    if isinstance(value, dict):
        for key, child in value.items():
            _compact_lists(child, (*path, key), removals)
    elif isinstance(value, list):
        removed = [i for i, item in enumerate(value) if item is _REMOVED]
        if removed:
            value[:] = [item for item in value if item is not _REMOVED]
            removals[path] = removed
        for index, child in enumerate(value):
            _compact_lists(child, (*path, index), removals)


def _renumber(path: NodePath, removals: Mapping[NodePath, list[int]]) -> NodePath | None:
    """Return `path` with list indexes shifted past removed items; None if it was removed."""
    result = path
    for depth, part in enumerate(path):
        if not isinstance(part, int):
            continue
        removed = removals.get(result[:depth])
        if removed is None:
            continue
        before = bisect.bisect_left(removed, part)
        if before < len(removed) and removed[before] == part:
            return None
        if before:
            result = (*result[:depth], part - before, *result[depth + 1 :])
    return result


def _shift_marks(loaded: LoadedPlan, removals: Mapping[NodePath, list[int]]) -> None:
    """Renumber marks and invalid paths after compaction: one pass for all lists.

    Each path is visited once whatever the number of lists that lost items (a pass per list
    was quadratic: 340,000 dropped flow items took minutes; issue 15).
    """
    if not removals:
        return
    marks = loaded.marks
    tables: tuple[dict[NodePath, Any], ...] = (marks.values, marks.keys, marks.decimals)
    for table in tables:
        moved: dict[NodePath, Any] = {}
        for path in list(table):
            new_path = _renumber(path, removals)
            if new_path == path:
                continue
            location = table.pop(path)
            if new_path is not None:
                moved[new_path] = location
        table.update(moved)
    renumbered = (_renumber(path, removals) for path in loaded.invalid_paths)
    loaded.invalid_paths = {path for path in renumbered if path is not None}
    # problems found so far name their goal through the path: keep it pointing at the goal
    for index, problem in enumerate(loaded.problems):
        if problem.node_path:
            new_path = _renumber(problem.node_path, removals)
            if new_path is not None and new_path != problem.node_path:
                loaded.problems[index] = replace(problem, node_path=new_path)
