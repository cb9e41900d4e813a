"""Pagefind started before the pages exist, so its Chinese dictionary loads while the checks run.

Every Pagefind run spends about 0.2 s of CPU on its Chinese segmenter's dictionary before its
first page; after one edit that is a third of what indexing the changed bundle costs, all of it
on the build's critical path. Pagefind's service mode (`pagefind --service`, the protocol of its
Node and Python APIs: JSON messages in base64, each ended by a comma, on stdin and stdout) lets a
build start Pagefind at its very start and hand it one Chinese page in an index of its own, so
the dictionary is loaded beside the checks. The first pages to index are then added as a folder
(`AddDir`) to a second index, and its files asked for (`GetFiles`) and written here: the same
files `pagefind --site` writes for the same folder (tests/test_pagefind_service.py). Not
`WriteFiles`: Pagefind answers it before its last file is complete.

The service answers its requests in order, each under the request's message id; index ids are
given in order from 0 (index 0 is the warm-up's). It exits when its stdin closes, so a build
that dies takes it along.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from pathlib import Path, PurePosixPath
from typing import Any

# A page in Chinese: indexing it loads the segmenter's dictionary (an English page does not)
WARM_PAGE = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>0</title></head>'
    "<body><main data-pagefind-body><p>政府信息公开</p></main></body></html>"
)


class ServiceError(RuntimeError):
    """The service answered with an error, stopped, or could not be written to."""


class ServiceTimeout(RuntimeError):
    """The service did not answer in time."""


class Service:
    """One `pagefind --service` process, warmed up at once. Used by one thread at a time."""

    def __init__(self, executable: Path, name: str) -> None:
        """Start the service. `name` is its argv[0]: what the build's orphan search looks for
        in a command line (see output._stop_orphans)."""
        self.process = subprocess.Popen(
            [name, "--service"],
            executable=os.fspath(executable),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a process group of its own: killed with what it starts
        )
        self._sent = 0
        self._unread = b""
        try:
            self._send({"type": "NewIndex", "config": None})  # index 0
            self._send({"type": "AddFile", "index_id": 0, "file_path": "warm.html", "file_contents": WARM_PAGE})
        except ServiceError:
            pass  # told when `index` is called

    def index(self, source: Path, out: Path, limit: float) -> int:
        """Index the pages under `source` into `out`, as `pagefind --site source --output-path
        out` does; returns the page count. Raises ServiceTimeout after `limit` seconds (the
        warm-up included) and ServiceError on any failure; either way the caller kills it."""
        deadline = time.monotonic() + limit
        index = self.new_index(deadline)
        counted = self.add_dir(index, source, deadline)
        self.write_files(index, out, deadline)
        return counted

    def new_index(self, deadline: float) -> int:
        """A new, empty index; returns its id."""
        return int(self._ask({"type": "NewIndex", "config": None}, deadline)["index_id"])

    def add_dir(self, index: int, source: Path, deadline: float) -> int:
        """Add the pages under `source` to `index`, in the order `pagefind --site` walks them
        (the folder's listing order); returns their count. Folders added one after the other
        give the index `pagefind --site` gives one folder listing their pages in that order
        (tests/test_index_ahead.py), each page's address being its path under its folder."""
        answer = self._ask({"type": "AddDir", "index_id": index, "path": os.fspath(source)}, deadline)
        return int(answer.get("page_count", 0))

    def write_files(self, index: int, out: Path, deadline: float) -> None:
        """Write the files of `index` under `out`: what `pagefind --site` writes."""
        files = self._ask({"type": "GetFiles", "index_id": index}, deadline).get("files") or []
        for file in files:
            rel = PurePosixPath(str(file.get("path", "")))
            if rel.is_absolute() or not rel.parts or ".." in rel.parts:
                raise ServiceError(f"Pagefind 服务给出的文件路径不安全：{rel}")
            target = out.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(file.get("content", "")))

    def _send(self, payload: dict[str, Any]) -> int:
        self._sent += 1
        message = json.dumps({"message_id": self._sent, "payload": payload}, ensure_ascii=False)
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(base64.b64encode(message.encode()) + b",")
            self.process.stdin.flush()
        except (OSError, ValueError) as err:
            raise ServiceError(f"Pagefind 服务已停止：{err}") from None
        return self._sent

    def _ask(self, payload: dict[str, Any], deadline: float) -> dict[str, Any]:
        """Send one request and wait for its answer (answers to earlier ones are passed over)."""
        wanted = self._send(payload)
        assert self.process.stdout is not None
        stdout = self.process.stdout.fileno()
        while True:
            while b"," in self._unread:
                raw, _, self._unread = self._unread.partition(b",")
                try:
                    answer = json.loads(base64.b64decode(raw))
                except ValueError:
                    raise ServiceError("Pagefind 服务的回答无法读取") from None
                if answer.get("message_id") != wanted:
                    continue
                result = answer.get("payload") or {}
                if result.get("type") == "Error":
                    raise ServiceError(str(result.get("message") or "未知错误"))
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServiceTimeout
            if select.select([stdout], [], [], left)[0]:
                chunk = os.read(stdout, 1 << 16)
                if not chunk:
                    raise ServiceError(f"Pagefind 服务意外退出（状态 {self.process.wait()}）")
                self._unread += chunk
