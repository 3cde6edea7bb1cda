"""Reports: findings in, text out, one function per `lint --format`.

Every format takes the same `LintReport` (plain data) and returns a string; nothing here
prints, exits or decides whether the run failed. Formats:

- `full`: findings grouped by file, each with a code frame of its line and a caret under the
  column, then a summary line. Coloured only when asked (`color=True`).
- `concise`: `path:line:col: CODE/name [severity] message`, one a line, then the summary.
- `json`: `{"version": 1, "today", "findings", "summary"}` (docs/commands.md); the summary holds
  counts by severity (`error`, `warning`, `info`), `files_checked`, `plans` and
  `plans_with_findings`.
- `github`: GitHub Actions workflow commands (`::error file=...,line=...,col=...,title=...::`);
  info findings become `::notice`.
- `sarif`: SARIF 2.1.0, with the whole rule catalogue in `tool.driver.rules`.

Every format shows at most MAX_SHOWN_PER_CODE findings of one code in one file; one more
finding, at the first one left out, says how many were (`and 234,900 more E112 problems in
this file, not shown`), so a broken CSV gives a readable report and a few hundred CI
annotations, not 235,000. Summaries count what is shown. The exit code is decided on every
finding, shown or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json as jsonlib
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from smartdoc import __version__
from smartdoc.lint.finding import SEVERITIES, Finding
from smartdoc.lint.registry import Rule, all_rules
from smartdoc.source import MORE_MESSAGE, more_message

#: Version of the JSON report (docs/commands.md); bump on an incompatible change.
JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
#: Where SARIF viewers send users who want to know what smartdoc is.
INFORMATION_URI = "https://pypi.org/project/smartdoc/"
#: Largest file read to show code frames (plans are capped at 8 MiB by the loader too).
MAX_FRAME_FILE_BYTES = 8 * 1024 * 1024
#: Characters of a source line shown in a code frame; longer lines are cut around the column.
FRAME_WIDTH = 120
#: Most findings of one code shown for one file (the loader caps its problems the same way).
MAX_SHOWN_PER_CODE = 100

_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


@dataclass(frozen=True, slots=True)
class LintReport:
    """What a lint run found, ready to format."""

    #: Every finding, in the order to print (sorted by file, line, column, code).
    findings: Sequence[Finding]
    #: "Today" the run used.
    today: dt.date
    #: Slugs of every plan checked (with or without findings).
    plans: Sequence[str]
    #: Project-relative paths of every file read: plans and their CSV data.
    files: Sequence[str]
    #: Project root, to read source lines for code frames (None: no frames).
    root: Path | None = None
    #: Project-relative path -> text, used before reading `root` (tests, caches).
    sources: Mapping[str, str] = field(default_factory=dict)

    def count(self, severity: str) -> int:
        """Return how many findings have this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def plans_with_findings(self) -> int:
        """Return how many of the checked plans have at least one finding."""
        with_findings = {f.plan for f in self.findings if f.plan is not None}
        return len(with_findings & set(self.plans)) if self.plans else len(with_findings)


# --- the cap -----------------------------------------------------------------------------

_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def _hidden_count(finding: Finding) -> int:
    """Return how many findings `finding` stands for: N for an "and N more" one, else 1."""
    match = MORE_MESSAGE.match(finding.message)
    return int(match.group(1).replace(",", "")) if match else 1


def cap_findings(findings: Sequence[Finding], limit: int = MAX_SHOWN_PER_CODE) -> list[Finding]:
    """Return `findings` with at most `limit` per (file, code); one finding sums up the rest.

    The first `limit` are kept in order; the rest become one finding at the first of them,
    with the most severe severity among them. An "and N more" finding of the loader counts
    as N. When just one finding is over the limit it is shown as it is.
    """
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.file, finding.code), []).append(finding)
    if all(len(group) <= limit + 1 for group in groups.values()):
        return list(findings)
    summaries: dict[tuple[str, str], Finding] = {}
    for key, group in groups.items():
        if len(group) <= limit + 1:
            continue
        rest = group[limit:]
        first = rest[0]
        severity = min((f.severity for f in rest), key=lambda s: _SEVERITY_RANK.get(s, 99))
        hidden = sum(_hidden_count(f) for f in rest)
        message = more_message(first.code, hidden, limit).replace(" problem", " finding")
        summaries[key] = dataclasses.replace(first, severity=severity, message=message, goal=None)
    kept: list[Finding] = []
    seen: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding.file, finding.code)
        seen[key] = seen.get(key, 0) + 1
        if key not in summaries or seen[key] <= limit:
            kept.append(finding)
        elif seen[key] == limit + 1:
            kept.append(summaries[key])
    return kept


