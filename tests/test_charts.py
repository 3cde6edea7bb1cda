"""Goal charts: well-formed SVG, a text alternative that states the trend, robust scales.

Each chart is two SVGs (wide and narrow) and an HTML key; see smartdoc/site/charts.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from chart_geometry import SVG_NS, collisions, labels, lines, svgs

from smartdoc.site.charts import (
    ChartData,
    describe_trend,
    get_date_ticks,
    get_value_scale,
    render_chart,
)
from smartdoc.site.charts.place import Box, Request, Segment, Spot, place_labels

D = dt.date
REPO = Path(__file__).resolve().parent.parent

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
        unit="<i>u</i>",
        baseline=(D(2027, 1, 1), 1),
        final=(D(2027, 2, 1), 2),
    ),
}

# Issue 15 (item 8) and the edges of float and date: none may crash or draw nonsense.
EXTREMES = {
    "deadline-9999": ChartData(
        "Far",
        direction="increase",
        baseline=(D(2026, 1, 1), 10),
        checkins=((D(2026, 2, 1), 11), (D(2026, 3, 1), 12)),
        target=20,
        deadline=D(9999, 12, 31),
        interim=((D(5000, 1, 1), 15),),
    ),
    "dates-far-apart": ChartData(
        "Ages", baseline=(D(1, 1, 1), 1), final=(D(9999, 12, 31), 2), target=3
    ),
    "one-day": ChartData("Today", checkins=((D(9999, 12, 31), 4),), deadline=D(9999, 12, 31)),
    "first-day": ChartData("Day one", checkins=((D(1, 1, 1), 4),), target=5, deadline=D(1, 1, 1)),
    "all-equal": ChartData(
        "Same",
        baseline=(D(2026, 1, 1), 5),
        checkins=tuple((D(2026, m, 1), 5) for m in range(2, 12)),
        target=5,
        deadline=D(2026, 12, 31),
    ),
    "max-float": ChartData(
        "Huge",
        baseline=(D(2026, 1, 1), -1.7e308),
        checkins=((D(2026, 2, 1), 1.7e308),),
        target=1.7976931348623157e308,
        deadline=D(2026, 12, 31),
        direction="increase",
    ),
    "max-float-equal": ChartData(
        "Huge", baseline=(D(2026, 1, 1), 1.7e308), target=1.7e308, deadline=D(2026, 6, 1)
    ),
    "tiny": ChartData(
        "Tiny",
        baseline=(D(2026, 1, 1), 1e-300),
        checkins=((D(2026, 2, 1), 3e-300),),
        target=2e-300,
        deadline=D(2026, 12, 31),
    ),
    "negative": ChartData(
        "Below zero",
        baseline=(D(2026, 1, 1), -500),
        checkins=((D(2026, 2, 1), -750), (D(2026, 3, 1), -20)),
        target=-1000,
        direction="decrease",
        deadline=D(2026, 6, 1),
    ),
    "huge-integers": ChartData(
        "Digits",
        baseline=(D(2026, 1, 1), 10**400),
        checkins=((D(2026, 2, 1), 5),),
        target=10**4999,  # 5,000 digits
        deadline=D(2027, 1, 1),
    ),
    "not-finite": ChartData(
        "Junk",
        baseline=(D(2026, 1, 1), math.nan),
        checkins=((D(2026, 2, 1), math.inf), (D(2026, 3, 1), 4)),
        target=math.inf,
        deadline=D(2026, 6, 1),
    ),
    "one-point": ChartData("One", checkins=((D(2026, 5, 5), 42),)),
    "no-points": ChartData("None", unit="x" * 300, target=1.7e308, deadline=D(9999, 12, 31)),
    "range-inverted": ChartData(
        "Band",
        direction="range",
        target=(9, 3),
        checkins=((D(2026, 1, 1), 5), (D(2026, 1, 2), 10)),
    ),
}


def _view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, width, height = (float(part) for part in root.attrib["viewBox"].split())
    return x, y, width, height


def _key(html: str) -> str:
    """Return the chart's key, no-break spaces as spaces ('' when it has none)."""
    match = re.search(r'<p class="smartdoc-chart__key">.*?</p>', html, re.DOTALL)
    return match.group(0).replace("\u00a0", " ") if match else ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_is_two_well_formed_accessible_svgs(name: str) -> None:
    html = render_chart(CASES[name], id_prefix=f"goal-{name}")
    roots = svgs(html)
    assert [r.attrib["class"] for r in roots] == [
        "smartdoc-chart smartdoc-chart--wide",
        "smartdoc-chart smartdoc-chart--narrow",
    ]
    ids: list[str] = []
    for root in roots:
        assert root.attrib["role"] == "img"
        assert root.attrib["width"] == "100%"
        title_id, desc_id = root.attrib["aria-labelledby"].split()
        assert root.find(f"{SVG_NS}title[@id='{title_id}']") is not None
        desc = root.find(f"{SVG_NS}desc[@id='{desc_id}']")
        assert desc is not None and desc.text == describe_trend(CASES[name])
        ids += [e.attrib["id"] for e in root.iter() if "id" in e.attrib]
    assert all(i.startswith(f"goal-{name}-") for i in ids) and len(ids) == len(set(ids))
    if _key(html):
        ET.fromstring(_key(html))  # the key is well-formed markup too
        assert "<" not in _key(html)[len('<p class="smartdoc-chart__key">') : -len("</p>")]
    for forbidden in ("<script", "foreignObject", "var(--", "onload", "onerror", "<b>", "<i>"):
        assert forbidden not in html


