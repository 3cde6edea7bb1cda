"""The project a command works on: the work tree, or the tree of a git revision (`--at`).

`--at REV` is an input, not another path through the code: the project's files as they were
at REV (plans, CSV files, smartdoc.yml, templates) are written to a temporary folder outside
the work tree (`smartdoc.history.materialize`: no checkout, nothing written into the work
tree), and the command runs its usual pipeline on that folder. History is read from the real
repository, up to REV; the output folder and the cache stay those of the real project.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from smartdoc.config import Config, load_config
from smartdoc.options import Options
from smartdoc.pipeline.history import HistorySource


@dataclass(frozen=True, slots=True)
class Project:
    """What a command runs on."""

    #: The config, as read from the work tree or from the snapshot of `--at`.
    config: Config
    #: Where the H rules read history.
    history: HistorySource
    #: The real project root: output folders and the cache belong to it.
    home: Path


def _say_deprecations(config: Config) -> None:
    for notice in config.deprecations:
        click.echo(f"smartdoc: warning: {notice}", err=True)


@contextlib.contextmanager
def open_project(options: Options, asked_by: str | None = None) -> Iterator[Project]:
    """Yield the project of a run; with `--at`, its snapshot, removed afterwards.

    `asked_by` names what asked for the revision in an error (default: `--at REV`).
    """
    config = load_config(options.config_file)
    if options.at is None:
        _say_deprecations(config)
        yield Project(config, HistorySource(config.root), config.root)
        return
    from smartdoc.history import materialize

    home = config.root
    with materialize(home, options.at, asked_by=asked_by) as snapshot:
        if config.file is not None and config.file.resolve().is_relative_to(home.resolve()):
            at_rev = snapshot / config.file.resolve().relative_to(home.resolve())
            snapshot_config = load_config(at_rev if at_rev.is_file() else None, start=snapshot)
        else:  # a config from outside the project applies at any revision
            snapshot_config = load_config(config.file, start=snapshot)
        if snapshot_config.root != snapshot.resolve():
            snapshot_config = snapshot_config.model_copy(update={"root": snapshot.resolve()})
        _say_deprecations(snapshot_config)
        yield Project(
            snapshot_config,
            HistorySource(home, rev=options.at, files_root=snapshot_config.root),
            home,
        )
