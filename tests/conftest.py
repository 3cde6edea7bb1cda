"""Shared fixtures and Hypothesis profiles.

Profiles: `ci` (the default: a few examples per property, so `make test` stays fast) and
`long` (`make fuzz`, `--hypothesis-profile=long`: thousands of examples, no deadline).
Fixtures from tests/guards.py: `loopback` (an HTTP server on 127.0.0.1 that must receive
nothing) and `reads` (every path the block opens or lists, via the audit hook).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import guards
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("SMARTDOC_FUZZ_EXAMPLES", "6000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def loopback() -> Iterator[guards.LoopbackServer]:
    """A loopback HTTP server; the test fails if anything connected to it."""
    with guards.LoopbackServer() as server:
        yield server
    assert server.connections == 0 and server.requests == [], (
        f"the loopback server was contacted: {server.requests or server.connections}"
    )


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep smartdoc's cache (normally ~/.cache/smartdoc) in a temporary folder for the run.

    Set in the environment, so the commands the tests start as subprocesses use it too.
    """
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "SMARTDOC_CACHE_DIR")}
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ.pop("SMARTDOC_CACHE_DIR", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
