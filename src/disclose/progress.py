"""Feedback on long builds: a progress bar on a terminal, plain lines in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Stages with counts. On a terminal one line redraws; elsewhere each stage prints start and end."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and self.stream.isatty()
        self.label, self.total, self.done, self.started, self.last = "", 0, 0, 0.0, 0.0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started, self.last = label, total, 0, time.perf_counter(), 0.0
        if self.enabled and not self.tty:
            print(f"{label}：{total} …", file=self.stream, flush=True)
        self._draw()

    def update(self, done: int) -> None:
        self.done = done
        now = time.perf_counter()
        if self.tty and now - self.last > 0.1:
            self.last = now
            self._draw()

    def finish(self) -> None:
        seconds = time.perf_counter() - self.started
        if self.tty:
            self.stream.write(f"\r\033[K{self.label}：{self.total}（{seconds:.1f} 秒）\n")
            self.stream.flush()
        elif self.enabled:
            print(f"{self.label}：完成（{seconds:.1f} 秒）", file=self.stream, flush=True)

    def _draw(self) -> None:
        if not self.tty:
            return
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r\033[K{self.label} {bar} {self.done}/{self.total}")
        self.stream.flush()


QUIET = Progress(enabled=False)
