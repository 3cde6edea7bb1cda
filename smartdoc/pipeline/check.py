"""Stage 1, check: discover -> load -> lint every plan, each on its own.

`check_plans` is the only loop that loads plans. Every command goes through it (`lint`,
`status`, `build`, `serve`, `bench`), so they agree on which files are plans, on "today", and
on what a broken plan does to the others: a plan that crashes the loader or a rule is reported
(`Checked.crashes`, exit 2) and every other plan is still checked.

Work is skipped when the memo holds a `check` record for the plan's exact inputs (its bytes,
the config, today, the smartdoc version, and the bytes of every CSV it read). Many plans are
checked in worker processes (fork, only when no other thread runs) when the caller does not
need the loaded plans back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartdoc import __version__
from smartdoc.cache import CACHE_FORMAT, Memo, NullMemo, deps_unchanged, digest, file_sha
from smartdoc.config import Config
from smartdoc.discover import PlanSource, discover_plans
from smartdoc.history.git import HistoryUnavailable
from smartdoc.lint.engine import lint_plan, lint_portfolio
from smartdoc.lint.finding import SEVERITIES, Finding
from smartdoc.lint.registry import Rule, all_rules
from smartdoc.load import MAX_PLAN_BYTES, LoadedPlan, load_plan
from smartdoc.options import Options
from smartdoc.pipeline import history as history_stage
from smartdoc.pipeline.history import HistoryOutcome, HistoryRun, HistorySource
from smartdoc.source import Location, Marks, Problem

#: Below this many plans, starting worker processes costs more than it saves.
PARALLEL_MIN_PLANS = 64
#: Loader problems that depend on files other than the plan: such plans are never memoised.
_UNCACHED_CODES = frozenset({"E113", "E114"})


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    """One plan after stage 1: its findings, and the loaded model when it was parsed."""

    source: PlanSource
    #: Memo key of this check (None: the result depends on more than the plan's bytes).
    key: str | None
    #: Whether the front-matter became a plan model (False: only findings to show).
    readable: bool
    draft: bool
    findings: tuple[Finding, ...]
    #: Project-relative path -> SHA-256 of every CSV file the plan read.
    data_files: dict[str, str | None] = field(default_factory=dict)
    #: The loaded plan; None when the check came from the memo or a worker process.
    loaded: LoadedPlan | None = None
    #: Why checking this plan crashed, if it did (an internal error, reported with exit 2).
    crash: str | None = None
    #: What the rules that compare plans read: objective key -> (title, area, horizon).
    objectives: dict[str, tuple[str, str | None, int | None]] = field(default_factory=dict)
    #: Whether the plan silences a rule that compares plans (so those rules must see it).
    silences_portfolio: bool = False

    @property
    def rel_path(self) -> str:
        """Return the plan file relative to the project root."""
        return self.source.rel_path

    @property
    def slug(self) -> str:
        """Return the plan's page name."""
        return self.source.slug


@dataclass(frozen=True, slots=True)
class Checked:
    """Every plan of a run after stage 1, and all their findings, sorted."""

    plans: tuple[CheckedPlan, ...]
    findings: tuple[Finding, ...]
    #: What the history stage found besides findings (and why it did not run, if it did not).
    history: HistoryOutcome = field(default_factory=HistoryOutcome)

    @property
    def crashes(self) -> tuple[str, ...]:
        """Return one line per plan whose check crashed."""
        return tuple(p.crash for p in self.plans if p.crash is not None)

    @property
    def files(self) -> list[str]:
        """Return every file read: plans, then the CSV files they read, without repeats."""
        plans = [p.rel_path for p in self.plans]
        data = [name for p in self.plans for name in p.data_files]
        return list(dict.fromkeys([*plans, *data]))

    def of(self, slug: str) -> list[Finding]:
        """Return the findings of one plan (its CSV findings included)."""
        return [f for f in self.findings if f.plan == slug]


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a run builds its many long-lived small objects.

    A run creates millions of small objects and keeps most of them to the end (nodes,
    findings, page data); with the default thresholds the collector rescans that heap again
    and again (~15% of a 1,000-plan build, bench/results.md).
    """
    saved = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def read_plan_bytes(source: PlanSource, root: Path) -> bytes | None:
    """Return a plan's bytes, or None when the loader must say why it cannot read them."""
    file = source.file
    try:  # a symlink loop raises RuntimeError: the loader reports it (issue 7)
        if (
            file.is_relative_to(root)
            and file.resolve().is_relative_to(root)
            and file.is_file()
            and file.stat().st_size <= MAX_PLAN_BYTES
        ):
            return file.read_bytes()
    except (OSError, RuntimeError):
        pass
    return None