# --- summary -----------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    if word == "info":
        return f"{count} info"
    return f"{count} {word}" + ("" if count == 1 else "s")


def get_summary(report: LintReport) -> str:
    """Return the one-line summary: "Found 3 errors, 2 warnings in 2 of 5 plans."."""
    total = len(report.plans)
    noun = "plan" if total == 1 else "plans"
    if total == 0 and not report.findings:
        return "No plans to check."
    counts = [(s, report.count(s)) for s in SEVERITIES]
    if not report.findings:
        return f"All {total} {noun} passed." if total != 1 else "The plan passed."
    parts = ", ".join(_plural(n, s) for s, n in counts if n)
    if report.count("error") == 0 and report.count("warning") == 0:
        return f"All {total} {noun} passed ({parts})."
    return f"Found {parts} in {report.plans_with_findings} of {total} {noun}."


def get_summary_counts(report: LintReport) -> dict[str, int]:
    """Return the JSON summary: counts by severity, files checked, plans."""
    counts: dict[str, int] = {severity: report.count(severity) for severity in SEVERITIES}
    counts["files_checked"] = len(report.files)
    counts["plans"] = len(report.plans)
    counts["plans_with_findings"] = report.plans_with_findings if report.findings else 0
    return counts


def one_line(text: str) -> str:
    """Return text fit for one terminal line: line breaks and control characters escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# --- full --------------------------------------------------------------------------------


class _SourceLines:
    """Source lines of project files, read once each and never from outside the root."""

    def __init__(self, root: Path | None, sources: Mapping[str, str]) -> None:
        self.root = root.resolve() if root is not None else None
        self.sources = sources
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, rel: str) -> list[str] | None:
        if rel not in self.cache:
            self.cache[rel] = self._read(rel)
        return self.cache[rel]

    def _read(self, rel: str) -> list[str] | None:
        if rel in self.sources:
            return _split_lines(self.sources[rel])
        if self.root is None:
            return None
        try:
            real = (self.root / rel).resolve()
            # a finding may be about a symlink that points outside: never read through it
            if not real.is_relative_to(self.root) or not real.is_file():
                return None
            if real.stat().st_size > MAX_FRAME_FILE_BYTES:
                return None
            raw = real.read_bytes()
        except (OSError, ValueError):
            return None
        return _split_lines(raw.decode("utf-8", errors="replace"))


def _split_lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _clip(line: str, column: int) -> tuple[str, int]:
    """Return (visible part of a long line, column within it), cut around `column`."""
    line = one_line(line.replace("\t", " "))
    if len(line) <= FRAME_WIDTH:
        return line, column
    start = max(0, min(column - 1 - FRAME_WIDTH // 2, len(line) - FRAME_WIDTH))
    visible = line[start : start + FRAME_WIDTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + FRAME_WIDTH < len(line) else ""
    return prefix + visible + suffix, column - start + len(prefix)


def _frame(finding: Finding, lines: list[str] | None, style: Callable[..., str]) -> list[str]:
    """Return the code frame of a finding: the line before, its line, and a caret."""
    if not lines or not 1 <= finding.line <= len(lines):
        return []
    first = max(1, finding.line - 1)
    if first < finding.line and not lines[first - 1].strip():
        first = finding.line
    gutter = len(str(finding.line))
    out = [style(" " * gutter + " |", dim=True)]
    for number in range(first, finding.line + 1):
        text, column = _clip(lines[number - 1], finding.column)
        out.append(style(f"{number:>{gutter}} | ", dim=True) + text)
    caret_column = max(1, column)
    label = f"{finding.severity}: {finding.code}/{finding.name}"
    caret = style("^ " + label, fg=_COLORS.get(finding.severity), bold=True)
    out.append(style(" " * gutter + " | ", dim=True) + " " * (caret_column - 1) + caret)
    return out


def full(report: LintReport, *, color: bool = False, summary: bool = True, **_: object) -> str:
    """Return findings grouped by file, with code frames, then the summary line."""

    def style(text: str, **kwargs: object) -> str:
        # click.style takes typed keywords (fg: str, bold: bool...); callers pass those names
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    sources = _SourceLines(report.root, report.sources)
    by_file: dict[str, Counter[str]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file, Counter())[finding.severity] += 1
    out: list[str] = []
    current_file: str | None = None
    for finding in report.findings:
        if finding.file != current_file:
            if current_file is not None:
                out.append("")
            current_file = finding.file
            counts = by_file[current_file]
            described = ", ".join(_plural(counts[s], s) for s in SEVERITIES if counts[s])
            out.append(
                style(one_line(current_file), bold=True, underline=True)
                + style(f" ({described})", dim=True)
            )
        where = f"{one_line(finding.file)}:{finding.line}:{finding.column}:"
        code = style(finding.code, fg=_COLORS.get(finding.severity), bold=True)
        out.append(f"{style(where, bold=True)} {code} {one_line(finding.message)}")
        frame = _frame(finding, sources.lines(finding.file), style)
        if frame:
            out.extend(frame)
        else:
            out.append(style(f"  = {finding.severity}: {finding.code}/{finding.name}", dim=True))
    if summary:
        if out:
            out.append("")
        if report.count("error"):
            tone = "red"
        elif report.count("warning"):
            tone = "yellow"
        else:
            tone = "green"
        out.append(style(get_summary(report), fg=tone, bold=True))
    return "\n".join(out) + ("\n" if out else "")


# --- concise -----------------------------------------------------------------------------


def concise(report: LintReport, *, color: bool = False, summary: bool = True, **_: object) -> str:
    """Return `path:line:col: CODE/name [severity] message` lines, then the summary line."""
    out = []
    for f in report.findings:
        label = f"{f.code}/{f.name}"
        severity = f"[{f.severity}]"
        if color:
            label = click.style(label, fg=_COLORS.get(f.severity), bold=True)
        out.append(
            f"{one_line(f.file)}:{f.line}:{f.column}: {label} {severity} {one_line(f.message)}"
        )
    if summary:
        out.append(get_summary(report))
    return "\n".join(out) + ("\n" if out else "")


# --- json --------------------------------------------------------------------------------


def json(report: LintReport, **_: object) -> str:
    """Return the lint JSON report (docs/commands.md, lint JSON version 1)."""
    document = {
        "version": JSON_VERSION,
        "today": report.today.isoformat(),
        "findings": [f.to_json() for f in report.findings],
        "summary": get_summary_counts(report),
    }
    return jsonlib.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- github ------------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """Escape a workflow command's message (% CR LF), as actions/toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (% CR LF : ,), as actions/toolkit does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: LintReport, *, path_prefix: str = "", summary: bool = True, **_: object) -> str:
    """Return GitHub Actions annotations, one workflow command per finding."""
    out = []
    for f in report.findings:
        command = _GITHUB_COMMANDS.get(f.severity, "warning")
        properties = {
            "file": path_prefix + f.file,
            "line": str(f.line),
            "col": str(f.column),
            "title": f"smartdoc ({f.code})",
        }
        rendered = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
        message = f"{f.message} [{f.code}/{f.name}]"
        out.append(f"::{command} {rendered}::{escape_data(message)}")
    if summary:
        out.append(get_summary(report))
    return "\n".join(out) + ("\n" if out else "")


