"""`smartdoc clean`: remove this project's build cache, and nothing else.

The cache lives outside the project (`smartdoc.cache.project_cache_dir`). A `.smartdoc_cache`
folder in the project, where smartdoc 0.1 kept it, is removed too; a symlink there is
removed itself, never followed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from smartdoc.cache import project_cache_dir
from smartdoc.config import Config
from smartdoc.errors import OutputError
from smartdoc.options import Options

LEGACY_CACHE_DIR = ".smartdoc_cache"


def _size(folder: Path) -> tuple[int, int]:
    """Return (files, bytes) under a folder, not following symlinks."""
    files = total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            files += 1
            total += path.stat().st_size
    return files, total


def _remove(folder: Path, shown: str) -> str | None:
    """Remove a cache folder (a link is removed, never followed); say what was removed."""
    try:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()
            return f"Removed {shown} (it was not a folder)."
        if not folder.is_dir():
            return None
        files, size = _size(folder)
        shutil.rmtree(folder)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot remove the cache: {exc.strerror or exc}") from None
    noun = "file" if files == 1 else "files"
    return f"Removed {shown} ({files} {noun}, {size / 1024:,.1f} KiB)."


def run(config: Config, options: Options) -> int:
    """Remove the project's cache folders; say what was removed."""
    cache = project_cache_dir(config.root)
    messages = [
        _remove(cache, f"the build cache {cache}/"),
        _remove(config.root / LEGACY_CACHE_DIR, f"{LEGACY_CACHE_DIR}/"),
    ]
    said = [m for m in messages if m is not None] or [f"Nothing to clean: no cache at {cache}/."]
    if not options.quiet:
        for message in said:
            click.echo(message)
    return 0
