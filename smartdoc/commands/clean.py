"""`smartdoc clean`: remove the build cache, `<root>/.smartdoc_cache`, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

from smartdoc.config import Config
from smartdoc.errors import SmartdocError

CACHE_DIR = ".smartdoc_cache"


def _size(folder: Path) -> tuple[int, int]:
    """Return (files, bytes) under a folder, not following symlinks."""
    files = total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            files += 1
            total += path.stat().st_size
    return files, total


def run(config: Config, options: Any) -> int:
    """Remove the cache folder of the project; say what was removed."""
    cache = config.root / CACHE_DIR
    shown = f"{CACHE_DIR}/"
    try:
        if cache.is_symlink() or (cache.exists() and not cache.is_dir()):
            cache.unlink()  # a link is removed, never followed
            message = f"Removed {shown} (it was not a folder)."
        elif cache.is_dir():
            files, size = _size(cache)
            shutil.rmtree(cache)
            noun = "file" if files == 1 else "files"
            message = f"Removed {shown} ({files} {noun}, {size / 1024:,.1f} KiB)."
        else:
            message = f"Nothing to clean: {shown} does not exist."
    except OSError as exc:
        raise SmartdocError(f"{cache}: cannot remove the cache: {exc.strerror or exc}") from None
    if not options.quiet:
        click.echo(message)
    return 0
