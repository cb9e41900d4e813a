"""Forked worker processes, where they pay: the workers inherit what the parent built (nothing
is pickled on the way in), which only the fork start method gives.

Forking is safe only while the process has a single thread: a child gets copies of the locks
other threads held (the allocator's, stdout's, the import lock) and may wait on them forever.
`disclose serve` rebuilds while its HTTP threads and file watcher run, so there (and anywhere
else threads run) the work is done in one process instead.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


def threads() -> int:
    """Threads of this process, native ones included (Linux lists them in /proc); else Python's."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def fork_context(workers: int, tasks: int, minimum: int) -> BaseContext | None:
    """A fork context when there are several workers, at least `minimum` tasks and no other thread
    in this process, else None (work in one process). multiprocessing is imported only then: a
    rebuild that writes a few pages does without it."""
    if workers < 2 or tasks < minimum:
        return None
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods() and threads() == 1:
        return multiprocessing.get_context("fork")
    return None
