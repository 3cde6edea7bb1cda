"""Load a plan file into the typed model, with every problem as a positioned value.

`load_plan` never raises on what a user wrote: unreadable bytes, YAML errors, wrong types,
unknown keys and bad CSV data all become `Problem`s, and as much of the plan as is sound
is still returned so the rules can check the rest (Pelican's `is_valid()` habit).
"""

from __future__ import annotations

import bisect
import csv
import difflib
import math
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from smartdoc import model
from smartdoc.source import Location, Marks, Path, Problem, read_document

#: Largest plan file read, in bytes; the front-matter has its own, smaller limit.
MAX_PLAN_BYTES = 8 * 1024 * 1024
#: Largest measurements CSV read, in bytes.
MAX_CSV_BYTES = 16 * 1024 * 1024
#: Most check-ins one goal may have (a bound on build time and memory).
MAX_CHECKINS_PER_GOAL = 5000
#: Longest path accepted in `measurements` (Linux PATH_MAX).
MAX_PATH_CHARS = 4096
#: Longest CSV field accepted (csv's own default limit, stated here).
MAX_CSV_FIELD = 131072
#: Most goals one plan may have (each is a card, a chart and a PDF section; issue 7).
MAX_GOALS_PER_PLAN = 500
#: Largest Markdown narrative rendered, in bytes (markdown-it needs ~20-40 µs a byte on
#: hostile input such as 100,000 `[`; a real narrative is a few KiB; issue 7).
MAX_NARRATIVE_BYTES = 512 * 1024

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WRITTEN_DECIMALS = re.compile(r"^[-+]?\d*\.(\d*)$")
#: A CSV row's decimals as written, until `_mark_rows` records them in the marks.
_DECIMALS_KEY = "\0decimals"
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
    invalid_paths: set[Path] = field(default_factory=set)
    #: Project-relative paths of the CSV files this plan read (for caches and watching).
    data_files: list[str] = field(default_factory=list)
    #: Path -> decimals written, for numbers written with a decimal point (`0.80` -> 2):
    #: the precision figures print with. The marks' own table, kept when marks are dropped.
    decimals: dict[Path, int] = field(default_factory=dict)

    def location(self, path: Path, *, prefer_key: bool = True) -> Location:
        """Return the position of `path`, or the top of the file if nothing nearer is known."""
        found = self.marks.of(path, prefer_key=prefer_key)
        return found or Location(self.rel_path, 1, 1)

    def goal_id(self, path: Path) -> str | None:
        """Return the id of the goal a path lies in, if any."""
        if len(path) >= 2 and path[0] == "goals" and isinstance(path[1], int) and self.plan:
            goals = self.plan.goals
            if 0 <= path[1] < len(goals):
                return goals[path[1]].id
        return None


def load_plan(
    file: FsPath, root: FsPath, plans_dir: FsPath, raw: bytes | None = None
) -> LoadedPlan:
    """Read, parse and validate one plan file (`raw`: its bytes, when already read)."""
    rel = _relative(file, root)
    slug = _relative(file, plans_dir).removesuffix(".md")
    problem = None
    if raw is None:
        raw, problem = _read_bytes(file, rel, MAX_PLAN_BYTES)
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
        if problem.node_path and problem.code in ("E105", "E109"):
            _drop(data, problem.node_path, loaded)  # reported already; validation skips it
    _read_measurement_files(data, file, root, loaded)
    _check_list_sizes(data, loaded)
    loaded.plan = _validate(data, loaded)
    return loaded


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


def _relative(file: FsPath, base: FsPath) -> str:
    try:
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.as_posix()


def _read_bytes(file: FsPath, rel: str, limit: int) -> tuple[bytes | None, Problem | None]:
    """Read a regular file up to `limit` bytes, or return a problem saying why not."""
    where = Location(rel, 1, 1)
    try:
        if not file.is_file():
            return None, Problem("E113", where, "not a regular file")
        size = file.stat().st_size
        if size > limit:
            message = f"file is {size:,} bytes, over the limit of {limit // (1024 * 1024)} MiB"
            return None, Problem("E102", where, message)
        return file.read_bytes(), None
    except OSError as exc:
        return None, Problem("E113", where, f"cannot read file: {exc.strerror or exc}")


