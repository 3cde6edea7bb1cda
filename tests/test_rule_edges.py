"""Rules at their edges: suppression comments by line and by goal, and the M106/M107 pair.

A `# smartdoc: ignore[CODE]` on a goal's `- id:` line covers every finding of that code in
the goal, whichever line it is reported on; on any other line it covers that line only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from smartdoc.cadence import frequency_days
from smartdoc.config import LintConfig
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.rules._text import money, percent, quoted
from smartdoc.lint.rules.specific import _clip, _opens_second_result, words_in
from smartdoc.load import load_plan

TODAY = dt.date(2027, 6, 15)
ONLY_M10X = LintConfig(select=("M106", "M107", "E901"))

PLAN = """\
---
title: Direction typos
goals:
  - id: ig-followers{first}
    direction: increase
    baseline: {{date: 2026-12-31, value: 12000}}
    target: 10000{target}
  - id: churn{second}
    direction: decrease
    baseline: {{date: 2026-12-31, value: 4.5}}
    target: 6
---
"""


def findings(
    tmp_path: Path, first: str = "", target: str = "", second: str = ""
) -> list[tuple[int, str, str]]:
    plans = tmp_path / "plans"
    plans.mkdir(exist_ok=True)
    file = plans / "p.md"
    file.write_text(PLAN.format(first=first, target=target, second=second), encoding="utf-8")
    loaded = load_plan(file, tmp_path, plans)
    return [(f.line, f.code, f.message) for f in lint_plan(loaded, ONLY_M10X, TODAY)]


def test_each_direction_typo_is_one_m107_that_says_which_side(tmp_path: Path) -> None:
    assert findings(tmp_path) == [
        (
            7,
            "M107",
            "goal 'ig-followers': target 10,000 is below the baseline 12,000 "
            "but direction is 'increase'",
        ),
        (
            11,
            "M107",
            "goal 'churn': target 6 is above the baseline 4.5 but direction is 'decrease'",
        ),
    ]


def test_a_suppression_on_the_goal_line_covers_a_finding_on_another_line(tmp_path: Path) -> None:
    # M107 is reported on the `target:` line (7), three lines under the `- id:` line (4)
    found = findings(tmp_path, first="  # smartdoc: ignore[M107] typo kept on purpose")
    assert [(line, code) for line, code, _ in found] == [(11, "M107")]


def test_a_goal_line_suppression_covers_its_own_goal_only(tmp_path: Path) -> None:
    found = findings(tmp_path, second="  # smartdoc: ignore[M107]")
    assert [(line, code) for line, code, _ in found] == [(7, "M107")]


def test_a_suppression_on_a_field_line_covers_that_line_only(tmp_path: Path) -> None:
    assert findings(tmp_path, target="  # smartdoc: ignore[M107]") == [
        (
            11,
            "M107",
            "goal 'churn': target 6 is above the baseline 4.5 but direction is 'decrease'",
        )
    ]
    # on the `direction:` line it covers nothing: it is reported unused
    plans = tmp_path / "plans"
    text = PLAN.format(first="", target="", second="").replace(
        "    direction: increase\n", "    direction: increase  # smartdoc: ignore[M107]\n"
    )
    (plans / "p.md").write_text(text, encoding="utf-8")
    loaded = load_plan(plans / "p.md", tmp_path, plans)
    got = [(f.line, f.code) for f in lint_plan(loaded, ONLY_M10X, TODAY)]
    assert got == [(5, "E901"), (7, "M107"), (11, "M107")]


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "codes"),
    [
        ("increase", 12000, 12000, ["M106"]),  # equal: M106 alone, not M107 too
        ("decrease", 12000, 12000, ["M106"]),
        ("increase", 12000, 11999, ["M107"]),  # one below
        ("increase", 12000, 12001, []),  # one above
        ("decrease", 12000, 12001, ["M107"]),
        ("decrease", 12000, 11999, []),
    ],
)
def test_one_typo_is_one_finding(
    tmp_path: Path, direction: str, baseline: float, target: float, codes: list[str]
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    text = (
        "---\ntitle: T\ngoals:\n  - id: g\n"
        f"    direction: {direction}\n"
        f"    baseline: {{date: 2026-12-31, value: {baseline}}}\n"
        f"    target: {target}\n---\n"
    )
    (plans / "p.md").write_text(text, encoding="utf-8")
    loaded = load_plan(plans / "p.md", tmp_path, plans)
    assert [f.code for f in lint_plan(loaded, ONLY_M10X, TODAY)] == codes


# --- cadences and staleness (P101) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "days"),
    [
        ("daily", 1),
        ("weekly", 7),
        ("fortnightly", 14),
        ("monthly", 31),  # months and years rounded up, so the rule never fires early
        ("quarterly", 92),
        ("yearly", 366),
        ("annually", 366),
        ("  Monthly ", 31),
        ("1 day", 1),
        ("10 days", 10),
        ("2 weeks", 14),
        ("3week", 21),
        (30, 30),
        (1, 1),
        (0, None),
        (-7, None),
        ("0 days", None),
        ("every month", None),
        (True, None),
        (None, None),
    ],
)
def test_frequency_days(frequency: str | int | None, days: int | None) -> None:
    assert frequency_days(frequency) == days


STALE_PLAN = """\
---
title: Cadence
period: {{start: 2027-01-01, end: 2027-12-31}}
goals:
  - id: g{frequency}
    baseline: {{date: 2026-12-31, value: 1}}
    target: 2
    deadline: 2027-09-30
    measurements:
      - {{date: 2027-06-01, value: 1}}
