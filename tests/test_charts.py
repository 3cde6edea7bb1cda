"""Goal charts: well-formed SVG, a text alternative that states the trend, robust scales."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from smartdoc.site.charts import (
    ChartData,
    describe_trend,
    get_date_ticks,
    get_value_scale,
    render_chart,
)

D = dt.date
NS = {"svg": "http://www.w3.org/2000/svg"}

IG = ChartData(
    "Grow Instagram followers from 12,000 to 18,000 by 30 June 2027",
    metric="Instagram followers",
    unit="followers",
    direction="increase",
    baseline=(D(2026, 12, 31), 12000),
    checkins=((D(2027, 2, 1), 12900), (D(2027, 3, 1), 13800)),
    target=18000,
    deadline=D(2027, 6, 30),
    interim=((D(2027, 3, 31), 14000),),
)

CASES = {
    "full": IG,
    "empty": ChartData("Nothing yet", target=100, deadline=D(2027, 6, 30)),
    "no-target": ChartData("Bare"),
    "single": ChartData("One", metric="Sales", baseline=(D(2027, 1, 1), 100)),
    "single-checkin": ChartData("One", checkins=((D(2027, 1, 1), 5),), target=10),
    "years-apart": ChartData(
        "Revenue",
        metric="Revenue",
        unit="EUR",
        baseline=(D(2015, 1, 1), 2_000_000),
        final=(D(2027, 6, 1), 3_500_000),
        target=4_000_000,
    ),
    "all-equal": ChartData("Flat", checkins=((D(2027, 1, 1), 0), (D(2027, 1, 8), 0))),
    "all-equal-target": ChartData(
        "Flat", baseline=(D(2027, 1, 1), 7), target=7, deadline=D(2027, 1, 1)
    ),
    "negative": ChartData(
        "Margin",
        unit="%",
        baseline=(D(2027, 1, 1), -3.5),
        checkins=((D(2027, 2, 1), -1.25),),
        target=2.0,
        direction="at-least",
        deadline=D(2027, 9, 30),
    ),
    "decimals": ChartData(
        "Ratio", baseline=(D(2027, 1, 1), 0.123), checkins=((D(2027, 1, 3), 0.1237),), target=0.125
    ),
    "band": ChartData(
        "Response time",
        unit="h",
        direction="range",
        checkins=((D(2027, 1, 1), 3), (D(2027, 2, 1), 5)),
        target=(2, 4),
    ),
    "at-most": ChartData(
        "Cost",
        direction="at-most",
        baseline=(D(2027, 1, 1), 90),
        checkins=((D(2027, 3, 1), 70),),
        target=80,
        deadline=D(2027, 6, 1),
    ),
    "hostile": ChartData(
        "<script>alert(1)</script> & co",
        metric="<b>x</b>",
        baseline=(D(2027, 1, 1), 1),
        final=(D(2027, 2, 1), 2),
    ),
}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, width, height = (float(part) for part in root.attrib["viewBox"].split())
    return x, y, width, height


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_is_well_formed_and_accessible(name):
    svg = render_chart(CASES[name], id_prefix=f"goal-{name}")
    root = _parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["width"] == "100%"
    title_id, desc_id = root.attrib["aria-labelledby"].split()
    assert root.find(f"svg:title[@id='{title_id}']", NS) is not None
    desc = root.find(f"svg:desc[@id='{desc_id}']", NS)
    assert desc is not None and desc.text
    for element in root.iter():
        if "id" in element.attrib:
            assert element.attrib["id"].startswith(f"goal-{name}-")
    for forbidden in ("<script", "foreignObject", "var(--", "onload", "onerror"):
        assert forbidden not in svg


def test_points_stay_inside_the_view_box():
    away = ChartData(
        "Churn",
        metric="Churn",
        unit="%",
        direction="decrease",
        baseline=(D(2027, 1, 1), 5.2),
        target=4,
        deadline=D(2027, 12, 31),
        checkins=((D(2027, 2, 1), 1.0), (D(2027, 3, 1), -40.0)),
        final=(D(2027, 12, 31), 90.0),
    )
    for data in (away, *CASES.values()):
        root = _parse(render_chart(data, id_prefix="g"))
        _, _, width, height = _view_box(root)
        for circle in root.iter("{http://www.w3.org/2000/svg}circle"):
            assert 0 <= float(circle.attrib["cx"]) <= width
            assert 0 <= float(circle.attrib["cy"]) <= height
        for text in root.iter("{http://www.w3.org/2000/svg}text"):
            assert 0 <= float(text.attrib["y"]) <= height


def test_value_axis_includes_values_below_the_baseline():
    scale = get_value_scale([12000, 18000, 9500])
    assert scale.low < 9500 and scale.high >= 18000
    assert scale.ticks()[0] == scale.low and scale.ticks()[-1] == pytest.approx(scale.high)


@pytest.mark.parametrize("values", [[5, 5, 5], [0], [-3, -3], [1e9, 1e9 + 1], [0.001, 0.002]])
def test_value_scale_never_divides_by_zero(values):
    scale = get_value_scale(values)
    assert scale.low < min(values) <= max(values) < scale.high
    assert len(scale.ticks()) <= 9


def test_date_ticks_are_few_and_inside():
    for start, end in [
        (D(2027, 1, 1), D(2027, 1, 2)),
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(1990, 1, 1), D(2027, 1, 1)),
        (D(2027, 1, 1), D(2027, 2, 20)),
    ]:
        ticks = get_date_ticks(start, end)
        assert 1 <= len(ticks) <= 6
        assert all(start <= day <= end for day, _ in ticks)


def test_desc_states_a_rise_with_dates_and_target():
    assert describe_trend(IG) == (
        "Instagram followers rose from 12,000 on 31 Dec 2026 to 13,800 on 1 Mar 2027; "
        "target 18,000 by 30 Jun 2027."
    )


def test_desc_states_a_fall_and_no_change():
    fell = ChartData(
        "x",
        metric="Churn rate",
        unit="%",
        baseline=(D(2027, 1, 1), 5.2),
        final=(D(2027, 6, 1), 4.1),
        target=4,
    )
    assert describe_trend(fell).startswith("Churn rate fell from 5.2% on 1 Jan 2027 to 4.1%")
    flat = ChartData("x", metric="Score", checkins=((D(2027, 1, 1), 3), (D(2027, 2, 1), 3)))
    assert "was unchanged at 3" in describe_trend(flat)


def test_desc_counts_check_ins_inside_a_band():
    data = ChartData(
        "x",
        metric="Response time",
        unit="h",
        direction="range",
        target=(2, 4),
        checkins=tuple(
            (D(2027, m, 1), v) for m, v in zip(range(1, 7), [3, 2, 4, 5, 2.5, 3.9], strict=True)
        ),
    )
    assert "stayed inside the range 2\u20134 h in 5 of 6 check-ins" in describe_trend(data)


def test_empty_chart_is_a_placeholder_with_text():
    svg = render_chart(CASES["empty"], id_prefix="e")
    assert "No figures yet" in svg
    assert "<polyline" not in svg
    assert "No figures yet; target 100 by 30 Jun 2027." in svg


def test_huge_values_have_thousands_separators():
    svg = render_chart(CASES["years-apart"], id_prefix="r")
    assert ">2,000,000<" in svg and ">4,000,000<" in svg


def test_output_is_deterministic_and_prefix_scoped():
    first = render_chart(IG, id_prefix="goal-ig-followers")
    assert first == render_chart(IG, id_prefix="goal-ig-followers")
    other = render_chart(IG, id_prefix="goal-other")
    assert 'id="goal-ig-followers-title"' in first and 'id="goal-other-title"' in other


def test_hostile_text_is_escaped():
    svg = render_chart(CASES["hostile"], id_prefix="h")
    assert "&lt;script&gt;" in svg and "<b>" not in svg
    _parse(svg)


def test_id_prefix_is_sanitised():
    root = _parse(render_chart(IG, id_prefix='9 "bad" id'))
    assert all(" " not in i and '"' not in i for i in root.attrib["aria-labelledby"].split())