# --- measurements from CSV ---------------------------------------------------------------


def resolve_inside(value: str, base_dir: FsPath, root: FsPath) -> tuple[FsPath | None, str]:
    """Resolve a user path against `base_dir`; return (path, "") or (None, why it is refused)."""
    decoded = urllib.parse.unquote(value)
    if "\0" in decoded or len(value) > MAX_PATH_CHARS:
        return None, "not a valid file path"
    if decoded != value and ".." in re.split(r"[/\\]", decoded):
        # a percent-encoded '..' is an attempt to climb, wherever it would land
        return None, "path escapes the project root (percent-encoded '..')"
    root_real = root.resolve()
    resolved: FsPath | None = None
    for candidate in sorted({value, decoded}):
        if candidate.startswith("~") or os.path.isabs(candidate) or "\\" in candidate:
            return None, "path escapes the project root"
        try:
            real = (base_dir / candidate).resolve()
        except (OSError, ValueError, RuntimeError):  # too long, a symlink loop
            return None, "not a valid file path"
        if not real.is_relative_to(root_real):
            return None, "path escapes the project root"
        if candidate == value:
            resolved = real
    return resolved, ""


def _exists(file: FsPath) -> bool:
    try:
        return file.exists() or file.is_symlink()
    except (OSError, ValueError):  # a component too long: nothing there to read
        return False


def _short_path(value: str) -> str:
    """Return a user path fit for a one-line message: control characters escaped, cut at 80."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _read_measurement_files(
    data: dict[str, Any], plan_file: FsPath, root: FsPath, loaded: LoadedPlan
) -> None:
    """Replace CSV paths under `measurements` with the rows they hold."""
    goals = data.get("goals")
    goal_list = goals if isinstance(goals, list) else []
    for index, goal in enumerate(goal_list):
        if isinstance(goal, dict) and isinstance(goal.get("measurements"), str):
            path = ("goals", index, "measurements")
            rows = _read_csv(goal["measurements"], path, plan_file, root, loaded, with_goal=False)
            if rows is None:
                del goal["measurements"]
                loaded.invalid_paths.add(path)
            else:
                goal["measurements"] = [row for _, row in rows]
                _mark_rows(loaded.marks, path, rows)
    shared = data.get("measurements")
    if isinstance(shared, str):
        rows = _read_csv(shared, ("measurements",), plan_file, root, loaded, with_goal=True)
        index_by_id = {
            goal.get("id"): i for i, goal in enumerate(goal_list) if isinstance(goal, dict)
        }
        for location, row in rows or []:
            goal_id = row.pop("goal")
            goal_index = index_by_id.get(goal_id)
            if goal_index is None:
                message = f"no goal with id '{goal_id}' in this plan"
                loaded.problems.append(Problem("E112", location, message, ("measurements",)))
                continue
            goal = goal_list[goal_index]
            existing = goal.get("measurements")
            if existing is None:
                existing = goal["measurements"] = []
            if not isinstance(existing, list):
                continue  # the goal's own value is reported by validation
            path = ("goals", goal_index, "measurements")
            _mark_rows(loaded.marks, path, [(location, row)], start=len(existing))
            existing.append(row)


def _mark_rows(
    marks: Marks, path: Path, rows: list[tuple[Location, dict[str, Any]]], start: int = 0
) -> None:
    """Record each row's position, and the decimals of its value (taken out of the row)."""
    for offset, (location, row) in enumerate(rows):
        row_path: Path = (*path, start + offset)
        marks.values[row_path] = location
        for name in ("date", "value"):
            field_path: Path = (*row_path, name)
            marks.values[field_path] = location
        decimals = row.pop(_DECIMALS_KEY, None)
        if decimals is not None:
            value_path: Path = (*row_path, "value")
            marks.decimals[value_path] = decimals


