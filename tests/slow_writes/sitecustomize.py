"""Slow down every file a smartdoc build writes, for tests that kill a build halfway.

Tests put this folder on PYTHONPATH and set SMARTDOC_TEST_WRITE_DELAY (seconds per file) in
a build's environment; Python imports `sitecustomize` at start-up, before smartdoc runs. The
hook lives here, with the tests, so production code carries no test-only switch.
"""

from __future__ import annotations

import os
import time

_DELAY = float(os.environ.get("SMARTDOC_TEST_WRITE_DELAY", "0") or 0)

if _DELAY:
    from smartdoc.site import publish

    _write = publish.SiteWriter.write_bytes

    def _slow_write(self: publish.SiteWriter, rel_path: str, data: bytes) -> None:
        _write(self, rel_path, data)
        time.sleep(_DELAY)

    publish.SiteWriter.write_bytes = _slow_write  # type: ignore[method-assign]
