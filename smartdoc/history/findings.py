"""H rule hits become lint findings as the lint engine makes them.

A hit (code, node path in the plan, message, prefer the key's position) becomes a `Finding`
unless `select`/`ignore`, `per-file-ignores` or a `# smartdoc: ignore[...]` comment on its
line or on its goal's first line leaves it out; the severity follows `severity:`.
`reconcile_suppressions` settles the engine's "unused suppression" (E901) for H codes, which
the engine cannot judge because it does not run the H rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from smartdoc.config import LintConfig
from smartdoc.history.records import HistoryReport
from smartdoc.lint.engine import goal_lines_of, ignored_in_file, is_selected, silencing_line
from smartdoc.lint.finding import Finding
from smartdoc.lint.rules import history as catalogue
from smartdoc.load import LoadedPlan
from smartdoc.source import NodePath

RULES = {rule.code: rule for rule in catalogue.RULES}
UNUSED_SUPPRESSION = "E901"

#: (code, node path, message, prefer the key's position)
Hit = tuple[str, NodePath, str, bool]


def hit_findings(
    loaded: LoadedPlan, hits: Iterable[Hit], config: LintConfig, used: set[tuple[str, int, str]]
) -> list[Finding]:
    """Turn one plan's hits into findings the way the lint engine would; add to `used` each
    (file, line, code) whose ignore comment silenced one."""
    goal_lines = goal_lines_of(loaded)
    findings = []
    for code, path, message, prefer_key in hits:
        if not is_selected(code, config):
            continue
        location = loaded.location(path, prefer_key=prefer_key)
        if ignored_in_file(code, location.file, config):
            continue
        if location.file == loaded.rel_path:
            line = silencing_line(code, location.line, path, loaded, goal_lines)
            if line is not None:
                used.add((location.file, line, code))
                continue
        rule = RULES[code]
        findings.append(
            Finding(
                file=location.file,
                line=location.line,
                column=location.column,
                code=code,
                name=rule.name,
                severity=config.severity.get(code, rule.severity),
                message=message,
                plan=loaded.slug,
                goal=loaded.goal_id(path),
            )
        )
    return findings


def reconcile_suppressions(
    findings: Iterable[Finding], report: HistoryReport | None
) -> list[Finding]:
    """Drop the engine's "unused suppression" findings for H codes history used or could not check.

    The lint engine does not run the H rules, so it reports every `ignore[H...]` comment as
    unused (E901). Pass the run's findings and the history report (None when history was
    unavailable: those comments cannot be judged then, so none is reported).
    """
    used = report.used_suppressions if report is not None else frozenset()
    kept = []
    for finding in findings:
        if finding.code == UNUSED_SUPPRESSION:
            code = _suppressed_code(finding.message)
            is_history = code is not None and code.startswith("H")
            if is_history and (report is None or (finding.file, finding.line, code) in used):
                continue
        kept.append(finding)
    return kept


def _suppressed_code(message: str) -> str | None:
    prefix = "suppression of "
    if not message.startswith(prefix):
        return None
    return message[len(prefix) :].split(" ", 1)[0]
