"""Property-based tests (Hypothesis): no plan, however broken, crashes lint or build.

Generated inputs: a valid plan's front-matter, mutated (values of the wrong type, missing and
unknown keys, huge and non-finite numbers, unicode, deep nesting), raw YAML-ish text, raw
bytes, and measurement CSV files. Properties:

- `lint` and `build` never raise and never print a traceback or an "internal error"; they
  end with exit 0 or 1 (2 only for a usage refusal, which these inputs never cause);
- every finding names a file of the project, with a line >= 1, and takes exactly one line of
  the text report (a key or value holding a line break cannot forge another finding);
- the reading stages (`read_document`, `resolve_inside`, the CSV parser) never raise.

`make test` runs the `ci` profile (a few examples each, seconds); `make fuzz` runs the
`long` profile (tests/conftest.py) on everything marked `fuzz`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import guards
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, note
from hypothesis import strategies as st

from smartdoc.cli import main

pytestmark = pytest.mark.fuzz

TODAY = "2027-04-01"
PLAN_REL = "plans/fuzzed.md"

BASE_PLAN: dict[str, Any] = {
    "title": "Brand plan 2027",
    "owner": "Ana",
    "period": {"start": dt.date(2027, 1, 1), "end": dt.date(2027, 12, 31)},
    "strategy": {"brand": "Be known"},
    "budget": {"total": 12000, "currency": "EUR"},
    "goals": [
        {
            "id": "subs",
            "title": "Grow newsletter subscribers from 3,000 to 4,500 by 31 December 2027",
            "kind": "quantitative",
            "serves": "brand",
            "owner": "Ana",
            "budget": 1000,
            "metric": "Newsletter subscribers",
            "unit": "subscribers",
            "source": "Export",
            "frequency": "monthly",
            "direction": "increase",
            "deadline": dt.date(2027, 12, 31),
            "baseline": {"date": dt.date(2026, 12, 31), "value": 3000},
            "target": 4500,
            "interim": [{"date": dt.date(2027, 6, 30), "value": 3800}],
            "measurements": [{"date": dt.date(2027, 3, 1), "value": 3300}],
            "final": {"date": dt.date(2027, 12, 31), "value": 4400},
            "weight": 2,
        },
        {
            "id": "sentiment",
            "title": "Raise positive mentions from 41% to 55% by December 2027",
            "kind": "qualitative",
            "serves": "brand",
            "objective": "Be seen as fresh",
            "indicator": "Share of positive mentions",
            "method": "Social listening",
            "unit": "%",
            "direction": "range",
            "deadline": dt.date(2027, 12, 15),
            "baseline": {"date": dt.date(2026, 12, 1), "value": 41},
            "target": {"min": 50, "max": 60},
            "measurements": "data/sentiment.csv",
        },
    ],
}

# --- strategies ---------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2**63, -(2**63) - 1, 10**30]),
)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "TBD",
            "84%",
            "N0",
            "yes",
            "no",
            "on",
            "off",
            "~",
            "null",
            "2021-04-31",
            "2027-02-29",
            "9999-12-31",
            "0000-01-01",
            "../../etc/passwd",
            "/etc/passwd",
            "data/%2e%2e/x.csv",
            "{{ 7*7 }}",
            "<script>x</script>",
            "\u202e\u0000\ud7ff",
            "é" * 30,
            "increase",
            "range",
            "quantitative",
        ]
    ),
)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    texts,
    dates,
    st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(texts, st.sampled_from(["date", "value", "min", "max"])), children, max_size=4
        ),
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every node of a nested value."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _apply(plan: Any, path: tuple[Any, ...], action: str, new: Any) -> Any:
    """Return `plan` with the node at `path` replaced, deleted or given an extra key."""
    if not path:
        return new if action == "replace" else plan
    parent = plan
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = new
    elif action == "delete":
        del parent[last]
    elif action == "extra" and isinstance(parent[last], dict):
        parent[last][f"basline{len(parent[last])}"] = new
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(parent[last])
    return plan


@st.composite
def mutated_plans(draw: st.DrawFn) -> Any:
    """A valid plan with up to five mutations anywhere in it."""
    plan = json.loads(json.dumps(BASE_PLAN, default=str))  # a deep copy, dates as text
    plan = yaml.safe_load(yaml.safe_dump(plan))  # dates back to dates
    for _ in range(draw(st.integers(0, 5))):
        paths = _paths(plan)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "extra", "duplicate"]))
        if action == "delete" and not path:
            continue
        plan = _apply(plan, path, action, draw(values))
    return plan


def dump(front_matter: Any) -> str:
    """Return YAML text for any generated value (unrepresentable floats as plain scalars)."""
    try:
        return yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False, width=1000)
    except (yaml.YAMLError, ValueError, OverflowError):
        return repr(front_matter) + "\n"


yaml_texts = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            [
                "title: x\n",
                "goals:\n",
                "  - id: a\n",
                "    target: ",
                "[",
                "]",
                "{",
                "}",
                "&a ",
                "*a ",
                "<<: ",
                "!!python/object:os.system ",
                "? ",
                "- ",
                ": ",
                "'",
                '"',
                "|\n",
                "  ",
                "\n",
                "\t",
                "#",
                "---\n",
                "1e9999",
                ".nan",
                "-.inf",
                "0x1F",
                "0o7",
                "1_000",
                "2027-02-30",
                "\ufeff",
                "\x85",
                "\u2028",
                "%YAML 1.1\n",
                "!!binary AAAA ",
            ]
        ),
        max_size=60,
    ).map("".join),
    st.integers(1, 300).map(lambda depth: "title: " + "[" * depth + "]" * depth + "\n"),
    st.integers(1, 200).map(
        lambda depth: "owner:\n" + "".join(" " * level + "- \n" for level in range(1, depth))
    ),
)
csv_cells = st.one_of(
    st.sampled_from(
        [
            "2027-01-01",
            "2027-02-30",
            "2027-13-01",
            "27-1-1",
            "",
            "abc",
            "1e400",
            "nan",
            "-inf",
            "1,5",
            "12 000",
            '"',
            '""',
            '"x',
            "\r",
            "\n",
            "é",
            "x" * 200,
        ]
    ),
    st.text(max_size=12),
    numbers.map(str),
)
csv_texts = st.one_of(
    st.lists(st.lists(csv_cells, min_size=0, max_size=4).map(",".join), max_size=12).map(
        lambda rows: "date,value,note\n" + "\n".join(rows) + "\n"
    ),
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)

# --- running ------------------------------------------------------------------------------


def make_project(
    folder: Path, plan_text: str, csv_text: str | None = None, raw: bytes | None = None
) -> Path:
    (folder / "plans" / "data").mkdir(parents=True)
    (folder / "smartdoc.yml").write_text("site_name: Fuzz\n", encoding="utf-8")
    (folder / "plans" / "data" / "sentiment.csv").write_text(
        csv_text if csv_text is not None else "date,value\n2027-02-01,45\n",
        encoding="utf-8",
        errors="surrogatepass",
    )
    target = folder / "plans" / "fuzzed.md"
    if raw is not None:
        target.write_bytes(raw)
    else:
        target.write_bytes(plan_text.encode("utf-8", errors="surrogatepass"))
    return folder


def run_cli(args: list[str]) -> Any:
    with guards.time_limit(60):
        result = CliRunner().invoke(main, args)
    output = result.output
    note(output[-3000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        output,
    )
    assert "Traceback" not in output
    assert "internal error" not in output, output
    return result


def check_project(project: Path, *, build: bool = True) -> None:
    """Lint (json) and build the project; assert the properties of the module docstring."""
    config = ["-c", str(project / "smartdoc.yml"), "--today", TODAY]
    result = run_cli(["lint", "-f", "json", *config])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    for finding in report["findings"]:
        assert finding["file"] and not finding["file"].startswith("/"), finding
        assert (project / finding["file"]).exists() or (project / finding["file"]).is_symlink()
        assert finding["line"] >= 1 and finding["column"] >= 1, finding
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert (result.exit_code == 1) == bool(errors), report["summary"]
    # in the text report each finding is one line, whatever the plan's keys and values hold
    concise = run_cli(["lint", "-f", "concise", "--no-color", *config]).stdout.splitlines()
    lines = [line for line in concise if line and not line.startswith("Found ")]
    assert len(lines) == len(report["findings"]), concise
    for line in lines:
        assert line.startswith(f"{PLAN_REL}:") or line.startswith("plans/data/"), line
    if not build:
        return
    result = run_cli(["build", "--no-pdf", *config])
    assert result.exit_code in (0, 1), result.output
    site = project / "site"
    if result.exit_code == 0:
        assert (site / "index.html").is_file() and (site / "plans.json").is_file()
        json.loads((site / "plans.json").read_text(encoding="utf-8"))
    else:
        assert not site.exists()
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def front(text: str, body: str = "# Why\n\nBecause.\n") -> str:
    return f"---\n{text}---\n{body}"


@given(plan=mutated_plans())
def test_mutated_front_matter_never_crashes(plan: Any) -> None:
    text = dump(plan)
    note(text)
    with tempfile.TemporaryDirectory() as tmp:
        check_project(make_project(Path(tmp), front(text)))


@given(text=yaml_texts)
def test_random_yaml_never_crashes(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_project(make_project(Path(tmp), front(text)))


@given(csv_text=csv_texts)
def test_random_csv_never_crashes(csv_text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_project(make_project(Path(tmp), front(dump(BASE_PLAN)), csv_text=csv_text))


@given(raw=st.binary(max_size=400), prefix=st.sampled_from([b"", b"---\n", b"\xef\xbb\xbf---\r\n"]))
def test_random_bytes_never_crash(raw: bytes, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_project(make_project(Path(tmp), "", raw=prefix + raw), build=False)


@given(
    body=st.text(max_size=400),
    links=st.lists(
        st.sampled_from(
            [
                "[a](javascript:x)",
                "![b](../../../etc/passwd)",
                "![c](file:///etc/hostname)",
                "[d](other.md#x)",
                "![e](data:image/png;base64,AAAA)",
                "<script>x</script>",
                "[f]:",
                "![g](%2e%2e/%2e%2e/x.png)",
                "[^1]\n\n[^1]: note",
                "# H\n###### h6\n",
                "| a |\n|---|\n| b |",
                "![h](/dev/zero)",
                "![i](.)",
                "![j]()",
                "<img src=x onerror=y>",
            ]
        ),
        max_size=6,
    ),
)
def test_random_narrative_never_crashes_or_leaks(body: str, links: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), front(dump(BASE_PLAN), body + "\n" + "\n".join(links)))
        with guards.recording_reads() as records:
            check_project(project)
        outside = guards.outside(records, guards.allowed_roots(project))
        assert outside == [], outside
        for page in (project / "site").rglob("*.html"):
            html = page.read_text(encoding="utf-8").lower()
            assert "<script" not in html and "javascript:" not in html.replace("&", "")


# --- the reading stages alone (cheap: many examples) ---------------------------------------


@given(raw=st.binary(max_size=2000))
def test_read_document_never_raises(raw: bytes) -> None:
    from smartdoc.source import read_document

    document = read_document(b"---\n" + raw, "plans/x.md")
    for problem in document.problems:
        assert problem.location.line >= 1 and problem.location.column >= 1


@given(value=st.one_of(texts, st.text(max_size=80)))
def test_resolve_inside_never_escapes(value: str) -> None:
    from smartdoc.load import resolve_inside

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        (root / "plans").mkdir(parents=True)
        resolved, why = resolve_inside(value, root / "plans", root)
        assert (resolved is None) == bool(why)
        if resolved is not None:
            assert resolved.is_relative_to(root.resolve())


@given(text=csv_texts)
def test_csv_parser_never_raises(text: str) -> None:
    from smartdoc.load import LoadedPlan
    from smartdoc.measurements import parse_csv_rows
    from smartdoc.source import Marks

    loaded = LoadedPlan("plans/x.md", "x", None, Marks(), [], "", 1, {})
    rows = parse_csv_rows(text, "plans/data/x.csv", ("measurements",), loaded, with_goal=False)
    for location, row in rows or []:
        assert location.line >= 2
        assert isinstance(row["date"], dt.date)
        assert math.isfinite(row["value"])
    for problem in loaded.problems:
        # a file without a measurements header is reported at the plan, never quoted
        assert problem.location.file in ("plans/data/x.csv", "plans/x.md")
        assert problem.location.line >= 1
