"""Scoring at its edges (DESIGN §6): each date and threshold boundary, one row per side.

Every row writes its numbers out. The running goal goes from 0 on its baseline date
2027-01-01 to 100 on its deadline 2027-04-11, exactly 100 days later, so day N of the span
expects N% and each figure's progress is its value in percent.

The revised contract takes the expected pace at the *as-of date* (the date of the current
figure) rather than at "today". Rows that go through `score_goal` date their figure on the
day scored, so they hold under both rules; the pure functions (`time_share`, `interpolate`,
`get_expected(goal, day)`, `decide_status`, `is_started`, `checkins_as_of`) are pinned at
the day they are given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smartdoc import scoring
from smartdoc.model import Goal, Period, Plan

D = dt.date.fromisoformat
START = D("2027-01-01")  # the baseline date: day 0
DEADLINE = D("2027-04-11")  # day 100
PERIOD = Period(start=D("2027-01-01"), end=D("2027-12-31"))


def day(n: int) -> dt.date:
    """Return day `n` of the running goal's span (day 0 = 2027-01-01, day 100 = 2027-04-11)."""
    return START + dt.timedelta(days=n)


def goal(*figures: tuple[dt.date, float], **fields: Any) -> Goal:
    """Return the running goal, 0 -> 100 over days 0..100, with check-ins `(date, value)`."""
    data: dict[str, Any] = {
        "id": "leads",
        "baseline": {"date": START, "value": 0},
        "target": 100,
        "deadline": DEADLINE,
        "measurements": [{"date": d, "value": v} for d, v in figures],
        **fields,
    }
    return Goal.model_validate(data)


def test_the_running_goal_spans_exactly_one_hundred_days() -> None:
    assert (DEADLINE - START).days == 100
    assert day(50) == D("2027-02-20")


# --- pure functions at their edges --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "today", "share"),
    [
        ("2027-01-01", "2027-04-11", "2026-12-31", 0.0),  # the day before: clamped to 0
        ("2027-01-01", "2027-04-11", "2027-01-01", 0.0),  # the first day
        ("2027-01-01", "2027-04-11", "2027-01-02", 0.01),  # 1 of 100 days
        ("2027-01-01", "2027-04-11", "2027-02-20", 0.5),  # 50 of 100 days
        ("2027-01-01", "2027-04-11", "2027-04-10", 0.99),  # the last day but one
        ("2027-01-01", "2027-04-11", "2027-04-11", 1.0),  # the deadline itself
        ("2027-01-01", "2027-04-11", "2027-04-12", 1.0),  # the day after: clamped to 1
        ("2027-01-01", "2027-01-02", "2027-01-01", 0.0),  # a one-day span, start
        ("2027-01-01", "2027-01-02", "2027-01-02", 1.0),  # a one-day span, end
        ("2027-01-01", "2027-01-01", "2027-01-01", None),  # no time at all
        ("2027-01-02", "2027-01-01", "2027-01-01", None),  # end before start
    ],
)
def test_time_share_edges(start: str, end: str, today: str, share: float | None) -> None:
    assert scoring.time_share(D(start), D(end), D(today)) == share


POINTS = [(day(0), 0.0), (day(10), 50.0), (day(20), 100.0)]


@pytest.mark.parametrize(
    ("n", "value"),
    [
        (-1, 0.0),  # before the first point: flat
        (0, 0.0),  # on the first point
        (1, 5.0),  # 1 of 10 days of 0 -> 50
        (9, 45.0),
        (10, 50.0),  # on the middle point
        (11, 55.0),  # 1 of 10 days of 50 -> 100
        (19, 95.0),
        (20, 100.0),  # on the last point
        (21, 100.0),  # after the last point: flat
    ],
)
def test_interpolate_edges(n: int, value: float) -> None:
    assert scoring.interpolate(POINTS, day(n)) == value