def load_source(
    source: PlanSource, config: Config, raw: bytes | None, as_of: dt.date | None = None
) -> LoadedPlan:
    """Load one plan; a file whose real path is outside the project is refused, not read."""
    root = config.root.resolve()
    rel = source.rel_path
    try:
        real = source.file.resolve()
    except (OSError, RuntimeError):  # a symlink loop: nothing to read (issue 7)
        problem = Problem("E113", Location(rel, 1, 1), "cannot read file: a symlink loop")
        return LoadedPlan(rel, source.slug, None, Marks(), [problem], "", 1, {})
    if not real.is_relative_to(root):
        what = "folder" if source.file.is_dir() else "file"
        message = f"path escapes the project root (a symlink to a {what} outside)"
        problem = Problem("E114", Location(rel, 1, 1), message)
        return LoadedPlan(rel, source.slug, None, Marks(), [problem], "", 1, {})
    # the name as linked inside the project, so slugs follow what users see
    inside = source.file if source.file.is_relative_to(root) else real
    return load_plan(inside, root, config.plans_path.resolve(), raw=raw, as_of=as_of)


def check_key(config: Config, options: Options, source: PlanSource, raw: bytes) -> str:
    """Return the memo key of a plan's check: everything its findings depend on."""
    return digest(
        CACHE_FORMAT,
        __version__,
        str(config.root),
        config.model_dump_json(),
        options.today.isoformat(),
        options.as_of is not None,
        source.rel_path,
        source.slug,
        hashlib.sha256(raw).hexdigest(),
    )


def _check_one(
    source: PlanSource,
    raw: bytes | None,
    key: str | None,
    config: Config,
    options: Options,
    rules: dict[str, Rule],
) -> CheckedPlan:
    """Load and lint one plan; a crash becomes the plan's `crash`, never the run's."""
    try:
        loaded = load_source(source, config, raw, options.as_of)
        findings = lint_plan(loaded, config.lint, options.today, rules)
    except Exception as exc:  # one broken plan must not stop the others (it re-raises in debug)
        if os.environ.get("SMARTDOC_DEBUG"):
            raise
        crash = f"{source.rel_path}: internal error: {type(exc).__name__}: {exc}"
        return CheckedPlan(source, None, False, False, (), crash=crash)
    root = config.root
    data_files = {rel: file_sha(root / rel) for rel in loaded.data_files}
    if raw is None or any(p.code in _UNCACHED_CODES for p in loaded.problems):
        key = None
    plan = loaded.plan
    strategy = (plan.strategy or {}) if plan else {}
    objectives: dict[str, tuple[str, str | None, int | None]] = {
        name: (o.title, o.area, o.horizon) for name, o in strategy.items()
    }
    portfolio_codes = {r.code for r in rules.values() if r.scope == "portfolio"}
    silences = any(
        code in portfolio_codes for codes in loaded.suppressions.values() for code in codes
    )
    return CheckedPlan(
        source,
        key,
        readable=plan is not None,
        draft=bool(plan and plan.draft),
        findings=tuple(findings),
        data_files=data_files,
        loaded=loaded,
        objectives=objectives,
        silences_portfolio=silences,
    )


def _check_chunk(
    items: list[tuple[PlanSource, bytes | None, str | None]],
    config: Config,
    options: Options,
    keep_loaded: bool,
    keep_marks: bool = False,
) -> list[CheckedPlan]:
    """Check plans one by one; drop what a worker cannot or need not send back."""
    rules = all_rules()
    checked = []
    for source, raw, key in items:
        if options.verbose:
            import click

            click.echo(f"smartdoc: checking {source.rel_path}", err=True)
        result = _check_one(source, raw, key, config, options, rules)
        loaded = result.loaded
        if loaded is not None and not keep_loaded:
            result = _without_loaded(result)
        elif loaded is not None and not keep_marks:
            # node positions only serve findings: drop them so memory does not grow
            loaded.marks = Marks(loaded.rel_path)
        checked.append(result)
    return checked


