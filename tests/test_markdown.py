"""Narrative rendering: safety (docs/testing.md rows 6, 7, 10), extensions, links, CommonMark."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smartdoc.site.markdown import (
    LinkRequest,
    LinkResult,
    MarkdownWarning,
    is_safe_url,
    make_plan_resolver,
    make_renderer,
    render,
    render_markdown,
)

HOSTILE = """\
# Why this plan

<script>alert(1)</script>

<img src=x onerror=alert(1)>

[a](javascript:alert(1))
[b](&#106;avascript:alert(1))
[c](vbscript:msgbox(1))
[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[e](JaVaScRiPt:alert(1)) [f](<java\tscript:alert(1)>) [g](&#x6A;avascript&colon;alert(1))
[h](%6Aavascript:alert(1)) <javascript:alert(1)> [i](file:///etc/passwd)

[ref]: javascript:alert(1)
[j][ref]
"""

HREF = re.compile(r'(?:href|src)="([^"]*)"')


@pytest.fixture(scope="module")
def renderer():
    return make_renderer(allow_html=False)


def test_hostile_payloads_are_neutralised(renderer):
    html = render(renderer, HOSTILE).html
    assert "<script" not in html
    assert not re.search(r"<img[^>]*onerror", html)
    assert "onerror=" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    for url in HREF.findall(html):
        assert not re.match(r"\s*(javascript|vbscript|data:text|file)", url, re.I), url
    assert "<a " not in html  # every link above is unsafe, none survives as a link


def test_raw_html_is_shown_escaped(renderer):
    html = render(renderer, HOSTILE).html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_allow_html_passes_raw_html():
    html = render(make_renderer(allow_html=True), '<div class="note">hi</div>\n').html
    assert '<div class="note">hi</div>' in html


@pytest.mark.parametrize(
    ("url", "image", "safe"),
    [
        ("https://example.com/", False, True),
        ("mailto:a@example.com", False, True),
        ("other.md#goals", False, True),
        ("#section", False, True),
        ("javascript:alert(1)", False, False),
        (" \x01JaVa\tScRiPt:alert(1)", False, False),
        ("&#106;avascript:alert(1)", False, False),
        ("%6Aavascript:alert(1)", False, False),
        ("vbscript:x", False, False),
        ("file:///etc/hostname", True, False),
        ("data:text/html;base64,AAAA", False, False),
        ("data:image/png;base64,AAAA", True, True),
        ("data:image/svg+xml;base64,AAAA", True, False),
        ("data:image/png;base64,AAAA", False, False),
    ],
)
def test_url_policy(url, image, safe):
    assert is_safe_url(url, image=image) is safe


def test_data_image_kept_as_image_but_not_as_link(renderer):
    text = "![dot](data:image/png;base64,AAAA) [x](data:image/png;base64,AAAA)\n"
    html = render(renderer, text).html
    assert '<img src="data:image/png;base64,AAAA" alt="dot"' in html
    assert "<a " not in html


def test_external_links_get_noopener(renderer):
    html = render(renderer, "[site](https://example.com) [mail](mailto:a@example.com)\n").html
    assert '<a href="https://example.com" rel="noopener">site</a>' in html
    assert '<a href="mailto:a@example.com">mail</a>' in html


def test_tables_footnotes_and_anchors(renderer):
    text = "# Why\n\n## Why\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSee[^n].\n\n[^n]: A note.\n"
    result = render(renderer, text, doc_id="plan")
    assert "<table>" in result.html and "<td>2</td>" in result.html
    assert 'class="footnotes"' in result.html and 'href="#fn-plan-1"' in result.html
    assert [(h.level, h.id, h.text) for h in result.headings] == [
        (2, "why", "Why"),
        (3, "why-1", "Why"),
    ]
    assert '<h2 id="why">Why</h2>' in result.html


@pytest.mark.parametrize(
    ("source_levels", "page_levels"),
    [
        ([1, 2, 3], [2, 3, 4]),
        ([1, 3], [2, 3]),  # no skipped level
        ([3, 1, 2], [2, 2, 3]),  # a narrative starting at ### starts at h2
        ([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 6]),  # deeper than h6 stays h6
    ],
)
def test_headings_are_demoted_without_skips(renderer, source_levels, page_levels):
    text = "\n\n".join(f"{'#' * level} H{index}" for index, level in enumerate(source_levels))
    result = render(renderer, text)
    assert [h.level for h in result.headings] == page_levels
    for heading in result.headings:
        assert f'<h{heading.level} id="{heading.id}">' in result.html


def test_plan_links_are_rewritten(renderer):
    resolver = make_plan_resolver("team/social", {"team/social", "team/other", "brand"})
    text = "[o](other.md) [b](../brand.md#goals) [x](https://example.com/a.md)\n"
    result = render(renderer, text, resolve_link=resolver)
    assert '<a href="other.html">o</a>' in result.html
    assert '<a href="../brand.html#goals">b</a>' in result.html
    assert 'href="https://example.com/a.md"' in result.html
    assert result.warnings == []


def test_default_rewrites_md_links_without_a_resolver(renderer):
    html = render(renderer, "[o](other-plan.md#goals)\n").html
    assert '<a href="other-plan.html#goals">o</a>' in html


def test_missing_plan_link_and_image_warn_with_their_line(renderer):
    def resolve_image(request: LinkRequest) -> LinkResult:
        if request.path == "img/chart.png":
            return LinkResult("assets/chart.png")
        return LinkResult(None, f"image not found in the project: {request.path}")

    resolver = make_plan_resolver("social", {"social"}, resolve_image=resolve_image)
    text = (
        "# Title\n"  # 1
        "\n"  # 2
        "Some text\n"  # 3
        "and [gone](missing-plan.md) here.\n"  # 4
        "\n"  # 5
        "| a | b |\n|---|---|\n"  # 6, 7
        "| ![lost](img/lost.png) | ![ok](img/chart.png) |\n"  # 8
        "\n"  # 9
        "![out](../../outside.png) ![f](file:///etc/hostname)\n"  # 10
        "![web](http://127.0.0.1:9/x.png)\n"  # 11
    )
    result = render(renderer, text, resolve_link=resolver)
    assert result.warnings == [
        MarkdownWarning(4, "link to a missing plan: missing-plan.md"),
        MarkdownWarning(8, "image not found in the project: img/lost.png"),
        MarkdownWarning(10, "image not found in the project: ../../outside.png"),
        MarkdownWarning(10, "image from outside the project refused: file:///etc/hostname"),
        MarkdownWarning(11, "image from outside the project refused: http://127.0.0.1:9/x.png"),
    ]
    assert "gone" in result.html and "missing-plan" not in result.html
    assert '<img src="assets/chart.png" alt="ok"' in result.html
    assert "<td>lost</td>" in result.html  # refused image shown as its alt text
    for url in HREF.findall(result.html):
        assert "outside" not in url and "127.0.0.1" not in url and "file:" not in url


def test_render_markdown_convenience():
    result = render_markdown("*hi*\n")
    assert result.html == "<p><em>hi</em></p>\n"


# --- CommonMark conformance -----------------------------------------------------------------

SPEC_VERSION = "0.31.2"


REPO_ROOT = Path(__file__).resolve().parent.parent


def _load_spec_examples(cache_dir: Path) -> list[dict[str, object]]:
    """Return the spec examples from npm `commonmark-spec`.

    The package comes from the repository's node_modules (`make setup-test` runs `npm ci`),
    else it is installed into pytest's cache once. The spec is CC-BY-SA: it is read at test
    time, never committed.
    """
    examples_file = cache_dir / f"commonmark-spec-{SPEC_VERSION}.json"
    if examples_file.exists():
        return json.loads(examples_file.read_text(encoding="utf-8"))
    if not shutil.which("node"):
        pytest.skip("node is needed to read the CommonMark spec examples (npm commonmark-spec)")
    module = REPO_ROOT / "node_modules" / "commonmark-spec"
    try:
        if not module.is_dir():
            if not shutil.which("npm"):
                pytest.skip("npm is needed to fetch the CommonMark spec examples")
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--silent",
                    "--prefix",
                    str(cache_dir),
                    f"commonmark-spec@{SPEC_VERSION}",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            module = cache_dir / "node_modules" / "commonmark-spec"
        dumped = subprocess.run(
            [
                "node",
                "-e",
                "process.stdout.write(JSON.stringify(require(process.argv[1]).tests))",
                str(module),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"could not get npm commonmark-spec@{SPEC_VERSION} (offline?): {error}")
    examples_file.write_bytes(dumped.stdout)
    return json.loads(dumped.stdout)


def test_commonmark_conformance(request):
    cache_dir = Path(request.config.cache.mkdir("commonmark-spec"))
    examples = _load_spec_examples(cache_dir)
    md = make_renderer(allow_html=True, commonmark_only=True)
    failed = []
    for example in examples:
        # the spec writes tabs as an arrow
        source = str(example["markdown"]).replace("\u2192", "\t")
        expected = str(example["html"]).replace("\u2192", "\t")
        if md.render(source) != expected:
            failed.append(example["number"])
    assert len(examples) == 652
    assert len(examples) - len(failed) >= 649, f"failing examples: {failed}"


# --- ids (issue 15) ---------------------------------------------------------------------------


def test_doc_id_from_a_hostile_file_name_cannot_leave_the_attribute(renderer):
    slug = 'x"><img src=x onerror=alert(1)>'
    html = render(renderer, "A claim.[^1]\n\n[^1]: Its source.\n", doc_id=slug).html
    assert "<img" not in html and "onerror=" not in html
    assert 'id="fn-x-img-src-x-onerror-alert-1-1"' in html
    assert 'href="#fn-x-img-src-x-onerror-alert-1-1"' in html


def test_heading_ids_avoid_the_page_ids_and_the_footnote_ids(renderer):
    text = "# Main\n\n# Goals title\n\n# fn-plan-1\n\n# fnref-plan-1\n\nA[^1].\n\n[^1]: B.\n"
    result = render(renderer, text, doc_id="plan")
    ids = [heading.id for heading in result.headings]
    assert ids == ["main-1", "goals-title-1", "fn-plan-1-1", "fnref-plan-1-1"]
    assert [h.id for h in render(renderer, "# Main\n", reserved_ids=()).headings] == ["main"]


def test_repeated_heading_ids_follow_github_numbering(renderer):
    text = "# A\n\n# A\n\n# A-1\n\n# A\n\n# A 2\n\n# A\n"
    ids = [heading.id for heading in render(renderer, text).headings]
    assert ids == ["a", "a-1", "a-1-1", "a-2", "a-2-1", "a-3"]
