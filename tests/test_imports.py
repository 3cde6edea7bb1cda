"""Lazy imports (issue 6): `smartdoc --help`, `lint`, `status`, `rules` and `schema` never load
WeasyPrint (about a second to import) nor Jinja; each case runs in a fresh interpreter and
lists sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PLAN = """---
title: Imports
owner: Zoé Laurent
period: {start: 2026-01-01, end: 2026-12-31}
strategy:
  brand: Be seen as a fresh brand
goals:
  - id: g1
    title: Grow newsletter subscribers from 3,000 to 4,500 by 30 November 2026
    kind: quantitative
    serves: brand
    owner: Zoé Laurent
    budget: 1000
    frequency: monthly
    direction: increase
    deadline: 2026-11-30
    baseline: {date: 2025-12-31, value: 3000}
    target: 4500
    unit: subscribers
    metric: Newsletter subscribers
    source: Mail provider export
    measurements:
      - {date: 2026-06-01, value: 3800}
---
Narrative.
"""

PROBE = """
import json, sys
from smartdoc.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

HEAVY = ("weasyprint", "jinja2", "markdown_it", "pydyf", "fontTools", "PIL")


def loaded_modules(args: list[str], cwd: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    last = result.stderr.strip().splitlines()[-1]
    return {name.split(".")[0] for name in json.loads(last)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "imports.md").write_text(PLAN, encoding="utf-8")
    (tmp_path / "smartdoc.yml").write_text("site_name: Imports\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["lint", "--today", "2026-11-23"],
        ["lint", "-f", "json", "--today", "2026-11-23"],
        ["rules"],
        ["status", "--today", "2026-11-23"],
        ["schema"],
    ],
)
def test_light_commands_import_no_heavy_library(project: Path, args: list[str]) -> None:
    modules = loaded_modules(args, project)
    assert "smartdoc" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_a_build_without_pdfs_never_imports_weasyprint(project: Path) -> None:
    modules = loaded_modules(["build", "--no-pdf", "--today", "2026-11-23", "-q"], project)
    assert "jinja2" in modules  # the probe does see what a build loads
    assert "weasyprint" not in modules