def test_interpolate_through_a_single_point_is_flat() -> None:
    assert scoring.interpolate([(day(5), 7.0)], day(4)) == 7.0
    assert scoring.interpolate([(day(5), 7.0)], day(6)) == 7.0


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (-1, 0.0),  # before the baseline date
        (0, 0.0),  # the baseline date
        (1, 0.01),
        (50, 0.5),
        (99, 0.99),
        (100, 1.0),  # the deadline
        (101, 1.0),  # after the deadline
    ],
)
def test_expected_pace_on_a_straight_line(n: int, expected: float) -> None:
    assert scoring.get_expected(goal(), day(n)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("interim_day", "interim_value", "n", "expected"),
    [
        # on the baseline day: outside the span, ignored (a straight line; counted it would
        # make day 50 expect 80 + 20 x 50/100 = 90%)
        (0, 80, 50, 0.5),
        # on the deadline: ignored too (counted it would make day 50 expect 25%)
        (100, 50, 50, 0.5),
        (100, 50, 100, 1.0),
        # the day after the baseline and the day before the deadline are inside the span
        (1, 10, 1, 0.10),
        (1, 10, 50, (10 + 90 * 49 / 99) / 100),  # 0.5455
        (99, 50, 50, 50 * 50 / 99 / 100),  # 0.2525
        (99, 50, 99, 0.50),
        (99, 50, 100, 1.0),
        # on the interim date itself, and either side of it
        (50, 20, 49, 20 * 49 / 50 / 100),  # 0.196
        (50, 20, 50, 0.20),
        (50, 20, 51, (20 + 80 * 1 / 50) / 100),  # 0.216
    ],
)
def test_expected_pace_with_an_interim_target_at_the_edges(
    interim_day: int, interim_value: float, n: int, expected: float
) -> None:
    paced = goal(interim=[{"date": day(interim_day), "value": interim_value}])
    assert scoring.get_expected(paced, day(n)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("progress", "expected", "tolerance", "status"),
    [
        # the three edges with the default tolerance 0.10 and an expected pace of 0.50
        (0.50, 0.50, 0.10, "on-track"),
        (0.40, 0.50, 0.10, "on-track"),  # exactly expected - tolerance
        (0.39, 0.50, 0.10, "at-risk"),
        (0.30, 0.50, 0.10, "at-risk"),  # exactly expected - 2 x tolerance
        (0.29, 0.50, 0.10, "off-track"),
        # another tolerance moves both edges: 0.75 - 0.25 and 0.75 - 2 x 0.25
        (0.50, 0.75, 0.25, "on-track"),
        (0.49, 0.75, 0.25, "at-risk"),
        (0.25, 0.75, 0.25, "at-risk"),
        (0.24, 0.75, 0.25, "off-track"),
        # achieved at 1, allowing only a rounding error below it
        (1.0, 1.0, 0.10, "achieved"),
        (1 - 1e-12, 1.0, 0.10, "achieved"),
        (0.999, 1.0, 0.10, "on-track"),
        # the rounding slack EPSILON (1e-9) is inclusive at each edge, and no wider
        (1 - 1e-9, 1.0, 0.10, "achieved"),
        (1 - 2e-9, 1.0, 0.10, "on-track"),
        (0.50 - 0.10 - 1e-9, 0.50, 0.10, "on-track"),
        (0.50 - 0.10 - 2e-9, 0.50, 0.10, "at-risk"),
        (0.50 - 2 * 0.10 - 1e-9, 0.50, 0.10, "at-risk"),
        (0.50 - 2 * 0.10 - 2e-9, 0.50, 0.10, "off-track"),
        (0.0, 0.0, 0.10, "on-track"),  # no time passed, nothing done yet
        (-0.10, 0.0, 0.10, "on-track"),  # exactly 0 - tolerance
        (-0.11, 0.0, 0.10, "at-risk"),
    ],
)
def test_decide_status_edges(
    progress: float, expected: float, tolerance: float, status: str
) -> None:
    verdict = scoring.decide_status(
        is_started=True,
        has_figure=True,
        band_met=None,
        progress=progress,
        expected=expected,
        is_past_deadline=False,
        tolerance=tolerance,
    )
    assert verdict == status


