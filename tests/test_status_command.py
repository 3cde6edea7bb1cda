"""`smartdoc status` shows what the site shows: the status, the stale marker and the override
beside it, the figures as written (issues 12 and 13)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> str:
    project = tmp_path_factory.mktemp("examples")
    shutil.copytree(REPO / "plans", project / "plans")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}
    result = subprocess.run(
        [sys.executable, "-m", "smartdoc", "status", "--today", "2026-11-23"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def row(output: str, goal_id: str) -> list[str]:
    """Return the cells of a goal's row (cells are 2 or more spaces apart)."""
    line = next(line for line in output.splitlines() if line.strip().startswith(goal_id + " "))
    return [cell.strip() for cell in line.strip().split("  ") if cell]


def test_header_names_every_column(output: str) -> None:
    header = next(line for line in output.splitlines() if line.strip().startswith("goal "))
    cells = [c.strip() for c in header.strip().split("  ") if c]
    assert cells == [
        "goal",
        "kind",
        "unit",
        "before",
        "current",
        "dated",
        "expected",
        "target",
        "progress",
        "status",
        "beside the status",
    ]


def test_override_beside_the_computed_status_with_reason_date_and_author(output: str) -> None:
    assert row(output, "monthly-churn") == [
        "monthly-churn",
        "quant",
        "%",
        "4.8%",
        "4.7%",
        "2026-11-01",
        "4.4%",
        "3.5%",
        "8%",
        "Off track",
        "judged at risk",
    ]
    lines = output.splitlines()
    detail = lines[lines.index(next(line for line in lines if "monthly-churn" in line)) + 1]
    assert detail.strip() == (
        "judged at risk by Anneliese Brück on 2026-11-23: The win-back offer went live on "
        "15 October; November is its first full month"
    )


def test_stale_marker_beside_the_status(output: str) -> None:
    cells = row(output, "csat")
    assert cells[-2:] == ["On track", "last figure 83 days ago"]
    assert cells[4:6] == ["81%", "2026-09-01"]


def test_band_goals_and_the_precision_written(output: str) -> None:
    assert row(output, "paid-cpc")[2:] == [
        "EUR per click",
        "0.94",
        "0.78",
        "2026-11-01",
        "—",
        "at most 0.80",
        "6 of 10 inside",
        "Breached",
    ]
    # "for every 2026 issue": 3 of 10 issues were below 35%
    assert row(output, "open-rate")[-2:] == ["7 of 10 inside", "Breached"]