---
"""


@pytest.mark.parametrize(
    ("frequency", "today", "message"),
    [
        # monthly: 31 days + 3 grace = 34 days allowed after 2027-06-01
        ("monthly", "2027-07-05", None),
        (
            "monthly",
            "2027-07-06",
            "goal 'g': last check-in is dated 2027-06-01, 35 days before today (2027-07-06); "
            "frequency 'monthly' (31 days + 3 grace) allows 34 days",
        ),
        ("1 day", "2027-06-05", None),  # 1 + 3
        (
            "1 day",
            "2027-06-06",
            "goal 'g': last check-in is dated 2027-06-01, 5 days before today (2027-06-06); "
            "frequency '1 day' (1 day + 3 grace) allows 4 days",
        ),
        # no frequency: staleness_days, 45 by default
        (None, "2027-07-16", None),
        (
            None,
            "2027-07-17",
            "goal 'g': last check-in is dated 2027-06-01, 46 days before today (2027-07-17); "
            "the configured staleness_days allows 45 days",
        ),
        # the deadline day is still watched; the day after, P102 takes over
        ("weekly", "2027-09-30", "goal 'g': last check-in is dated 2027-06-01, 121 days"),
        ("weekly", "2027-10-01", None),
        # a check-in dated today is the latest one
        ("daily", "2027-06-01", None),
    ],
)
def test_staleness_edges(
    tmp_path: Path, frequency: str | None, today: str, message: str | None
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    line = "" if frequency is None else f"\n    frequency: {frequency}"
    (plans / "p.md").write_text(STALE_PLAN.format(frequency=line), encoding="utf-8")
    loaded = load_plan(plans / "p.md", tmp_path, plans)
    config = LintConfig(select=("P101",))
    found = [f.message for f in lint_plan(loaded, config, dt.date.fromisoformat(today))]
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(message), found


# --- how messages write percentages and money -------------------------------------------


@pytest.mark.parametrize(
    ("share", "signed", "unsigned"),
    [
        (0.5, "+50%", "50%"),
        (3.99, "+399%", "399%"),
        (0.025, "+2.5%", "2.5%"),  # under 10%: one decimal
        (0.095, "+9.5%", "9.5%"),
        (0.106, "+11%", "11%"),  # from 10%: whole percent
        (0.0123, "+1.2%", "1.2%"),  # one decimal, not two
        (0.0, "+0%", "0%"),
        (-0.005, "-0.5%", "-0.5%"),
        (-0.05, "-5%", "-5%"),
    ],
)
def test_percent(share: float, signed: str, unsigned: str) -> None:
    assert (percent(share), percent(share, signed=False)) == (signed, unsigned)


def test_money_and_quoted() -> None:
    assert money(52000, "EUR") == "52,000 EUR"
    assert quoted(["grow", "more"]) == "'grow', 'more'"


# --- A: growth ceiling, support, budgets ----------------------------------------------------


def lint_text(tmp_path: Path, text: str, *codes: str) -> list[tuple[int, str, str]]:
    """Return (line, code, message) of the findings of `codes` in a plan file's text."""
    plans = tmp_path / "plans"
    plans.mkdir(exist_ok=True)
    (plans / "p.md").write_text(text, encoding="utf-8")
    loaded = load_plan(plans / "p.md", tmp_path, plans)
    found = lint_plan(loaded, LintConfig(select=codes), TODAY)
    return [(f.line, f.code, f.message) for f in found]


