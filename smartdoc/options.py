"""What a run was asked to do, settled once at the edge: dates, the epoch, jobs and colour.

`cli.py` parses flags into an `Options`; every later stage reads these values and never looks
at the clock or the environment again. "Today" is `--today`, else `SOURCE_DATE_EPOCH` (UTC),
else the local clock; the epoch (`SOURCE_DATE_EPOCH`) also stamps file times and PDF creation
dates, so two builds with the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from smartdoc.errors import UsageError

#: `--jobs auto`: every core this process may run on.
AUTO_JOBS = "auto"


@dataclass(frozen=True, slots=True)
class Options:
    """Flags every pipeline command shares, with the dates and the epoch worked out."""

    #: `-c/--config-file`, or None to find smartdoc.yml walking up from the working folder.
    config_file: Path | None
    #: The day findings and scores are judged on (see the module docs); `--as-of` sets it too.
    today: dt.date
    #: `--as-of DATE`: the plans as they stood that day, so figures dated after it are left
    #: out instead of reported as future figures; None without the flag.
    as_of: dt.date | None
    #: SOURCE_DATE_EPOCH in seconds, or None when it is not set.
    epoch: int | None
    #: Worker processes (`-j/--jobs`; `auto` = every core).
    jobs: int
    #: `--at REV`: read the project as it was at this git revision, or None (the work tree).
    at: str | None
    quiet: bool
    verbose: bool
    #: `--color/--no-color`, or None to decide from NO_COLOR and the terminal.
    color: bool | None

    def use_color(self, stream: TextIO) -> bool:
        """Return whether to colour output on `stream`: the flag, NO_COLOR, or a terminal."""
        if self.color is not None:
            return self.color
        if os.environ.get("NO_COLOR"):
            return False
        return bool(getattr(stream, "isatty", lambda: False)())


def read_epoch(environ: Mapping[str, str]) -> int | None:
    """Return SOURCE_DATE_EPOCH as seconds, None when unset; a bad value is a UsageError."""
    text = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    try:
        epoch = int(text)
        dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH is not a whole number of seconds since 1970: {text!r}"
        ) from None
    if epoch < 0:
        raise UsageError(f"SOURCE_DATE_EPOCH is before 1970: {text!r}")
    return epoch


def resolve_today(option: dt.date | None, epoch: int | None) -> dt.date:
    """Return "today": --today, else the epoch's UTC date, else the local clock."""
    if option is not None:
        return option
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date()
    return dt.date.today()


def available_cores() -> int:
    """Return how many cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def parse_jobs(text: str | int | None) -> int:
    """Return the worker count of `--jobs N|auto`; anything else is a UsageError."""
    if text is None or (isinstance(text, str) and text.strip().lower() in ("", AUTO_JOBS)):
        return available_cores()
    try:
        count = int(text)
    except (TypeError, ValueError):
        raise UsageError(
            f"--jobs takes a whole number of processes or 'auto', not {str(text)!r}"
        ) from None
    if count < 1:
        raise UsageError(f"--jobs must be at least 1 (or 'auto'), not {count}")
    return count


def make_options(
    *,
    config_file: Path | None = None,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
    at: str | None = None,
    jobs: str | int | None = None,
    quiet: bool = False,
    verbose: bool = False,
    color: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> Options:
    """Return Options with today, the epoch and jobs settled (the one place that reads them)."""
    epoch = read_epoch(os.environ if environ is None else environ)
    if today is not None and as_of is not None:
        raise UsageError("give --today or --as-of, not both (--as-of DATE also sets today)")
    return Options(
        config_file=config_file,
        today=as_of or resolve_today(today, epoch),
        as_of=as_of,
        epoch=epoch,
        jobs=parse_jobs(jobs),
        at=at,
        quiet=quiet,
        verbose=verbose,
        color=color,
    )