@pytest.mark.parametrize("data", [*CASES.values(), *EXTREMES.values()])
def test_everything_drawn_stays_inside_the_view_box(data: ChartData) -> None:
    for root in svgs(render_chart(data, id_prefix="g")):
        _, _, width, height = _view_box(root)
        for label in labels(root):
            assert label.x0 >= 0 and label.x1 <= width, label
            assert label.y0 >= 0 and label.y1 <= height, label
        for line in lines(root):
            for x, y in ((line.x0, line.y0), (line.x1, line.y1)):
                assert 0 <= x <= width and 0 <= y <= height, line


@pytest.mark.parametrize("name", sorted(EXTREMES))
def test_extremes_give_a_sane_chart(name: str) -> None:
    data = EXTREMES[name]
    html = render_chart(data, id_prefix="x")
    roots = svgs(html)
    assert len(roots) == 2
    for root in roots:
        assert collisions(root) == []
        numbers = re.findall(r"-?\d+(?:\.\d+)?", " ".join(root.itertext()))
        assert all(len(n) < 30 for n in numbers)  # 1.7e308, never 309 digits
    assert "nan" not in html.lower().replace("nanosecond", "")
    assert len(html) < 20_000
    assert len(describe_trend(data)) < 600


def test_a_huge_figure_reads_in_powers_of_ten() -> None:
    html = render_chart(EXTREMES["max-float"], id_prefix="x")
    ticks = [t.text for t in labels(svgs(html)[0]) if t.names == ""]
    assert any(t.endswith("e308") for t in ticks)
    assert "Target 1.8e308" in _key(html)
    assert describe_trend(EXTREMES["huge-integers"]).startswith("The figure fell from 1e400")
    assert "target 1e4999 by 1 Jan 2027" in describe_trend(EXTREMES["huge-integers"])


def test_a_far_deadline_draws_years_on_the_axis() -> None:
    wide = svgs(render_chart(EXTREMES["deadline-9999"], id_prefix="x"))[0]
    dates = [t.text for t in labels(wide) if t.names == "" and t.y0 > 189]  # under the plot
    assert dates and all(re.fullmatch(r"\d{4}", d) for d in dates)
    assert int(dates[-1]) <= 9999


def test_value_axis_includes_values_below_the_baseline() -> None:
    scale = get_value_scale([12000, 18000, 9500])
    assert scale.low < 9500 and scale.high >= 18000
    assert scale.ticks()[0] == scale.low and scale.ticks()[-1] == pytest.approx(scale.high)