@pytest.mark.parametrize(
    ("today", "started"),
    [
        ("2026-12-31", False),  # the day before the period
        ("2027-01-01", True),  # its first day
        ("2027-12-31", True),  # its last day
        ("2028-01-01", True),  # after it: finished, not "not started"
    ],
)
def test_is_started_at_the_period_edges(today: str, started: bool) -> None:
    # the baseline date (2027-01-01) would say the same; a later one must not matter
    late = goal(baseline={"date": D("2027-06-01"), "value": 0})
    assert scoring.is_started(late, D(today), PERIOD) is started


@pytest.mark.parametrize(
    ("baseline", "today", "started"),
    [
        ("2027-03-01", "2027-02-28", False),  # without a period, the baseline date starts it
        ("2027-03-01", "2027-03-01", True),
        ("2027-03-01", "2027-03-02", True),
        (None, "1999-01-01", True),  # no baseline date: nothing to wait for
    ],
)
def test_is_started_without_a_period(baseline: str | None, today: str, started: bool) -> None:
    fields = {"baseline": None if baseline is None else {"date": D(baseline), "value": 0}}
    assert scoring.is_started(goal(**fields), D(today), None) is started


def test_checkins_as_of_today_include_today_and_not_tomorrow() -> None:
    listed = goal((day(11), 11), (day(9), 9), (day(10), 10))
    assert [c.value for c in scoring.checkins_as_of(listed, day(10))] == [9, 10]
    assert [c.value for c in scoring.checkins_as_of(listed, day(9))] == [9]
    assert scoring.checkins_as_of(listed, day(8)) == ()


def test_final_dated_today_counts_and_tomorrow_does_not() -> None:
    finished = goal((day(5), 5), final={"date": day(10), "value": 60})
    assert scoring.final_as_of(finished, day(10)) is not None
    assert scoring.final_as_of(finished, day(9)) is None
    assert scoring.current_checkin(finished, day(10)).value == 60  # type: ignore[union-attr]
    assert scoring.current_checkin(finished, day(9)).value == 5  # type: ignore[union-attr]


# --- whole goals: a figure dated the day scored (the same under either pace rule) ----------


@pytest.mark.parametrize(
    ("n", "value", "status", "progress", "expected"),
    [
        (50, 50, "on-track", 0.50, 0.50),
        (50, 40, "on-track", 0.40, 0.50),  # expected - tolerance
        (50, 39, "at-risk", 0.39, 0.50),
        (50, 30, "at-risk", 0.30, 0.50),  # expected - 2 x tolerance
        (50, 29, "off-track", 0.29, 0.50),
        (0, 0, "on-track", 0.0, 0.0),  # the baseline day, the first figure
        (100, 90, "on-track", 0.90, 1.0),  # the deadline day: not missed yet
        (100, 89, "at-risk", 0.89, 1.0),
        (100, 100, "achieved", 1.0, 1.0),
        (101, 99, "missed", 0.99, 1.0),  # the day after the deadline
        (101, 100, "achieved", 1.0, 1.0),
    ],
)
def test_a_figure_dated_the_day_scored_is_judged_at_every_edge(
    n: int, value: float, status: str, progress: float, expected: float
) -> None:
    score = scoring.score_goal(goal((day(n), value)), day(n), period=PERIOD)
    assert (score.status, score.current.date if score.current else None) == (status, day(n))
    assert score.progress == pytest.approx(progress)
    assert score.expected == pytest.approx(expected)


def test_a_checkin_dated_today_is_the_current_figure() -> None:
    score = scoring.score_goal(goal((day(49), 10), (day(50), 45)), day(50), period=PERIOD)
    assert score.current is not None and score.current.value == 45
    assert [c.value for c in score.phases.during] == [10, 45]
    assert score.phases.latest is not None and score.phases.latest.value == 45
    assert score.phases.change.basis == "latest" and score.phases.change.abs == 45


def test_a_lone_checkin_dated_today_is_not_no_data() -> None:
    assert scoring.get_status(goal((day(50), 50)), day(50), period=PERIOD) == "on-track"
    assert scoring.get_status(goal((day(51), 50)), day(50), period=PERIOD) == "no-data"


