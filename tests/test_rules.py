"""Rule cases as data: every `tests/rules/<CODE>-<case>.md` is a plan checked by the linter.

A comment `# expect: CODE` (or `# expect: CODE@COL`) on a line says a finding of that code
must be reported on that line (and column). For the codes named in the file name before the
first `-` that is not a code (e.g. `M101-fail.md`, `S101+S102-fail.md`), and for every code
marked anywhere in the file, the findings must be exactly the expected ones: a `-pass` file
expects none of its own codes. A `# today: YYYY-MM-DD` comment sets
"today" (default 2027-06-15); `# lint: {key: value}` sets lint configuration. Rules that
compare plans (scope `portfolio`) see the plans named by `# portfolio: data/a.md, ...` first,
then the case itself; only the case's own findings are compared.

The markers say what a case is about; `tests/rules/messages.json` records the *whole*
finding set of every case, one `line:column CODE message` string per finding, so a finding
of any other code, a moved finding or a reworded message fails the case too (a typo that
fires both M106 and M107, M107 saying "above" for "below"). After a deliberate change to a
rule or a message, rewrite the snapshot and review its diff:

    SMARTDOC_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_rules.py

The markers are never rewritten: they stay the hand-written statement of each case.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import yaml

from smartdoc.config import LintConfig
from smartdoc.lint.engine import lint_plan, lint_portfolio
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import all_rules
from smartdoc.load import load_plan

CASES = Path(__file__).parent / "rules"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]\d{3}(?:@\d+)?(?:\s*,\s*[A-Z]\d{3}(?:@\d+)?)*)")
TODAY = re.compile(r"^#\s*today:\s*(\d{4}-\d{2}-\d{2})", re.M)
LINT = re.compile(r"^#\s*lint:\s*(\{.*\})\s*$", re.M)
PORTFOLIO = re.compile(r"^#\s*portfolio:\s*(.+?)\s*$", re.M)
DEFAULT_TODAY = dt.date(2027, 6, 15)
SNAPSHOT = CASES / "messages.json"
UPDATE = os.environ.get("SMARTDOC_UPDATE_SNAPSHOTS") == "1"


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.md"))


def codes_under_test(path: Path) -> set[str]:
    head = path.name.split("-", 1)[0]
    return set(head.split("+"))


def expectations(text: str) -> list[tuple[int, str, int | None]]:
    expected = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if not match:
            continue
        for item in match.group(1).split(","):
            code, _, column = item.strip().partition("@")
            expected.append((number, code, int(column) if column else None))
    return expected


def lint_case(path: Path) -> list[Finding]:
    """Return every finding of a case file, with its `# today:` and `# lint:` settings."""
    text = path.read_text(encoding="utf-8")
    today_match = TODAY.search(text)
    today = dt.date.fromisoformat(today_match.group(1)) if today_match else DEFAULT_TODAY
    lint_match = LINT.search(text)
    config = LintConfig(**yaml.safe_load(lint_match.group(1))) if lint_match else LintConfig()
    loaded = load_plan(path, CASES, CASES)
    findings = lint_plan(loaded, config, today)
    portfolio_match = PORTFOLIO.search(text)
    others = portfolio_match.group(1).split(",") if portfolio_match else []
    plans = [load_plan(CASES / name.strip(), CASES, CASES) for name in others]
    return findings + [
        f for f in lint_portfolio([*plans, loaded], config) if f.file == loaded.rel_path
    ]


def snapshot_lines(findings: list[Finding]) -> list[str]:
    """Return the snapshot of a finding set: `line:column CODE message`, in report order."""
    return [f"{f.line}:{f.column} {f.code} {f.message}" for f in findings]


def read_snapshot() -> dict[str, list[str]]:
    if not SNAPSHOT.exists():
        return {}
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def write_snapshot(snapshot: dict[str, list[str]]) -> None:
    text = json.dumps(dict(sorted(snapshot.items())), indent=1, ensure_ascii=False)
    SNAPSHOT.write_text(text + "\n", encoding="utf-8")


def check_snapshot(path: Path, findings: list[Finding]) -> None:
    """Assert the whole finding set and the messages are the recorded ones (or record them)."""
    got = snapshot_lines(findings)
    snapshot = read_snapshot()
    if UPDATE:
        if snapshot.get(path.name) != got:
            snapshot[path.name] = got
            write_snapshot(snapshot)
        return
    assert path.name in snapshot, (
        f"{path.name} has no entry in {SNAPSHOT.name}; record it with "
        "SMARTDOC_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_rules.py"
    )
    want = snapshot[path.name]
    assert got == want, "\n".join(
        [f"{path.name}: the finding set differs from {SNAPSHOT.name}", "extra (got, not recorded):"]
        + [f"  {line}" for line in got if line not in want]
        + ["missing (recorded, not got):"]
        + [f"  {line}" for line in want if line not in got]
        + ["if the change is meant, rerun with SMARTDOC_UPDATE_SNAPSHOTS=1 and review the diff"]
    )


def check_case(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    findings = lint_case(path)
    want = expectations(text)
    # A code marked anywhere in the file is checked exactly, like the codes in its name.
    under_test = codes_under_test(path) | {code for _, code, _ in want}
    got = sorted((f.line, f.code, f.column) for f in findings if f.code in under_test)
    got_cmp = sorted(
        (line, code, col if want_col is not None else None)
        for (line, code, col), want_col in _pair_columns(got, want)
    )
    assert got_cmp == sorted(want), "\n".join(
        [f"{path.name}: findings differ from '# expect:' markers", "got:"]
        + [f"  {f.line}:{f.column} {f.code} {f.message}" for f in findings if f.code in under_test]
        + ["want:"]
        + [f"  {line}:{col or '*'} {code}" for line, code, col in want]
    )


def _pair_columns(got, want):
    """Attach to each found (line, code, col) whether a column is expected for it."""
    columns = {(line, code): col for line, code, col in want}
    return [((line, code, col), columns.get((line, code))) for line, code, col in got]


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_rule_case(path: Path) -> None:
    check_case(path)


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_rule_case_finding_set_and_messages(path: Path) -> None:
    check_snapshot(path, lint_case(path))


def test_snapshot_has_an_entry_per_case_and_no_other() -> None:
    names = {p.name for p in case_files()}
    snapshot = read_snapshot()
    if UPDATE:
        write_snapshot({name: lines for name, lines in snapshot.items() if name in names})
        return
    assert set(snapshot) == names, (
        f"stale: {sorted(set(snapshot) - names)}, missing: {sorted(names - set(snapshot))}"
    )


def test_every_marker_is_in_the_snapshot() -> None:
    """The markers and the snapshot must not tell two stories about one case."""
    snapshot = read_snapshot()
    for path in case_files():
        recorded = set()
        for entry in snapshot.get(path.name, []):
            position, code, _ = entry.split(" ", 2)
            line, column = position.split(":")
            recorded.add((int(line), code, int(column)))
        for line, code, column in expectations(path.read_text(encoding="utf-8")):
            assert any(
                (line, code) == (got_line, got_code) and column in (None, got_column)
                for got_line, got_code, got_column in recorded
            ), f"{path.name}:{line}: '# expect: {code}' is not in {SNAPSHOT.name}"


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    names = [p.name for p in case_files()]
    missing = []
    for code in all_rules():
        # E102, E108: tests/test_malformed.py (huge or non-UTF-8 input); E120: tests/test_build.py;
        # H (history): tests/test_history.py, which builds git repositories
        if code in {"E102", "E108", "E120"} or code.startswith("H"):
            continue
        cases = [n for n in names if code in n.split("-", 1)[0].split("+")]
        if not any("-fail" in n for n in cases) or not any("-pass" in n for n in cases):
            missing.append(code)
    assert not missing, f"rules without a -fail and a -pass case in tests/rules: {missing}"


def test_every_rule_is_documented() -> None:
    for code, rule in all_rules().items():
        for section in ("## What it checks", "## Why", "## Fails", "## Passes"):
            assert section in rule.doc, f"{code} lacks '{section}' in its docstring"
