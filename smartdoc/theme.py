"""Where the built-in theme (the top-level `templates/` folder of the repository) is found.

A wheel ships the theme inside the package as `smartdoc/templates/` (setup.py copies it there);
an editable install (`pip install -e .`) has no such folder and uses the repository's own
`templates/`, so edits to the theme show without reinstalling.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from smartdoc.errors import SmartdocError

PACKAGED_NAME = "templates"


def theme_dir() -> Path:
    """Return the folder of the built-in theme: the packaged copy, else the repository's."""
    packaged = importlib.resources.files("smartdoc").joinpath(PACKAGED_NAME)
    # A zipped install gives a Traversable that is no Path: templates need real files.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent / PACKAGED_NAME
    if source.is_dir():
        return source
    raise SmartdocError(
        f"the built-in theme is missing: reinstall smartdoc (looked in {packaged} and {source})"
    )
