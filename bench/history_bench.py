"""Lint with git history against lint without: N generated plans, C commits touching them.

    python -m bench.history_bench [-n 1000] [--commits 100] [--per-commit 10] [--runs 3]

Builds a git repository in a temporary folder: the N plans of `bench/generate.py` committed
before their period (2026), then C commits during it, each editing --per-commit plans at
random (seeded): a target lowered, a check-in added, now and then a check-in rewritten, and
one commit in twenty with a `Smartdoc-Rebaseline:` trailer. Then, in this process, it times
(medians of --runs, the two measures interleaved):

- without history: discover, load and lint every plan (what `smartdoc lint` does);
- with history: the same, plus `read_history` (one `git log`, one `git cat-file --batch`)
  and `history_findings` (the H rules).

CPU time counts this process and the git processes it waited for. Prints the figures, the
ratio (target: with history <= 2x without) and a row for bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import generate
from smartdoc.config import Config
from smartdoc.discover import discover_plans
from smartdoc.history import History, history_findings, read_history
from smartdoc.lint.engine import lint_plan
from smartdoc.lint.registry import all_rules
from smartdoc.pipeline.check import load_source, read_plan_bytes

TODAY = dt.date(2026, 11, 23)
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}
_TARGET = re.compile(r"^(    target: )(\d+)$", re.M)
_CHECKIN = re.compile(r"^(      - \{date: )(2026-\d\d-\d\d)(, value: )([\d.]+)\}$", re.M)


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environ.update(GIT_ENV)
    environ.update(env or {})
    subprocess.run(["git", *args], cwd=repo, env=environ, check=True, capture_output=True)


def _commit(repo: Path, message: str, day: dt.date) -> None:
    stamp = f"{day.isoformat()}T10:00:00+00:00"
    _git(repo, "add", "-A")
    _git(
        repo,
        "commit",
        "-q",
        "-m",
        message,
        env={
            "GIT_AUTHOR_NAME": "Bench Author",
            "GIT_AUTHOR_EMAIL": "bench@example.org",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": "Bench Author",
            "GIT_COMMITTER_EMAIL": "bench@example.org",
            "GIT_COMMITTER_DATE": stamp,
        },
    )


def _edit(text: str, rng: random.Random, day: dt.date) -> str:
    """Return the plan with one edit: lower a target, add a check-in, or rewrite one."""
    roll = rng.random()
    if roll < 0.4:
        targets = list(_TARGET.finditer(text))
        match = rng.choice(targets)
        lowered = f"{match.group(1)}{int(int(match.group(2)) * 0.95)}"
        return text[: match.start()] + lowered + text[match.end() :]
    checkins = list(_CHECKIN.finditer(text))
    if roll < 0.85:
        # a new check-in after a goal's last one, dated the commit's day
        match = rng.choice([m for m in checkins if m.group(2).endswith("-11-01")] or checkins)
        added = f"\n      - {{date: {day.isoformat()}, value: {match.group(4)}}}"
        return text[: match.end()] + added + text[match.end() :]
    match = rng.choice(checkins)
    rewritten = f"{match.group(1)}{match.group(2)}{match.group(3)}{float(match.group(4)) + 1:.1f}}}"
    return text[: match.start()] + rewritten + text[match.end() :]


def build_repository(folder: Path, count: int, commits: int, per_commit: int, seed: int) -> None:
    """Write N plans, commit them before the period, then C commits of edits during it."""
    rng = random.Random(seed)
    files = generate(folder, count, seed)
    _git(folder, "init", "-q", "-b", "main")
    _commit(folder, "Plans 2026", dt.date(2025, 12, 15))
    for number in range(commits):
        day = dt.date(2026, 1, 6) + dt.timedelta(days=3 * number)
        if day.day == 1:
            day += dt.timedelta(days=1)  # keep clear of the generated monthly check-ins
        for path in rng.sample(files, per_commit):
            path.write_text(_edit(path.read_text(encoding="utf-8"), rng, day), encoding="utf-8")
        message = f"Update {per_commit} plans"
        if number % 20 == 7:
            message += "\n\nSmartdoc-Rebaseline: quarterly review moved the targets"
        _commit(folder, message, day)


def load_all(config: Any) -> list[Any]:
    """Return every plan of the project loaded, as the history stage gets them."""
    root = config.root.resolve()
    return [load_source(s, config, read_plan_bytes(s, root)) for s in discover_plans(config)]


def lint_without(root: Path) -> int:
    """Discover, load and lint every plan; return the number of findings."""
    config = Config(root=root)
    rules = all_rules()
    plans = load_all(config)
    return sum(len(lint_plan(loaded, config.lint, TODAY, rules)) for loaded in plans)


def lint_with(root: Path) -> tuple[int, History, Counter[str]]:
    """The same, plus history and the H rules; return findings, history and H codes."""
    config = Config(root=root)
    rules = all_rules()
    plans = load_all(config)
    findings = sum(len(lint_plan(loaded, config.lint, TODAY, rules)) for loaded in plans)
    history = read_history(root, plans, plans_dir=config.plans_dir)
    assert isinstance(history, History), history
    report = history_findings(history, plans, config.lint, TODAY)
    return findings + len(report.findings), history, Counter(f.code for f in report.findings)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(action: Callable[[], object]) -> tuple[float, float, object]:
    """Return (wall s, CPU s of this process and its finished children, result)."""
    gc.collect()
    cpu, children, wall = time.process_time(), _children_cpu(), time.perf_counter()
    result = action()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu + _children_cpu() - children
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--per-commit", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smartdoc-history-bench-") as temporary:
        root = Path(temporary)
        started = time.perf_counter()
        build_repository(root, args.count, args.commits, args.per_commit, args.seed)
        print(
            f"repository: {args.count} plans, {args.commits} commits x {args.per_commit} plans "
            f"({time.perf_counter() - started:.1f} s to build)",
            file=sys.stderr,
        )
        without: list[tuple[float, float]] = []
        with_history: list[tuple[float, float]] = []
        history: History | None = None
        codes: Counter[str] = Counter()
        for _ in range(args.runs):
            wall, cpu, _result = measure(lambda: lint_without(root))
            without.append((wall, cpu))
            wall, cpu, result = measure(lambda: lint_with(root))
            with_history.append((wall, cpu))
            _, history, codes = result  # type: ignore[misc]
    assert history is not None
    report(args, without, with_history, history, codes)


def _median(runs: list[tuple[float, float]], index: int) -> float:
    return statistics.median(run[index] for run in runs)


def report(
    args: argparse.Namespace,
    without: list[tuple[float, float]],
    with_history: list[tuple[float, float]],
    history: History,
    codes: Counter[str],
) -> None:
    """Print the figures and a bench/results.md row."""
    wall_ratio = _median(with_history, 0) / _median(without, 0)
    cpu_ratio = _median(with_history, 1) / _median(without, 1)
    print(f"runs: {args.runs} (medians; min-max in brackets)")
    for name, runs in (("lint without history", without), ("lint with history", with_history)):
        walls = [wall for wall, _ in runs]
        cpus = [cpu for _, cpu in runs]
        print(
            f"{name:22} wall {statistics.median(walls):.3f} s ({min(walls):.3f}-{max(walls):.3f})"
            f"  cpu {statistics.median(cpus):.3f} s ({min(cpus):.3f}-{max(cpus):.3f})"
        )
    print(
        f"history: {history.commit_count} commits, {history.processes} git processes, "
        f"{history.blobs_read} blobs parsed, findings {dict(sorted(codes.items()))}"
    )
    met = "yes" if max(wall_ratio, cpu_ratio) <= 2 else "NO"
    print(f"with / without: wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x (target <= 2x: {met})")
    print(
        f"| lint with git history / without ({args.count} plans, {args.commits} commits) "
        f"| {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU | <= 2x | {met} |"
    )


if __name__ == "__main__":
    main()
