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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from smartdoc import model
from smartdoc.source import (
    Location,
    Marks,
    Path,
    Point,
    Problem,
    in_range,
    more_message,
    number_out_of_range,
    read_document,
)

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
#: Most problems of one code reported in one file; the rest are counted in one last problem
#: ("... and N more"), so a broken 16 MiB CSV gives a readable report, not 235,000 lines.
MAX_PROBLEMS_PER_CODE = 100
#: Largest Markdown narrative rendered, in bytes (markdown-it needs ~20-40 µs a byte on
#: hostile input such as 100,000 `[`; a real narrative is a few KiB; issue 7).
MAX_NARRATIVE_BYTES = 512 * 1024

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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
    #: (file, code) -> (first problem not kept, how many were not kept): see `cap_problems`.
    hidden: dict[tuple[str, str], tuple[Problem, int]] = field(default_factory=dict)

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
    _read_measurement_files(data, file, root, loaded)
    _check_list_sizes(data, loaded)
    loaded.plan = _validate(data, loaded)
    cap_problems(loaded)
    return loaded


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
                _mark_rows(loaded.marks, path, [loc for loc, _ in rows])
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
                message = f"no goal with id '{_cut(goal_id)}' in this plan"
                loaded.problems.append(Problem("E112", location, message, ("measurements",)))
                continue
            goal = goal_list[goal_index]
            existing = goal.get("measurements")
            if existing is None:
                existing = goal["measurements"] = []
            if not isinstance(existing, list):
                continue  # the goal's own value is reported by validation
            path = ("goals", goal_index, "measurements")
            _mark_rows(loaded.marks, path, [location], start=len(existing))
            existing.append(row)


def _mark_rows(marks: Marks, path: Path, locations: list[Location], start: int = 0) -> None:
    for offset, location in enumerate(locations):
        row_path: Path = (*path, start + offset)
        marks.values[row_path] = location
        for name in ("date", "value"):
            field_path: Path = (*row_path, name)
            marks.values[field_path] = location


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
    is_csv = value.lower().endswith(".csv") and file.name.lower().endswith(".csv")
    if not is_csv and file.is_file():  # a folder or a device: "not a regular file" below
        # never read (and so never quote) a file that is not a CSV: `../.env`, a key, a plan
        message = (
            f"measurements must name a .csv file (columns date,value[,note]), "
            f"not '{_short_path(value)}'"
        )
        loaded.problems.append(Problem("E113", value_at, message, path))
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
    return _parse_csv_rows(text, csv_rel, path, loaded, with_goal=with_goal)


class _CsvReporter:
    """Report problems of one CSV file as E112, keeping at most MAX_PROBLEMS_PER_CODE.

    Problems past the cap are only counted, in `loaded.hidden` (a 16 MiB file of bad rows
    must not make millions of objects); `cap_problems` turns the count into one problem.
    """

    def __init__(self, loaded: LoadedPlan, csv_rel: str, path: Path) -> None:
        self.loaded = loaded
        self.csv_rel = csv_rel
        self.path = path
        #: The plan's `measurements:` value that names this file.
        self.value_at = loaded.location(path, prefer_key=False)
        self.referred = f"(measurements at {loaded.rel_path}:{self.value_at.line})"
        self.reported = 0

    def refuse(self, message: str) -> None:
        """Report a file that is not a measurements CSV at the plan line naming it.

        Not at the file's own line 1: a code frame there would print the first line of
        whatever file it is.
        """
        message = f"{message} in '{self.csv_rel}'"
        self.loaded.problems.append(Problem("E112", self.value_at, message, self.path))

    def __call__(self, line: int, message: str) -> None:
        self.reported += 1
        key = (self.csv_rel, "E112")
        if self.reported > MAX_PROBLEMS_PER_CODE and key in self.loaded.hidden:
            first, count = self.loaded.hidden[key]
            self.loaded.hidden[key] = (first, count + 1)
            return
        location = Location(self.csv_rel, line, 1)
        problem = Problem("E112", location, f"{message} {self.referred}", self.path)
        if self.reported > MAX_PROBLEMS_PER_CODE:
            self.loaded.hidden[key] = (problem, 1)
        else:
            self.loaded.problems.append(problem)


