"""`disclose serve` for real: a process on 127.0.0.1, asked over HTTP, its inputs edited on disk."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from disclose import pipeline
from disclose.build_cache import BuildCache
from disclose.forking import fork_context, threads
from disclose.serve import Preview

from .conftest import ROOT, TODAY, copy_sample, snapshot, write
from .test_cache import EDITS, assert_same_as_cold
from .test_cache import TODAY as SAMPLE_TODAY
from .test_egress import WITHHELD, _leaky_gate

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

    def __init__(self, site: Path, **environ: str):
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONUNBUFFERED="1", **environ)
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

    def status(self, seq: int | None = None) -> dict:
        return json.loads(self.get("/__disclose/status" + ("" if seq is None else f"?seq={seq}"))[1])

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


def test_the_reload_signal_comes_at_once_and_the_page_is_ready_by_then(server, site):
    """The status is a long poll: asked with the state the page knows, it answers when the state
    changes (not on a timer), and when it says "reload" the changed page is already served."""
    known = server.status()
    answers: list[dict] = []
    asking = threading.Thread(target=lambda: answers.append(server.status(known["seq"])))
    asking.start()
    time.sleep(0.5)
    assert not answers  # nothing changed yet: the request waits
    page = site / "content/policies/rules.md"
    page.write_text(page.read_text(encoding="utf-8").replace("制定本规则", "制定本规则白鹭"), encoding="utf-8")
    asking.join(TIMEOUT)
    assert answers and answers[0]["seq"] > known["seq"]
    state = answers[0]
    while state["version"] == known["version"]:  # the build started; wait for its reload signal
        state = server.status(state["seq"])
    status, body = server.get("/policies/rules/")  # at once: no polling for the page
    assert status == 200 and "白鹭".encode() in body
    assert f'data-version="{state["version"]}"'.encode() in body  # the page knows what it shows
    _until(lambda: not server.status()["busy"], "the build (its search index) to finish")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_serve_removes_its_temporary_folder(site, tmp_path, stop):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    running = Server(site, TMPDIR=str(temporary))
    try:
        assert [p.name for p in temporary.iterdir() if p.name.startswith("disclose-serve-")]
        assert running.get("/policies/rules/")[0] == 200
        running.process.send_signal(stop)  # only the process this test started, by its handle
        assert running.process.wait(timeout=TIMEOUT) == 0
    finally:
        running.stop()
    assert list(temporary.iterdir()) == []


def test_a_cache_kept_in_memory_builds_what_a_cold_build_does(tmp_path):
    """serve passes the same open cache to every build: the build cache's own state (sources,
    manifest) is never read from or written to disk, and every edit still gives exactly the cold
    build's output."""
    site = copy_sample(tmp_path / "site")
    out, cache = tmp_path / "out", BuildCache(tmp_path / "cache")
    today = date.fromisoformat(SAMPLE_TODAY)  # the day assert_same_as_cold builds for
    assert not pipeline.build(site, out, today, cache=cache).errors
    again = pipeline.build(site, out, today, cache=cache)
    assert not again.errors and again.reindexed == []  # the cache in memory was used
    written = {p.name for p in (tmp_path / "cache").iterdir()}
    assert {"lock", "spare"} <= written and not written & {"state.json", "sources.pickle"}
    for number, change in enumerate(EDITS.values()):
        change(site)
        assert not pipeline.build(site, out, today, cache=cache).errors
        assert_same_as_cold(site, out, tmp_path / f"cold{number}")


def test_pages_are_handed_over_when_written_and_checked_before_the_output_is_swapped(site, tmp_path):
    out, cache = tmp_path / "out", BuildCache(tmp_path / "cache")
    today = date.fromisoformat(TODAY)
    assert not pipeline.build(site, out, today, cache=cache).errors
    page = site / "content/policies/rules.md"
    page.write_text(page.read_text(encoding="utf-8").replace("制定本规则", "制定本规则白鹭"), encoding="utf-8")
    told = []

    def ready(staging: Path, paths: frozenset[str], needles: str) -> None:
        told.append((paths, needles, (staging / "policies/rules/index.html").read_bytes(), snapshot(out)))

    report = pipeline.build(site, out, today, cache=cache, pages_ready=ready)
    assert not report.errors and len(told) == 1
    paths, needles, staged, live = told[0]
    assert "白鹭".encode() in staged  # written in the staging folder
    assert "白鹭".encode() not in live["policies/rules/index.html"]  # not yet swapped in
    assert "policies/rules/index.html" in paths and "index.html" in paths
    assert not any(rel.startswith("pagefind/") for rel in paths)  # the search index comes later
    assert needles == report.egress


def test_pages_that_fail_the_egress_check_are_never_handed_over(site, tmp_path, monkeypatch):
    out, cache = tmp_path / "out", BuildCache(tmp_path / "cache")
    today = date.fromisoformat(TODAY)
    assert not pipeline.build(site, out, today, cache=cache).errors
    write(site, "content/decisions/parking.md", WITHHELD)
    _leaky_gate(monkeypatch)
    told = []
    report = pipeline.build(site, out, today, cache=cache, pages_ready=lambda *given: told.append(given))
    assert any(p.code == "X001" for p in report.errors)
    assert told == []


def test_the_preview_serves_an_unfinished_builds_search_index_only_when_checked_alike(tmp_path):
    preview = Preview(tmp_path, lambda: date.fromisoformat(TODAY))
    try:
        staging = tmp_path / "staging"
        preview.cache.egress = "needles-of-the-previous-output"
        assert preview.locate("policies/rules/index.html") == preview.out / "policies/rules/index.html"
        preview._pages_ready(staging, frozenset({"policies/rules/index.html"}), "needles-of-the-previous-output")
        assert preview.locate("policies/rules/index.html") == staging / "policies/rules/index.html"
        assert preview.locate("pagefind/bundles.json") == preview.out / "pagefind/bundles.json"
        preview._pages_ready(staging, frozenset({"policies/rules/index.html"}), "needles-now-with-a-withheld-item")
        assert preview.locate("pagefind/bundles.json") is None  # checked for other needles: not shown
    finally:
        preview.folder.rmdir()


def test_the_browser_reloads_itself_and_shows_rule_errors(server, site):
    """live.js in real Chromium: a saved change reloads the open page, and a broken file shows
    its problem over the last good build."""
    from .browser import chromium, wait

    with chromium() as driver:
        driver.get(f"http://{server.host}:{server.port}/policies/rules/")
        driver.execute_script("window.notReloaded = true")
        page = site / "content/policies/rules.md"
        page.write_text(page.read_text(encoding="utf-8").replace("制定本规则", "制定本规则苍鹭"), encoding="utf-8")
        wait(lambda: "苍鹭" in driver.find_element("tag name", "main").text)
        assert driver.execute_script("return window.notReloaded === undefined")  # a reload, not a patch
        write(site, "content/decisions/bad.md", "---\ntitle: x\nissuer: y\npublished: 2024-03-01\nfoo: 1\n---\n")
        overlay = "return (document.getElementById('disclose-problems') || {}).textContent || ''"
        wait(lambda: "content/decisions/bad.md:5: F101" in driver.execute_script(overlay))
        assert "苍鹭" in driver.find_element("tag name", "main").text  # the last good build, still
