"""Ship the top-level templates/ folder (the built-in theme) inside the wheel as smartdoc/templates.

Everything else is declared in pyproject.toml. An editable install skips the copy: there,
smartdoc.theme.theme_dir() finds the repository's own templates/ folder instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

THEME_SOURCE = Path(__file__).resolve().parent / "templates"
THEME_TARGET = Path("smartdoc", "templates")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store", "*~")


class BuildPyWithTheme(build_py):
    """build_py that also copies templates/ into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not THEME_SOURCE.is_dir():
            return
        target = Path(self.build_lib) / THEME_TARGET
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(THEME_SOURCE, target, ignore=SKIP)


setup(cmdclass={"build_py": BuildPyWithTheme})