@pytest.mark.parametrize("values", [[5, 5, 5], [0], [-3, -3], [1e9, 1e9 + 1], [0.001, 0.002]])
def test_value_scale_never_divides_by_zero(values: list[float]) -> None:
    scale = get_value_scale(values)
    assert scale.low < min(values) <= max(values) < scale.high
    assert len(scale.ticks()) <= 9


@pytest.mark.parametrize(
    "values", [[1.7e308, -1.7e308], [1.7976931348623157e308], [1e-300, 3e-300], [10**400, 1]]
)
def test_value_scale_at_the_ends_of_float(values: list[float]) -> None:
    scale = get_value_scale(values)
    assert all(math.isfinite(v) for v in (scale.low, scale.high, scale.step))
    finite = [v for v in values if abs(v) <= 1.79e308]  # 10**400 is not a float
    assert all(-1e-9 <= scale.fraction(v) <= 1 + 1e-9 for v in finite)
    assert 2 <= len(scale.ticks()) <= 9


def test_date_ticks_are_few_and_inside() -> None:
    for start, end in [
        (D(2027, 1, 1), D(2027, 1, 2)),
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(1990, 1, 1), D(2027, 1, 1)),
        (D(2027, 1, 1), D(2027, 2, 20)),
        (D(2026, 1, 1), D(9999, 12, 31)),
        (D(1, 1, 1), D(9999, 12, 31)),
        (D(9999, 12, 1), D(9999, 12, 31)),
    ]:
        for most in (6, 3, 1):
            ticks = get_date_ticks(start, end, most)
            assert 1 <= len(ticks) <= most, (start, end, most)
            assert all(start <= day <= end for day, _ in ticks)


def test_desc_states_a_rise_with_dates_and_target() -> None:
    assert describe_trend(IG) == (
        "Instagram followers rose from 12,000 on 31 Dec 2026 to 13,800 on 1 Mar 2027; "
        "target 18,000 by 30 Jun 2027."
    )


def test_desc_states_a_fall_and_no_change() -> None:
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


def test_desc_counts_check_ins_inside_a_band() -> None:
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


def test_empty_chart_is_a_placeholder_with_text() -> None:
    html = render_chart(CASES["empty"], id_prefix="e")
    assert html.count("No figures yet</text>") == 2
    assert "<polyline" not in html and "smartdoc-chart__key" not in html
    assert "No figures yet; target 100 by 30 Jun 2027." in html
    long = render_chart(EXTREMES["no-points"], id_prefix="e")
    for root in svgs(long):  # a 300-letter unit is cut to the box, not run off it
        _, _, width, _ = _view_box(root)
        assert all(label.x1 <= width - 16 for label in labels(root))


def test_huge_values_have_thousands_separators() -> None:
    html = render_chart(CASES["years-apart"], id_prefix="r")
    assert "Baseline 2,000,000 EUR" in _key(html) and "Target 4,000,000 EUR" in _key(html)
    assert ">2,000,000<" in html and ">3,500,000<" in html  # first and latest figure labels
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", t.text) for t in labels(svgs(html)[0])[:2])


def test_output_is_deterministic_and_prefix_scoped() -> None:
    first = render_chart(IG, id_prefix="goal-ig-followers")
    assert first == render_chart(IG, id_prefix="goal-ig-followers")
    other = render_chart(IG, id_prefix="goal-other")
    assert 'id="goal-ig-followers-title"' in first and 'id="goal-other-title"' in other
    assert 'id="goal-ig-followers-narrow-title"' in first


def test_hostile_text_is_escaped() -> None:
    html = render_chart(CASES["hostile"], id_prefix="h")
    assert "&lt;script&gt;" in html and "<b>" not in html and "&lt;i&gt;u&lt;/i&gt;" in html
    assert len(svgs(html)) == 2


def test_id_prefix_is_sanitised() -> None:
    root = svgs(render_chart(IG, id_prefix='9 "bad" id'))[0]
    assert all(" " not in i and '"' not in i for i in root.attrib["aria-labelledby"].split())


