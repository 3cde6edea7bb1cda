"""A finding: one problem a rule found, at a position in a file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One problem, ready to report. Sorts by file, line, column, code."""

    #: File the finding is in, relative to the project root, POSIX separators.
    file: str
    #: 1-based line, counted from the top of the file (`---` included).
    line: int
    #: 1-based column.
    column: int
    #: Stable rule code, e.g. `M101`.
    code: str
    #: Kebab-case rule name, e.g. `baseline-missing`.
    name: str
    #: `error`, `warning` or `info` (after configuration overrides).
    severity: str
    #: One line naming the goal and the field.
    message: str
    #: Slug of the plan the finding belongs to.
    plan: str | None = None
    #: Id of the goal, or None for plan-level findings.
    goal: str | None = None

    @property
    def family(self) -> str:
        """Return the SMART family letter (S, M, A, R, T, P, Q or E)."""
        return self.code[0]

    def to_json(self) -> dict[str, object]:
        """Return the lint JSON object of this finding (docs/commands.md, lint JSON)."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "plan": self.plan,
            "goal": self.goal,
            "message": self.message,
        }


def fails(findings: Iterable[Finding], strict: bool) -> bool:
    """Return True when a finding fails the run: an error, or a warning under --strict."""
    failing = {"error", "warning"} if strict else {"error"}
    return any(f.severity in failing for f in findings)
