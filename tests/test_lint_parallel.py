"""Many plans are checked across processes; the result is the same as checking one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from project_helpers import check_project

from bench.generate import generate
from smartdoc.config import load_config
from smartdoc.pipeline import check

TODAY = dt.date(2026, 11, 23)


def test_parallel_check_matches_sequential(tmp_path: Path) -> None:
    files = generate(tmp_path, check.PARALLEL_MIN_PLANS + 6)
    # a few broken plans among them: findings must come back from the workers intact
    files[3].write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    files[40].write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    (tmp_path / "smartdoc.yml").write_text("site_name: Bench\n", encoding="utf-8")
    config = load_config(start=tmp_path)
    assert check._workers_for(len(files), 2) > 1

    parallel = check_project(config, today=TODAY, jobs=2)
    one_by_one = check_project(config, today=TODAY, jobs=1)

    assert parallel.crashes == one_by_one.crashes == ()
    assert [p.rel_path for p in parallel.plans] == [p.rel_path for p in one_by_one.plans]
    assert [p.findings for p in parallel.plans] == [p.findings for p in one_by_one.plans]
    assert parallel.findings == one_by_one.findings
    assert {f.code for f in parallel.findings if f.severity == "error"} >= {"E104", "E108"}
