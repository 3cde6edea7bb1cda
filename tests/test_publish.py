"""Publishing: refused output folders, the atomic swap, killed builds and leftovers.

docs/testing.md rows 9 and 15: a failing or killed build leaves the last good site byte for byte
(hash of sorted paths + sha256), no temporary folder survives the next good build, and an
output folder that is or holds the sources is refused with exit 2, nothing written or deleted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main
from smartdoc.site.publish import (
    SiteWriter,
    check_output_dir,
    clean_leftovers,
    leftover_folders,
    tree_digest,
)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "site"
TODAY = "2027-04-15"
TIMEOUT = 120


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "portfolio"
    shutil.copytree(CORPUS / "portfolio", target)
    return target


def build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["build", "-c", str(project / "smartdoc.yml"), "--today", TODAY, "--no-pdf", *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def temp_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".site."))


# --- refused output folders (docs/testing.md row 15) ------------------------------------------


@pytest.mark.parametrize("output", [".", "plans", "plans/sub", "~", "/", "templates"])
def test_source_folders_are_refused(
    project: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "templates").mkdir()
    monkeypatch.chdir(project)
    before = tree_digest(project)
    code, out = build(project, "-d", output)
    assert code == 2, out
    assert "refusing to use" in out
    assert tree_digest(project) == before


def test_home_folder_is_refused(project: Path) -> None:
    before = tree_digest(project)
    code, out = build(project, "-d", str(Path.home()))
    assert code == 2
    assert "home folder" in out or "project root" in out
    assert tree_digest(project) == before


def test_folder_holding_a_config_is_refused(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-project"
    other.mkdir()
    (other / "smartdoc.yml").write_text("site_name: Other\n", encoding="utf-8")
    (other / "keep.txt").write_text("precious\n", encoding="utf-8")
    code, out = build(project, "-d", str(other))
    assert code == 2
    assert "smartdoc.yml" in out
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt", "smartdoc.yml"]


def test_folder_containing_the_project_is_refused(project: Path) -> None:
    code, out = build(project, "-d", str(project.parent))
    assert code == 2
    assert "contains the project root" in out


def test_check_output_dir_accepts_a_plain_folder(project: Path) -> None:
    assert check_output_dir(project / "site", root=project) == (project / "site").resolve()
    assert (
        check_output_dir(project / "out" / "www", root=project)
        == (project / "out" / "www").resolve()
    )


# --- the swap -------------------------------------------------------------------------------


def test_failing_build_leaves_the_site_intact(project: Path) -> None:
    assert build(project)[0] == 0
    site = project / "site"
    before = tree_digest(site)
    # break the last plan's CSV (docs/testing.md row 9)
    (project / "plans" / "data" / "sentiment.csv").write_text(
        'date,value\n2027-01-01,43\n2027-02-01,"abc\n', encoding="utf-8"
    )
    code, out = build(project)
    assert code == 1, out
    assert "sentiment.csv" in out
    assert tree_digest(site) == before
    assert temp_folders(project) == []


def test_killed_build_leaves_the_site_intact_and_the_next_build_cleans_up(project: Path) -> None:
    assert build(project)[0] == 0
    site = project / "site"
    before = tree_digest(site)
    (project / "plans" / "team" / "brand.md").unlink()  # the next build differs
    # tests/slow_writes holds the sitecustomize that honours SMARTDOC_TEST_WRITE_DELAY
    path = os.pathsep.join([str(REPO), str(REPO / "tests" / "slow_writes")])
    env = {**os.environ, "PYTHONPATH": path, "SMARTDOC_TEST_WRITE_DELAY": "0.4"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartdoc.cli",
            "build",
            "-c",
            str(project / "smartdoc.yml"),
            "--today",
            TODAY,
            "--no-pdf",
        ],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            temps = [p for p in project.glob(".site.tmp-*") if any(p.rglob("*.html"))]
            if temps:
                break
            assert process.poll() is None, "the build ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the build never started writing")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL
    assert tree_digest(site) == before  # the old site, untouched
    assert temp_folders(project) != []  # a killed build cannot clean up after itself...
    assert build(project)[0] == 0
    assert temp_folders(project) == []  # ...the next one does
    assert not (site / "team" / "brand.html").exists()


def test_writer_discards_on_error(tmp_path: Path) -> None:
    output = tmp_path / "site"
    output.mkdir()
    (output / "old.html").write_text("old", encoding="utf-8")

    def failing_build() -> None:
        with SiteWriter(output) as writer:
            writer.write_text("new.html", "new")
            raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        failing_build()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (output / "old.html").read_text(encoding="utf-8") == "old"


def test_writer_swaps_and_sets_modes(tmp_path: Path) -> None:
    output = tmp_path / "site"
    output.mkdir()
    (output / "stale.html").write_text("stale", encoding="utf-8")
    old_umask = os.umask(0o077)
    try:
        with SiteWriter(output, epoch=1700000000) as writer:
            writer.write_text("index.html", "<p>new</p>\n")
            writer.write_text("team/a.html", "<p>a</p>\n")
            writer.commit()
    finally:
        os.umask(old_umask)
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*")) == [
        ".smartdoc-site",
        "index.html",
        "team",
        "team/a.html",
    ]
    assert output.stat().st_mode & 0o777 == 0o755
    assert (output / "team").stat().st_mode & 0o777 == 0o755
    assert (output / "team" / "a.html").stat().st_mode & 0o777 == 0o644
    assert (output / "index.html").stat().st_mtime == 1700000000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("name", ["../evil.html", "/etc/evil", "a/../../b", "", "."])
def test_writer_refuses_paths_outside(tmp_path: Path, name: str) -> None:
    from smartdoc.errors import UsageError

    with SiteWriter(tmp_path / "site") as writer, pytest.raises(UsageError):
        writer.write_text(name, "x")
    assert not (tmp_path / "evil.html").exists()


def test_leftovers_of_live_builds_are_kept(tmp_path: Path) -> None:
    output = tmp_path / "site"
    dead = tmp_path / ".site.tmp-999999999-abcd"  # no such process
    live = tmp_path / f".site.tmp-{os.getppid()}-abcd"  # our parent: alive
    dead.mkdir()
    live.mkdir()
    assert leftover_folders(output) == [dead]
    clean_leftovers(output)
    assert not dead.exists() and live.exists()


def test_cut_fallback_swap_is_restored(tmp_path: Path) -> None:
    output = tmp_path / "site"
    old = tmp_path / ".site.old-999999999-abcd"
    old.mkdir()
    (old / "index.html").write_text("good", encoding="utf-8")
    clean_leftovers(output)
    assert (output / "index.html").read_text(encoding="utf-8") == "good"
    assert not old.exists()
