"""LinkChecker, an independent tool, follows every link and `#anchor` of the example site.

`test_build.py` checks the links with our own reading of the pages; this asks a crawler that
knows nothing of smartdoc. It reads the pages as a visitor would: page to page from the
index, PDFs included, anchors checked (`[AnchorCheck]`). As root, LinkChecker drops to the
user `nobody`, so the site is built in a folder everyone may read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINKCHECKER = Path(sys.executable).parent / "linkchecker"

pytestmark = pytest.mark.slow


@pytest.fixture
def readable_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="smartdoc-links-"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder)


def test_every_link_and_anchor_of_the_example_site_resolves(readable_folder: Path) -> None:
    shutil.copytree(REPO / "plans", readable_folder / "plans")
    (readable_folder / "smartdoc.yml").write_text("site_name: Links\n", encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    built = subprocess.run(
        [sys.executable, "-m", "smartdoc", "build", "-q"],
        cwd=readable_folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    for current, dirs, files in os.walk(readable_folder):
        for name in dirs:
            Path(current, name).chmod(0o755)
        for name in files:
            Path(current, name).chmod(0o644)
    config = readable_folder / "linkcheckerrc"
    config.write_text("[AnchorCheck]\n", encoding="utf-8")
    checked = subprocess.run(
        [str(LINKCHECKER), "--no-status", "-f", str(config), "site/index.html"],
        cwd=readable_folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "0 warnings found. 0 errors found." in report, report
    # it crawled every page and PDF, not only the index
    site = readable_folder / "site"
    documents = [p for p in site.rglob("*") if p.suffix in {".html", ".pdf"}]
    crawled = re.search(r"(\d+) links? in (\d+) URLs? checked", report)
    assert crawled is not None, report
    assert int(crawled.group(2)) >= len(documents) > 5
