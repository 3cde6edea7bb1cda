"""Start `smartdoc serve` in a subprocess on a free loopback port, and talk to it."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

EPOCH = str(int(dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc).timestamp()))


def env() -> dict[str, str]:
    values = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"}
    values.pop("GITHUB_ACTIONS", None)
    return values


def init_project(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "smartdoc.cli", "init", str(folder)],
        env=env(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    return folder


class Served:
    """A running `smartdoc serve`; its stderr is collected in `lines`."""

    def __init__(self, project: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smartdoc.cli", "serve", "-a", "127.0.0.1:0", *args],
            cwd=project,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        match = wait_for(
            lambda: next(
                (
                    m
                    for line in self.lines
                    if (m := re.search(r"serving http://127\.0\.0\.1:(\d+)/", line))
                ),
                None,
            ),
            timeout=30,
        )
        assert match, "".join(self.lines)
        self.port = int(match.group(1))
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def request(
        self, path: str, host: str | None = None, method: str = "GET"
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a request with this exact path (no normalisation) and Host header."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host or f"127.0.0.1:{self.port}")
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def text(self, path: str) -> str:
        status, _, body = self.request(path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def state(self) -> dict[str, object]:
        return json.loads(self.request("/__smartdoc/state")[2])

    def wait_build_after(self, build: int, timeout: float = 60) -> dict[str, object]:
        state = wait_for(lambda: (s := self.state())["build"] != build and s, timeout=timeout)
        assert state, f"no rebuild within {timeout} s:\n" + "".join(self.lines)
        return state

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._reader.join(timeout=5)
            if self.process.stdout is not None:
                self.process.stdout.close()


def wait_for(check: Callable[[], object], timeout: float = 10, step: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
