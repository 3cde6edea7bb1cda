"""The wheel ships the built-in theme, and an installed smartdoc finds it with theme_dir().

Builds the wheel from a copy of the repository (offline: --no-build-isolation, using this
environment's setuptools), installs it with --no-deps into a fresh virtualenv that borrows this
environment's dependencies through a .pth file, and asks the installed package for its theme.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROBE = Path("_packaging_probe", "nested", "probe.html")
# Left out of the copy: at the top only (smartdoc/site/ is a package), and caches anywhere.
TOP_LEVEL_SKIP = {
    ".git",
    ".venv",
    "node_modules",
    "site",
    "build",
    "dist",
    "bench",
    "tests",
    ".hypothesis",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".smartdoc_cache",
}
ANYWHERE_SKIP = shutil.ignore_patterns("__pycache__", "*.egg-info")


def copy_ignore(folder: str, names: list[str]) -> set[str]:
    skipped = set(ANYWHERE_SKIP(folder, names))
    if Path(folder) == REPO:
        skipped |= TOP_LEVEL_SKIP & set(names)
    return skipped


pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def theme_files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (source copy, wheel) built from a copy of the repository with a probe template."""
    pytest.importorskip("setuptools", minversion="68")
    source = tmp_path_factory.mktemp("src") / "smartdoc"
    shutil.copytree(REPO, source, ignore=copy_ignore)
    probe = source / "templates" / PROBE
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text("<p>probe: a nested theme file ships too</p>\n", encoding="utf-8")
    wheels = tmp_path_factory.mktemp("wheels")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        ".",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
        "-w",
        wheels,
        cwd=source,
    )
    (wheel,) = wheels.glob("smartdoc-*.whl")
    return source, wheel


def test_wheel_contains_every_theme_file(built: tuple[Path, Path]) -> None:
    source, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {f"smartdoc/templates/{name}" for name in theme_files(source / "templates")}
    assert f"smartdoc/templates/{PROBE.as_posix()}" in expected
    assert expected <= names, sorted(expected - names)
    assert "smartdoc/theme.py" in names
    assert not any(name.startswith(("templates/", "tests/")) for name in names)


def test_installed_wheel_finds_its_theme(built: tuple[Path, Path], tmp_path: Path) -> None:
    source, wheel = built
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).strip()
    )
    # Borrow this environment's dependencies; a plain path line does not run its .pth files,
    # so the editable install of smartdoc living there stays out of the way.
    (purelib / "_borrowed_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "-q",
        wheel,
        cwd=tmp_path,
    )

    script = textwrap.dedent("""
        import smartdoc, smartdoc.theme
        print(smartdoc.__file__)
        print(smartdoc.theme.theme_dir())
    """)
    package_file, theme = run(python, "-c", script, cwd=tmp_path).split()
    assert Path(package_file).is_relative_to(purelib), package_file
    theme_path = Path(theme)
    assert theme_path == purelib / "smartdoc" / "templates"
    assert theme_files(theme_path) == theme_files(source / "templates")
    if (REPO / "templates" / "base.html").is_file():
        assert (theme_path / "base.html").is_file()
    assert "smartdoc" in run(venv / "bin" / "smartdoc", "--version", cwd=tmp_path)

    # A new user's first two steps with the installed wheel: its scaffold and theme ship too.
    project = tmp_path / "plans-repo"
    run(venv / "bin" / "smartdoc", "init", project, cwd=tmp_path)
    run(venv / "bin" / "smartdoc", "build", "--no-pdf", cwd=project)
    index = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in index or "<!doctype html>" in index.lower()
    assert (project / "site" / "assets").is_dir()


def test_editable_install_uses_the_repository_theme() -> None:
    import smartdoc
    from smartdoc.theme import theme_dir

    if not Path(smartdoc.__file__).resolve().is_relative_to(REPO):
        pytest.skip("smartdoc is imported from an installed wheel, not from this repository")
    assert theme_dir() == REPO / "templates"
