"""Many plans are checked across processes; the report is the same as checking one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.generate import generate
from smartdoc.commands import lint as lint_command
from smartdoc.config import load_config
from smartdoc.project import discover_plan_files

TODAY = dt.date(2026, 11, 23)


def test_parallel_check_matches_sequential(tmp_path: Path) -> None:
    files = generate(tmp_path, lint_command.PARALLEL_MIN_PLANS + 6)
    # a few broken plans among them: findings must come back from the workers intact
    files[3].write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    files[40].write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    (tmp_path / "smartdoc.yml").write_text("site_name: Bench\n", encoding="utf-8")
    config = load_config(start=tmp_path)
    plan_files = discover_plan_files(config)
    assert lint_command._workers_for(len(plan_files)) > 1 or len(plan_files) < 2

    plans, findings, crashes = lint_command.check_files(config, plan_files, TODAY, False)
    one_by_one = lint_command._check_chunk(config, plan_files, TODAY, False)

    assert crashes == one_by_one[2] == []
    assert plans == one_by_one[0]
    assert findings == sorted(one_by_one[1])
    assert {f.code for f in findings if f.severity == "error"} >= {"E104", "E108"}