def _parse_csv_rows(
    text: str, csv_rel: str, path: Path, loaded: LoadedPlan, *, with_goal: bool
) -> list[tuple[Location, dict[str, Any]]] | None:
    return _read_csv_rows(text, _CsvReporter(loaded, csv_rel, path), with_goal=with_goal)


def _read_csv_rows(
    text: str, report: _CsvReporter, *, with_goal: bool
) -> list[tuple[Location, dict[str, Any]]] | None:
    csv.field_size_limit(MAX_CSV_FIELD)
    lines = iter(text.split("\n"))
    reader = csv.reader(lines, strict=True)
    required = ("goal", "date", "value") if with_goal else ("date", "value")
    expected = ",".join(required) + "[,note]"
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        report.refuse(f"no CSV header: expected a first line {expected}")
        return None
    except csv.Error as exc:
        report.refuse(f"malformed CSV header ({exc}): expected a first line {expected}")
        return None
    missing = [name for name in required if name not in header]
    if missing:
        # not a measurements header: this may be any file, so its text is never quoted
        missing_names = ", ".join(f"'{name}'" for name in missing)
        report.refuse(f"no CSV header {expected} (no column {missing_names}) on the first line")
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
            rows.append((Location(report.csv_rel, start_line, 1), row))
        if len(rows) > MAX_CHECKINS_PER_GOAL * (50 if with_goal else 1):
            report(start_line, f"more than {MAX_CHECKINS_PER_GOAL:,} check-ins; split the data")
            return None
    return rows


_THOUSANDS = re.compile(r"^([-+]?\d{1,3})((?:([,.' ])\d{3})(?:\3\d{3})*)(?:([.,])(\d+))?$")


def number_hint(text: str) -> str:
    """Return "; write 1500 ..." for a number written with thousands separators, else ''."""
    match = _THOUSANDS.match(text.strip())
    if not match:
        return ""
    whole, groups, separator, decimal_mark, decimals = match.groups()
    if decimal_mark == separator or (separator == "." and groups.count(".") == 1):
        return ""  # `1,500,5` is unclear; `1.500` is a decimal number already
    digits = whole + groups.replace(separator, "") + (f".{decimals}" if decimals else "")
    return f"; write {digits} (no thousands separator)"


def _cut(text: str, limit: int = 40) -> str:
    """Return `text` fit for a message: control characters escaped, cut at `limit`."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return shown if len(text) <= limit else shown[: limit - 1] + "…"


def _csv_row(
    cells: list[str], columns: dict[str, int], line: int, report: Any
) -> dict[str, Any] | None:
    def cell(name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index < len(cells) else ""

    date_text, value_text = cell("date"), cell("value")
    if not _ISO_DATE.match(date_text):
        report(line, f"date '{_cut(date_text)}' is not a date YYYY-MM-DD")
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
        report(line, f"value '{_cut(value_text)}' is not a number{number_hint(value_text)}")
        return None
    if not math.isfinite(number):
        report(line, f"value '{_cut(value_text)}' is not a finite number")
        return None
    if not in_range(number):
        report(line, number_out_of_range(value_text))
        return None
    # `12000` stays a whole number, as it would in YAML; `12000.0` stays a float
    whole = number.is_integer() and "." not in value_text
    row: dict[str, Any] = {"date": date, "value": int(number) if whole else number}
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
    }
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
        removals: dict[Path, list[int]] = {}
        _compact_lists(data, (), removals)
        _shift_marks(loaded, removals)
    return None  # pragma: no cover - each round removes at least one value


def _is_under(path: Path, invalid: set[Path]) -> bool:
    """Return whether `path` or one of its parents is in `invalid` (a lookup per level)."""
    return any(path[:depth] in invalid for depth in range(len(path) + 1))


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
    if isinstance(value, str) and "number" in expected:
        message += number_hint(value)
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


def _compact_lists(value: Any, path: Path, removals: dict[Path, list[int]]) -> None:
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


def _renumber(path: Path, removals: Mapping[Path, list[int]]) -> Path | None:
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


def _shift_marks(loaded: LoadedPlan, removals: Mapping[Path, list[int]]) -> None:
    """Renumber marks and invalid paths after compaction: one pass for all lists.

    Each path is visited once whatever the number of lists that lost items (a pass per list
    was quadratic: 340,000 dropped flow items took minutes; issue 15).
    """
    if not removals:
        return
    marks = loaded.marks
    for table in (marks.values, marks.keys):
        moved: dict[Path, Point | Location] = {}
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
