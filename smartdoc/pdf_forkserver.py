"""What the PDF pool's fork server imports once, before it forks any worker.

The fork server starts every PDF worker, and its children restore the signal handlers it had
when it started serving: so Ctrl-C is ignored here, once, and no worker caught half started
prints a traceback (see `_quiet`). The build process answers Ctrl-C and SIGTERM itself and
stops the workers (`smartdoc.pdf._run_pool`); each worker also ends when the build process is
gone (`smartdoc.pdf_worker.init_worker`), and then the fork server does. WeasyPrint is
imported here too, so each worker starts with it loaded (about a second saved per worker).
"""

from __future__ import annotations

import signal
import sys
from types import TracebackType

signal.signal(signal.SIGINT, signal.SIG_IGN)


def _quiet(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Print nothing for a worker that dies while starting (the build is being stopped).

    A worker forked just as the build stops finds the pool's semaphores gone and fails to
    start; the fork server would print that as a traceback on the user's terminal. A worker
    that fails for any other reason breaks the pool, and the build reports it in one line.
    """


sys.excepthook = _quiet

import smartdoc.pdf_worker  # noqa: E402, F401 - loaded once, shared by every forked worker
