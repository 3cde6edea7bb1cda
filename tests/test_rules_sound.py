"""False-positive guard: a sound plan (the Northwind example) gives no S, M or A finding.

`tests/corpus/valid/northwind.md` is the Northwind example with its sentiment check-ins in
`data/sentiment.csv`; "today" is 2027-07-15, after the first goal's deadline and final
figure, so every phase (before, during, after) is present.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from smartdoc.config import LintConfig
from smartdoc.lint.engine import lint_plan
from smartdoc.load import load_plan

CORPUS = Path(__file__).parent / "corpus" / "valid"
TODAY = dt.date(2027, 7, 15)


def test_sound_plan_has_no_specific_measurable_or_achievable_finding() -> None:
    loaded = load_plan(CORPUS / "northwind.md", CORPUS, CORPUS)
    assert loaded.plan is not None and len(loaded.plan.goals) == 2
    assert loaded.plan.goals[1].measurements, "the sentiment CSV was not read"
    findings = lint_plan(loaded, LintConfig(), TODAY)
    sma = [f"{f.line}:{f.column} {f.code} {f.message}" for f in findings if f.code[0] in "SMA"]
    assert sma == []


def test_growth_ceiling_counts_the_months_available() -> None:
    """12,000 -> 18,000 (+50%) over 181 days (5.95 months): allowed at 0.09 a month, not 0.08."""
    loaded = load_plan(CORPUS / "northwind.md", CORPUS, CORPUS)

    def growth_findings(ceiling: float) -> list[str]:
        config = LintConfig(growth_ceiling=ceiling)
        return [f.message for f in lint_plan(loaded, config, TODAY) if f.code == "A101"]

    assert growth_findings(0.09) == []
    assert growth_findings(0.08) == [
        "goal 'ig-followers': implied change +50% (12,000 → 18,000) in 5.9 months is above "
        "the ceiling of +8% per month (+48% for this period)"
    ]
