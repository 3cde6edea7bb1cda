"""The Nu HTML Checker (npm `vnu-jar`, run with the machine's Java) finds no error in the site.

Skips, saying why, where Java or the jar is absent (`npm install` puts the jar in
node_modules/; `.ci/run` does that on a fresh machine).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "site"
JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PROJECTS = {"portfolio": "2027-04-15", "directions": "2027-04-01"}


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed: the Nu HTML Checker needs Java >= 17")
    if not JAR.is_file():
        pytest.skip(
            f"the Nu HTML Checker is not installed ({JAR.relative_to(REPO)} is missing; "
            "run `npm install` in the repository)"
        )
    return java


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_site_has_no_html_css_or_svg_errors(name: str, tmp_path: Path) -> None:
    java = _java()
    project = tmp_path / name
    shutil.copytree(CORPUS / name, project)
    result = CliRunner().invoke(
        main,
        [
            "build",
            "-c",
            str(project / "smartdoc.yml"),
            "--today",
            PROJECTS[name],
            "--no-pdf",
            "--drafts",
        ],
    )
    assert result.exit_code == 0, result.output
    site = project / "site"
    checked = subprocess.run(
        [
            java,
            "-jar",
            str(JAR),
            "--errors-only",
            "--skip-non-html",
            "--also-check-css",
            "--also-check-svg",
            "--format",
            "json",
            "--stdout",
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(checked.stdout)
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} "
        f"[{m.get('extract', '').strip()[:80]}]"
        for m in report["messages"]
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == [], "\n".join(errors)
    assert checked.returncode == 0