GROWTH = """\
---
title: Growth
goals:
  - id: g
    baseline: {{date: 2027-01-01, value: {baseline}}}
    target: {target}
    deadline: {deadline}
---
"""


@pytest.mark.parametrize(
    ("baseline", "target", "deadline", "message"),
    [
        # the default ceiling is +50% a month; under a month counts as one
        (100, 150, "2027-01-31", None),  # exactly +50%: at the ceiling
        (100, 151, "2027-01-31", "implied change +51% (100 → 151) in 30 days is above the "
         "ceiling of +50% per month (+50% for this period)"),
        (100, 50, "2027-01-31", None),  # -50%
        (100, 49, "2027-01-31", "implied change -51% (100 → 49) in 30 days is above the "
         "ceiling of 50% per month (50% for this period)"),
        (-100, -151, "2027-01-31", "implied change -51% (-100 → -151) in 30 days is above the "
         "ceiling of 50% per month (50% for this period)"),
        # spans read in days below 60, in months from 60
        (100, 200, "2027-03-01", "implied change +100% (100 → 200) in 59 days is above the "
         "ceiling of +50% per month (+97% for this period)"),
        (100, 200, "2027-03-02", "implied change +100% (100 → 200) in 2 months is above the "
         "ceiling of +50% per month (+99% for this period)"),
        (100, 250, "2027-04-01", "implied change +150% (100 → 250) in 3 months is above the "
         "ceiling of +50% per month (+148% for this period)"),
        (100, 151, "2027-01-02", "implied change +51% (100 → 151) in 1 day is above the "
         "ceiling of +50% per month (+50% for this period)"),
        (100, 151, "2027-01-01", "implied change +51% (100 → 151) in 0 days is above the "
         "ceiling of +50% per month (+50% for this period)"),  # due on the baseline day
        (0, 5, "2027-01-31", None),  # no ratio to a zero baseline
        (100, 999, "2026-12-31", None),  # a deadline before the baseline: the T rules say so
    ],
)  # fmt: skip
def test_growth_ceiling_edges(
    tmp_path: Path, baseline: float, target: float, deadline: str, message: str | None
) -> None:
    text = GROWTH.format(baseline=baseline, target=target, deadline=deadline)
    found = lint_text(tmp_path, text, "A101")
    assert found == ([] if message is None else [(6, "A101", f"goal 'g': {message}")])


@pytest.mark.parametrize(
    ("support", "found"),
    [
        ("budget: 0.01", []),
        ("resources: [Canva Pro]", []),
        ("budget: 0", [(5, "A102")]),  # at the `budget:` line
        ("resources: []", [(4, "A102")]),  # at the goal's first line
        ("notes: none", [(4, "A102")]),
    ],
)
def test_support_edges(tmp_path: Path, support: str, found: list[tuple[int, str]]) -> None:
    text = f"---\ntitle: S\ngoals:\n  - id: g\n    {support}\n---\n"
    assert [(line, code) for line, code, _ in lint_text(tmp_path, text, "A102")] == found


