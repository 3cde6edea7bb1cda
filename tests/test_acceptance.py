"""The hostile-input table of docs/testing.md, one test per row: faults, reproducibility (issue 7).

Conventions (docs/testing.md): findings are `<path>:<line>[:<col>]: <CODE> <message>`,
exit 1 for content, 2 for usage; "nothing lost" is `guards.tree_hash` (sorted paths + sha256,
and no temporary build folder beside the output) before and after; "nothing read outside" is
the audit hook of `guards.recording_reads` checked against `guards.allowed_roots`; the
`loopback` fixture (conftest.py) is an HTTP server that must receive nothing; every
in-process build runs under `guards.time_limit`, every subprocess under `timeout=`.

Rows already covered in depth elsewhere are asserted here in full again at the level of the
row's "Then", reusing those files' helpers: test_malformed.py (rows 1-4, 12, 13),
test_site_security.py (6, 8), test_pdf_fetcher.py (7), test_publish.py (9, 15),
test_serve.py (14), test_build.py (10, 11).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import guards
import pytest
from click.testing import CliRunner
from test_build import GOOD_GOAL, plan_text, write_plan
from test_malformed import CORPUS as MALFORMED
from test_malformed import alias_bomb

from smartdoc.cli import main

REPO = Path(__file__).resolve().parent.parent
TODAY = "2027-04-01"
TIMEOUT = 120
#: A finding line: `<path>:<line>[:<col>]: <CODE>` (concise and full reports both start so).
FINDING = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<code>[A-Z]\d{3})\b")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


# --- helpers ----------------------------------------------------------------------------------


class Run:
    """The outcome of one in-process command: exit code, stdout, stderr, finding lines."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.output = stdout + stderr

    def findings(self, code: str | None = None) -> list[dict[str, Any]]:
        found = []
        for line in self.stdout.splitlines():
            match = FINDING.match(line)
            if match and (code is None or match["code"] == code):
                found.append({**match.groupdict(), "text": line})
        return found


def invoke(args: Sequence[str], *, seconds: float = 60, reads: list[Any] | None = None) -> Run:
    """Run the CLI in-process under a time limit; assert it ended cleanly (no traceback)."""
    with guards.time_limit(seconds):
        result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception,
        result.output,
    )
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
    return Run(result.exit_code, result.stdout, result.stderr)


def new_project(folder: Path, config: str = "site_name: Acceptance\n") -> Path:
    (folder / "plans").mkdir(parents=True)
    (folder / "smartdoc.yml").write_text(config, encoding="utf-8")
    return folder


def build(project: Path, *args: str, reads: bool = False, seconds: float = 90) -> Run:
    return invoke(
        ["build", "-c", str(project / "smartdoc.yml"), "--today", TODAY, *args], seconds=seconds
    )


def lint(project: Path, *args: str) -> Run:
    return invoke(
        ["lint", "-c", str(project / "smartdoc.yml"), "-f", "concise", "--today", TODAY, *args]
    )


def assert_read_inside(records: list[Any], project: Path, *extra: Path) -> None:
    outside = guards.outside(records, guards.allowed_roots(project, *extra))
    assert outside == [], "read outside the project:\n" + "\n".join(outside)
    assert records, "the audit hook recorded nothing: is it installed?"


def good_site(tmp_path: Path) -> tuple[Path, guards.TreeState]:
    """A project with one good plan built into site/; return it and the site's state."""
    project = new_project(tmp_path / "project")
    write_plan(project, "c-good", plan_text("Good plan 2027"))
    run = build(project, "--no-pdf")
    assert run.code == 0, run.output
    return project, guards.tree_hash(project / "site")


# --- row 1 ------------------------------------------------------------------------------------


