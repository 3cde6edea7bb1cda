"""The loader at its limits (smartdoc/source.py, smartdoc/load.py): at, one under, one over.

| limit | accepted | refused (E102) |
|---|---|---|
| front-matter size | 1,048,576 bytes (1 MiB) | 1,048,577 bytes |
| nesting below the top mapping, block or flow (`[` or `{`) | 64 levels | 65 levels |
| indentation before a line's content | 400 columns | 401 columns |
| goals per plan | 500 | 501 |
| check-ins (or interim targets) per goal | 5,000 | 5,001 |

Then the odd inputs: a merge key `<<:` without an alias, a bare `\\r` (old Mac) file, and the
scalars the fast paths hand to PyYAML's constructor (`+50.5`, `0x10`, timestamps).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smartdoc import load, source
from smartdoc.load import load_plan
from smartdoc.source import load_yaml, read_document

MIB = 1024 * 1024


def problems_of(text: str) -> list[tuple[str, int, int]]:
    """Return (code, line, column) of every problem loading front-matter `text` (from line 2)."""
    _, _, problems = load_yaml(text, 2, "plans/p.md")
    return [(p.code, p.location.line, p.location.column) for p in problems]


def test_the_limits_are_the_documented_numbers() -> None:
    assert source.MAX_FRONT_MATTER_BYTES == 1_048_576
    assert source.MAX_DEPTH == 64
    assert source.MAX_INDENT == 400
    assert load.MAX_GOALS_PER_PLAN == 500
    assert load.MAX_CHECKINS_PER_GOAL == 5000


# --- size ---------------------------------------------------------------------------------


def front_matter_of_size(size: int, filler: str = "x") -> str:
    """Return `notes: <filler...>` plus a newline, exactly `size` bytes of UTF-8."""
    head = "notes: "
    width = len(filler.encode("utf-8"))
    count, rest = divmod(size - len(head) - 1, width)
    assert rest == 0, "the filler must divide the size"
    return head + filler * count + "\n"


@pytest.mark.parametrize(
    ("size", "refused"),
    [
        (1_048_575, False),  # one under
        (1_048_576, False),  # exactly 1 MiB
        (1_048_577, True),  # one over
    ],
)
def test_front_matter_size_edges(size: int, refused: bool) -> None:
    text = front_matter_of_size(size)
    assert len(text.encode("utf-8")) == size
    problem = source.check_limits(text, 2, "plans/p.md")
    if refused:
        assert problem is not None and (problem.code, problem.location.line) == ("E102", 2)
        assert problem.message == (f"front-matter is {size:,} bytes, over the limit of 1,024 KiB")
    else:
        assert problem is None
        value, _, problems = load_yaml(text, 2, "plans/p.md")
        assert problems == [] and len(value["notes"]) == size - len("notes: \n")


def test_front_matter_size_counts_bytes_not_characters() -> None:
    # 2-byte characters: 1,048,578 bytes but only 524,293 characters
    text = front_matter_of_size(1_048_578, "é")
    assert len(text) < MIB < len(text.encode("utf-8"))
    problem = source.check_limits(text, 2, "plans/p.md")
    assert problem is not None and "1,048,578 bytes" in problem.message


# --- nesting ------------------------------------------------------------------------------


def block_mappings(levels: int) -> str:
    """Return `levels` block mappings nested below the top one, 2 columns each."""
    return "".join("  " * i + "a:\n" for i in range(levels)) + "  " * levels + "x: 1\n"


@pytest.mark.parametrize(
    ("levels", "found"),
    [
        (63, []),
        (64, []),  # at the limit
        # one over: reported at the innermost mapping, `x: 1` on line 2 + 65, column 131
        (65, [("E102", 67, 131)]),
        # the nesting counter must count: 99 block levels pass the flow and indent checks
        (99, [("E102", 67, 131)]),
    ],
)
def test_block_nesting_edges(levels: int, found: list[tuple[str, int, int]]) -> None:
    assert problems_of(block_mappings(levels)) == found


@pytest.mark.parametrize(
    ("levels", "found"),
    [
        (63, []),
        (64, []),
        (65, [("E102", 67, 131)]),  # the 65th level is a list: its `-` at column 131
    ],
)
def test_block_nesting_counts_lists_too(levels: int, found: list[tuple[str, int, int]]) -> None:
    text = "".join("  " * i + "a:\n" for i in range(levels - 1)) + "  " * (levels - 1)
    text += "a:\n" + "  " * levels + "- x\n"
    assert problems_of(text) == found


def test_block_and_flow_nesting_add_up() -> None:
    # 60 block levels + 5 flow levels = 65: only the loader's own counter can see it
    block = "".join("  " * i + "a:\n" for i in range(60)) + "  " * 60
    assert problems_of(block + "x: [[[[[1]]]]]\n") == [("E102", 62, 128)]  # the 5th `[`
    assert problems_of(block + "x: [[[[1]]]]\n") == []  # 60 + 4 = 64


@pytest.mark.parametrize(
    ("opener", "closer", "levels", "found"),
    [
        ("[", "]", 63, []),
        ("[", "]", 64, []),
        ("[", "]", 65, [("E102", 2, 68)]),  # at the 65th `[`: column 3 + 65
        ("{a: ", "}", 63, []),  # `{`-only nesting
        ("{a: ", "}", 64, []),
        ("{a: ", "}", 65, [("E102", 2, 260)]),  # at the 65th `{`: column 4 + 64 x 4
    ],
)
def test_flow_nesting_edges(
    opener: str, closer: str, levels: int, found: list[tuple[str, int, int]]
) -> None:
    text = "x: " + opener * levels + "1" + closer * levels + "\n"
    assert problems_of(text) == found


def test_flow_nesting_message_names_the_limit() -> None:
    _, _, problems = load_yaml("x: " + "{a: " * 65 + "1" + "}" * 65 + "\n", 2, "plans/p.md")
    assert [p.message for p in problems] == ["front-matter is nested more than 64 levels deep"]


def test_closed_brackets_do_not_add_up() -> None:
    # 100 sibling lists, each one level deep: many brackets, no depth
    text = "x: [" + ", ".join("[1]" for _ in range(100)) + "]\n"
    assert problems_of(text) == []


@pytest.mark.parametrize(
    ("indent", "refused"),
    [
        (399, False),
        (400, False),  # at the limit
        (401, True),  # one over
    ],
)
def test_indentation_edges(indent: int, refused: bool) -> None:
    text = "notes: |\n" + " " * indent + "text\n"
    value, _, problems = load_yaml(text, 2, "plans/p.md")
    if refused:
        assert [(p.code, p.location.line, p.location.column) for p in problems] == [("E102", 3, 1)]
        assert problems[0].message == "front-matter is nested more than 400 columns deep"
    else:
        assert problems == [] and value == {"notes": "text\n"}


# --- goal and check-in counts ---------------------------------------------------------------


def write(tmp_path: Path, front_matter: str) -> Path:
    plans = tmp_path / "plans"
    plans.mkdir(exist_ok=True)
    file = plans / "p.md"
    file.write_text(f"---\n{front_matter}---\n", encoding="utf-8")
    return file


def e102(tmp_path: Path, front_matter: str) -> list[str]:
    file = write(tmp_path, front_matter)
    loaded = load_plan(file, tmp_path, tmp_path / "plans")
    return [p.message for p in loaded.problems if p.code == "E102"]


@pytest.mark.parametrize(("count", "refused"), [(499, False), (500, False), (501, True)])
def test_goal_count_edges(tmp_path: Path, count: int, refused: bool) -> None:
    goals = "".join(f"  - {{id: g{i}}}\n" for i in range(count))
    found = e102(tmp_path, "title: Many\ngoals:\n" + goals)
    if refused:
        assert found == [
            f"plan has {count:,} goals, over the limit of 500; split it into several plans"
        ]
    else:
        assert found == []


@pytest.mark.parametrize(
    ("key", "count", "refused"),
    [
        ("measurements", 4999, False),
        ("measurements", 5000, False),
        ("measurements", 5001, True),
        ("interim", 5000, False),
        ("interim", 5001, True),
    ],
)
def test_checkin_count_edges(tmp_path: Path, key: str, count: int, refused: bool) -> None:
    start = dt.date(2000, 1, 1)
    rows = ", ".join(
        f"{{date: {(start + dt.timedelta(days=i)).isoformat()}, value: {i}}}" for i in range(count)
    )
    found = e102(tmp_path, f"title: Many\ngoals:\n  - id: g\n    {key}: [{rows}]\n")
    if refused:
        assert found == [
            f"goals[0].{key} has {count:,} entries, over the limit of 5,000 per goal; "
            "split the data"
        ]
    else:
        assert found == []


# --- merge keys, line endings -------------------------------------------------------------


def test_merge_key_without_an_alias_is_a_merge_key_not_an_unknown_key(tmp_path: Path) -> None:
    file = write(tmp_path, "title: Merge\n<<: {owner: Maria}\ngoals: []\n")
    loaded = load_plan(file, tmp_path, tmp_path / "plans")
    assert [(p.code, p.location.line, p.location.column, p.message) for p in loaded.problems] == [
        ("E103", 3, 1, "YAML merge key '<<' is not allowed in a plan; write the keys out")
    ]


def test_merge_key_nested_in_a_goal(tmp_path: Path) -> None:
    file = write(tmp_path, "title: Merge\ngoals:\n  - id: g\n    <<: {unit: EUR}\n")
    loaded = load_plan(file, tmp_path, tmp_path / "plans")
    assert [(p.code, p.location.line, p.location.column) for p in loaded.problems] == [
        ("E103", 5, 5)
    ]


def test_a_quoted_double_angle_key_is_only_a_key() -> None:
    value, _, problems = load_yaml('"<<": x\n', 2, "plans/p.md")
    assert (value, problems) == ({"<<": "x"}, [])


PLAN_LF = "---\ntitle: Old Mac\nowner: [Maria\n---\n# Heading\n\nText.\n"


@pytest.mark.parametrize(
    "newline",
    [
        "\r",  # old Mac
        "\r\n",  # Windows
    ],
)
def test_line_endings_give_the_lf_findings_and_body(newline: str) -> None:
    want = read_document(PLAN_LF.encode(), "plans/p.md")
    got = read_document(PLAN_LF.replace("\n", newline).encode(), "plans/p.md")
    assert [(p.code, p.location.line, p.location.column) for p in got.problems] == [
        (p.code, p.location.line, p.location.column) for p in want.problems
    ]
    assert [p.code for p in got.problems] == ["E104"]
    assert (got.body, got.body_line) == (want.body, want.body_line) == ("# Heading\n\nText.\n", 5)


def test_a_bare_cr_file_loads_its_front_matter(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    file = plans / "mac.md"
    text = "---\rtitle: Old Mac\rgoals:\r  - id: g  # smartdoc: ignore[M104]\r---\rBody\r"
    file.write_bytes(text.encode())
    loaded = load_plan(file, tmp_path, plans)
    assert loaded.problems == []
    assert loaded.plan is not None and loaded.plan.title == "Old Mac"
    assert [g.id for g in loaded.plan.goals] == ["g"]
    assert loaded.suppressions == {4: ("M104",)}
    assert (loaded.body, loaded.body_line) == ("Body\n", 6)


def test_mixed_line_endings_count_one_line_each() -> None:
    document = read_document(b"---\r\ntitle: a\rowner: [b\n---\n", "plans/p.md")
    assert [(p.code, p.location.line) for p in document.problems] == [("E104", 4)]


# --- number and date fallbacks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),  # the fast path
        ("0", 0),
        ("+12", 12),  # the constructor's path from here on
        ("-12", -12),
        ("0x10", 16),
        ("1_000", 1000),
        ("1:30", 90),  # YAML 1.1 base 60
        ("50.5", 50.5),  # the fast path
        ("-50.5", -50.5),
        ("+50.5", 50.5),
        (".5", 0.5),
        ("1_000.5", 1000.5),
        ("1.5e+3", 1500.0),
        ("12.5E-1", 1.25),
    ],
)
def test_numbers_keep_their_value_and_type(text: str, value: float) -> None:
    loaded, _, problems = load_yaml(f"v: {text}\n", 2, "plans/p.md")
    assert problems == []
    assert loaded["v"] == value and type(loaded["v"]) is type(value)


@pytest.mark.parametrize(("text", "sign"), [(".inf", 1), ("-.inf", -1), ("+.inf", 1)])
def test_infinities_come_through_for_the_model_to_refuse(text: str, sign: int) -> None:
    loaded, _, problems = load_yaml(f"v: {text}\n", 2, "plans/p.md")
    assert problems == [] and loaded["v"] == sign * math.inf


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2027-01-05", dt.date(2027, 1, 5)),  # the fast path
        ("2028-02-29", dt.date(2028, 2, 29)),
        ("2027-01-05T10:30:00", dt.datetime(2027, 1, 5, 10, 30)),  # the constructor's path
        ("2027-01-05 10:30:00Z", dt.datetime(2027, 1, 5, 10, 30, tzinfo=dt.timezone.utc)),
        (
            "2027-01-05t10:30:00.5+02:00",
            dt.datetime(2027, 1, 5, 10, 30, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
    ],
)
def test_dates_and_timestamps_keep_their_value(text: str, value: Any) -> None:
    loaded, _, problems = load_yaml(f"v: {text}\n", 2, "plans/p.md")
    assert problems == []
    assert loaded["v"] == value and type(loaded["v"]) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-02-29", "invalid date '2027-02-29': February 2027 has 28 days"),
        ("2027-02-30", "invalid date '2027-02-30': February 2027 has 28 days"),
        ("0000-01-01", "invalid date '0000-01-01': the year must be 0001 or later"),
        ("2027-13-01T00:00:00", "invalid date '2027-13-01T00:00:00': month must be in 1..12"),
    ],
)
def test_impossible_dates_are_one_e109_at_the_value(text: str, message: str) -> None:
    loaded, _, problems = load_yaml(f"v: {text}\n", 2, "plans/p.md")
    assert loaded == {"v": None}
    assert [(p.code, p.location.line, p.location.column, p.message) for p in problems] == [
        ("E109", 2, 4, message)
    ]


def test_a_timestamp_where_a_date_belongs_is_one_clear_error(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "title: T\ngoals:\n  - id: g\n    baseline: {date: 2027-01-05T10:30:00, value: +50.5}\n",
    )
    loaded = load_plan(file, tmp_path, tmp_path / "plans")
    assert [(p.code, p.location.line) for p in loaded.problems] == [("E111", 5)]
    assert "goals[0].baseline.date" in loaded.problems[0].message


# --- marks and the front-matter split -----------------------------------------------------


def marks() -> source.Marks:
    """Return marks of `goals:` (line 3) holding one goal (line 4) with a CSV row elsewhere."""
    found = source.Marks("plans/p.md")
    found.values.update({(): (2, 1), ("goals",): (4, 3), ("goals", 0): (4, 5)})
    found.keys.update({("goals",): (3, 1)})
    found.values[("goals", 0, "measurements", 0)] = source.Location("plans/data/x.csv", 2, 1)
    return found


@pytest.mark.parametrize(
    ("path", "prefer_key", "where"),
    [
        (("goals",), True, ("plans/p.md", 3, 1)),  # the key `goals:`
        (("goals",), False, ("plans/p.md", 4, 3)),  # its value
        (("goals", 0), True, ("plans/p.md", 4, 5)),  # no key: the value
        (("goals", 0, "target"), True, ("plans/p.md", 4, 5)),  # unknown: one level up
        (("goals", 0, "target", "min"), False, ("plans/p.md", 4, 5)),  # two levels up
        (("goals", 0, "measurements", 0), True, ("plans/data/x.csv", 2, 1)),  # another file
        (("title",), True, ("plans/p.md", 2, 1)),  # unknown at the top: the document
    ],
)
def test_marks_walk_up_to_the_nearest_known_node(
    path: source.NodePath, prefer_key: bool, where: tuple[str, int, int]
) -> None:
    found = marks().of(path, prefer_key=prefer_key)
    assert found is not None and (found.file, found.line, found.column) == where
    if not prefer_key:
        assert marks().value_of(path) == found


def test_marks_of_an_empty_document_know_nothing() -> None:
    assert source.Marks("plans/p.md").of(("goals", 0)) is None


def test_line_of_is_exact() -> None:
    assert marks().line_of(("goals", 0)) == 4
    assert marks().line_of(("goals", 0, "measurements", 0)) == 2  # the CSV row's line
    assert marks().line_of(("goals", 0, "target")) is None  # no walking up here


@pytest.mark.parametrize(
    ("text", "front_matter", "body", "body_line", "problem"),
    [
        ("---\ntitle: a\n---\nBody\n", "title: a\n", "Body\n", 4, None),
        ("--- \ntitle: a\n...\nBody", "title: a\n", "Body", 4, None),  # `...` closes too
        ("---\n---\n", "\n", "", 3, None),  # empty front-matter
        ("title: a\n---\n", None, "title: a\n---\n", 1, "front-matter missing"),
        ("", None, "", 1, "front-matter missing"),
        ("---\ntitle: a\n", None, "", 4, "front-matter not closed"),
    ],
)
def test_split_front_matter_and_body(
    text: str, front_matter: str | None, body: str, body_line: int, problem: str | None
) -> None:
    got, first_line, got_body, got_body_line, problems = source.split(text, "plans/p.md")
    assert (got, first_line, got_body, got_body_line) == (front_matter, 2, body, body_line)
    assert [p.message.split(":")[0] for p in problems] == ([problem] if problem else [])
    assert all((p.code, p.location.line, p.location.column) == ("E101", 1, 1) for p in problems)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("title: a\n", {}),
        ("a: 1  # smartdoc: ignore[M104]\n", {1: ("M104",)}),
        ("x\ny  #smartdoc:ignore[m104, a102 ,]\n", {2: ("M104", "A102")}),
        ("# smartdoc: ignore[S101]\n\n# smartdoc: ignore[T103]\n", {1: ("S101",), 3: ("T103",)}),
        ("a  # smartdoc: see the docs\n", {}),  # `smartdoc:` but no ignore[...]
    ],
)
def test_read_suppressions(text: str, found: dict[int, tuple[str, ...]]) -> None:
    assert source.read_suppressions(text) == found


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xef\xbb\xbf---\n", "---\n"),  # the BOM is dropped
        (b"a\r\nb\rc\n", "a\nb\nc\n"),
        ("café\n".encode(), "café\n"),
    ],
)
def test_decode(raw: bytes, text: str) -> None:
    assert source.decode(raw, "plans/p.md") == (text, [])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # 64 levels plus a sibling list: more than 64 brackets, none deeper than 64
        ("x: [[0], " + "[" * 63 + "1" + "]" * 64 + "\n", []),
        # a closed list before a 65-level one: closing counts one level back, not two
        ("x: [[0], " + "[" * 64 + "1" + "]" * 65 + "\n", [("E102", 2, 73)]),
        # 70 levels: reported at the 65th `[` (column 3 + 65), not at the deepest
        ("x: " + "[" * 70 + "]" * 70 + "\n", [("E102", 2, 68)]),
        # on a later line: line and column of that line
        ("\ntitle: t\nx: " + "[" * 65 + "]" * 65 + "\n", [("E102", 4, 68)]),
    ],
)
def test_flow_nesting_positions(text: str, found: list[tuple[str, int, int]]) -> None:
    assert problems_of(text) == found


def test_front_matter_size_is_reported_at_its_first_line() -> None:
    problem = source.check_limits(front_matter_of_size(1_048_577), 2, "plans/p.md")
    assert problem is not None
    assert (problem.location.file, problem.location.line, problem.location.column) == (
        "plans/p.md",
        2,
        1,
    )


def test_closed_lists_before_a_deep_run_do_not_hide_it_from_the_guard() -> None:
    """40,000 closed `[0]` then 40,000 `[`: libyaml would crash were the guard to miss it.

    In a subprocess, so a segfault shows as a negative return code instead of ending pytest.
    """
    program = (
        "from smartdoc.source import load_yaml\n"
        "text = 'x: [' + '[0], ' * 40000 + '[' * 40000 + ']' * 40001 + '\\n'\n"
        "_, _, problems = load_yaml(text, 2, 'plans/p.md')\n"
        "print([(p.code, p.location.line, p.location.column) for p in problems])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # the 65th level is the 64th `[` of the run, after `x: [` and 40,000 x `[0], `
    assert done.stdout.strip() == f"[('E102', 2, {4 + 40000 * 5 + 64})]"


# --- syntax errors, keys and booleans ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "owner: [Maria\n",
            ("E104", 3, 1, "YAML syntax error: did not find expected ',' or ']' "
             "(while parsing a flow sequence at line 2, column 8); close the list with ']', "
             "or put a value holding '[' in quotes"),
        ),
        (
            "a: b: c\n",
            ("E104", 2, 5, "YAML syntax error: mapping values are not allowed in this context; "
             "a ': ' inside a value starts a new key: put the whole value in quotes "
             '(title: "Reach: 1,500 visits")'),
        ),
        # a control character: one line, at its own line and column (characters, not bytes)
        (
            "title: Café\nowner: A\x07\n",
            ("E104", 3, 9, "control character (U+0007) is not allowed in YAML; delete it "
             "(an editor may show it as a box, ^@ or nothing at all)"),
        ),
    ],
)  # fmt: skip
def test_syntax_errors_are_one_line_at_their_place(
    text: str, found: tuple[str, int, int, str]
) -> None:
    _, _, problems = load_yaml(text, 2, "plans/p.md")
    assert [(p.code, p.location.line, p.location.column, p.message) for p in problems] == [found]
    assert "\n" not in problems[0].message


def test_keys_and_values_have_their_own_columns() -> None:
    _, found, _ = load_yaml("title: t\ngoals:\n  - id: g\n    unit: x\n", 2, "plans/p.md")
    assert found.keys == {
        ("title",): (2, 1),
        ("goals",): (3, 1),
        ("goals", 0, "id"): (4, 5),
        ("goals", 0, "unit"): (5, 5),
    }
    assert found.values[("goals", 0, "unit")] == (5, 11)
    assert found.values[("goals", 0)] == (4, 5)


@pytest.mark.parametrize(
    ("text", "value", "codes"),
    [
        ("true", True, []),
        ("True", True, []),
        ("FALSE", False, []),
        ("yes", "yes", ["E107"]),  # YAML 1.1 booleans: kept as written, and reported
        ("No", "No", ["E107"]),
        ("on", "on", ["E107"]),
        ("y", "y", []),  # plain text to PyYAML already
    ],
)
def test_yaml_11_booleans(text: str, value: object, codes: list[str]) -> None:
    loaded, _, problems = load_yaml(f"draft: {text}\n", 2, "plans/p.md")
    assert loaded == {"draft": value} and type(loaded["draft"]) is type(value)
    assert [p.code for p in problems] == codes