def _trimmed(plan: CheckedPlan, keep_loaded: bool) -> CheckedPlan:
    """Return a plan without its loaded model, or with it but without node positions."""
    if plan.loaded is None or not keep_loaded:
        return _without_loaded(plan)
    plan.loaded.marks = Marks(plan.loaded.rel_path)
    return plan


def _without_loaded(plan: CheckedPlan) -> CheckedPlan:
    return dataclasses.replace(plan, loaded=None)


def _workers_for(count: int, jobs: int) -> int:
    """Return how many processes to check `count` plans with (1: in this process)."""
    # fork is only safe with no other thread running (serve and tests may have some)
    if count < PARALLEL_MIN_PLANS or threading.active_count() > 1 or os.name != "posix":
        return 1
    return max(1, min(jobs, count // (PARALLEL_MIN_PLANS // 2)))


def _run_checks(
    items: list[tuple[PlanSource, bytes | None, str | None]],
    config: Config,
    options: Options,
    keep_loaded: bool,
    keep_marks: bool = False,
) -> list[CheckedPlan]:
    """Check plans, across cores when there are many and their models need not come back."""
    workers = 1 if keep_loaded or keep_marks else _workers_for(len(items), options.jobs)
    if workers == 1:
        return _check_chunk(items, config, options, keep_loaded or keep_marks, keep_marks)
    size = -(-len(items) // (workers * 4))  # a few chunks per worker evens out slow plans
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results: list[CheckedPlan] = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        count = len(chunks)
        for chunk in pool.map(
            _check_chunk, chunks, [config] * count, [options] * count, [False] * count
        ):
            results.extend(chunk)
    return results


def _from_record(source: PlanSource, key: str, record: Any, root: Path) -> CheckedPlan:
    """Return a check from a memo record; ValueError when the record is not sound."""
    if not isinstance(record, dict):
        raise ValueError("a check record is a mapping")
    readable, draft = record.get("readable"), record.get("draft")
    findings, data_files = record.get("findings"), record.get("data_files")
    if not (isinstance(readable, bool) and isinstance(draft, bool)):
        raise ValueError("flags of the wrong type")
    if not isinstance(findings, list) or not isinstance(data_files, dict):
        raise ValueError("findings or data files of the wrong type")
    for rel, sha in data_files.items():
        if not is_project_path(rel) or not (sha is None or isinstance(sha, str)):
            raise ValueError(f"data file outside the project: {rel!r}")
    objectives, silences = record.get("objectives"), record.get("silences_portfolio")
    if not isinstance(objectives, dict) or not isinstance(silences, bool):
        raise ValueError("objectives of the wrong type")
    return CheckedPlan(
        source,
        key,
        readable,
        draft,
        tuple(finding_from_json(item, source) for item in findings),
        dict(data_files),
        objectives={k: _objective_of(k, v) for k, v in objectives.items()},
        silences_portfolio=silences,
    )


def _objective_of(key: Any, value: Any) -> tuple[str, str | None, int | None]:
    if not (isinstance(key, str) and isinstance(value, list) and len(value) == 3):
        raise ValueError("an objective is a list of 3 values")
    title, area, horizon = value
    if not isinstance(title, str) or not (area is None or isinstance(area, str)):
        raise ValueError("objective text of the wrong type")
    if not (horizon is None or (isinstance(horizon, int) and not isinstance(horizon, bool))):
        raise ValueError("objective horizon of the wrong type")
    return title, area, horizon


def is_project_path(rel: Any) -> bool:
    """Return whether a path from a record is a plain relative path inside the project."""
    if not isinstance(rel, str) or not rel or "\0" in rel or "\\" in rel:
        return False
    parts = rel.split("/")
    return not rel.startswith("/") and all(p not in ("", ".", "..") for p in parts)


_FINDING_FIELDS = ("file", "line", "column", "code", "name", "severity", "message", "plan", "goal")


def finding_from_json(item: Any, source: PlanSource | None = None) -> Finding:
    """Return a finding from a record; ValueError when a field is missing or of the wrong type."""
    if not isinstance(item, list) or len(item) != len(_FINDING_FIELDS):
        raise ValueError("a finding is a list of 9 values")
    file, line, column, code, name, severity, message, plan, goal = item
    texts = (file, code, name, severity, message)
    if not all(isinstance(v, str) for v in texts) or severity not in SEVERITIES:
        raise ValueError("finding text of the wrong type")
    if not (isinstance(line, int) and isinstance(column, int)) or line < 1 or column < 1:
        raise ValueError("finding position of the wrong type")
    if not all(v is None or isinstance(v, str) for v in (plan, goal)):
        raise ValueError("finding plan or goal of the wrong type")
    if source is not None and plan != source.slug:
        raise ValueError("finding of another plan")
    return Finding(file, line, column, code, name, severity, message, plan, goal)


def finding_to_json(finding: Finding) -> list[Any]:
    """Return a finding as a record value (`finding_from_json` reads it back)."""
    return [getattr(finding, name) for name in _FINDING_FIELDS]


def check_plans(
    config: Config,
    options: Options,
    *,
    paths: Sequence[Path] = (),
    memo: Memo | None = None,
    keep_loaded: bool = False,
    history: HistorySource | None = None,
) -> Checked:
    """Discover, load and lint every plan; return plans (in path order) and sorted findings.

    With `keep_loaded`, plans that were parsed keep their model (in `loaded`) for rendering;
    plans answered from the memo are not parsed at all. With `history`, the H rules run over
    the plans' git history when there is one (`smartdoc.pipeline.history`).
    """
    memo = memo or NullMemo()
    root = config.root.resolve()
    repository = None
    if history is not None and history_stage.is_wanted(config):
        repository = history_stage.read_repository(history)
    sources = discover_plans(config, paths)
    done: dict[str, CheckedPlan] = {}
    to_check: list[tuple[PlanSource, bytes | None, str | None]] = []
    with fewer_collections():
        for source in sources:
            raw = read_plan_bytes(source, root)
            key = check_key(config, options, source, raw) if raw is not None else None
            record = memo.get("check", key) if key is not None else None
            if record is not None and key is not None:
                try:
                    cached = _from_record(source, key, record, root)
                except ValueError:
                    memo.forget("check", key)
                else:
                    if deps_unchanged(config.root, cached.data_files):
                        done[source.rel_path] = cached
                        continue
            to_check.append((source, raw, key))
        keep_marks = repository is not None and not isinstance(repository, HistoryUnavailable)
        for result in _run_checks(to_check, config, options, keep_loaded, keep_marks):
            done[result.rel_path] = result
            if result.key is not None and result.crash is None:
                memo.put(
                    "check",
                    result.key,
                    {
                        "readable": result.readable,
                        "draft": result.draft,
                        "findings": [finding_to_json(f) for f in result.findings],
                        "data_files": result.data_files,
                        "objectives": {k: list(v) for k, v in result.objectives.items()},
                        "silences_portfolio": result.silences_portfolio,
                    },
                )
        plans = _with_portfolio_findings([done[s.rel_path] for s in sources], config)
        plans, outcome = _with_history(plans, config, options, history, repository, memo)
        if keep_marks:  # kept for the H rules only: drop what the caller did not ask for
            plans = tuple(_trimmed(plan, keep_loaded) for plan in plans)
    findings = tuple(sorted(f for plan in plans for f in plan.findings))
    return Checked(plans, findings, outcome)


def _with_history(
    plans: tuple[CheckedPlan, ...],
    config: Config,
    options: Options,
    source: HistorySource | None,
    repository: Any,
    memo: Memo,
) -> tuple[tuple[CheckedPlan, ...], HistoryOutcome]:
    """Add the H findings of every plan (and reconcile their suppressions)."""
    if source is None or repository is None or isinstance(repository, HistoryUnavailable):
        unjudged = tuple(_reconciled(plan, [], None) for plan in plans)
        if not isinstance(repository, HistoryUnavailable):
            return unjudged, HistoryOutcome()
        quiet = repository.reason in ("no-git", "not-a-repository")
        return unjudged, HistoryOutcome(notice=repository.message, notice_is_quiet=quiet)
    readable = [p for p in plans if p.readable and p.crash is None]
    # One memo record per plan: a plan's H findings depend on its own files' history only, so
    # an edit to one plan reads that plan again, not the whole portfolio.
    commit = repository.resolve_commit(source.rev or "HEAD") if repository.has_commits() else None
    keys: dict[str, str | None] = {}
    parts: dict[str, HistoryRun] = {}
    for plan in readable:
        key = None
        if commit is not None and plan.key is not None:
            files = [(plan.rel_path, plan.key), *sorted(plan.data_files.items())]
            key = history_stage.history_key(commit, files, config, options, source)
        keys[plan.rel_path] = key
        record = memo.get("history", key) if key is not None else None
        if record is not None and key is not None:
            try:
                parts[plan.rel_path] = HistoryRun.from_json(record)
            except ValueError:
                memo.forget("history", key)
    missing = [p for p in readable if p.rel_path not in parts]
    if missing:
        root = config.root.resolve()
        loaded = [
            p.loaded
            if p.loaded is not None and p.loaded.marks.values
            else load_source(p.source, config, read_plan_bytes(p.source, root), options.as_of)
            for p in missing
        ]
        run = history_stage.run_history(loaded, config, options, source)
        if isinstance(run, HistoryOutcome):  # unavailable after all (a shallow clone)
            return tuple(_reconciled(plan, [], None) for plan in plans), run
        by_slug = run.parts([(plan.slug, plan.rel_path) for plan in missing])
        for plan in missing:
            parts[plan.rel_path] = part = by_slug[plan.slug]
            key = keys[plan.rel_path]
            if key is not None:
                memo.put("history", key, part.to_json())
    merged = HistoryRun.merged([parts[p.rel_path] for p in readable])
    return tuple(_reconciled(plan, merged.findings, merged.used) for plan in plans), merged.outcome


def _reconciled(
    plan: CheckedPlan, extra: Sequence[Finding], used: frozenset[tuple[str, int, str]] | None
) -> CheckedPlan:
    """Return a plan with its H findings added and its `ignore[H...]` comments judged."""
    mine = [f for f in extra if f.plan == plan.slug]
    findings = history_stage.reconcile([*plan.findings, *mine], used)
    if len(findings) == len(plan.findings) and not mine:
        return plan
    return dataclasses.replace(plan, findings=tuple(sorted(findings)))


def _with_portfolio_findings(plans: list[CheckedPlan], config: Config) -> tuple[CheckedPlan, ...]:
    """Add the findings of the rules that compare plans (R106: one key, one objective).

    Only the plans those rules can report on are loaded again for positions: those that
    declare an objective key another plan gives other words, and those that silence such a
    rule (an unused suppression is reported too). Usually none.
    """
    texts: dict[str, set[tuple[str, str | None, int | None]]] = {}
    for plan in plans:
        for key, objective in plan.objectives.items():
            texts.setdefault(key, set()).add(objective)
    differing = {key for key, found in texts.items() if len(found) > 1}
    involved = [
        plan
        for plan in plans
        if plan.readable
        and plan.crash is None
        and (plan.silences_portfolio or differing & set(plan.objectives))
    ]
    if not involved:
        return tuple(plans)
    root = config.root.resolve()
    loaded = [load_source(p.source, config, read_plan_bytes(p.source, root)) for p in involved]
    found: dict[str, list[Finding]] = {}
    for finding in lint_portfolio(loaded, config.lint):
        found.setdefault(finding.plan or "", []).append(finding)
    return tuple(
        dataclasses.replace(plan, findings=tuple(sorted([*plan.findings, *found[plan.slug]])))
        if plan.slug in found
        else plan
        for plan in plans
    )


def reload(plan: CheckedPlan, config: Config, options: Options) -> LoadedPlan:
    """Return the loaded model of a plan whose check came from the memo (parse it again)."""
    if plan.loaded is not None:
        return plan.loaded
    root = config.root.resolve()
    return load_source(plan.source, config, read_plan_bytes(plan.source, root), options.as_of)
