"""Stage 1b, history: the H rules, over the git history of the plans, in one pass.

When the project is in a git work tree and an H rule is selected, every plan is compared with
the versions of it git holds (`smartdoc.history`: one `git log`, one `git cat-file --batch`)
and the H findings join the plan's own. Outside git, in a shallow clone or without git, the H
rules are skipped and the run says so once (`HistoryOutcome.notice`). `--at REV` reads the
history up to REV, with the plans of the snapshot.

The H findings depend on the whole history, not only on a plan's bytes, so they are never in
a plan's `check` record; a whole run's H findings are kept under one `history` record, keyed
by the commit and the bytes of every plan and CSV file, so a build that changed nothing reads
no history at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartdoc import __version__
from smartdoc.cache import CACHE_FORMAT, digest
from smartdoc.config import Config
from smartdoc.lint.engine import is_selected
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import all_rules
from smartdoc.load import LoadedPlan
from smartdoc.options import Options

FAMILY = "H"


@dataclass(frozen=True, slots=True)
class HistorySource:
    """Where a run reads history: the work tree, and the revision for `--at`."""

    #: A folder of the git work tree that holds the project (the real project root).
    repo_root: Path
    #: `--at REV`: history up to this revision, else up to the work tree.
    rev: str | None = None
    #: `--at REV`: the snapshot folder the plans were read from.
    files_root: Path | None = None


@dataclass(frozen=True, slots=True)
class HistoryOutcome:
    """What the history stage found besides findings."""

    #: One line saying why the H rules did not run (no git, shallow clone), or None.
    notice: str | None = None
    #: Whether the notice is only worth saying with -v: the project is not in git at all.
    #: A shallow clone or a failing git is said every time (the H rules were wanted).
    notice_is_quiet: bool = False
    #: (plan slug, goal id) -> the goal's `history` in plans.json (moved goalposts...).
    goals: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    #: Plan slug -> the goals removed after its period started, as JSON.
    dropped: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    #: Whether history was read: pages and plans.json show it (else `history` is null).
    ran: bool = False


def is_wanted(config: Config) -> bool:
    """Return whether any H rule is selected."""
    return any(
        rule.family == FAMILY and is_selected(rule.code, config.lint)
        for rule in all_rules().values()
    )


def read_repository(source: HistorySource) -> Any:
    """Return the repository (or why there is none) without reading any history yet."""
    from smartdoc.history.git import open_repository

    return open_repository(source.repo_root)


def history_key(
    commit: str,
    plans: Sequence[tuple[str, str | None]],
    config: Config,
    options: Options,
    source: HistorySource,
) -> str:
    """Return the memo key of one plan's H findings: the commit, its files' bytes, settings."""
    return digest(
        CACHE_FORMAT,
        __version__,
        "history",
        str(source.repo_root),
        source.files_root is not None,
        commit,
        sorted(plans),
        config.model_dump_json(),
        options.today.isoformat(),
    )


@dataclass(frozen=True, slots=True)
class HistoryRun:
    """The H findings of a run, and the `ignore[H...]` comments they used."""

    findings: tuple[Finding, ...]
    #: (file, line, code) of each suppression comment that silenced an H finding.
    used: frozenset[tuple[str, int, str]]
    outcome: HistoryOutcome

    def parts(self, plans: Sequence[tuple[str, str]]) -> dict[str, HistoryRun]:
        """Return what the run found about each plan, by slug, from (slug, plan file) pairs
        (the H rules judge each plan on its own); one pass over the run's records."""
        findings: dict[str, list[Finding]] = {}
        for finding in self.findings:
            findings.setdefault(finding.plan or "", []).append(finding)
        goals: dict[str, dict[tuple[str, str], Mapping[str, Any]]] = {}
        for key, value in self.outcome.goals.items():
            goals.setdefault(key[0], {})[key] = value
        slug_of = {rel_path: slug for slug, rel_path in plans}
        used: dict[str, set[tuple[str, int, str]]] = {}
        for item in self.used:
            if item[0] in slug_of:
                used.setdefault(slug_of[item[0]], set()).add(item)
        return {
            slug: HistoryRun(
                tuple(findings.get(slug, ())),
                frozenset(used.get(slug, ())),
                HistoryOutcome(
                    goals=goals.get(slug, {}),
                    dropped={slug: self.outcome.dropped[slug]}
                    if slug in self.outcome.dropped
                    else {},
                    ran=True,
                ),
            )
            for slug, _ in plans
        }

    @classmethod
    def merged(cls, parts: Sequence[HistoryRun]) -> HistoryRun:
        """Return the run made of the parts of several plans."""
        return cls(
            tuple(sorted(f for part in parts for f in part.findings)),
            frozenset(item for part in parts for item in part.used),
            HistoryOutcome(
                goals={k: v for part in parts for k, v in part.outcome.goals.items()},
                dropped={k: v for part in parts for k, v in part.outcome.dropped.items()},
                ran=True,
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the run as a memo record (`from_json` reads it back, checking it)."""
        from smartdoc.pipeline.check import finding_to_json

        return {
            "findings": [finding_to_json(f) for f in self.findings],
            "used": [list(item) for item in sorted(self.used)],
            "goals": [[plan, goal, value] for (plan, goal), value in self.outcome.goals.items()],
            "dropped": dict(self.outcome.dropped),
        }

    @classmethod
    def from_json(cls, record: Any) -> HistoryRun:
        """Return a run from a memo record; ValueError when any part is not as written."""
        from smartdoc.pipeline.check import finding_from_json

        if not isinstance(record, dict):
            raise ValueError("a history record is a mapping")
        findings, used = record.get("findings"), record.get("used")
        goals, dropped = record.get("goals"), record.get("dropped")
        if not (isinstance(findings, list) and isinstance(used, list) and isinstance(goals, list)):
            raise ValueError("history record fields of the wrong type")
        if not isinstance(dropped, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(i, dict) for i in v)
            for k, v in dropped.items()
        ):
            raise ValueError("dropped goals of the wrong type")
        for item in used:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[1], int)):
                raise ValueError("a used suppression is [file, line, code]")
        for item in goals:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], dict)):
                raise ValueError("a goal history is [plan, goal, value]")
        return cls(
            tuple(finding_from_json(item) for item in findings),
            frozenset((str(f), int(n), str(c)) for f, n, c in used),
            HistoryOutcome(
                goals={(str(p), str(g)): v for p, g, v in goals},
                dropped={k: list(v) for k, v in dropped.items()},
                ran=True,
            ),
        )


def run_history(
    loaded: Sequence[LoadedPlan], config: Config, options: Options, source: HistorySource
) -> HistoryRun | HistoryOutcome:
    """Read the history of the loaded plans; return the run, or why history is unavailable."""
    from smartdoc.history import HistoryUnavailable, history_findings, read_history

    history = read_history(
        source.repo_root,
        loaded,
        plans_dir=config.plans_dir,
        rev=source.rev,
        files_root=source.files_root,
    )
    if isinstance(history, HistoryUnavailable):
        return HistoryOutcome(notice=history.message)
    report = history_findings(history, loaded, config.lint, options.today)
    outcome = HistoryOutcome(
        goals={key: goal.to_json() for key, goal in report.goals.items()},
        dropped={
            slug: [item.to_json(options.today, config.status_tolerance) for item in items]
            for slug, items in report.dropped.items()
        },
        ran=True,
    )
    return HistoryRun(tuple(report.findings), frozenset(report.used_suppressions), outcome)


def reconcile(
    findings: Sequence[Finding], used: frozenset[tuple[str, int, str]] | None
) -> list[Finding]:
    """Drop the engine's "unused suppression" findings of H codes that history used.

    Without history (`used` None) an `ignore[H...]` comment cannot be judged, so none is
    reported as unused.
    """
    from smartdoc.history.findings import reconcile_suppressions
    from smartdoc.history.records import HistoryReport

    report = None if used is None else HistoryReport((), {}, {}, used)
    return reconcile_suppressions(findings, report)
