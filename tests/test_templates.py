"""The theme: overrides by name, `!theme/` parents, documented blocks, filters, strictness."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main
from smartdoc.site.render import (
    format_currency,
    format_date,
    format_number,
    format_percent,
    format_quantity,
    format_signed,
    make_environment,
)
from smartdoc.theme import theme_dir

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "site"
BLOCKS = ("title", "head", "header", "nav", "content", "footer")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "portfolio"
    shutil.copytree(CORPUS / "portfolio", target)
    (target / "templates").mkdir()
    return target


def build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["build", "-c", str(project / "smartdoc.yml"), "--today", "2027-04-15", "--no-pdf", *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def test_base_documents_its_blocks() -> None:
    base = (theme_dir() / "base.html").read_text(encoding="utf-8")
    header = base.split("-#}", 1)[0]
    defined = set(re.findall(r"{%-?\s*block\s+(\w+)", base))
    assert defined == set(BLOCKS)
    for block in BLOCKS:
        assert re.search(rf"^\s+{block}\s", header, re.M), f"block {block} is not documented"


def test_override_extends_the_builtin_parent(project: Path) -> None:
    (project / "templates" / "base.html").write_text(
        '{% extends "!theme/base.html" %}\n'
        '{% block footer %}{{ super() }}<p class="confidential">Confidential — '
        "{{ site.name }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    code, output = build(project)
    assert code == 0, output
    for page in ("index.html", "northwind-social.html", "team/brand.html", "rules.html"):
        html = (project / "site" / page).read_text(encoding="utf-8")
        assert '<p class="confidential">Confidential — Northwind strategy portfolio</p>' in html
        assert "Published with smartdoc" in html  # super() kept the built-in footer


def test_override_by_name_replaces_a_partial(project: Path) -> None:
    (project / "templates" / "partials").mkdir()
    (project / "templates" / "partials" / "phase_table.html").write_text(
        '<p class="custom-phases">{{ goal.title }}</p>\n', encoding="utf-8"
    )
    code, output = build(project)
    assert code == 0, output
    html = (project / "site" / "northwind-social.html").read_text(encoding="utf-8")
    assert html.count('class="custom-phases"') == 4
    assert 'class="phases"' not in html


def test_project_stylesheet_overrides_the_theme(project: Path) -> None:
    (project / "templates" / "assets").mkdir()
    (project / "templates" / "assets" / "smartdoc.css").write_text(
        "body{color:#000}\n", encoding="utf-8"
    )
    code, output = build(project)
    assert code == 0, output
    assert (project / "site" / "assets" / "smartdoc.css").read_text() == "body{color:#000}\n"


def test_template_linking_outside_is_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("SECRET", encoding="utf-8")
    (project / "templates" / "index.html").symlink_to(secret)
    code, output = build(project)
    assert code == 2
    assert "outside the project" in output
    assert not (project / "site").exists()


def test_undefined_variable_is_one_clear_error(project: Path) -> None:
    (project / "templates" / "rules.html").write_text(
        '{% extends "!theme/base.html" %}{% block content %}{{ no_such_thing }}{% endblock %}',
        encoding="utf-8",
    )
    code, output = build(project)
    assert code == 2
    assert "rules.html" in output and "no_such_thing" in output
    assert "Traceback" not in output
    assert not (project / "site").exists()


def test_template_syntax_error_names_file_and_line(project: Path) -> None:
    (project / "templates" / "index.html").write_text("line one\n{% if %}\n", encoding="utf-8")
    code, output = build(project)
    assert code == 2
    assert "index.html:2" in output


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ no_such_thing }}", "template error: 'no_such_thing' is undefined"),
        ("{{ 1 / 0 }}", "template error: ZeroDivisionError: division by zero"),
    ],
)
def test_a_failure_in_an_overridden_base_names_that_file_and_line(
    project: Path, body: str, message: str
) -> None:
    """Every page extends base.html: the error is in base.html, not in the page being drawn."""
    (project / "templates" / "base.html").write_text(
        '{% extends "!theme/base.html" %}\n{% block footer %}\n' + body + "{% endblock %}\n",
        encoding="utf-8",
    )
    code, output = build(project)
    assert code == 2
    assert f"templates/base.html:3: {message}" in output, output
    assert "Traceback" not in output and "internal error" not in output


def test_environment_autoescapes_and_is_strict() -> None:
    import jinja2

    env = make_environment()
    template = env.from_string("{{ x }}")
    assert template.render(x="<b>{{ 7*7 }}</b>") == "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12000, "12,000"),
        (1234567.891, "1,234,567.89"),
        (0.5, "0.5"),
        (-300, "−300"),
        (None, "—"),
        (2.0, "2"),
        (-0.001, "−0.001"),  # a small figure is not shown as 0
        (-0.00001, "−1e-5"),
    ],
)
def test_number(value: float | None, expected: str) -> None:
    assert format_number(value) == expected


def test_other_filters() -> None:
    assert format_signed(1800) == "+1,800"
    assert format_signed(-2.5) == "−2.5"
    assert format_signed(0) == "0"
    assert format_quantity(41, "%") == "41%"
    assert format_quantity(1200, "followers") == "1,200 followers"
    assert format_currency(40000, "EUR") == "€40,000"
    assert format_currency(1500, "CHF") == "CHF\u00a01,500"
    assert format_currency(-5, "USD") == "−$5"
    assert format_percent(0.655) == "66%"
    assert format_percent(-0.24) == "−24%"
    assert format_percent(1.1) == "110%"
    assert format_percent(None) == "—"
    assert format_date(dt.date(2027, 6, 30)) == "30 June 2027"
    assert format_date(dt.date(2027, 6, 30), "short") == "30 Jun 2027"
    assert format_date("2027-06-30", "iso") == "2027-06-30"