def _read_csv(
    value: str, path: Path, plan_file: FsPath, root: FsPath, loaded: LoadedPlan, *, with_goal: bool
) -> list[tuple[Location, dict[str, Any]]] | None:
    """Read `date,value[,note]` rows (and `goal` when shared); None if the file is unusable."""
    value_at = loaded.location(path, prefer_key=False)
    referred = f"(measurements at {loaded.rel_path}:{value_at.line})"
    file, why = resolve_inside(value, plan_file.parent, root)
    if file is None:
        code = "E114" if why.startswith("path escapes") else "E113"
        loaded.problems.append(Problem(code, value_at, f"{why}: '{_short_path(value)}'", path))
        return None
    if not _exists(file):
        loaded.problems.append(Problem("E113", value_at, f"CSV file not found: '{value}'", path))
        return None
    csv_rel = _relative(file, root.resolve())
    raw, problem = _read_bytes(file, csv_rel, MAX_CSV_BYTES)
    if raw is None:
        assert problem is not None
        message = f"{problem.message}: '{value}'"
        loaded.problems.append(Problem(problem.code, value_at, message, path))
        return None
    loaded.data_files.append(csv_rel)
    from smartdoc.source import decode  # local: only CSV plans need it

    text, decode_problems = decode(raw, csv_rel)
    if text is None:
        for bad in decode_problems:
            message = f"{bad.message} {referred}"
            loaded.problems.append(Problem(bad.code, bad.location, message, path))
        return None
    return _parse_csv_rows(text, csv_rel, path, referred, loaded, with_goal=with_goal)


def _parse_csv_rows(
    text: str, csv_rel: str, path: Path, referred: str, loaded: LoadedPlan, *, with_goal: bool
) -> list[tuple[Location, dict[str, Any]]] | None:
    def report(line: int, message: str) -> None:
        where = Location(csv_rel, line, 1)
        loaded.problems.append(Problem("E112", where, f"{message} {referred}", path))

    csv.field_size_limit(MAX_CSV_FIELD)
    lines = iter(text.split("\n"))
    reader = csv.reader(lines, strict=True)
    required = ("goal", "date", "value") if with_goal else ("date", "value")
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        report(1, "CSV file is empty; expected a header row " + ",".join(required))
        return None
    except csv.Error as exc:
        report(1, f"CSV header is malformed: {exc}")
        return None
    missing = [name for name in required if name not in header]
    if missing:
        report(1, f"CSV header lacks column(s) {', '.join(missing)}; found {','.join(header)}")
        return None
    columns = {name: header.index(name) for name in (*required, "note") if name in header}
    rows: list[tuple[Location, dict[str, Any]]] = []
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            detail = str(exc)
            if "unexpected end of data" in detail:
                detail = "unterminated quote"
            elif "field larger than field limit" in detail:
                detail = f"a field is longer than {MAX_CSV_FIELD:,} characters"
            report(start_line, f"malformed CSV: {detail}")
            # csv cannot resume after a broken quote; the rest of the file is unusable
            if detail == "unterminated quote":
                break
            continue
        if not cells or all(not cell.strip() for cell in cells):
            continue
        row = _csv_row(cells, columns, start_line, report)
        if row is not None:
            rows.append((Location(csv_rel, start_line, 1), row))
        if len(rows) > MAX_CHECKINS_PER_GOAL * (50 if with_goal else 1):
            report(start_line, f"more than {MAX_CHECKINS_PER_GOAL:,} check-ins; split the data")
            return None
    return rows


