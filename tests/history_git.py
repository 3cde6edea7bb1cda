"""Real temporary git repositories for the history tests: commits with fixed dates and authors.

`GitRepo(path)` runs git with no user or system configuration (so the machine's settings
cannot change a result), `write` puts a file, `commit` commits everything with a given
author date, author name and message (trailers included), `tag` tags HEAD. `plan_text`
writes a plan in the format of docs/plan-format.md with the values a test wants to change.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

ISOLATED_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return an environment for git with no user or system configuration."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environ.update(ISOLATED_ENV)
    environ.update(extra or {})
    return environ


class GitRepo:
    """A git work tree in a temporary folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "plans@example.org")
        self.git("config", "user.name", "Repo Owner")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
        """Run git in the work tree; return stdout; fail the test on an error."""
        done = subprocess.run(
            ["git", *args],
            cwd=cwd or self.path,
            env=git_env(env),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
        return done.stdout

    def write(self, rel: str, text: str | bytes) -> Path:
        """Write a file (folders made as needed)."""
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def commit(
        self,
        message: str,
        date: str,
        author: str = "Maria Lopez",
        trailers: Sequence[str] = (),
    ) -> str:
        """Commit everything with that author date (YYYY-MM-DD) and author; return the hash."""
        self.git("add", "-A")
        body = message + ("\n\n" + "\n".join(trailers) if trailers else "")
        stamp = f"{date}T12:00:00+00:00"
        self.git(
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            body,
            env={
                "GIT_AUTHOR_NAME": author,
                "GIT_AUTHOR_EMAIL": "author@example.org",
                "GIT_AUTHOR_DATE": stamp,
                "GIT_COMMITTER_NAME": author,
                "GIT_COMMITTER_EMAIL": "author@example.org",
                "GIT_COMMITTER_DATE": stamp,
            },
        )
        return self.git("rev-parse", "HEAD").strip()

    def short(self, sha: str) -> str:
        """Return git's abbreviation of a commit hash."""
        return self.git("rev-parse", "--short", sha).strip()

    def tag(self, name: str) -> None:
        """Tag HEAD."""
        self.git("tag", name)


def plan_text(
    *,
    target: str = "18000",
    baseline: str = "{date: 2026-12-31, value: 12000}",
    deadline: str = "2027-06-30",
    direction: str = "increase",
    interim: str = "[{date: 2027-03-31, value: 14000}]",
    measurements: str = "[{date: 2027-02-01, value: 12900}, {date: 2027-03-01, value: 13800}]",
    period: str = "{start: 2027-01-01, end: 2027-12-31}",
    second_goal: bool = True,
    extra_goal: str = "",
) -> str:
    """Return a plan whose first goal `ig-followers` carries the values given."""
    goals = [
        "  - id: ig-followers",
        "    title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027",
        "    kind: quantitative",
        "    serves: revenue",
        "    owner: Maria Lopez",
        "    budget: 8000",
        "    metric: Instagram followers",
        "    unit: followers",
        f"    direction: {direction}",
        f"    deadline: {deadline}",
        f"    baseline: {baseline}",
        f"    target: {target}",
        f"    interim: {interim}",
        f"    measurements: {measurements}",
    ]
    if second_goal:
        goals += [
            "  - id: positive-sentiment",
            "    title: Raise positive brand mentions from 41% to 55% by December 2027",
            "    kind: qualitative",
            "    serves: brand",
            "    owner: Maria Lopez",
            "    budget: 4000",
            "    objective: Be perceived as young and fresh",
            "    indicator: Share of positive mentions",
            "    method: Monthly social-listening report",
            '    unit: "%"',
            "    direction: increase",
            "    deadline: 2027-12-15",
            "    baseline: {date: 2026-12-01, value: 41}",
            "    target: 55",
            "    measurements: [{date: 2027-02-01, value: 44}]",
        ]
    if extra_goal:
        goals.append(extra_goal.rstrip("\n"))
    return "\n".join(
        [
            "---",
            "title: Northwind Coffee social media plan 2027",
            "owner: Maria Lopez",
            f"period: {period}",
            "strategy:",
            "  revenue: Increase online revenue by 3% in 2027",
            "  brand: Be seen as a young, fresh brand by 20-49 year olds",
            "budget: {total: 40000, currency: EUR}",
            "goals:",
            *goals,
            "---",
            "# Why this plan",
            "",
            "Narrative.",
            "",
        ]
    )


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line of the first line containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def tree_bytes(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Return relative path -> (kind, content or link target, exec bit) for a folder, no .git."""
    found: dict[str, tuple[str, bytes, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        base = Path(folder)
        for name in dirs:
            path = base / name
            if path.is_symlink():
                found[path.relative_to(root).as_posix()] = ("link", os.readlink(path).encode(), 0)
            else:
                found[path.relative_to(root).as_posix()] = ("dir", b"", 0)
        for name in files:
            path = base / name
            rel = path.relative_to(root).as_posix()
            if rel == ".git":
                continue
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path).encode(), 0)
            else:
                found[rel] = ("file", path.read_bytes(), path.stat().st_mode & 0o111)
    return found
