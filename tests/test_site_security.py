"""Hostile plan content in the site: escaped raw HTML, dropped unsafe links, no template
injection (docs/testing.md rows 6 and 8)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main

HOSTILE_TITLE = "<img src=x onerror=alert(1)> {{ 7*7 }} {{ ''.__class__ }}"
ESCAPED_TITLE = "&lt;img src=x onerror=alert(1)&gt; {{ 7*7 }} {{ &#39;&#39;.__class__ }}"

HOSTILE_BODY = """\
# Narrative <script>alert('h')</script>

<script>alert(1)</script>

<img src=x onerror=alert(2)>

[a](javascript:alert(3)) [b](&#106;avascript:alert(4)) [c](vbscript:msgbox(5))
[d](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==) [e](JaVaScRiPt:alert(7))
[f](java&#x0A;script:alert(8)) <javascript:alert(9)>

![g](javascript:alert(10)) [ok](https://example.org/ok)
"""


def plan(title: str) -> str:
    goal_title = title.replace('"', "'")
    return f"""---
title: "{title}"
owner: "<b>Owner</b>"
summary: "<script>alert('summary')</script>"
period: {{start: 2027-01-01, end: 2027-12-31}}
strategy:
  brand: "<i>Be</i> known {{{{ 6*7 }}}}"
budget: {{total: 10000, currency: EUR}}
goals:
  - id: followers
    title: "{goal_title} from 1,000 to 2,000 by 30 June 2027"
    kind: quantitative
    serves: brand
    owner: Ana
    budget: 1000
    metric: "<svg onload=alert(11)>"
    unit: followers
    source: Insights
    frequency: monthly
    direction: increase
    deadline: 2027-06-30
    baseline: {{date: 2026-12-31, value: 1000}}
    target: 2000
    measurements:
      - {{date: 2027-03-01, value: 1300, note: "<script>alert('note')</script>"}}
---
{HOSTILE_BODY}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile")
    (project / "plans").mkdir()
    (project / "smartdoc.yml").write_text("site_name: Hostile\n", encoding="utf-8")
    (project / "plans" / "evil.md").write_text(plan(HOSTILE_TITLE), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["build", "-c", str(project / "smartdoc.yml"), "--today", "2027-04-01", "--no-pdf"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return project / "site"


def pages(site: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


class TagCollector(HTMLParser):
    """Collect every element and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_no_script_handler_or_unsafe_link_in_any_page(site: Path) -> None:
    for name, html in pages(site).items():
        parser = TagCollector()
        parser.feed(html)
        assert "<script" not in html.lower(), name
        for tag, attrs in parser.tags:
            assert tag not in ("script", "iframe", "object", "embed"), (name, tag)
            for attr, value in attrs:
                assert not attr.startswith("on"), (name, tag, attr)
                if attr in ("href", "src") and value:
                    scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                    assert not scheme.startswith(("javascript:", "vbscript:", "data:text")), (
                        name,
                        value,
                    )


def test_title_is_literal_in_title_heading_and_index(site: Path) -> None:
    plan_page = (site / "evil.html").read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f"<title>{ESCAPED_TITLE} · Hostile</title>" in plan_page
    assert f"<h1>{ESCAPED_TITLE}</h1>" in plan_page
    assert ESCAPED_TITLE in index
    for html in (plan_page, index):
        text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)  # chart coordinates
        assert not re.search(r"\b49\b", text)
        assert "&lt;class" not in html and "<class" not in html  # no Python object printed
    assert "{{ 6*7 }}" in plan_page and ">42<" not in plan_page


def test_raw_html_in_narrative_is_shown_escaped(site: Path) -> None:
    html = (site / "evil.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;Owner&lt;/b&gt;" in html
    assert 'href="https://example.org/ok"' in html


def test_plans_json_keeps_the_title_as_data(site: Path) -> None:
    import json

    document = json.loads((site / "plans.json").read_text(encoding="utf-8"))
    assert document["plans"][0]["title"] == HOSTILE_TITLE
