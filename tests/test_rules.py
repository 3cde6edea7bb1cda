"""Rule cases as data: every `tests/rules/<CODE>-<case>.md` is a plan checked by the linter.

A comment `# expect: CODE` (or `# expect: CODE@COL`) on a line says a finding of that code
must be reported on that line (and column). For the codes named in the file name before the
first `-` that is not a code (e.g. `M101-fail.md`, `S101+S102-fail.md`), the findings must be
exactly the expected ones: a `-pass` file expects none. A `# today: YYYY-MM-DD` comment sets
"today" (default 2027-06-15); `# lint: {key: value}` sets lint configuration. Rules that
compare plans (scope `portfolio`) see the plans named by `# portfolio: data/a.md, ...` first,
then the case itself; only the case's own findings are compared.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from smartdoc.config import LintConfig
from smartdoc.lint.engine import lint_plan, lint_portfolio
from smartdoc.lint.registry import all_rules
from smartdoc.load import load_plan

CASES = Path(__file__).parent / "rules"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]\d{3}(?:@\d+)?(?:\s*,\s*[A-Z]\d{3}(?:@\d+)?)*)")
TODAY = re.compile(r"^#\s*today:\s*(\d{4}-\d{2}-\d{2})", re.M)
LINT = re.compile(r"^#\s*lint:\s*(\{.*\})\s*$", re.M)
PORTFOLIO = re.compile(r"^#\s*portfolio:\s*(.+?)\s*$", re.M)
DEFAULT_TODAY = dt.date(2027, 6, 15)


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


def check_case(path: Path) -> None:
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
    findings += [f for f in lint_portfolio([*plans, loaded], config) if f.file == loaded.rel_path]
    under_test = codes_under_test(path)
    got = sorted((f.line, f.code, f.column) for f in findings if f.code in under_test)
    want = expectations(text)
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
