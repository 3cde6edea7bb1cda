"""One way to write a figure: rule messages, pages, charts and `diff` all use smartdoc.figures.

The page filter adds a typographic minus and a dash for a missing figure (test_templates.py);
the cases here are what a strategist reads everywhere else.
"""

from __future__ import annotations

import pytest

from smartdoc.figures import format_number
from smartdoc.lint.rules._text import money
from smartdoc.site.charts.data import ChartData
from smartdoc.site.charts.words import with_unit
from smartdoc.site.format import format_number as page_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12000, "12,000"),
        (12000.0, "12,000"),
        (12.5, "12.5"),
        (1234.5678, "1,234.57"),  # at most 2 decimals from 1 up
        (-3, "-3"),
        (0, "0"),
        (-0.0, "0"),
        (0.0425, "0.0425"),  # below 1: up to 4 decimals, so a rate is not cut to 0.04
        (0.001, "0.001"),
        (-0.001, "-0.001"),
        (0.00004, "4e-5"),  # below 10^-4: 4 decimals would print 0
        (10**15, "1e15"),
        (2.5e16, "2.5e16"),
        (10**400, "1e400"),  # an integer too big for a float
        (float("inf"), "infinity"),
        (float("-inf"), "minus infinity"),
        (float("nan"), "not a number"),
    ],
)
def test_a_figure_is_written_one_way(value: float, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (0.8, 2, "0.80"),  # as its author wrote it: `0.80`
        (12000, 1, "12,000.0"),
        (-0.001, 2, "0.00"),  # no "-0.00"
        (-1.5, 0, "-2"),
    ],
)
def test_fixed_decimals(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits) == text


def test_a_finding_a_page_and_a_chart_write_the_same_figure() -> None:
    data = ChartData(title="Online revenue", metric="Revenue", unit="EUR")
    for value in (12345.678, 0.0425, 52000):
        written = format_number(value)
        assert money(value, "EUR") == f"{written} EUR"
        assert page_number(value) == written
        assert with_unit(value, data) == f"{written} EUR"
