"""Ctrl-C and closed pipes: end a run with one line, never a traceback, never half a file.

- :func:`deferred_sigint`: Ctrl-C while a file is being migrated takes effect once
  that file is done (parsed, rewritten, written or not), so the run stops between
  files and the results it has are all true.
- :func:`ignore_sigint`: the process pool's workers leave Ctrl-C to the main
  process (a terminal sends it to the whole process group), which cancels what
  has not started and waits for the files in progress.
- :func:`quiet_broken_pipe`: ``hubcompat-migrate --diff src | head`` ends quietly
  when ``head`` stops reading (nothing is written in ``--diff`` mode).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

#: Exit status after Ctrl-C (128 + SIGINT, what shells report for it).
EXIT_INTERRUPTED = 130
#: Exit status when stdout was closed early (128 + SIGPIPE, like other Unix tools).
EXIT_BROKEN_PIPE = 141


@contextlib.contextmanager
def deferred_sigint() -> Iterator[list[int]]:
    """Within the block, SIGINT is recorded instead of raised; the list is non-empty
    when one came. Outside the main thread (where handlers cannot be set) it does nothing."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def record(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, record)
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


def ignore_sigint() -> None:
    """Process-pool initializer: workers finish their file; the main process decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def quiet_broken_pipe() -> int:
    """Call on ``BrokenPipeError``: stdout goes to devnull (so the interpreter's final
    flush cannot fail again and print a traceback); returns the exit status."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_BROKEN_PIPE