@pytest.mark.parametrize(
    ("total", "message"),
    [
        (40000, None),  # goal budgets exactly the plan's
        (40000.5, None),
        (39999.5, "goal budgets total 40,000 EUR, over the plan budget of 39,999.5 EUR "
         "(by 0.5 EUR, 2 goals)"),
    ],
)  # fmt: skip
def test_budgets_over_plan_edges(tmp_path: Path, total: float, message: str | None) -> None:
    text = (
        f"---\ntitle: B\nbudget: {{total: {total}, currency: EUR}}\ngoals:\n"
        "  - {id: a, budget: 18000}\n  - {id: b, budget: 22000}\n  - {id: c}\n---\n"
    )
    found = lint_text(tmp_path, text, "A103")
    assert found == ([] if message is None else [(3, "A103", message)])


# --- M109, M110 at their bounds --------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "codes"),
    [(40, 60, []), (40, 40.5, []), (40, 40, ["M109"]), (60, 40, ["M109"])],
)
def test_range_needs_min_below_max(
    tmp_path: Path, low: float, high: float, codes: list[str]
) -> None:
    text = f"---\ntitle: R\ngoals:\n  - id: g\n    target: {{min: {low}, max: {high}}}\n---\n"
    assert [code for _, code, _ in lint_text(tmp_path, text, "M109")] == codes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, None),
        (100, None),
        (99.9, None),
        (-0.5, "goal 'g': check-in of 2027-02-01 is -0.5%, outside 0-100%"),
        (100.5, "goal 'g': check-in of 2027-02-01 is 100.5%, outside 0-100%"),
    ],
)
def test_percent_bounds_are_inclusive(tmp_path: Path, value: float, message: str | None) -> None:
    text = (
        "---\ntitle: P\ngoals:\n  - id: g\n    unit: '%'\n"
        f"    measurements:\n      - {{date: 2027-02-01, value: {value}}}\n---\n"
    )
    found = [msg for _, _, msg in lint_text(tmp_path, text, "M110")]
    assert found == ([] if message is None else [message])


# --- T and P dates, each on the day and one day over (today is 2027-06-15) ---------------


DATED = """\
---
title: Dates
period: {{start: 2027-01-01, end: 2027-12-31}}
goals:
  - id: g
    baseline: {{date: {baseline}, value: 1}}
    target: 2
    deadline: {deadline}
    measurements:
      - {{date: {checkin}, value: 1}}
---
"""


@pytest.mark.parametrize(
    ("baseline", "deadline", "checkin", "codes"),
    [
        ("2027-01-01", "2027-12-31", "2027-06-15", []),  # every date on its bound
        ("2027-02-06", "2027-12-31", "2027-06-15", []),  # baseline on the grace's last day
        ("2027-02-07", "2027-12-31", "2027-06-15", ["T105"]),  # baseline a day after it
        ("2027-01-01", "2027-12-31", "2027-06-16", ["T106"]),  # a figure dated tomorrow
        ("2027-01-01", "2027-12-31", "2027-01-01", []),  # a figure on the baseline day
        ("2027-01-01", "2027-12-31", "2026-12-31", ["T107"]),  # the day before it
        ("2026-12-31", "2027-12-31", "2026-12-31", []),
        ("2026-12-31", "2026-12-31", "2026-12-31", ["T102", "P102"]),  # deadline before start
        ("2026-12-31", "2028-01-01", "2026-12-31", ["T102"]),  # deadline after the end
        ("2026-12-31", "2027-06-15", "2027-06-15", []),  # deadline today: no final due yet
        ("2026-12-31", "2027-06-14", "2027-06-14", ["P102"]),  # deadline yesterday
    ],
)
def test_dates_on_their_bounds(
    tmp_path: Path, baseline: str, deadline: str, checkin: str, codes: list[str]
) -> None:
    text = DATED.format(baseline=baseline, deadline=deadline, checkin=checkin)
    found = lint_text(tmp_path, text, "T102", "T105", "T106", "T107", "P102")
    assert sorted(code for _, code, _ in found) == sorted(codes)


