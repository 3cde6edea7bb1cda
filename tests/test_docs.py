"""The repository documents itself: generated docs are current, links resolve, nothing outside.

- `docs/rules.md` and the generated blocks of the other pages (`<!-- BEGIN GENERATED: ... -->`)
  are exactly what `python -m scripts.docs` makes from the code today;
- every relative link in `docs/`, the README and the changelog names a file of the
  repository, and every `#anchor` names a heading (GitHub's slugs) or an `id` of that file;
- the output contracts in `docs/commands.md` list exactly the fields smartdoc writes;
- every page of `docs/` is reachable from its index and from the README;
- no file of the repository refers to a file outside it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scripts import docs as docs_script
from smartdoc.cli import main

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
REGENERATE = "run `.venv/bin/python -m scripts.docs` (or `make docs`) and commit the result"
LINKED_PAGES = sorted([*DOCS.glob("*.md"), REPO / "README.md", REPO / "CHANGELOG.md"])

FENCE = re.compile(r"^(```|~~~)")
#: A code span, which may run over a line break but not over a blank line.
INLINE_CODE = re.compile(r"(`+)(?:(?!\1)[^\n]|\n(?!\n))+?\1")
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ID = re.compile(r"""\b(?:id|name)=["']([^"']+)["']""")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
#: What a reference to a file outside the repository looks like (each piece written so that
#: this file does not match itself).
OUTSIDE = re.compile(
    "|".join(
        [
            r"shared[/]",
            r"DESIGN[.]md",
            r"ACCEPTANCE[.]md",
            r"CHECKING[.]md",
            r"STYLE[.]md",
            r"shared\sfolder",
        ]
    ),
    re.IGNORECASE,
)


# --- generated pages ---------------------------------------------------------------------------


def test_generated_docs_are_current() -> None:
    stale = []
    for rel, expected in docs_script.render_all().items():
        path = REPO / rel
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != expected:
            diff = difflib.unified_diff(
                current.splitlines(), expected.splitlines(), rel, f"{rel} (generated)", lineterm=""
            )
            stale.append("\n".join(list(diff)[:40]))
    assert not stale, f"docs out of date: {REGENERATE}\n\n" + "\n\n".join(stale)


def test_a_block_without_its_end_marker_is_refused() -> None:
    broken = "<!-- BEGIN GENERATED: worst-first -->\n`missed`\n"
    with pytest.raises(ValueError, match="END GENERATED"):
        docs_script.render_page(broken)


def test_an_unknown_block_is_refused() -> None:
    unknown = "<!-- BEGIN GENERATED: nonsense -->\n<!-- END GENERATED: nonsense -->\n"
    with pytest.raises(KeyError, match="nonsense"):
        docs_script.render_page(unknown)


def test_rule_catalogue_has_every_rule_with_its_page() -> None:
    from smartdoc.lint.registry import all_rules

    catalogue = (DOCS / "rules.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### ([A-Z]\d{3}) (\S+)$", catalogue, re.M))
    rules = all_rules()
    assert headings == {(rule.code, rule.name) for rule in rules.values()}
    for rule in rules.values():
        assert f"**{rule.summary}** Default severity: {rule.severity}." in catalogue


# --- links -------------------------------------------------------------------------------------


def prose(text: str) -> str:
    """Return the text with code blocks and code spans blanked out, lines kept in place."""
    lines, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            in_fence = not in_fence
            lines.append("")
            continue
        lines.append("" if in_fence else line)
    return INLINE_CODE.sub(lambda m: "\n" * m.group(0).count("\n"), "\n".join(lines))


def github_slug(heading: str) -> str:
    """Return the anchor GitHub gives a heading (github-slugger, on the rendered text)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    """Return every anchor a Markdown file defines: heading slugs (with -1, -2...) and ids."""
    text = path.read_text(encoding="utf-8")
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = HEADING.match(line)
        if heading:
            slug = github_slug(heading.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
        found.update(HTML_ID.findall(line))
    return found


def links_of(path: Path) -> list[tuple[int, str]]:
    """Return (line, target) of every inline and reference link of a Markdown file."""
    text = prose(path.read_text(encoding="utf-8"))
    links = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in LINK.finditer(text)]
    for number, line in enumerate(text.splitlines(), 1):
        reference = REFERENCE.match(line)
        if reference:
            links.append((number, reference.group(1)))
    return sorted(links)


