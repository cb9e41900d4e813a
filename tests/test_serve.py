"""`disclose serve` for real: a process on 127.0.0.1, asked over HTTP, its inputs edited on disk."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from disclose.forking import fork_context, threads

from .conftest import ROOT, write

TIMEOUT = 60.0  # seconds any one wait may take on a busy machine


def _until(predicate, what: str, timeout: float = TIMEOUT):
    """Poll `predicate` until it returns something true; a bounded loop, never a hang."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Server:
    """One `disclose serve --port 0` process; its output is read by a thread into `lines`."""

    def __init__(self, site: Path):
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "disclose.cli",
                "serve",
                "--site",
                str(site),
                "--port",
                "0",
                "--today",
                "2024-06-01",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        address = _until(lambda: self._address(), "the preview address")
        self.host, self.port = address

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def _address(self):
        if self.process.poll() is not None:
            raise AssertionError("serve exited:\n" + "".join(self.lines))
        for line in self.lines:
            if found := re.search(r"http://(127\.0\.0\.1):(\d+)/", line):
                return found.group(1), int(found.group(2))
        return None

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", path)  # http.client sends the path as given, `..` included
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def version(self) -> int:
        return json.loads(self.get("/__disclose/status")[1])["version"]

    def stop(self) -> None:
        self.process.terminate()  # only the process this test started, by its handle
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(TIMEOUT)  # the pipe is closed: the reader ends, and this process has one thread again


@pytest.fixture
def server(site):
    write(site, "reports/2023.yaml", "overview: 本机关二〇二三年政务公开工作概述。\n")
    running = Server(site)
    try:
        yield running
    finally:
        running.stop()


def test_serves_pages_with_live_reload(server):
    status, body = server.get("/policies/rules/")
    assert status == 200
    assert "示例市人民政府工作规则".encode() in body
    assert b"/__disclose/live.js" in body
    assert server.get("/__disclose/live.js")[0] == 200


def test_unknown_url_gets_the_sites_own_404_page(server):
    status, body = server.get("/no/such/page/")
    assert status == 404
    assert "页面不存在".encode() in body  # the site's 404 template, not Python's "Error response"
    assert b"Error response" not in body
    status, body = server.get("/policies/no-such.pdf")
    assert status == 404 and "页面不存在".encode() in body
    status, body = server.get("/" + "%E9%95%BF" * 200 + "/")  # 长 × 200: a name no file system holds
    assert status == 404 and "页面不存在".encode() in body


def test_no_url_leaves_the_output_folder(server, site):
    secret = write(site, "secret.txt", "qzx-outside-the-output").resolve().as_posix().lstrip("/")
    up = "../" * 12  # more than enough to reach / from the preview's output folder
    for path in (f"/{up}{secret}", f"/assets/{up}{secret}", "/" + "%2e%2e/" * 12 + secret):
        status, body = server.get(path)
        assert b"qzx-outside-the-output" not in body, path
        assert status == 404, path


def test_rebuilds_when_the_annual_report_data_changes(server, site):
    first = server.version()
    write(site, "reports/2023.yaml", "overview: 本机关二〇二三年政务公开工作概述（修订）。\n")
    _until(lambda: server.version() > first, "a rebuild after reports/2023.yaml changed")


def test_rebuilds_when_content_changes(server, site):
    first = server.version()
    page = site / "content/policies/rules.md"
    page.write_text(page.read_text(encoding="utf-8").replace("制定本规则", "制定本规则鹭鸶"), encoding="utf-8")
    _until(lambda: server.version() > first, "a rebuild after a content change")
    _until(lambda: "鹭鸶".encode() in server.get("/policies/rules/")[1], "the changed page")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this system")
def test_no_fork_while_other_threads_run():
    """serve rebuilds while its HTTP threads run: forking then could copy a held lock into a child."""
    _until(lambda: threads() == 1, "the threads of earlier tests to end")  # an OS thread outlives its join briefly
    assert fork_context(4, 10_000, 1) is not None
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert fork_context(4, 10_000, 1) is None
    finally:
        stop.set()
        thread.join()
    _until(lambda: fork_context(4, 10_000, 1) is not None, "forking once the thread has ended")