# --- what the chart shows -------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["at-least", "at-most", "range"])
def test_band_goals_have_no_expected_pace(direction: str) -> None:
    target: float | tuple[float, float] = (30, 40) if direction == "range" else 35
    data = ChartData(
        "Open rate",
        unit="%",
        direction=direction,
        baseline=(D(2026, 1, 1), 31),
        checkins=((D(2026, 2, 1), 36), (D(2026, 3, 1), 34)),
        target=target,
        deadline=D(2026, 12, 31),
        interim=((D(2026, 6, 30), 33),),
        expected=((D(2026, 1, 1), 31), (D(2026, 12, 31), 35)),
    )
    html = render_chart(data, id_prefix="b")
    assert 'class="pace"' not in html and "Expected pace" not in html
    assert 'class="target"' in html  # the band's edges are drawn instead
    with_pace = render_chart(
        ChartData(**{**_fields(data), "direction": "increase", "target": 35}), id_prefix="i"
    )
    assert with_pace.count('class="pace"') == 2 and "Expected pace" in _key(with_pace)


def _fields(data: ChartData) -> dict[str, object]:
    return {name: getattr(data, name) for name in ChartData.__dataclass_fields__}


def test_an_interim_target_on_a_check_in_keeps_both_visible() -> None:
    spot = (D(2026, 6, 30), 10_000)
    data = ChartData(
        "Followers",
        baseline=(D(2026, 1, 1), 8_000),
        checkins=((D(2026, 3, 31), 9_000), spot, (D(2026, 9, 30), 11_000)),
        target=12_000,
        deadline=D(2026, 12, 31),
        interim=(spot,),
    )
    for root in svgs(render_chart(data, id_prefix="i")):
        children = list(root)
        dots = next(i for i, e in enumerate(children) if e.get("class") == "dots")
        outline = max(
            i
            for i, e in enumerate(children)
            if e.get("stroke") == "#a04f00" and e.tag == f"{SVG_NS}path"
        )
        assert dots < outline  # the triangle is drawn over the dot ...
        assert children[outline].get("fill") == "none"  # ... as an outline the dot shows through
        # ... and each of its edges clears the dot by more than half the outline's stroke
        radius = float(children[dots].attrib["stroke-width"]) / 2
        corners = [float(v) for v in re.findall(r"-?\d+\.\d", children[outline].attrib["d"])[:6]]
        triangle = list(zip(corners[0::2], corners[1::2], strict=True))
        centre_x = sum(x for x, _ in triangle) / 3
        dot = next(
            (float(x), float(y))
            for x, y in re.findall(r"M(-?[\d.]+) (-?[\d.]+)h0", children[dots].attrib["d"])
            if abs(float(x) - centre_x) < 1
        )
        for (px, py), (qx, qy) in zip(triangle, triangle[1:] + triangle[:1], strict=True):
            cross = abs((qx - px) * (py - dot[1]) - (px - dot[0]) * (qy - py))
            assert cross / math.hypot(qx - px, qy - py) >= radius + 0.8


def test_the_key_keeps_every_figure_a_label_may_drop() -> None:
    crowded = ChartData(
        "Crowded",
        unit="%",
        baseline=(D(2026, 1, 1), 50),
        checkins=tuple((D(2026, 1, 1) + dt.timedelta(days=d), 50 + (d % 2)) for d in range(1, 40)),
        target=51,
        deadline=D(2026, 2, 15),
    )
    html = render_chart(crowded, id_prefix="c")
    key = _key(html)
    for words in ("Baseline 50%", "Check-ins, latest 51%", "Target 51%", "Deadline 15 Feb 2026"):
        assert words in key
    narrow = svgs(html)[1]
    assert collisions(narrow) == []


def test_no_text_is_smaller_than_11_units() -> None:
    for data in [*CASES.values(), *EXTREMES.values()]:
        for root in svgs(render_chart(data, id_prefix="g")):
            sizes = {t.get("font-size") for t in root.iter() if t.get("font-size")}
            assert all(float(s) >= 11 for s in sizes), sizes


# --- the placer -----------------------------------------------------------------------------