def _csv_row(
    cells: list[str], columns: dict[str, int], line: int, report: Any
) -> dict[str, Any] | None:
    def cell(name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index < len(cells) else ""

    date_text, value_text = cell("date"), cell("value")
    if not _ISO_DATE.match(date_text):
        report(line, f"date '{date_text[:40]}' is not a date YYYY-MM-DD")
        return None
    try:
        import datetime as dt

        date = dt.date.fromisoformat(date_text)
    except ValueError as exc:
        report(line, f"invalid date '{date_text}': {exc}")
        return None
    try:
        number = float(value_text)
    except ValueError:
        report(line, f"value '{value_text[:40]}' is not a number")
        return None
    if not math.isfinite(number):
        report(line, f"value '{value_text}' is not a finite number")
        return None
    # `12000` stays a whole number, as it would in YAML; `12000.0` stays a float
    whole = number.is_integer() and "." not in value_text
    row: dict[str, Any] = {"date": date, "value": int(number) if whole else number}
    written = _WRITTEN_DECIMALS.match(value_text)
    if written:  # `0.80` keeps its 2 decimals on the page; `_mark_rows` moves this to marks
        row[_DECIMALS_KEY] = len(written.group(1))
    if "note" in columns and cell("note"):
        row["note"] = cell("note")
    if "goal" in columns:
        row["goal"] = cell("goal")
    return row


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


def _fields_at(path: Path) -> tuple[str, ...]:
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


def describe(path: Path) -> str:
    """Return a path as a reader would write it: `goals[2].target`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front-matter"


def _existing_prefix(data: Any, loc: tuple[Any, ...]) -> tuple[Path, Any]:
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
        grouped: dict[Path, list[Any]] = {}
        for error in errors:
            path, _ = _existing_prefix(data, error["loc"])
            if error["type"] == "missing":
                path = tuple(error["loc"])
            grouped.setdefault(path, []).append(error)
        for path, path_errors in grouped.items():
            if not _is_under(path, loaded.invalid_paths):
                loaded.problems.append(_type_problem(data, path, path_errors, loaded))
        for path in sorted(grouped, key=len, reverse=True):
            _drop(data, path[:-1] if grouped[path][0]["type"] == "missing" else path, loaded)
        _compact_lists(data, (), loaded.marks)
    return None  # pragma: no cover - each round removes at least one value


def _is_under(path: Path, invalid: set[Path]) -> bool:
    return any(path[: len(bad)] == bad for bad in invalid)


def _type_problem(
    data: dict[str, Any], path: Path, errors: list[dict[str, Any]], loaded: LoadedPlan
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
    return Problem("E111", loaded.location(path, prefer_key=False), message, path)


def _drop(data: Any, path: Path, loaded: LoadedPlan) -> None:
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


def _compact_lists(value: Any, path: Path, marks: Marks) -> None:
    """Drop placeholders from lists and shift the marks of the items after them."""
    if isinstance(value, dict):
        for key, child in value.items():
            _compact_lists(child, (*path, key), marks)
    elif isinstance(value, list):
        removed = [i for i, item in enumerate(value) if item is _REMOVED]
        if removed:
            value[:] = [item for item in value if item is not _REMOVED]
            _shift_marks(marks, path, removed)
        for index, child in enumerate(value):
            _compact_lists(child, (*path, index), marks)


def _shift_marks(marks: Marks, list_path: Path, removed: list[int]) -> None:
    depth = len(list_path)
    # sorted list + set: a list of 340,000 dropped items must not be quadratic (issue 15)
    removed_sorted = sorted(removed)
    removed_set = set(removed)
    tables: tuple[dict[Path, Any], ...] = (marks.values, marks.keys, marks.decimals)
    for table in tables:
        moved: dict[Path, Any] = {}
        for path, location in list(table.items()):
            if len(path) <= depth or path[:depth] != list_path:
                continue
            index = path[depth]
            if not isinstance(index, int):
                continue
            del table[path]
            if index in removed_set:
                continue
            shift = bisect.bisect_left(removed_sorted, index)
            new_path: Path = (*list_path, index - shift, *path[depth + 1 :])
            moved[new_path] = location
        table.update(moved)
