"""False-positive guard: every plan in `tests/corpus/valid/` is valid and must lint
without a single error-level finding.

The plans vary on purpose (directions, band goals, qualitative-heavy mixes, resources
instead of money, no plan budget, weekly and "N days" cadences, CSV check-ins, drafts,
plans not started yet). A `# today: YYYY-MM-DD` comment in a file fixes "today" for it;
without one, "today" is the plan's "as of" date: its latest dated figure (check-in or
final), else 2027-06-15. Warnings are allowed: they are judgement calls, not mistakes.
A rule that reports an error here is too strict: fix the rule, not the plan.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from project_helpers import check_project

from smartdoc.config import Config
from smartdoc.load import load_plan

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TODAY = re.compile(r"^#\s*today:\s*(\d{4}-\d{2}-\d{2})\s*$", re.M)
DEFAULT_TODAY = dt.date(2027, 6, 15)


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.md"))


def today_of(path: Path) -> dt.date:
    match = TODAY.search(path.read_text(encoding="utf-8"))
    if match:
        return dt.date.fromisoformat(match.group(1))
    plan = load_plan(path, CORPUS, CORPUS).plan
    figures = [
        figure.date
        for goal in (plan.goals if plan else [])
        for figure in [*(goal.measurements or []), *([goal.final] if goal.final else [])]
    ]
    return max(figures, default=DEFAULT_TODAY)


def test_corpus_is_not_empty() -> None:
    assert len(corpus_files()) >= 5


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_valid_plan_has_no_error(path: Path) -> None:
    config = Config(root=CORPUS, plans_dir=".")
    project = check_project(config, [path], today_of(path))
    assert [plan.readable for plan in project.plans] == [True]
    errors = [
        f"{f.file}:{f.line}:{f.column}: {f.code} {f.message}"
        for f in project.findings
        if f.severity == "error"
    ]
    assert errors == [], "\n".join([f"{path.name} (today {today_of(path)}):", *errors])