def test_a_band_checkin_dated_today_counts_in_its_history() -> None:
    # both inside the floor of 40, so "met" holds whether the band asks all or the latest
    band = goal((day(49), 45), (day(50), 50), direction="at-least", target=40)
    score = scoring.score_goal(band, day(50), period=PERIOD)
    assert score.band is not None
    assert (score.band.met, score.band.inside, score.band.total) == (True, 2, 2)
    assert score.current is not None and score.current.value == 50
    assert score.status == "met"


@pytest.mark.parametrize(
    ("baseline", "deadline", "today", "value", "status"),
    [
        # baseline 0 on 2026-12-01, target 100 by 2027-12-31 (395 days); figure dated today
        ("2026-12-01", "2027-12-31", "2026-12-31", 0, "not-started"),  # day before the period
        ("2026-12-01", "2027-12-31", "2027-01-01", 0, "on-track"),  # its first day: 31/395
        ("2026-12-01", "2027-12-31", "2027-12-31", 90, "on-track"),  # its last day = deadline
        ("2026-12-01", "2027-12-31", "2027-12-31", 89, "at-risk"),
        ("2026-12-01", "2027-04-11", "2027-12-31", 50, "missed"),  # last day, deadline passed
    ],
)
def test_status_on_the_first_and_last_day_of_the_period(
    baseline: str, deadline: str, today: str, value: float, status: str
) -> None:
    judged = goal(
        (D(today), value), baseline={"date": D(baseline), "value": 0}, deadline=D(deadline)
    )
    assert scoring.get_status(judged, D(today), period=PERIOD) == status


def test_every_goal_of_a_plan_starts_on_the_first_day_of_its_period() -> None:
    # baselines before the period; expected on 2027-01-01: 31/395 and 17/381, under 0.10
    year = D("2027-12-31")
    plan_goals = [
        goal((START, 0), id="a", baseline={"date": D("2026-12-01"), "value": 0}, deadline=year),
        goal((START, 0), id="b", baseline={"date": D("2026-12-15"), "value": 0}, deadline=year),
    ]
    plan = Plan(title="Plan 2027", period=PERIOD, goals=plan_goals)
    first = scoring.score_plan(plan, D("2027-01-01"), slug="p")
    assert first.status_counts["not-started"] == 0
    assert first.status_counts["on-track"] == 2
    before = scoring.score_plan(plan, D("2026-12-31"), slug="p")
    assert before.status_counts["not-started"] == 2


def test_an_interim_on_the_deadline_does_not_turn_off_track_into_on_track() -> None:
    # 20% done on day 50 of 100: expected 50%, off-track. An interim target of 50 dated on
    # the deadline is outside the span; were it counted, day 50 would expect only 25%.
    paced = goal((day(50), 20), interim=[{"date": DEADLINE, "value": 50}])
    score = scoring.score_goal(paced, day(50), period=PERIOD)
    assert (score.status, score.expected) == ("off-track", 0.5)


def test_an_interim_on_the_baseline_day_does_not_turn_on_track_into_off_track() -> None:
    # 50% done on day 50: on pace. An interim of 80 on the baseline day is ignored; counted
    # it would expect 90% that day.
    paced = goal((day(50), 50), interim=[{"date": START, "value": 80}])
    score = scoring.score_goal(paced, day(50), period=PERIOD)
    assert (score.status, score.expected) == ("on-track", 0.5)


@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_a_moving_goal_with_a_band_target_is_no_data_not_a_crash(direction: str) -> None:
    # M108 reports the shape mismatch; the scorecard still shows the goal
    mismatched = goal((day(50), 50), direction=direction, target={"min": 40, "max": 60})
    score = scoring.score_goal(mismatched, day(50), period=PERIOD)
    assert (score.status, score.progress, score.band) == ("no-data", None, None)
    assert score.expected == 0.5  # a straight line needs no target
    assert scoring.numeric_target(mismatched) is None