@pytest.mark.parametrize(
    ("baseline", "today", "message"),
    [
        # no check-in yet: check-ins are due from a baseline dated after the period start
        ("2027-06-15", "2027-06-15", None),  # the baseline dated today: nothing due yet
        ("2027-05-01", "2027-06-15", None),  # 45 days: the configured staleness_days
        (
            "2027-05-01",
            "2027-06-16",
            "goal 'g': no check-in in the 46 days since 2027-05-01 (today 2027-06-16); "
            "the configured staleness_days allows 45 days",
        ),
        (
            "2026-12-01",  # before the period: counted from the period start
            "2027-02-16",
            "goal 'g': no check-in in the 46 days since 2027-01-01 (today 2027-02-16); "
            "the configured staleness_days allows 45 days",
        ),
    ],
)
def test_staleness_without_checkins_counts_from_the_later_of_period_and_baseline(
    tmp_path: Path, baseline: str, today: str, message: str | None
) -> None:
    text = (
        "---\ntitle: C\nperiod: {start: 2027-01-01, end: 2027-12-31}\ngoals:\n  - id: g\n"
        f"    baseline: {{date: {baseline}, value: 1}}\n    target: 2\n"
        "    deadline: 2027-12-31\n---\n"
    )
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "p.md").write_text(text, encoding="utf-8")
    loaded = load_plan(plans / "p.md", tmp_path, plans)
    found = lint_plan(loaded, LintConfig(select=("P101",)), dt.date.fromisoformat(today))
    assert [f.message for f in found] == ([] if message is None else [message])


# --- S: words and clipped titles --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word", "found"),
    [
        ("Making sales grow", "make", ["making"]),  # a trailing e dropped from 4 letters up
        ("Improvement of the site", "improve", ["improvement"]),
        ("Tell us more", "use", []),  # 3 letters keep their e: "use" is not "us"
        ("Uses more data", "use", ["uses"]),
        ("Grow the brand awareness", "brand awareness", ["brand awareness"]),
    ],
)
def test_words_in_with_inflections(text: str, word: str, found: list[str]) -> None:
    assert words_in(text, (word,)) == found


@pytest.mark.parametrize(
    ("length", "clipped"),
    [(39, "x" * 39), (40, "x" * 40), (41, "x" * 37 + "...")],
)
def test_titles_are_clipped_past_forty_characters(length: int, clipped: str) -> None:
    assert _clip("x" * length) == clipped


@pytest.mark.parametrize(
    ("right", "second"),
    [
        ("by 20% per month", False),  # only filler words beside the figure: one result
        ("for 3 months", False),
        ("newsletter signups to 500", True),  # words of their own and a figure
    ],
)
def test_and_opens_a_second_result_only_with_words_of_its_own(right: str, second: bool) -> None:
    assert _opens_second_result("Grow web sales by 10%", right) is second


@pytest.mark.parametrize(
    ("start", "end", "codes"),
    [
        ("2027-01-01", "2027-01-02", ["T102"]),  # a real period: the deadline is outside
        ("2027-01-01", "2027-01-01", ["T104"]),  # no time at all: T104 alone, no T102 on top
        ("2027-01-02", "2027-01-01", ["T104"]),
    ],
)
def test_a_period_without_time_is_t104_alone(
    tmp_path: Path, start: str, end: str, codes: list[str]
) -> None:
    text = (
        f"---\ntitle: P\nperiod: {{start: {start}, end: {end}}}\ngoals:\n"
        "  - id: g\n    deadline: 2027-06-30\n---\n"
    )
    assert [code for _, code, _ in lint_text(tmp_path, text, "T102", "T104")] == codes
