"""Faults while building: a full disk, a read-only output folder, an interrupted PDF pool,
two builds at once. Each leaves the last good site as it was (guards.tree_hash) and ends with
one clear line, never a traceback. (kill -9 halfway: tests/test_publish.py and row 9 of
tests/test_acceptance.py.)

Tests run as root here, where `chmod` does not stop writes, so "read-only" and "full" are
simulated in-process: an `OSError(EROFS)` / `OSError(ENOSPC)` raised by the file-system call
smartdoc makes (monkeypatched), and, without patching, an output folder whose parent is a
regular file (no folder can be created there, whoever you are).
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import guards
import pytest
from test_acceptance import build, good_site, new_project
from test_build import plan_text, write_plan

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def environment(**extra: str) -> dict[str, str]:
    # tests/slow_writes holds the sitecustomize that honours SMARTDOC_TEST_WRITE_DELAY
    path = os.pathsep.join([str(REPO), str(REPO / "tests" / "slow_writes")])
    env = {**os.environ, "PYTHONPATH": path, "NO_COLOR": "1", **extra}
    env.pop("GITHUB_ACTIONS", None)
    return env


def one_error_line(stderr: str, *words: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("smartdoc: error: "), stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- a full disk, a read-only folder ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_write_failure_is_one_line_exit_2_and_the_site_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    """The disk fills (or turns read-only) while the new tree is written, halfway through."""
    from smartdoc.site import publish

    project, before = good_site(tmp_path)
    write_plan(project, "d-new", plan_text("Another plan 2027"))  # the next build differs
    real_write = publish.SiteWriter.write_bytes
    calls = {"n": 0}

    def failing_write(self: Any, rel_path: str, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] >= 3:
            raise OSError(code, os.strerror(code), str(self._target(rel_path)))
        real_write(self, rel_path, data)

    monkeypatch.setattr(publish.SiteWriter, "write_bytes", failing_write)
    monkeypatch.setattr(
        publish.SiteWriter, "copy_file", lambda self, rel, source: failing_write(self, rel, b"")
    )
    run = build(project, "--no-pdf")
    assert run.code == 2, run.output
    one_error_line(run.stderr, "cannot write the site into", words, "left unchanged")
    assert calls["n"] >= 3
    assert guards.tree_hash(project / "site") == before  # and no temporary folder


def test_read_only_parent_cannot_create_the_temporary_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path as PathClass

    project, before = good_site(tmp_path)
    real_mkdir = PathClass.mkdir

    def read_only_mkdir(self: PathClass, *args: Any, **kwargs: Any) -> None:
        if self.name.startswith(".site.tmp-"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(PathClass, "mkdir", read_only_mkdir)
    write_plan(project, "d-new", plan_text("Another plan 2027"))
    run = build(project, "--no-pdf")
    assert run.code == 2, run.output
    one_error_line(run.stderr, "Read-only file system", "left unchanged")
    assert guards.tree_hash(project / "site") == before


def test_output_under_a_regular_file_is_one_line_exit_2(tmp_path: Path) -> None:
    """No monkeypatching: the output's parent is a file, so nothing can be created there."""
    project, _ = good_site(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("precious\n", encoding="utf-8")
    run = build(project, "--no-pdf", "-d", str(blocker / "site"))
    assert run.code == 2, run.output
    one_error_line(run.stderr, str(blocker))
    assert blocker.read_text(encoding="utf-8") == "precious\n"


# --- an interrupted PDF pool ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code", "last_line"),
    [
        (signal.SIGINT, 130, "smartdoc: interrupted"),
        # issue 15: the workers inherited a blocked SIGTERM and outlived the build
        (signal.SIGTERM, 143, "smartdoc: terminated"),
        # nothing runs in the build after SIGKILL: the workers must end by themselves
        (signal.SIGKILL, -signal.SIGKILL, None),
    ],
    ids=["SIGINT", "SIGTERM", "SIGKILL"],
)
def test_a_signal_during_pdfs_leaves_no_process_and_no_site(
    tmp_path: Path, signum: int, code: int, last_line: str | None
) -> None:
    from test_pdf import make_project

    project = make_project(tmp_path / "project")
    marker = f"SMARTDOC_FAULT_TEST={uuid.uuid4().hex}"
    name, value = marker.split("=")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartdoc.cli",
            "build",
            "--pdf",
            "--jobs",
            "2",
            "--today",
            "2026-11-20",
        ],
        cwd=project,
        env=environment(**{name: value}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait for the workers (forkserver + children)
            if len(guards.descendants_alive(marker)) >= 3:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the PDF workers never started")
        time.sleep(0.5)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    if last_line is not None:
        assert stderr.strip().splitlines()[-1] == last_line
    deadline = time.monotonic() + 30
    while guards.descendants_alive(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert guards.descendants_alive(marker) == []  # no orphaned worker, server or tracker
    assert not (project / "site").exists()
    if signum != signal.SIGKILL:  # a killed build leaves its staging folder to the next one
        assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


# --- two builds at once ----------------------------------------------------------------------


def test_a_second_build_is_refused_while_one_runs_and_the_site_is_whole(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    for index in range(3):
        write_plan(project, f"plan-{index}", plan_text(f"Plan {index} 2027"))
    slow = subprocess.Popen(
        [sys.executable, "-m", "smartdoc.cli", "build", "--no-pdf", "--today", "2027-04-01"],
        cwd=project,
        env=environment(SMARTDOC_TEST_WRITE_DELAY="0.3"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(project.glob(".site.tmp-*")):
            assert time.monotonic() < deadline and slow.poll() is None, slow.communicate()
            time.sleep(0.02)
        second = build(project, "--no-pdf")
        assert second.code == 2, second.output
        line = one_error_line(second.stderr, "another smartdoc build is running on this project")
        assert f"(pid {slow.pid})" in line
        _, stderr = slow.communicate(timeout=TIMEOUT)
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
    assert slow.returncode == 0, stderr
    built = guards.tree_hash(project / "site")
    assert built.temporaries == ()
    # the site is the first build's, whole: a fresh build into another folder gives the same
    fresh = build(project, "--no-pdf", "-d", str(tmp_path / "fresh"))
    assert fresh.code == 0, fresh.output
    assert built.files == guards.tree_hash(tmp_path / "fresh").files
    assert build(project, "--no-pdf").code == 0  # the lock was released


def test_the_lock_of_a_killed_build_is_released(tmp_path: Path) -> None:
    project, before = good_site(tmp_path)
    write_plan(project, "d-new", plan_text("Another plan 2027"))
    slow = subprocess.Popen(
        [sys.executable, "-m", "smartdoc.cli", "build", "--no-pdf", "--today", "2027-04-01"],
        cwd=project,
        env=environment(SMARTDOC_TEST_WRITE_DELAY="0.5"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(project.glob(".site.tmp-*")):
            assert time.monotonic() < deadline and slow.poll() is None
            time.sleep(0.02)
        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=TIMEOUT)
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
    assert guards.tree_hash(project / "site").files == before.files
    run = build(project, "--no-pdf")
    assert run.code == 0, run.output  # no stale lock: the kernel dropped it with the process
    assert guards.tree_hash(project / "site").temporaries == ()


def test_lock_refusal_in_process(tmp_path: Path) -> None:
    """The lock itself: held, a second taker is refused at once, naming the holder."""
    from smartdoc.site.publish import BuildLocked, build_lock

    project = new_project(tmp_path / "project")
    output = project / "site"
    cache = tmp_path / "cache"
    with build_lock(cache, output) as path:
        assert path == cache / "build.lock"
        assert path.read_text(encoding="ascii").strip() == str(os.getpid())
        # refused, not queued: a blocking lock would hang here (the holder is this process)
        with (
            guards.time_limit(30),
            pytest.raises(BuildLocked, match=rf"\(pid {os.getpid()}\)"),
            build_lock(cache, output),
        ):
            pass
    with build_lock(cache, output):
        pass