def test_row_01_yaml_error_and_impossible_date_in_one_run(tmp_path: Path) -> None:
    project, before = good_site(tmp_path)
    (project / "plans" / "a.md").write_text(
        "---\ntitle: Plan A\nowner: [unclosed\ngoals: []\n---\nText.\n", encoding="utf-8"
    )
    write_plan(project, "b", plan_text("Plan B 2027").replace("2027-12-31}", "2027-04-31}", 1))
    for command in ("lint", "build"):
        with guards.recording_reads() as records:
            run = lint(project) if command == "lint" else build(project, "--no-pdf")
        assert run.code == 1, (command, run.output)
        yaml_error = [f for f in run.findings("E104") if f["file"] == "plans/a.md"]
        assert [f["line"] for f in yaml_error] == ["4"], run.stdout
        assert "line 3" in yaml_error[0]["text"]  # where the flow opened
        dates = [f for f in run.findings("E109") if f["file"] == "plans/b.md"]
        assert len(dates) == 1 and "2027-04-31" in dates[0]["text"], run.stdout
        assert re.search(r"^Found \d+ errors? .*in \d+ of \d+ plans?\.$", run.stdout, re.M)
        assert_read_inside(records, project)
        assert guards.tree_hash(project / "site") == before, command


# --- row 2 ------------------------------------------------------------------------------------

DUPLICATES = """---
title: Duplicates
owner: Maria Lopez
period: {start: 2027-01-01, end: 2027-12-31}
owner: LAST-OWNER-VALUE
goals:
  - id: g
    target: 18000
    deadline: 2027-06-30
    target: 99999
---
"""


def test_row_02_duplicate_keys_name_both_lines_and_keep_the_first(tmp_path: Path) -> None:
    from smartdoc.load import load_plan

    project, before = good_site(tmp_path)
    (project / "plans" / "dup.md").write_text(DUPLICATES, encoding="utf-8")
    run = lint(project, str(project / "plans" / "dup.md"))
    assert run.code == 1
    duplicates = [(f["line"], f["col"], f["text"].split("] ", 1)[1]) for f in run.findings("E106")]
    assert duplicates == [
        ("5", "1", "duplicate key 'owner' (first on line 3)"),
        ("10", "5", "duplicate key 'target' (first on line 8)"),
    ]
    loaded = load_plan(project / "plans" / "dup.md", project, project / "plans")
    assert loaded.plan is not None
    assert loaded.plan.owner == "Maria Lopez" and loaded.plan.goals[0].target == 18000
    # the last value never reaches a page: the build is refused, and no file holds it
    assert build(project, "--no-pdf").code == 1
    assert guards.tree_hash(project / "site") == before
    for page in (project / "site").rglob("*"):
        if page.is_file():
            data = page.read_bytes()
            assert b"LAST-OWNER-VALUE" not in data and b"99999" not in data


# --- row 3 ------------------------------------------------------------------------------------

#: Runs lint then build in one fresh interpreter and prints CPU times and peak memory, so a
#: segfault shows as a negative return code and the memory is this process's alone. CPU time,
#: not wall time: the 2 s of row 3 (docs/testing.md) must not depend on what else the machine runs.
HUGE_DRIVER = r"""
import json, resource, sys, time
from click.testing import CliRunner
from smartdoc.cli import main
out = {}
for name, args in (("lint", ["lint", "-f", "json", "--today", "2027-04-01"]),
                   ("build", ["build", "--no-pdf", "--today", "2027-04-01"])):
    started = time.process_time()
    result = CliRunner().invoke(main, args)
    out[name] = {"seconds": time.process_time() - started, "code": result.exit_code,
                 "stdout": result.stdout, "stderr": result.stderr,
                 "exception": repr(result.exception)}
out["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(out))
"""


