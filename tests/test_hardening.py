"""Hardening, round two (issue 15): attacks made of files committed to a plans repository.

Each attack runs as a user runs smartdoc: the `smartdoc` command in a subprocess, on a
project made by `smartdoc init`, and the test asserts on the exit code and the printed text
(never on internal functions), under a timeout. Conventions: docs/testing.md and the module
docstring of tests/guards.py; one clear `file:line:col: CODE message` per problem, never a
traceback or "internal error".

Complexity (item 7) is checked by counting executed Python lines (`sys.settrace`) for an
input of size n and 4n: deterministic, whatever the machine's load. A linear stage gives a
ratio near 4; the quadratic ones it replaced gave 10 to 16.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

EPOCH = "1795435200"  # 2026-11-23 12:00 UTC, as the README's tutorial
TIMEOUT = 300  # seconds; a guard against a hang, never a speed assertion
SCRIPT = Path(sys.executable).parent / "smartdoc"
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "smartdoc.cli"]
SECRET = "hunter2-do-not-print"


def env() -> dict[str, str]:
    values = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"}
    for name in ("GITHUB_ACTIONS", "SMARTDOC_DEBUG"):
        values.pop(name, None)
    return values


def smartdoc(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `smartdoc ARGS` in `project`; stdout and stderr together in `.stdout`."""
    return subprocess.run(
        [*COMMAND, *args],
        cwd=project,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    """A refusal is positioned findings, never a crash."""
    assert "Traceback" not in result.stdout, result.stdout
    assert "internal error" not in result.stdout, result.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "project"
    result = subprocess.run(
        [*COMMAND, "init", str(folder)], env=env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the `smartdoc init` project (its example plan lints clean)."""
    folder = tmp_path / "project"
    shutil.copytree(template, folder)
    return folder


def example(project: Path) -> str:
    return (project / "plans" / "example.md").read_text(encoding="utf-8")


def write_plan(project: Path, text: str, name: str = "example.md") -> Path:
    path = project / "plans" / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line of the first line of `text` holding `needle`."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


class _Ids(html.parser.HTMLParser):
    """Every id, every attribute name and every `href="#..."` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.attribute_names: set[str] = set()
        self.fragments: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attribute_names.add(name)
            if name == "id" and value is not None:
                self.ids.append(value)
            if name == "href" and value and value.startswith("#") and len(value) > 1:
                self.fragments.append(value[1:])


def parse(page: Path) -> _Ids:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


# --- item 3: a plan's file name cannot write markup ------------------------------------------


def test_a_file_name_with_markup_cannot_inject_through_footnote_ids(project: Path) -> None:
    name = 'x"><img src=x onerror=alert(1)>.md'
    text = example(project) + "\nA claim.[^1]\n\n[^1]: Where it comes from.\n"
    (project / "plans" / "example.md").unlink()
    write_plan(project, text, name)
    result = smartdoc(project, "build", "--no-pdf")
    assert result.returncode == 0, result.stdout
    [page] = (project / "site").glob("x*.html")
    parsed = parse(page)
    assert "onerror" not in parsed.attribute_names
    assert "img" not in parsed.tags
    footnotes = [f for f in parsed.fragments if f.startswith("fn")]
    assert footnotes, "the footnote links are there"
    assert all(fragment in parsed.ids for fragment in footnotes)


# --- item 10: every id on a plan page is unique ----------------------------------------------


def test_every_id_on_a_plan_page_is_unique_and_every_fragment_link_lands(project: Path) -> None:
    text = (
        example(project)
        .replace("id: newsletter-subscribers", "id: x")
        .replace("id: customer-satisfaction", "id: x-title")
    )
    narrative = """
## Goal x title

## Goal x

## Main

## Goals title

## fn-example-1

Repeated.[^1]

## Goal x title

[^1]: A note.
"""
    write_plan(project, text + narrative)
    result = smartdoc(project, "build", "--no-pdf")
    assert result.returncode == 0, result.stdout
    parsed = parse(project / "site" / "example.html")
    duplicates = sorted({i for i in parsed.ids if parsed.ids.count(i) > 1})
    assert duplicates == []
    assert sorted(set(parsed.fragments) - set(parsed.ids)) == []


def test_goal_anchors_never_make_an_id_of_another_goal_or_heading() -> None:
    from smartdoc.model import Goal
    from smartdoc.site.goal_card import GoalAnchors

    reserved = ["goal-z-title", "intro"]
    anchors = GoalAnchors(reserved)
    ids = ["x", "x-title", "x", "z", None, "y", "x_2"]
    made = [anchors.make(Goal(id=goal_id), n) for n, goal_id in enumerate(ids)]
    assert made == [
        "goal-x",
        "goal-x_title",
        "goal-x_2",
        "goal-z_2",
        "goal-5",
        "goal-y",
        "goal-x_2_2",
    ]
    # each card's ids are its anchor and `<anchor>-...`: no two cards, no heading, can meet
    for anchor in made:
        for other in [*made, *reserved]:
            assert other == anchor or not (other + "-").startswith(anchor + "-")


# --- item 7: bounded, linear work ------------------------------------------------------------


def executed_lines(action: Callable[[], object]) -> int:
    """Return how many Python lines `action` executes (every frame, this thread)."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        action()
    finally:
        sys.settrace(previous)
    return count


def growth(make_input: Callable[[int], object], run: Callable[[object], object], n: int) -> float:
    """Return lines(4n) / lines(n): about 4 for linear work, about 16 for quadratic."""
    run(make_input(n))  # warm up: imports and caches are not the work being measured
    small = executed_lines(lambda: run(make_input(n)))
    large = executed_lines(lambda: run(make_input(4 * n)))
    return large / small


def test_dropping_many_list_items_is_linear(tmp_path: Path) -> None:
    """Bad items in one long list, and in many lists: marks move in one pass (about 4;
    a pass per list, or a count of the removed items per item, gave over 10)."""
    from smartdoc.load import load_plan

    plans = tmp_path / "plans"
    plans.mkdir()

    def make(k: int) -> Path:
        # k lists losing one item each, and a list of 20k items losing one in ten
        goals = "".join(f"  - {{id: g{i}, resources: [[], ok]}}\n" for i in range(k))
        tags = ",".join(["[]", *["ok"] * 9] * (2 * k))
        path = plans / "flow.md"
        path.write_text(f"---\ntitle: Flow\ntags: [{tags}]\ngoals:\n{goals}---\n")
        return path

    def load(path: object) -> object:
        assert isinstance(path, Path)
        loaded = load_plan(path, tmp_path, plans)
        assert loaded.plan is not None and len(loaded.plan.goals) > 0
        return loaded

    assert growth(make, load, 25) < 6


def test_heading_ids_of_repeated_headings_are_linear() -> None:
    from smartdoc.site.markdown import make_renderer, render

    renderer = make_renderer()

    def run(text: object) -> object:
        assert isinstance(text, str)
        result = render(renderer, text, doc_id="plan")
        assert result.headings[-1].id == f"a-{len(result.headings) - 1}"
        return result

    assert growth(lambda n: "# A\n\n" * n, run, 400) < 6


def test_front_matter_of_340000_bad_flow_items_lints(project: Path) -> None:
    items = ",".join(["[]"] * 340_000)
    path = write_plan(project, f"---\ntitle: Flow\ntags: [{items}]\n---\n", "flow.md")
    assert path.stat().st_size < 1024 * 1024
    result = smartdoc(project, "lint", "--format", "concise", "plans/flow.md")
    assert result.returncode == 1
    assert_clean_failure(result)
    assert "plans/flow.md:3:8: E111/wrong-type [error] tags[0] must be text" in result.stdout
    assert "and 339,900 more E111 problems in this file, not shown" in result.stdout
    assert len(result.stdout.splitlines()) < 110


def test_a_narrative_of_100000_repeated_headings_builds(project: Path) -> None:
    write_plan(project, example(project) + "# A\n\n" * 100_000)
    result = smartdoc(project, "build", "--no-pdf")
    assert result.returncode == 0, result.stdout[-2000:]
    page = (project / "site" / "example.html").read_text(encoding="utf-8")
    assert 'id="a-99999"' in page


# --- item 8: out-of-range input is a positioned finding --------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("target: 3200", "target: " + "9" * 5000, "number 999999999999… (5,000 characters)"),
        ("target: 3200", "target: 1.7e+308", "number 1.7e+308 is too large"),
        ("target: 3200", "target: -1.7e+308", "number -1.7e+308 is too large"),
        ("value: 2000}", "value: 5.0e-324}", "number 5.0e-324 is too small"),
    ],
)
def test_numbers_out_of_range_are_one_finding_at_their_position(
    project: Path, old: str, new: str, message: str
) -> None:
    text = example(project).replace(old, new, 1)
    write_plan(project, text)
    for command in (["lint", "--format", "concise"], ["build", "--no-pdf"]):
        result = smartdoc(project, *command)
        assert result.returncode == 1, result.stdout
        assert_clean_failure(result)
    result = smartdoc(project, "lint", "--format", "concise")
    line = line_of(text, new[:12])
    column = text.split("\n")[line - 1].index(new.split(": ")[1][:6]) + 1
    assert f"plans/example.md:{line}:{column}: E111/wrong-type [error] {message}" in result.stdout
    assert "M101" not in result.stdout and "M102" not in result.stdout  # present, not missing


def test_a_csv_value_out_of_range_is_one_finding_on_its_row(project: Path) -> None:
    csv = project / "plans" / "data" / "customer-satisfaction.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    rows.append("2026-11-02,1.7e308,")
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = smartdoc(project, "lint", "--format", "concise")
    assert result.returncode == 1
    assert_clean_failure(result)
    expected = f"plans/data/customer-satisfaction.csv:{len(rows)}:1: E112/malformed-csv [error]"
    assert f"{expected} number 1.7e308 is too large" in result.stdout


def test_a_deadline_in_9999_lints_without_a_crash(project: Path) -> None:
    text = re.sub(r"deadline: \d{4}-12-31", "deadline: 9999-12-31", example(project), count=1)
    write_plan(project, text)
    result = smartdoc(project, "lint", "--format", "concise")
    assert_clean_failure(result)
    line = line_of(text, "deadline: 9999")
    assert f"plans/example.md:{line}:5: T102/" in result.stdout


def test_a_nul_byte_is_reported_where_it_is(project: Path) -> None:
    text = example(project).replace("owner: Alex Example\n", "owner: Alex\0Example\n", 1)
    write_plan(project, text)
    result = smartdoc(project, "lint", "--format", "concise")
    assert result.returncode == 1
    assert_clean_failure(result)
    line = line_of(text, "\0")
    assert f"plans/example.md:{line}:12: E104/yaml-syntax [error] NUL (U+0000)" in result.stdout


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("site_name: " + "[" * 100_000 + "\n", "smartdoc.yml:1:76: smartdoc.yml is nested more"),
        ("lint:\n  staleness_days: " + "9" * 5000 + "\n", "smartdoc.yml:2:19: number 9999"),
        ("a: &a [x, x]\nb: *a\n", "smartdoc.yml:2:4: YAML alias '*a' is not allowed"),
        ("site_name: x\0y\n", "smartdoc.yml:1:13: NUL (U+0000) is not allowed"),
    ],
)
def test_a_hostile_config_is_one_positioned_line(project: Path, config: str, expected: str) -> None:
    (project / "smartdoc.yml").write_text(config, encoding="utf-8")
    for command in (["lint"], ["build", "--no-pdf"]):
        result = smartdoc(project, *command)
        assert result.returncode == 2, result.stdout
        assert_clean_failure(result)
        assert f"smartdoc: error: {expected}" in result.stdout
        assert "RecursionError" not in result.stdout
        assert len(result.stdout.strip().splitlines()) == 1


# --- item 9: a file that is not measurements is never quoted ---------------------------------


@pytest.mark.parametrize(
    ("files", "value", "expected"),
    [
        ({".env": f"TOKEN={SECRET}\n"}, "../.env", "measurements must name a .csv file"),
        ({"plans/data/notes.txt": f"{SECRET}\n"}, "data/notes.txt", "must name a .csv file"),
        ({"plans/data/keys.csv": f"{SECRET},x\n1,2\n"}, "data/keys.csv", "CSV header"),
        ({"plans/data/link.csv": None}, "data/link.csv", "must name a .csv file"),
    ],
)
def test_a_file_that_is_not_measurements_is_never_quoted(
    project: Path, files: dict[str, str | None], value: str, expected: str
) -> None:
    (project / ".env").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    for rel, content in files.items():
        if content is None:  # a .csv name linking to the secret file
            (project / rel).symlink_to(project / ".env")
        else:
            (project / rel).write_text(content, encoding="utf-8")
    text = example(project).replace("data/customer-satisfaction.csv", value)
    write_plan(project, text)
    for output_format in ("full", "concise", "github", "sarif", "json"):
        result = smartdoc(project, "lint", "--format", output_format)
        assert result.returncode == 1, result.stdout
        assert_clean_failure(result)
        assert SECRET not in result.stdout
        assert "TOKEN" not in result.stdout.replace("TOKEN=", "")
        assert expected in result.stdout


# --- item 10: findings are capped -------------------------------------------------------------


def test_a_csv_of_50000_bad_rows_gives_a_bounded_report(project: Path) -> None:
    csv = project / "plans" / "data" / "customer-satisfaction.csv"
    csv.write_text("date,value\n" + "x,y\n" * 50_000, encoding="utf-8")
    result = smartdoc(project, "lint", "--format", "github")
    assert result.returncode == 1
    assert_clean_failure(result)
    lines = result.stdout.splitlines()
    annotations = [line for line in lines if "(E112)" in line]
    assert len(annotations) == 101
    assert "and 49,900 more E112 problems in this file, not shown" in annotations[-1]
    sarif = json.loads(smartdoc(project, "lint", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert len([r for r in results if r["ruleId"] == "E112"]) == 101


# --- the first hour: messages that say what to do --------------------------------------------


def test_a_tab_in_yaml_says_tab_where_and_use_spaces(project: Path) -> None:
    text = example(project).replace("    kind: quantitative", "\tkind: quantitative", 1)
    write_plan(project, text)
    result = smartdoc(project, "lint", "--format", "concise")
    assert result.returncode == 1
    line = line_of(text, "\tkind")
    assert (
        f"plans/example.md:{line}:1: E104/yaml-syntax [error] tab character: YAML indents "
        "with spaces only; use spaces instead of the tab"
    ) in result.stdout


def test_a_thousands_separator_suggests_the_plain_number(project: Path) -> None:
    text = example(project).replace("target: 3200", "target: 1,500", 1)
    write_plan(project, text)
    result = smartdoc(project, "lint", "--format", "concise")
    assert result.returncode == 1
    assert "not '1,500'; write 1500 (no thousands separator)" in result.stdout


def test_a_readme_in_plans_says_how_to_exclude_it(project: Path) -> None:
    # README.md itself is excluded by default; any other Markdown file is taken for a plan
    write_plan(project, "# About these plans\n", "ABOUT.md")
    result = smartdoc(project, "lint", "--format", "concise")
    assert result.returncode == 1
    assert (
        "plans/ABOUT.md:1:1: E101/front-matter-missing [error] front-matter missing: a plan "
        "starts with a line '---', YAML, then '---'; if this file is not a plan, add it to "
        "`exclude` in smartdoc.yml"
    ) in result.stdout


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("site_name: x\nlnit:\n  select: [ALL]\n", "2:1: unknown key 'lnit'; did you mean 'lint'?"),
        ("lint:\n  selct: [S]\n", "2:3: unknown key 'lint.selct'; did you mean 'lint.select'?"),
        (
            "lint:\n  per_file_ignore: {}\n",
            "2:3: unknown key 'lint.per_file_ignore'; did you mean 'lint.per-file-ignores'?",
        ),
        ("pdf:\n  page_size: A5\n", "2:14: pdf.page_size: Input should be 'A4' or 'Letter'"),
        ("root: /etc\n", "1:1: unknown key 'root'"),
    ],
)
def test_a_config_typo_has_a_position_and_a_suggestion(
    project: Path, config: str, expected: str
) -> None:
    (project / "smartdoc.yml").write_text(config, encoding="utf-8")
    result = smartdoc(project, "lint")
    assert result.returncode == 2
    assert result.stdout.strip() == f"smartdoc: error: smartdoc.yml:{expected}"


# --- serve: a client that hangs up ------------------------------------------------------------

_DISCONNECT = textwrap.dedent(
    """
    import socket, struct, threading, time
    from smartdoc.serve_http import DevServer, SiteState, Snapshot

    state = SiteState()
    state.publish(Snapshot(build=1, files={"big.pdf": b"%" * (16 * 1024 * 1024)}))
    server = DevServer("127.0.0.1", 0, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for _ in range(3):
        client = socket.create_connection(("127.0.0.1", server.port))
        host = f"127.0.0.1:{server.port}"
        client.sendall(f"GET /big.pdf HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n".encode())
        client.recv(64)
        # close with a reset while the 16 MiB answer is still being written
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(
        "process_request" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.05)
    server.shutdown()
    server.server_close()
    print("done")
    """
)


def test_serve_is_quiet_when_a_client_hangs_up() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _DISCONNECT],
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    assert result.stderr == ""
