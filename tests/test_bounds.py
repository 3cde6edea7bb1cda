"""Resource bounds: one plan cannot make lint or build take unbounded time or memory.

The limits (smartdoc/source.py, smartdoc/load.py, smartdoc/pdf.py), each a clear E102/E112
error at the value's position, checked before the expensive stage:

| what | limit | where |
|---|---|---|
| plan file | 8 MiB | `load.MAX_PLAN_BYTES` |
| front-matter | 1 MiB, 64 levels of nesting, 400 columns of indentation | `source.MAX_*` |
| narrative (Markdown body) | 512 KiB | `load.MAX_NARRATIVE_BYTES` |
| goals per plan | 500 | `load.MAX_GOALS_PER_PLAN` |
| check-ins (or interim targets) per goal, YAML or CSV | 5,000 | `load.MAX_CHECKINS_PER_GOAL` |
| measurements CSV | 16 MiB, fields of 131,072 characters | `load.MAX_CSV_*` |
| one PDF | 120 s, then "not made" | `pdf.DEFAULT_TIMEOUT` |

Charts draw one point per check-in, so the check-in cap bounds them too; a plan at every
limit at once still builds (`test_a_plan_at_the_limits_builds_in_bounded_time_and_memory`).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_acceptance import Run, build, lint, new_project
from test_build import GOOD_GOAL, plan_text, write_plan

from smartdoc import load, pdf, source

REPO = Path(__file__).resolve().parent.parent
NO_CHECKINS = "    measurements:\n      - {date: 2027-03-01, value: 3300}\n"


def plan_with_checkins(
    count: int, *, start: dt.date = dt.date(2013, 1, 1), key: str = "measurements"
) -> str:
    """Return plan front-matter with one goal of `count` inline check-ins, one a day."""
    rows = ", ".join(
        f"{{date: {(start + dt.timedelta(days=i)).isoformat()}, value: {3000 + i}}}"
        for i in range(count)
    )
    goal = (
        GOOD_GOAL.format(id="g", kind="quantitative")
        .replace(NO_CHECKINS, f"    {key}: [{rows}]\n")
        .replace("date: 2026-12-31, value: 3000", "date: 2012-12-31, value: 3000")
        .replace("target: 4500", "target: 90000")
    )
    goals = goal + GOOD_GOAL.format(id="q", kind="qualitative").replace(
        "date: 2026-12-31", "date: 2012-12-31"
    )
    return plan_text("Big plan 2027", goals=goals).replace("start: 2027-01-01", "start: 2013-01-01")


def timed(call: object, *args: object) -> tuple[Run, float]:
    started = time.perf_counter()
    result = call(*args)  # type: ignore[operator]
    return result, time.perf_counter() - started


def line_of(path: Path, needle: str) -> int:
    return next(
        i
        for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
        if needle in text
    )


@pytest.mark.parametrize("key", ["measurements", "interim"])
def test_inline_checkins_over_the_cap_are_one_error(tmp_path: Path, key: str) -> None:
    project = new_project(tmp_path / "project")
    plan = write_plan(project, "big", plan_with_checkins(load.MAX_CHECKINS_PER_GOAL + 1, key=key))
    run, seconds = timed(lint, project)
    assert run.code == 1
    (finding,) = run.findings("E102")
    assert finding["file"] == "plans/big.md"
    assert finding["line"] == str(line_of(plan, f"    {key}: ["))
    assert "5,001 entries, over the limit of 5,000 per goal" in finding["text"]
    assert seconds < 10
    assert build(project, "--no-pdf").code == 1


def test_a_hundred_thousand_inline_checkins_are_refused_before_parsing(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    write_plan(project, "huge", plan_with_checkins(100_000, start=dt.date(1800, 1, 1)))
    run, seconds = timed(lint, project)
    assert run.code == 1
    (finding,) = run.findings("E102")
    assert "front-matter is" in finding["text"] and "over the limit of 1,024 KiB" in finding["text"]
    assert seconds < 5


def test_csv_checkins_over_the_cap_are_one_error(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    (project / "plans" / "data").mkdir()
    start = dt.date(2000, 1, 1)
    rows = "".join(
        f"{(start + dt.timedelta(days=i)).isoformat()},{i}\n"
        for i in range(load.MAX_CHECKINS_PER_GOAL + 2)
    )
    (project / "plans" / "data" / "many.csv").write_text("date,value\n" + rows, encoding="utf-8")
    goals = GOOD_GOAL.format(id="g", kind="quantitative").replace(
        NO_CHECKINS, "    measurements: data/many.csv\n"
    )
    plan = write_plan(project, "csv", plan_text("CSV plan 2027", goals=goals))
    run = lint(project)
    assert run.code == 1
    (finding,) = run.findings("E112")
    assert finding["file"] == "plans/data/many.csv"
    assert "more than 5,000 check-ins" in finding["text"]
    where = line_of(plan, "measurements: data")
    assert f"(measurements at plans/csv.md:{where})" in finding["text"]


def test_goals_over_the_cap_are_one_error(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    goals = "".join(f"  - {{id: g{i}}}\n" for i in range(load.MAX_GOALS_PER_PLAN + 1))
    plan = write_plan(project, "many", plan_text("Many goals 2027", goals=goals))
    run, seconds = timed(lint, project)
    assert run.code == 1
    found = run.findings("E102")
    assert [(f["file"], f["line"]) for f in found] == [
        ("plans/many.md", str(line_of(plan, "goals:")))
    ]
    assert "501 goals, over the limit of 500" in found[0]["text"]
    assert len(run.stdout.splitlines()) < 20  # one error, not one per goal
    assert seconds < 10


def test_narrative_over_the_cap_is_one_error_and_never_rendered(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    hostile = "[" * (load.MAX_NARRATIVE_BYTES + 1)  # markdown-it's slow path
    plan = write_plan(project, "long", plan_text("Long plan 2027"), hostile)
    run, seconds = timed(build, project, "--no-pdf")
    assert run.code == 1
    (finding,) = run.findings("E102")
    body_line = len(plan.read_text(encoding="utf-8").split("---\n", 2)[1].split("\n")) + 2
    assert (finding["file"], finding["line"]) == ("plans/long.md", str(body_line))
    assert "narrative is 524,289 bytes, over the limit of 512 KiB" in finding["text"]
    assert seconds < 10
    assert not (project / "site").exists()


def test_plan_file_over_the_cap_is_not_read(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    huge = b"---\ntitle: x\n---\n" + b"a" * load.MAX_PLAN_BYTES
    (project / "plans" / "huge.md").write_bytes(huge)
    run = lint(project)
    assert run.code == 1
    (finding,) = run.findings("E102")
    assert "over the limit of 8 MiB" in finding["text"]


def test_limits_are_stated_and_documented() -> None:
    from smartdoc.lint.registry import all_rules

    assert source.MAX_FRONT_MATTER_BYTES == 1024 * 1024 and source.MAX_DEPTH == 64
    assert load.MAX_CHECKINS_PER_GOAL == 5000 and load.MAX_GOALS_PER_PLAN == 500
    assert load.MAX_NARRATIVE_BYTES == 512 * 1024
    doc = all_rules()["E102"].doc
    for words in ("512 KiB", "500 goals", "5,000 check-ins"):
        assert words in doc, words
    # a PDF has a time limit by default (what happens past it: test_pdf_fetcher.py)
    default = inspect.signature(pdf.render_pdfs).parameters["timeout"].default
    assert default == pdf.DEFAULT_TIMEOUT and 0 < pdf.DEFAULT_TIMEOUT <= 300


#: Builds in a fresh interpreter and prints the wall time and this process's peak memory.
DRIVER = r"""
import json, resource, sys, time
from click.testing import CliRunner
from smartdoc.cli import main
started = time.perf_counter()
result = CliRunner().invoke(main, ["build", "--no-pdf", "--today", "2027-04-01"])
print(json.dumps({"seconds": time.perf_counter() - started, "code": result.exit_code,
                  "output": result.output[-2000:], "exception": repr(result.exception),
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


@pytest.mark.slow
def test_a_plan_at_the_limits_builds_in_bounded_time_and_memory(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    write_plan(
        project,
        "edge",
        plan_with_checkins(load.MAX_CHECKINS_PER_GOAL),
        "# Why\n\n" + "Some words, [a link](https://example.org). " * 10_000,
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_ACTIONS", None)
    process = subprocess.run(
        [sys.executable, "-c", DRIVER],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    out = json.loads(process.stdout)
    assert out["code"] == 0, out
    assert out["seconds"] < 60, out
    assert out["maxrss_kib"] < 300 * 1024, out
    page = (project / "site" / "edge.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and len(page) < 5_000_000