def test_row_03_alias_bomb_deep_nesting_and_huge_front_matter(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    plans = project / "plans"
    bomb = alias_bomb()
    assert 420 <= len(bomb.encode()) <= 440
    (plans / "bomb.md").write_text(bomb, encoding="utf-8")
    (plans / "deep.md").write_text(
        "---\ntitle: Deep\nowner: " + "[" * 50_000 + "\n---\n", encoding="utf-8"
    )
    big = "".join(f"  line {i:07d} " + "x" * 84 + "\n" for i in range(21_000))
    (plans / "big.md").write_text("---\ntitle: Big\nnotes: |\n" + big + "---\n", encoding="utf-8")
    assert (plans / "big.md").stat().st_size > 2_000_000
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_ACTIONS", None)
    process = subprocess.run(
        [sys.executable, "-c", HUGE_DRIVER],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert process.returncode == 0, process.stderr  # negative: a segfault
    out = json.loads(process.stdout)
    report = json.loads(out["lint"]["stdout"])
    errors = sorted(
        (f["file"], f["code"], f["line"]) for f in report["findings"] if f["severity"] == "error"
    )
    assert errors == [
        ("plans/big.md", "E102", 2),
        ("plans/bomb.md", "E103", 3),
        ("plans/deep.md", "E102", 3),
    ]
    for name in ("lint", "build"):
        assert out[name]["code"] == 1, out[name]
        text = out[name]["stdout"] + out[name]["stderr"] + out[name]["exception"]
        assert "Traceback" not in text and "RecursionError" not in text
    build_lines = [FINDING.match(line) for line in out["build"]["stdout"].splitlines()]
    assert sorted((m["file"], m["code"]) for m in build_lines if m) == [
        ("plans/big.md", "E102"),
        ("plans/bomb.md", "E103"),
        ("plans/deep.md", "E102"),
    ]
    assert out["lint"]["seconds"] + out["build"]["seconds"] < 2.0, out
    assert out["maxrss_kib"] < 300 * 1024, out["maxrss_kib"]
    assert not (project / "site").exists()


# --- row 4 ------------------------------------------------------------------------------------

HOSTILE_PATHS = {
    "dotdot": ("../../etc/passwd", "E114", "path escapes the project root"),
    "absolute": ("/etc/passwd", "E114", "path escapes the project root"),
    "home": ("~/.ssh/id_rsa", "E114", "path escapes the project root"),
    "percent": ("data/%2e%2e/%2e%2e/x.csv", "E114", "path escapes the project root"),
    "symlink": ("data/outside-link.csv", "E114", "path escapes the project root"),
    "folder": ("data", "E113", "not a regular file"),
}


def test_row_04_measurement_paths_outside_are_refused_unread(tmp_path: Path) -> None:
    project, before = good_site(tmp_path)
    secret = tmp_path / "secret.csv"
    secret.write_text("date,value\n2027-01-01,424242\n", encoding="utf-8")
    (project / "plans" / "data").mkdir()
    (project / "plans" / "data" / "outside-link.csv").symlink_to(secret)
    for name, (value, _code, _words) in HOSTILE_PATHS.items():
        goals = GOOD_GOAL.format(id="g", kind="quantitative").replace(
            "    measurements:\n      - {date: 2027-03-01, value: 3300}\n",
            f"    measurements: {value}\n",
        )
        write_plan(project, name, plan_text(f"Plan {name}", goals=goals))
    line = next(
        i
        for i, text in enumerate((project / "plans" / "dotdot.md").read_text().split("\n"), 1)
        if "measurements:" in text
    )
    for command in ("lint", "build"):
        with guards.recording_reads() as records:
            run = lint(project) if command == "lint" else build(project, "--no-pdf")
        assert run.code == 1
        for name, (_value, code, words) in HOSTILE_PATHS.items():
            found = [
                f
                for f in run.findings()
                if f["file"] == f"plans/{name}.md" and f["code"] in ("E113", "E114")
            ]
            assert len(found) == 1, (name, run.stdout)
            assert (found[0]["code"], found[0]["line"], found[0]["col"]) == (code, str(line), "19")
            assert words in found[0]["text"]
        assert "424242" not in run.output
        assert_read_inside(records, project)
        assert not [r for r in records if r[1] == str(secret) or r[1].startswith("/etc/")]
        assert guards.tree_hash(project / "site") == before


# --- row 5 ------------------------------------------------------------------------------------


def symlink_project(tmp_path: Path, case: str) -> Path:
    project = new_project(tmp_path / case)
    write_plan(project, "good", plan_text("Good plan 2027"))
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: TOP-SECRET\n---\nTOP-SECRET\n", encoding="utf-8")
    if case == "plan":
        (project / "plans" / "linked.md").symlink_to(secret)
    elif case == "folder":
        (project / "plans" / "root").symlink_to("/")
    elif case == "template":
        (project / "templates").mkdir()
        (project / "templates" / "base.html").symlink_to(secret)
    elif case == "asset":
        (project / "templates" / "assets").mkdir(parents=True)
        (project / "templates" / "assets" / "zero.css").symlink_to("/dev/zero")
    return project


ROW5 = {
    "plan": (1, "plans/linked.md:1:1: E114", "a symlink to a file outside"),
    "folder": (1, "plans/root:1:1: E114", "a symlink to a folder outside"),
    "template": (2, "templates/base.html", "template links outside the project"),
    "asset": (2, "templates/assets/zero.css", "links outside the project"),
}


@pytest.mark.parametrize("case", sorted(ROW5))
def test_row_05_symlinks_out_are_clear_errors_in_build_and_serve(tmp_path: Path, case: str) -> None:
    from smartdoc.commands.serve import Preview
    from smartdoc.config import load_config
    from smartdoc.options import make_options
    from smartdoc.serve_http import SiteState

    code, where, words = ROW5[case]
    project = symlink_project(tmp_path, case)
    with guards.recording_reads() as records:
        run = build(project, "--no-pdf", seconds=30)
    assert run.code == code, run.output
    assert where in run.output and words in run.output, run.output
    assert "TOP-SECRET" not in run.output
    assert not (project / "site").exists()
    assert_read_inside(records, project)
    # serve builds the same stages in memory: the same error, nothing read outside, no hang
    config = load_config(project / "smartdoc.yml")
    options = make_options(
        config_file=project / "smartdoc.yml",
        today=dt.date.fromisoformat(TODAY),
        quiet=True,
        environ={},
    )
    with guards.recording_reads() as records, guards.time_limit(30):
        result = Preview(config, options, pdf=False, drafts=True, state=SiteState()).build()
    # a plan or folder out: the other pages are previewed; a template out: nothing is
    assert (result.files is None) == (case in ("template", "asset"))
    assert any(words in line for line in result.problems), result.problems
    assert not any("TOP-SECRET" in line for line in result.problems)
    assert not any(b"TOP-SECRET" in data for data in (result.files or {}).values())
    assert_read_inside(records, project)


# --- row 6 ------------------------------------------------------------------------------------


def test_row_06_narrative_script_and_unsafe_links_never_reach_a_page(tmp_path: Path) -> None:
    from test_site_security import HOSTILE_BODY, TagCollector, plan

    project = new_project(tmp_path / "project")
    (project / "plans" / "evil.md").write_text(plan("Evil plan 2027"), encoding="utf-8")
    with guards.recording_reads() as records:
        run = build(project, "--no-pdf")
    assert run.code == 0, run.output
    assert_read_inside(records, project)
    assert "javascript:alert(3)" in HOSTILE_BODY
    pages = {p: p.read_text(encoding="utf-8") for p in (project / "site").rglob("*.html")}
    assert pages
    for page, html in pages.items():
        assert "<script" not in html.lower(), page
        parser = TagCollector()
        parser.feed(html)
        for _tag, attrs in parser.tags:
            for attr, value in attrs:
                assert not attr.lower().startswith("on"), (page, attr)  # no onerror=
                if attr in ("href", "src", "action", "formaction") and value:
                    scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                    assert not scheme.startswith(("javascript:", "vbscript:", "data:text")), (
                        page,
                        value,
                    )
    html = pages[project / "site" / "evil.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # raw HTML shown, escaped
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


# --- row 7 ------------------------------------------------------------------------------------


def pdf_reader(data: bytes) -> Any:
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(io.BytesIO(data), strict=True)


@pytest.mark.slow
def test_row_07_pdf_refuses_outside_images_imports_and_attachments(
    tmp_path: Path, loopback: guards.LoopbackServer
) -> None:
    project = new_project(tmp_path / "project")
    (tmp_path / "outside.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("SECRET-ATTACHMENT\n", encoding="utf-8")
    body = "# Images\n\n![out](../../outside.png)\n\n![host](file:///etc/hostname)\n"
    write_plan(project, "a", plan_text("Plan A 2027"), body)
    override = project / "templates" / "print" / "scorecard.html"
    override.parent.mkdir(parents=True)
    css_url = f"{loopback.url}/x.css"
    override.write_text(
        '{% extends "!theme/print/scorecard.html" %}{% block head %}'
        f"<style>@import url({css_url});</style>"
        '<link rel="attachment" href="../secret.txt">{% endblock %}',
        encoding="utf-8",
    )

    run = build(project, "--pdf", seconds=180)
    assert run.code == 0, run.output
    refused = ("../../outside.png", "file:///etc/hostname", css_url, "../secret.txt")
    for url in refused:
        assert url in run.output, url
    assert len(run.findings("E120")) == 2
    assert f"smartdoc: warning: pdf/a.pdf (plan a): refused {css_url}" in run.stderr
    assert "refused ../secret.txt: attachments are not embedded" in run.stderr
    site = project / "site"
    pdfs = sorted(site.glob("pdf/*.pdf"))
    assert [p.name for p in pdfs] == ["a.pdf", "handout.pdf"]
    for path in pdfs:
        data = path.read_bytes()
        reader = pdf_reader(data)
        assert reader.attachments == {}
        assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
        assert b"SECRET-ATTACHMENT" not in data and b"/FileAttachment" not in data
        assert [name for page in reader.pages for name in page.images] == []  # no outside image
    assert loopback.requests == [] and loopback.connections == 0
    assert not (site / "media").exists()

    before = guards.tree_hash(site)
    run = build(project, "--pdf", "--strict", seconds=180)
    assert run.code == 1, run.output
    for url in refused:
        assert url in run.output, url
    assert "refused PDF resource" in run.stderr and "(--strict)" in run.stderr
    assert guards.tree_hash(site) == before


# --- row 8 ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_row_08_hostile_title_is_literal_in_pages_and_pdf(tmp_path: Path) -> None:
    from test_site_security import ESCAPED_TITLE, HOSTILE_TITLE

    project = new_project(tmp_path / "project")
    title = HOSTILE_TITLE.replace('"', '\\"')
    write_plan(project, "evil", plan_text(f'"{title}"'))
    run = build(project, "--pdf", seconds=180)
    assert run.code == 0, run.output
    site = project / "site"
    page = (site / "evil.html").read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f"<title>{ESCAPED_TITLE} · Acceptance</title>" in page
    assert f"<h1>{ESCAPED_TITLE}</h1>" in page
    assert ESCAPED_TITLE in index
    for html in (page, index):
        assert "<img src=x" not in html
        text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S).replace("20-49 year", "")
        assert not re.search(r"\b49\b", text) and "<class" not in html
    for name in ("evil.pdf", "handout.pdf"):
        reader = pdf_reader((site / "pdf" / name).read_bytes())
        text = " ".join(p.extract_text() for p in reader.pages)
        flat = re.sub(r"\s+", " ", text).replace("20-49 year", "")
        assert "<img src=x onerror=alert(1)>" in flat, flat[:400]
        assert "{{ 7*7 }}" in flat and "{{ ''.__class__ }}" in flat
        assert "<class" not in flat and not re.search(r"\b49\b", flat)


# --- row 9 ------------------------------------------------------------------------------------


def test_row_09_failed_or_killed_build_keeps_the_last_good_site(tmp_path: Path) -> None:
    from test_publish import CORPUS as SITE_CORPUS
    from test_publish import (
        test_killed_build_leaves_the_site_intact_and_the_next_build_cleans_up as killed_build,
    )

    project = tmp_path / "portfolio"
    shutil.copytree(SITE_CORPUS / "portfolio", project)
    config = ["-c", str(project / "smartdoc.yml"), "--today", "2027-04-15", "--no-pdf"]
    assert invoke(["build", *config]).code == 0
    site = project / "site"
    before = guards.tree_hash(site)
    assert before.temporaries == ()
    csv = project / "plans" / "data" / "sentiment.csv"
    good_csv = csv.read_bytes()
    csv.write_text('date,value\n2027-01-01,43\n2027-02-01,"abc\n', encoding="utf-8")
    run = invoke(["build", *config])
    assert run.code == 1 and "sentiment.csv" in run.output
    assert guards.tree_hash(site) == before  # files and no temporary folder
    # the next good build: a deleted plan's page is gone, no temporary folder remains
    csv.write_bytes(good_csv)
    (project / "plans" / "northwind-social.md").unlink()
    assert invoke(["build", *config]).code == 0
    after = guards.tree_hash(site)
    assert after.temporaries == ()
    assert "northwind-social.html" not in dict(after.files)
    # SIGKILL halfway through writing: test_publish.py's scenario, on a fresh copy
    fresh = tmp_path / "killed"
    shutil.copytree(SITE_CORPUS / "portfolio", fresh)
    killed_build(fresh)
    assert guards.tree_hash(fresh / "site").temporaries == ()


# --- row 10 -----------------------------------------------------------------------------------


def test_row_10_missing_references_warn_and_fail_only_under_strict(tmp_path: Path) -> None:
    project, before = good_site(tmp_path)
    (project / "images").mkdir()
    body = "# Links\n\nSee [the other plan](missing-plan.md).\n\n![chart](../images/missing.png)\n"
    plan_file = write_plan(project, "a", plan_text("Plan A 2027"), body)
    first = plan_file.read_text(encoding="utf-8").split("\n").index("# Links") + 1
    run = build(project, "--no-pdf")
    assert run.code == 0, run.output
    warnings = [(f["file"], f["line"]) for f in run.findings("E120")]
    assert warnings == [("plans/a.md", str(first + 2)), ("plans/a.md", str(first + 4))]
    assert "missing-plan.md" in run.stdout and "missing image" in run.stdout
    updated = guards.tree_hash(project / "site")
    assert updated != before and "a.html" in dict(updated.files)  # the site was updated
    (plan_file).write_text(plan_file.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    run = build(project, "--no-pdf", "--strict")
    assert run.code == 1
    assert len(run.findings("E120")) == 2
    assert guards.tree_hash(project / "site") == updated


# --- row 11 -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_row_11_two_builds_are_byte_identical_pdfs_included(tmp_path: Path) -> None:
    epoch = "1700000000"
    sources = new_project(tmp_path / "source")
    write_plan(sources, "brand", plan_text("Brand plan 2027"), "# Why\n\nNarrative ø é ü.\n")
    runs = []
    for index, (seed, zone) in enumerate((("1", "UTC"), ("4242", "Pacific/Kiritimati"))):
        project = tmp_path / f"copy-{index}" / "project"  # different absolute paths, too
        shutil.copytree(sources, project)
        cwd = tmp_path / f"cwd-{index}"
        cwd.mkdir()
        environ = {k: v for k, v in os.environ.items() if k not in ("TZ", "GITHUB_ACTIONS")}
        environ.update(PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH=epoch, PYTHONHASHSEED=seed, TZ=zone)
        out = tmp_path / f"out-{index}"
        process = subprocess.run(
            [
                sys.executable,
                "-m",
                "smartdoc.cli",
                "build",
                "-c",
                str(project / "smartdoc.yml"),
                "-d",
                str(out),
                "--pdf",
                "--today",
                TODAY,
            ],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert process.returncode == 0, process.stderr
        runs.append((project, out))
    one, two = (guards.tree_hash(out).files for _, out in runs)
    assert one == two
    names = [name for name, _ in one]
    assert "pdf/brand.pdf" in names and "pdf/handout.pdf" in names
    machine = [str(tmp_path), str(REPO), str(Path.home()), "/tmp/", *(str(p) for p, _ in runs)]
    for path in runs[0][1].rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for text in machine:
                assert text.encode() not in data, (path, text)
    for name in ("brand.pdf", "handout.pdf"):
        reader = pdf_reader((runs[0][1] / "pdf" / name).read_bytes())
        assert str(reader.metadata["/CreationDate"]).startswith("D:20231114221320"), reader.metadata


# --- row 12 -----------------------------------------------------------------------------------


def test_row_12_bom_crlf_twin_and_latin1(tmp_path: Path) -> None:
    lf = (MALFORMED / "twin-lf.md").read_bytes()
    good = ("---\n" + plan_text("Twin plan 2027").strip() + "\n---\n# Why\n\nText é ü.\n").encode()
    pages = []
    for name, transform in (
        ("lf", lambda b: b),
        ("crlf", lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
    ):
        project = new_project(tmp_path / name)
        (project / "plans" / "twin.md").write_bytes(transform(lf))
        findings = lint(project)
        assert findings.code == 1
        (project / "plans" / "twin.md").write_bytes(transform(good))
        run = build(project, "--no-pdf")
        assert run.code == 0, run.output
        pages.append(
            (
                [(f["line"], f["col"], f["text"]) for f in findings.findings()],
                guards.tree_hash(project / "site").files,
            )
        )
    assert pages[0] == pages[1]
    assert any("E109" in text for *_, text in pages[0][0])

    project = new_project(tmp_path / "latin1")
    shutil.copy(MALFORMED / "latin1.md", project / "plans" / "latin1.md")
    assert (project / "plans" / "latin1.md").read_bytes().split(b"\n")[2].count(b"\xe9") >= 1
    for run in (lint(project), build(project, "--no-pdf")):
        assert run.code == 1
        (finding,) = run.findings("E108")
        assert finding["file"] == "plans/latin1.md" and finding["line"] == "3"
        assert "not valid UTF-8 (byte 0xe9" in finding["text"]
        assert finding["text"].endswith("save it as UTF-8")


# --- row 13 -----------------------------------------------------------------------------------


def test_row_13_csv_errors_at_the_csv_line_naming_the_plan_line(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    plans = project / "plans"
    shutil.copytree(MALFORMED / "data", plans / "data")
    for name in ("csv-unterminated-quote.md", "csv-not-a-number.md", "csv-huge-field.md"):
        shutil.copy(MALFORMED / name, plans / name)
    huge = 'date,value,note\n2027-01-01,12100,\n2027-02-01,12900,"' + "y" * 200_000 + '"\n'
    (plans / "data" / "huge-field.csv").write_text(huge, encoding="utf-8")
    with guards.recording_reads() as records:
        run = lint(project)
    assert run.code == 1
    assert_read_inside(records, project)
    found = sorted((f["file"], f["line"], f["text"]) for f in run.findings("E112"))
    assert [(file, line) for file, line, _ in found] == [
        ("plans/data/huge-field.csv", "3"),
        ("plans/data/not-a-number.csv", "4"),
        ("plans/data/unterminated-quote.csv", "3"),
    ]
    expected = ("longer than", "'abc'", "unterminated quote")
    plans_named = ("csv-huge-field", "csv-not-a-number", "csv-unterminated-quote")
    for (_, _, text), words, plan_name in zip(found, expected, plans_named, strict=True):
        assert words in text
        assert f"(measurements at plans/{plan_name}.md:5)" in text
        assert len(text) < 400  # the 200,000-character field is not echoed


# --- row 14 -----------------------------------------------------------------------------------


def _listening_addresses(port: int) -> list[str]:
    """Return the local addresses in LISTEN state on `port` (from /proc/net/tcp{,6})."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":
                found.append(address)
    return found


def test_row_14_serve_binds_loopback_refuses_traversal_and_keeps_last_good(
    tmp_path: Path,
) -> None:
    from serve_helpers import Served, init_project

    project = init_project(tmp_path / "project")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n", encoding="utf-8")
    (project / "site").mkdir()
    (project / "site" / "leak.txt").symlink_to(secret)
    server = Served(project)
    try:
        assert _listening_addresses(server.port) == ["0100007F"]  # 127.0.0.1, nothing else
        assert server.request("/")[0] == 200
        for path in (
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/leak.txt",
            "/site/leak.txt",
        ):
            status, _, body = server.request(path)
            assert status == 404, (path, status)
            assert b"TOP SECRET" not in body and b"root:" not in body
        assert server.request("/", host="evil.example")[0] in (400, 403)
        assert server.request("/", host=f"evil.example:{server.port}")[0] in (400, 403)
        # a broken rebuild: the last good pages are still served
        good = server.text("/example.html")
        build_number = server.state()["build"]
        plan = project / "plans" / "example.md"
        plan.write_text(
            plan.read_text(encoding="utf-8").replace("---\n", "---\nowner: [\n", 1),
            encoding="utf-8",
        )
        state = server.wait_build_after(build_number)  # type: ignore[arg-type]
        assert state["ok"] is False
        broken = server.text("/example.html")
        assert broken.split('<div id="smartdoc-overlay"')[0] == good.split("<script id=")[0]
    finally:
        assert server.stop() == 0


# --- row 15 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("output", [".", "plans", "~", "HOME", "/", "holds-config"])
def test_row_15_output_folders_holding_sources_are_refused(
    tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = good_site(tmp_path)
    other = tmp_path / "holds-config"
    other.mkdir()
    (other / "smartdoc.yml").write_text("site_name: Other\n", encoding="utf-8")
    (other / "keep.txt").write_text("precious\n", encoding="utf-8")
    target = {"HOME": str(Path.home()), "holds-config": str(other)}.get(output, output)
    monkeypatch.chdir(project)
    watched = [project, other]
    before = [guards.tree_hash(folder) for folder in watched]
    home = sorted(os.listdir(Path.home()))
    top = sorted(os.listdir("/"))
    run = build(project, "-d", target)
    assert run.code == 2, run.output
    assert "refusing to use" in run.stderr and "as the output folder" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert [guards.tree_hash(folder) for folder in watched] == before
    assert sorted(os.listdir(Path.home())) == home and sorted(os.listdir("/")) == top
