"""Failures that end a command: one line for the user, one exit code, mapped in `cli.py` only.

Problems in what a user *wrote* (a plan, a CSV) are never exceptions: they are findings with a
position (`smartdoc.lint.finding.Finding`). Exceptions are for the run itself:

    SmartdocError           exit 2, the base: an internal failure explained in words
      UsageError            the command line asks for something impossible (`--jobs banana`)
      ConfigError           smartdoc.yml is unreadable or holds a bad value
      TemplateError         a theme template is broken or refused (syntax, missing, links out)
      OutputError           the output folder is refused, locked, or cannot be written
    FindingsFailed          exit 1: findings refuse the run (`--strict` PDF refusals included)
"""

from __future__ import annotations


class SmartdocError(Exception):
    """A failure of usage, configuration or the machine, shown without a traceback (exit 2)."""

    exit_code = 2


class UsageError(SmartdocError):
    """The command line asks for something that cannot be done."""


class ConfigError(SmartdocError):
    """`smartdoc.yml` is unreadable or holds a bad value."""


class TemplateError(SmartdocError):
    """A template could not be loaded or rendered (syntax error, missing file, link outside)."""


class OutputError(SmartdocError):
    """The output folder may not be used, is locked by another build, or cannot be written."""


class FindingsFailed(SmartdocError):
    """Findings refuse the run (exit 1)."""

    exit_code = 1
