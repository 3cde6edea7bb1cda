"""Check a project the way the commands do (the pipeline's check stage), for tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from smartdoc.config import Config
from smartdoc.discover import discover_plans
from smartdoc.load import LoadedPlan
from smartdoc.options import make_options
from smartdoc.pipeline.check import Checked, check_plans, load_source, read_plan_bytes


def check_project(
    config: Config, paths: Sequence[Path] = (), today: dt.date | None = None, *, jobs: int = 1
) -> Checked:
    """Return every plan of the project checked as of `today`, loaded models kept."""
    options = make_options(today=today, jobs=jobs, environ={})
    return check_plans(config, options, paths=paths, keep_loaded=jobs == 1)


def load_plans(config: Config) -> list[LoadedPlan]:
    """Return every plan of the project loaded, node positions kept (as the history stage has)."""
    root = config.root.resolve()
    return [load_source(s, config, read_plan_bytes(s, root)) for s in discover_plans(config)]
