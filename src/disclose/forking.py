"""Forked worker processes, where they pay: the workers inherit what the parent built (nothing
is pickled on the way in), which only the fork start method gives."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext


def fork_context(workers: int, tasks: int, minimum: int) -> BaseContext | None:
    """A fork context when there are several workers and at least `minimum` tasks, else None."""
    if workers > 1 and tasks >= minimum and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None