def test_github_slugs_as_github_makes_them() -> None:
    assert github_slug("The build cache") == "the-build-cache"
    assert github_slug("`plans.json`, version 1") == "plansjson-version-1"
    assert github_slug("A band: `{min, max}`") == "a-band-min-max"
    assert github_slug("### M101 baseline-missing".lstrip("# ")) == "m101-baseline-missing"
    assert github_slug("Kind × area") == "kind--area"


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for number, target in links_of(page):
        if SCHEME.match(target):
            continue  # https:, mailto:: outside links are not the repository's to check
        path_part, _, anchor = target.partition("#")
        file = (page.parent / path_part).resolve() if path_part else page
        where = f"{page.relative_to(REPO)}:{number}: {target}"
        if not file.is_relative_to(REPO):
            broken.append(f"{where}: leads outside the repository")
        elif not file.exists():
            broken.append(f"{where}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors_of(file):
            broken.append(f"{where}: no heading or id '{anchor}' in {file.relative_to(REPO)}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_link_check_finds_a_broken_link_and_a_broken_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\nSee [here](#title), [gone](missing.md) and [wrong](#nowhere).\n"
        "```\n[in code](ignored.md)\n```\n"
        "A `code span [over](a.md)\nlines` and [after it](b.md).\n",
        encoding="utf-8",
    )
    assert links_of(page) == [(3, "#nowhere"), (3, "#title"), (3, "missing.md"), (8, "b.md")]
    assert "title" in anchors_of(page) and "nowhere" not in anchors_of(page)


def test_every_docs_page_is_linked_from_the_index_and_the_readme() -> None:
    pages = {p.name for p in DOCS.glob("*.md")}
    index = {Path(t.partition("#")[0]).name for _, t in links_of(DOCS / "index.md")}
    readme = {
        Path(t.partition("#")[0]).name
        for _, t in links_of(REPO / "README.md")
        if t.startswith("docs/")
    }
    assert pages - {"index.md"} <= index, f"not linked from docs/index.md: {pages - index}"
    assert pages <= readme, f"not linked from the README: {pages - readme}"


# --- output contracts --------------------------------------------------------------------------


def documented_fields(contract: str) -> set[str]:
    """Return the field names of a contract table of docs/commands.md (first column)."""
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    marker = f"<!-- contract: {contract} -->\n"
    assert marker in text, f"docs/commands.md has no table marked '{marker.strip()}'"
    table = text.split(marker, 1)[1].split("\n\n", 1)[0]
    names: set[str] = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        names.update(re.findall(r"`([a-z_]+)`", first))
    return names


@pytest.fixture(scope="module")
def plans_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Return the plans.json of the docs' example project, built for real."""
    with docs_script.example_project() as project:
        site = tmp_path_factory.mktemp("contract") / "site"
        config = str(project / "smartdoc.yml")
        result = CliRunner().invoke(
            main,
            ["build", "-c", config, "--no-pdf", "-q", "-d", str(site), "--today", "2027-07-10"],
            env={"SMARTDOC_CACHE_DIR": str(project.parent / "cache"), "GITHUB_ACTIONS": None},
        )
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads((site / "plans.json").read_text(encoding="utf-8"))
    return data


def test_plans_json_contract_lists_every_field(plans_json: dict[str, object]) -> None:
    plans = plans_json["plans"]
    objectives = plans_json["objectives"]
    areas = plans_json["areas"]
    assert isinstance(plans, list) and isinstance(objectives, list) and isinstance(areas, list)
    written = {
        "top": set(plans_json),
        "plan": set(plans[0]),
        "goal": {key for goal in plans[0]["goals"] for key in goal},
        "objective": {key for objective in objectives for key in objective},
        "area": {key for area in areas for key in area},
    }
    for part, keys in written.items():
        assert documented_fields(f"plans-json {part}") == keys, part


def test_lint_json_contract_lists_every_field() -> None:
    with docs_script.example_project() as project:
        result = CliRunner().invoke(
            main,
            ["lint", "-c", str(project / "smartdoc.yml"), "-f", "json", "--today", "2027-07-10"],
            env={"GITHUB_ACTIONS": None},
        )
    report = json.loads(result.stdout)
    assert report["findings"], "the example project should give a finding to compare"
    assert documented_fields("lint-json top") == set(report)
    assert documented_fields("lint-json finding") == set(report["findings"][0])


def test_diff_json_contract_lists_every_field() -> None:
    from smartdoc.history import Scorecard, compare_scorecards
    from smartdoc.history.diff import diff_to_json
    from smartdoc.model import Plan
    from smartdoc.scoring import score_plan

    text = (DOCS / "examples" / "plans" / "worked.md").read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n")[1])
    data["goals"] = [g for g in data["goals"] if not isinstance(g.get("measurements"), str)]
    before = Plan.model_validate(data)
    data["goals"][0]["target"] = 1400
    after = Plan.model_validate(data)
    today = dt.date(2027, 7, 10)
    diff = compare_scorecards(
        Scorecard([score_plan(before, today, slug="worked")], []),
        Scorecard([score_plan(after, today, slug="worked")], []),
        base_label="base",
        head_label="head",
    )
    document = diff_to_json(diff)
    assert document["goals"], "changing a target must give a changed goal"
    assert documented_fields("diff-json top") == set(document)
    assert documented_fields("diff-json goal") == set(document["goals"][0])


# --- the repository stands alone ----------------------------------------------------------------


def repository_files() -> list[Path]:
    """Return the files git tracks or would track (new ones included), not ignored ones."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [REPO / name for name in listed.split("\0") if name and (REPO / name).is_file()]


def test_no_file_refers_to_a_file_outside_the_repository() -> None:
    found = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files (fonts, images, a Latin-1 test plan) hold no references
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}")
    assert not found, "references to files outside the repository (point at docs/):\n" + (
        "\n".join(found)
    )
