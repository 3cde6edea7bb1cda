"""The Northwind example plan is an ordinary sound plan: no R, T, P or Q finding on it.

The example shows a goal's whole life (before, during, after) at once: its `final` figure for
ig-followers is dated 2027-07-01. Linted as of 2027-04-15 that figure lies in the future, which
T106 reports (a figure cannot be measured before it happens). So the mid-period check uses
the plan as it stands on 2027-04-15 (no final yet, the April check-in recorded), and the plan
exactly as written is checked once its final figure exists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from smartdoc.config import LintConfig
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.finding import Finding
from smartdoc.load import load_plan

#: The Northwind example as it read before issue 13, with the `area` each goal now needs (Q105).
EXAMPLE = """\
---
title: Northwind Coffee social media plan 2027
owner: Maria Lopez
period: {start: 2027-01-01, end: 2027-12-31}
strategy:                       # long-term objectives this plan serves
  online-revenue: Increase online revenue by 3% in 2027
  brand: Be seen as a young, fresh brand by 20-49 year olds
budget: {total: 40000, currency: EUR}
goals:
  - id: ig-followers
    title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    kind: quantitative          # quantitative | qualitative
    area: communication         # financial | communication
    serves: online-revenue      # a key of `strategy`
    owner: Maria Lopez
    budget: 8000                # a number in the plan currency, or resources: [...]
    metric: Instagram followers
    unit: followers
    source: Instagram Insights export   # where the numbers come from
    frequency: monthly          # expected check-in cadence (weekly|monthly|quarterly|N days)
    direction: increase         # increase | decrease | at-least | at-most | range
    deadline: 2027-06-30
    baseline: {date: 2026-12-31, value: 12000}   # before
    target: 18000               # a number; {min: a, max: b} for range
    interim:                    # optional phased targets; expected pace follows them
      - {date: 2027-03-31, value: 14000}
    measurements:                                # during
      - {date: 2027-02-01, value: 12900, note: Reels test started}
      - {date: 2027-03-01, value: 13800}
    final: {date: 2027-07-01, value: 17650}      # after
    weight: 2                   # optional, for roll-ups (default 1)
  - id: positive-sentiment
    title: Raise positive brand mentions from 41% to 55% by December 2027
    kind: qualitative
    area: communication
    serves: brand
    objective: Be perceived as young and fresh   # the soft factor
    indicator: Share of positive mentions         # the proxy that measures it
    method: Monthly social-listening report       # how the proxy is measured
    unit: "%"
    direction: increase
    deadline: 2027-12-15
    baseline: {date: 2026-12-01, value: 41}
    target: 55
    measurements: data/sentiment.csv              # date,value[,note] columns
---
# Why this plan
Narrative in Markdown: context, audiences, channels, tactics...
"""

FINAL_LINE = "    final: {date: 2027-07-01, value: 17650}      # after\n"
MARCH_LINE = "      - {date: 2027-03-01, value: 13800}\n"
APRIL_LINE = "      - {date: 2027-04-01, value: 14300}\n"

SENTIMENT_Q1 = "date,value,note\n2027-01-31,43,\n2027-02-28,45,Spring campaign\n2027-03-31,47,\n"
SENTIMENT_H1 = SENTIMENT_Q1 + "2027-04-30,48,\n2027-05-31,50,\n2027-06-30,51,\n"


def lint_example(tmp_path: Path, text: str, csv_text: str, today: dt.date) -> list[Finding]:
    plans = tmp_path / "plans"
    (plans / "data").mkdir(parents=True)
    (plans / "northwind.md").write_text(text, encoding="utf-8")
    (plans / "data" / "sentiment.csv").write_text(csv_text, encoding="utf-8")
    loaded = load_plan(plans / "northwind.md", tmp_path, plans)
    assert loaded.plan is not None, loaded.problems
    return lint_plan(loaded, LintConfig(), today)


def rtpq(findings: list[Finding]) -> list[str]:
    return [
        f"{f.file}:{f.line}:{f.column} {f.code} {f.message}" for f in findings if f.family in "RTPQ"
    ]


def test_example_as_of_mid_april_is_sound(tmp_path: Path) -> None:
    as_of_april = EXAMPLE.replace(FINAL_LINE, "").replace(MARCH_LINE, MARCH_LINE + APRIL_LINE)
    findings = lint_example(tmp_path, as_of_april, SENTIMENT_Q1, dt.date(2027, 4, 15))
    assert rtpq(findings) == []


def test_example_verbatim_is_sound_once_its_final_figure_exists(tmp_path: Path) -> None:
    findings = lint_example(tmp_path, EXAMPLE, SENTIMENT_H1, dt.date(2027, 7, 15))
    assert rtpq(findings) == []


def test_example_verbatim_mid_april_flags_only_the_future_final(tmp_path: Path) -> None:
    findings = lint_example(tmp_path, EXAMPLE, SENTIMENT_Q1, dt.date(2027, 4, 15))
    final_line = EXAMPLE.splitlines(keepends=True).index(FINAL_LINE) + 1
    assert rtpq(findings) == [
        f"plans/northwind.md:{final_line}:13 T106 goal 'ig-followers': final is dated "
        "2027-07-01, after today (2027-04-15)"
    ]


def test_csv_checkin_problems_point_at_the_csv_line(tmp_path: Path) -> None:
    bad_csv = SENTIMENT_Q1 + "2027-03-31,47,\n2072-04-01,48,typo\n2026-11-01,40,\n"
    findings = lint_example(tmp_path, EXAMPLE, bad_csv, dt.date(2027, 7, 15))
    csv_findings = [(f.line, f.code) for f in findings if f.file == "plans/data/sentiment.csv"]
    assert sorted(csv_findings) == [(5, "P103"), (6, "T106"), (7, "P104"), (7, "T107")]
