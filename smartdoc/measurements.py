"""Measurements from CSV files: the `measurements:` paths of a plan, read into check-ins.

A path is resolved inside the project (`resolve_inside`), must name a regular `.csv` file,
and the file's first line must be the header `date,value[,note]` (`goal,date,value[,note]`
for a plan's shared file). Anything else is refused at the plan's `measurements:` line
without quoting the file: it may be any file of the project (`../.env`), and findings end
up in CI annotations and SARIF. Rows become `{date, value, note}` check-ins with their
CSV line as position; bad rows are E112 problems on their line, at most
MAX_PROBLEMS_PER_CODE of them per file (the rest are counted in `loaded.hidden`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartdoc.source import (
    MAX_PROBLEMS_PER_CODE,
    Location,
    Marks,
    NodePath,
    Problem,
    decode,
    in_range,
    number_hint,
    number_out_of_range,
    read_bounded,
    relative_path,
)
from smartdoc.source_hints import why_not_a_date

_WRITTEN_DECIMALS = re.compile(r"^[-+]?\d*\.(\d*)$")
#: A CSV row's decimals as written, until `_mark_rows` records them in the marks.
_DECIMALS_KEY = "\0decimals"

if TYPE_CHECKING:  # load imports this module; the type is only named here
    from smartdoc.load import LoadedPlan

#: Largest measurements CSV read, in bytes.
MAX_CSV_BYTES = 16 * 1024 * 1024
#: Most check-ins one goal may have (a bound on build time and memory).
MAX_CHECKINS_PER_GOAL = 5000
#: Longest path accepted in `measurements` (Linux PATH_MAX).
MAX_PATH_CHARS = 4096
#: Longest CSV field accepted (csv's own default limit, stated here).
MAX_CSV_FIELD = 131072

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def resolve_inside(value: str, base_dir: Path, root: Path) -> tuple[Path | None, str]:
    """Resolve a user path against `base_dir`; return (path, "") or (None, why it is refused)."""
    decoded = urllib.parse.unquote(value)
    if "\0" in decoded or len(value) > MAX_PATH_CHARS:
        return None, "not a valid file path"
    if decoded != value and ".." in re.split(r"[/\\]", decoded):
        # a percent-encoded '..' is an attempt to climb, wherever it would land
        return None, "path escapes the project root (percent-encoded '..')"
    root_real = root.resolve()
    resolved: Path | None = None
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


def _exists(file: Path) -> bool:
    try:
        return file.exists() or file.is_symlink()
    except (OSError, ValueError):  # a component too long: nothing there to read
        return False


def _short_path(value: str) -> str:
    """Return a user path fit for a one-line message: control characters escaped, cut at 80."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def read_measurement_files(
    data: dict[str, Any], plan_file: Path, root: Path, loaded: LoadedPlan
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
            _mark_rows(loaded.marks, path, [(location, row)], start=len(existing))
            existing.append(row)


def _mark_rows(
    marks: Marks, path: NodePath, rows: list[tuple[Location, dict[str, Any]]], start: int = 0
) -> None:
    """Record each row's position, and the decimals of its value (taken out of the row)."""
    for offset, (location, row) in enumerate(rows):
        row_path: NodePath = (*path, start + offset)
        marks.values[row_path] = location
        for name in ("date", "value"):
            field_path: NodePath = (*row_path, name)
            marks.values[field_path] = location
        decimals = row.pop(_DECIMALS_KEY, None)
        if decimals is not None:
            value_path: NodePath = (*row_path, "value")
            marks.decimals[value_path] = decimals


def _read_csv(
    value: str, path: NodePath, plan_file: Path, root: Path, loaded: LoadedPlan, *, with_goal: bool
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
        # paths are read from the plan's folder: say where that led, the likely mistake
        looked = _short_path(file.relative_to(root.resolve()).as_posix())  # resolved inside
        message = f"CSV file not found: '{value}'"
        if looked != value:
            message += f" (looked for {looked}: paths are relative to the plan's folder)"
        loaded.problems.append(Problem("E113", value_at, message, path))
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
    csv_rel = relative_path(file, root.resolve())
    raw, problem = read_bounded(file, csv_rel, MAX_CSV_BYTES)
    if raw is None:
        assert problem is not None
        message = f"{problem.message}: '{value}'"
        loaded.problems.append(Problem(problem.code, value_at, message, path))
        return None
    loaded.data_files.append(csv_rel)
    text, decode_problems = decode(raw, csv_rel)
    if text is None:
        for bad in decode_problems:
            message = f"{bad.message} {referred}"
            loaded.problems.append(Problem(bad.code, bad.location, message, path))
        return None
    return parse_csv_rows(text, csv_rel, path, loaded, with_goal=with_goal)


class _CsvReporter:
    """Report problems of one CSV file as E112, keeping at most MAX_PROBLEMS_PER_CODE.

    Problems past the cap are only counted, in `loaded.hidden` (a 16 MiB file of bad rows
    must not make millions of objects); `cap_problems` turns the count into one problem.
    """

    def __init__(self, loaded: LoadedPlan, csv_rel: str, path: NodePath) -> None:
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


def parse_csv_rows(
    text: str, csv_rel: str, path: NodePath, loaded: LoadedPlan, *, with_goal: bool
) -> list[tuple[Location, dict[str, Any]]] | None:
    """Return (position, row) of each good row of CSV `text`; None if it is not measurements."""
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
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        year, month, day = (int(part) for part in date_text.split("-"))
        report(line, f"invalid date '{date_text}': {why_not_a_date(year, month, day)}")
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
    written = _WRITTEN_DECIMALS.match(value_text)
    if written:  # `0.80` keeps its 2 decimals on the page; `_mark_rows` moves this to marks
        row[_DECIMALS_KEY] = len(written.group(1))
    if "note" in columns and cell("note"):
        row["note"] = cell("note")
    if "goal" in columns:
        row["goal"] = cell("goal")
    return row