def test_placer_takes_the_first_free_spot_and_drops_what_cannot_fit() -> None:
    area = Box(0, 0, 200, 100)
    first = Request("Target 22%", "target", (Spot(100, 50, "middle"),), "#000")
    second = Request("21.5", "series", (Spot(100, 50, "middle"), Spot(100, 80, "middle")), "#000")
    third = Request("14", "series", (Spot(100, 50, "middle"), Spot(100, 80, "middle")), "#000")
    placed, dropped = place_labels(
        [first, second, third], area=area, lines=[], obstacles=[], size=11
    )
    assert [(p.request.text, p.spot.y) for p in placed] == [("Target 22%", 50), ("21.5", 80)]
    assert dropped == [third]


def test_placer_lets_a_label_touch_only_the_line_it_names() -> None:
    area = Box(0, 0, 200, 100)
    target_line = Segment(0, 50, 200, 50, "target")
    spot = (Spot(100, 54, "middle"),)
    placed, dropped = place_labels(
        [Request("Target 5", "target", spot, "#000"), Request("5", "series", spot, "#000")],
        area=area,
        lines=[target_line],
        obstacles=[],
        size=11,
    )
    assert [p.request.text for p in placed] == ["Target 5"] and [d.text for d in dropped] == ["5"]


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists(), reason="no DejaVu Sans"
)
def test_font_metrics_module_is_generated_from_the_installed_font() -> None:
    spec = importlib.util.spec_from_file_location(
        "font_metrics_script", REPO / "scripts" / "font_metrics.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    current = (REPO / "smartdoc" / "site" / "font_metrics.py").read_text(encoding="utf-8")
    assert current == script.module_text(script.FONT_DIR), "run scripts/font_metrics.py"


FAR_PLAN = """---
title: Far future plan
owner: Ana
period: {start: 2026-01-01, end: 9999-12-31}
strategy:
  growth: Grow for ever
goals:
  - id: far
    title: Grow members from 100 to 200 by 31 December 9999
    kind: quantitative
    serves: growth
    owner: Ana
    metric: Members
    unit: members
    source: CRM
    frequency: monthly
    direction: increase
    deadline: 9999-12-31
    baseline: {date: 2025-12-31, value: 100}
    target: 200
    measurements:
      - {date: 2026-01-01, value: 110}
---
# Far
"""


def test_a_deadline_in_9999_passes_lint_and_builds(tmp_path: Path) -> None:
    """Issue 15 (8): lint passed, then the build died in the chart code (year 10026)."""
    from click.testing import CliRunner

    from smartdoc.cli import main

    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "far.md").write_text(FAR_PLAN, encoding="utf-8")
    (tmp_path / "smartdoc.yml").write_text("site_name: Far\n", encoding="utf-8")
    config = ["-c", str(tmp_path / "smartdoc.yml"), "--today", "2026-01-02"]
    result = CliRunner().invoke(main, ["build", *config, "--no-pdf"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "far.html").read_text(encoding="utf-8")
    assert page.count("smartdoc-chart--wide") == 1 and "Deadline 31 Dec 9999" in _key(page)


def test_a_pdf_can_leave_the_narrow_rendering_out() -> None:
    both = render_chart(IG, id_prefix="g")
    wide_only = render_chart(IG, id_prefix="g", narrow=False)
    assert [r.attrib["class"] for r in svgs(wide_only)] == ["smartdoc-chart smartdoc-chart--wide"]
    assert wide_only == re.sub(r'<svg[^>]*--narrow".*?</svg>\n', "", both, flags=re.DOTALL)


def test_the_key_is_one_line_of_text_with_a_shape_per_mark() -> None:
    key = _key(render_chart(IG, id_prefix="g"))
    assert key == (
        '<p class="smartdoc-chart__key">\u25a1 Baseline 12,000 \u2003 '
        "\u25cf Check-ins, latest 13,800 \u2003 \u254d\u254d Target 18,000 \u2003 "
        "\u2504\u2504 Expected pace \u2003 \u25b3 Interim target 14,000 \u2003 "
        "\u250a Deadline 30 Jun 2027</p>"
    )
