"""Incremental builds (issue 6): which outputs a rebuild rewrites after each kind of change,
and that the site after any sequence of incremental builds is byte-identical to a clean one.

Two witnesses: the build report of `build -v` ("written: a.html, index.html, ...") and the
inode of each published file (an unchanged file is hard-linked into the new site, so it keeps
its inode; a rewritten one gets a new inode). No timings here: `make bench` measures those.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cache import project_cache_dir
from smartdoc.cli import main
from smartdoc.site.publish import tree_digest

TODAY = "2026-11-23"
GOAL = """
  - id: g1
    title: Grow newsletter subscribers from 3,000 to 4,500 by 30 November 2026
    kind: quantitative
    serves: brand
    owner: Zoé Laurent
    budget: 1000
    frequency: monthly
    direction: increase
    deadline: 2026-11-30
    baseline: {{date: 2025-12-31, value: 3000}}
    target: 4500
    unit: subscribers
    metric: Newsletter subscribers
    source: Mail provider export
    measurements: {measurements}
"""


def write_plan(
    root: Path,
    name: str,
    measurements: str = "data/{name}.csv",
    body: str = "Narrative of {name}.\n",
) -> None:
    csv_path = root / "plans" / "data" / f"{name}.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    if not csv_path.exists():
        csv_path.write_text("date,value\n2026-03-01,3300\n2026-06-01,3800\n", encoding="utf-8")
    front = (
        f"title: Plan {name}\nowner: Zoé Laurent\n"
        "period: {start: 2026-01-01, end: 2026-12-31}\n"
        "strategy:\n  brand: Be seen as a fresh brand\n"
        "goals:" + GOAL.format(measurements=measurements.format(name=name)).rstrip()
    )
    (root / "plans" / f"{name}.md").write_text(
        f"---\n{front}\n---\n{body.format(name=name)}", encoding="utf-8"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "smartdoc.yml").write_text("site_name: Incremental\n", encoding="utf-8")
    for name in ("alpha", "beta", "gamma"):
        write_plan(root, name)
    return root


def build(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["build", "-c", str(root / "smartdoc.yml"), "--today", TODAY, "--no-pdf", "-v", *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def written(output: str) -> set[str]:
    match = re.search(r"^written: (.*)$", output, re.M)
    assert match is not None, output
    return set() if match.group(1) == "nothing" else set(match.group(1).split(", "))


def inodes(site: Path) -> dict[str, int]:
    return {
        Path(current, name).relative_to(site).as_posix(): os.stat(Path(current, name)).st_ino
        for current, _dirs, files in os.walk(site)
        for name in files
    }


def rebuilt(root: Path, *args: str) -> tuple[set[str], set[str]]:
    """Build; return (files the report says were written, files whose inode changed)."""
    before = inodes(root / "site")
    code, output = build(root, *args)
    assert code == 0, output
    after = inodes(root / "site")
    return written(output), {rel for rel, ino in after.items() if before.get(rel) != ino}


def clean_build_digest(root: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """Return the digest of a clean build of a copy of the project (no cache)."""
    copy = tmp_path / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".smartdoc_cache"))
    code, output = build(copy)
    assert code == 0, output
    return tree_digest(copy / "site")


def test_no_change_is_nothing_to_do(project: Path) -> None:
    assert build(project)[0] == 0
    before = inodes(project / "site")
    site_inode = os.stat(project / "site").st_ino
    code, output = build(project)
    assert code == 0
    assert "Nothing to do" in output
    assert inodes(project / "site") == before
    assert os.stat(project / "site").st_ino == site_inode  # not even swapped


def test_plan_edit_rewrites_its_page_and_the_rollups_only(project: Path, tmp_path: Path) -> None:
    build(project)
    write_plan(project, "beta", body="A new narrative for {name}.\n")
    report, changed = rebuilt(project)
    assert report == changed == {"beta.html"}
    # a figure change reaches the index and plans.json too
    plan = project / "plans" / "beta.md"
    plan.write_text(plan.read_text().replace("target: 4500", "target: 5000"))
    report, changed = rebuilt(project)
    assert report == changed == {"beta.html", "index.html", "plans.json"}
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)


def test_csv_edit_rewrites_the_plan_that_reads_it(project: Path, tmp_path: Path) -> None:
    build(project)
    with open(project / "plans" / "data" / "gamma.csv", "a", encoding="utf-8") as handle:
        handle.write("2026-09-01,4200\n")
    report, changed = rebuilt(project)
    assert report == changed == {"gamma.html", "index.html", "plans.json"}
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)


def test_template_edit_rewrites_the_pages_that_use_it(project: Path, tmp_path: Path) -> None:
    build(project)
    templates = project / "templates" / "partials"
    templates.mkdir(parents=True)
    from smartdoc.theme import theme_dir

    card = (theme_dir() / "partials" / "goal_card.html").read_text(encoding="utf-8")
    (templates / "goal_card.html").write_text(card + "<!-- local card -->\n", encoding="utf-8")
    report, changed = rebuilt(project)
    # goal_card.html is included by plan.html only: the index and rules pages stay
    assert report == changed == {"alpha.html", "beta.html", "gamma.html"}
    assert "local card" in (project / "site" / "alpha.html").read_text(encoding="utf-8")
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)


def test_config_change_rebuilds_everything(project: Path, tmp_path: Path) -> None:
    build(project)
    (project / "smartdoc.yml").write_text("site_name: Renamed\n", encoding="utf-8")
    report, changed = rebuilt(project)
    pages = {"alpha.html", "beta.html", "gamma.html", "index.html", "rules.html"}
    assert pages <= report and pages <= changed
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)


def test_new_and_deleted_plans(project: Path, tmp_path: Path) -> None:
    build(project)
    write_plan(project, "delta")
    (project / "plans" / "alpha.md").unlink()
    report, _ = rebuilt(project)
    assert {"delta.html", "index.html", "plans.json"} <= report
    assert not (project / "site" / "alpha.html").exists()
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)


def test_a_hand_edited_site_file_is_put_back(project: Path, tmp_path: Path) -> None:
    build(project)
    (project / "site" / "alpha.html").write_text("tampered", encoding="utf-8")
    (project / "site" / "stray.txt").write_text("not ours", encoding="utf-8")
    report, _ = rebuilt(project)
    assert report == {"alpha.html"}
    assert not (project / "site" / "stray.txt").exists()
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)


def test_clean_drops_the_cache_and_the_next_build_starts_over(project: Path) -> None:
    build(project)
    cache = project_cache_dir(project)
    assert list((cache / "build" / "site").glob("*.json"))  # the record of the last build
    result = CliRunner().invoke(main, ["clean", "-c", str(project / "smartdoc.yml")])
    assert result.exit_code == 0
    assert not cache.exists()
    assert not (project / ".smartdoc_cache").exists()
    report, _ = rebuilt(project)
    assert {"alpha.html", "beta.html", "gamma.html", "index.html"} <= report


def test_findings_are_reported_again_by_a_no_op_build(project: Path) -> None:
    plan = project / "plans" / "alpha.md"
    plan.write_text(plan.read_text().replace("owner: Zoé Laurent\n    budget", "budget", 1))
    code, first = build(project)
    assert code == 0
    code, second = build(project)
    assert "Nothing to do" in second
    shown = [line for line in first.splitlines() if "alpha.md:" in line]
    assert shown and all(line in second for line in shown)


def test_a_sequence_of_edits_matches_a_clean_build(project: Path, tmp_path: Path) -> None:
    build(project)
    write_plan(project, "beta", body="Links to [alpha](alpha.md).\n")
    build(project)
    (project / "plans" / "gamma.md").write_text(
        (project / "plans" / "gamma.md")
        .read_text()
        .replace("title: Plan gamma", "title: Plan gamma\ndraft: true")
    )
    build(project)
    write_plan(project, "alpha", body="Back to [beta](beta.md) and [gamma](gamma.md).\n")
    code, output = build(project)
    assert code == 0, output
    assert "gamma.md" in output  # a link to a draft left out is a warning, every build
    assert tree_digest(project / "site") == clean_build_digest(project, tmp_path)
