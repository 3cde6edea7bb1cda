"""Failures that end a command: printed as one line, mapped to an exit code in cli.py."""

from __future__ import annotations


class SmartdocError(Exception):
    """A failure of usage, configuration or the machine, shown to the user without a traceback."""

    exit_code = 2


class UsageError(SmartdocError):
    """The command line asks for something that cannot be done."""


class ConfigError(SmartdocError):
    """`smartdoc.yml` is unreadable or holds a bad value."""


class FindingsFailed(SmartdocError):
    """Lint findings refuse the run (exit 1)."""

    exit_code = 1