# --- sarif -------------------------------------------------------------------------------


def _sarif_rule(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc, "markdown": rule.doc},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        "properties": {"tags": [f"smartdoc/{rule.family}"]},
    }


def sarif(report: LintReport, *, rules: Mapping[str, Rule] | None = None, **_: object) -> str:
    """Return a SARIF 2.1.0 log: the whole rule catalogue and one result per finding."""
    catalogue = list((rules if rules is not None else all_rules()).values())
    index = {rule.code: i for i, rule in enumerate(catalogue)}
    results = []
    for f in report.findings:
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": _SARIF_LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": urllib.parse.quote(f.file, safe="/"),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": f.line, "startColumn": f.column},
                    },
                }
            ],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        properties: dict[str, object] = {}
        if f.plan is not None:
            properties["plan"] = f.plan
        if f.goal is not None:
            properties["goal"] = f.goal
        if properties:
            result["properties"] = properties
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "smartdoc",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(rule) for rule in catalogue],
                    },
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {
                        "description": {"text": "The project root (the folder of smartdoc.yml)."},
                    },
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return jsonlib.dumps(document, indent=2, ensure_ascii=False) + "\n"


#: Format name -> function(report, **options) -> text.
FORMATS: dict[str, Callable[..., str]] = {
    "full": full,
    "concise": concise,
    "json": json,
    "github": github,
    "sarif": sarif,
}


def render(output_format: str, report: LintReport, **options: object) -> str:
    """Return the report in `output_format` (a key of FORMATS), capped by `cap_findings`."""
    shown = dataclasses.replace(report, findings=cap_findings(report.findings))
    return FORMATS[output_format](shown, **options)
