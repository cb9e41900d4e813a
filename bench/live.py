"""How soon `disclose serve` shows a saved change (issue #12 goal 2: <= 300 ms at 10,000 documents).

Usage: python bench/live.py SITE [--edits 5]

It starts `disclose serve` on SITE (a port of its own), waits for the first build, then saves one
change to a document of this year several times (waiting for each build to finish before the
next save) and measures, from the moment the file is written:

- served: until the changed page is served with the new text (asked over HTTP every 20 ms);
- signal: until the server's reload signal (a new version on its long-polled status, what the
  browser's live.js waits on) fires;
- full: until the full rebuild's own pages are shown (the same as `signal`, unless serve showed a
  quick page first: see quick_preview.py);
- done: until the build has finished, search index included (the status is no longer busy).

It prints the medians in milliseconds, and in `quick` how many of the changes were shown by a
quick page; it asserts nothing. SITE's document is changed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

TODAY = "2026-11-22"
FIRST_BUILD = 3600.0  # seconds the first build may take (100,000 documents on a loaded machine)
WAIT = 300.0  # seconds one change may take to show


class Serve:
    """A `disclose serve --port 0` process; its output is read by a thread."""

    def __init__(self, site: Path, today: str = TODAY):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "disclose.cli", "serve", "--site", str(site), "--port", "0", "--today", today]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + FIRST_BUILD
        while not (found := self._address()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("disclose serve did not start:\n" + "".join(self.lines[-20:]))
            time.sleep(0.1)
        self.host, self.port, self.base = found.group(1), int(found.group(2)), found.group(3)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def _address(self) -> re.Match | None:
        for line in self.lines:
            if found := re.search(r"http://([0-9.]+):(\d+)(/[^\s（]*)", line):
                return found
        return None

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=WAIT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def status(self, seq: int | None = None) -> dict:
        return json.loads(self.get("/__disclose/status" + ("" if seq is None else f"?seq={seq}"))[1])

    def stop(self) -> None:
        self.process.terminate()  # the process this bench started, by its handle
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def this_years_document(site: Path, today: str = TODAY) -> Path:
    """The latest policy published this year (where edits usually land: a small search bundle)."""
    year = f"published: {today[:4]}-"
    return max(p for p in (site / "content/policies").glob("*.md") if year in p.read_text("utf-8"))


def _watch(serve: Serve, known: dict, started: list[float], times: dict[str, float]) -> None:
    """Follow the long-polled status from `known` until the build after the save has finished."""
    state, building = known, False
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        state = serve.status(state["seq"])
        now = time.perf_counter()
        if state["version"] != known["version"]:
            times.setdefault("signal", now - started[0])
            if state.get("quick"):
                times["quick"] = 1.0
            else:  # the full rebuild's pages replace the quick ones (and need no reload when the same)
                times.setdefault("full", now - started[0])
        building = building or state["busy"]
        if building and not state["busy"]:
            times["done"] = now - started[0]
            return


def one_edit(serve: Serve, document: Path, url: str, number: int) -> dict[str, float]:
    """Save one change and time it (seconds from the write)."""
    marker = f"实时预览计时第{number}句。"
    known = serve.status()
    times: dict[str, float] = {}
    started = [0.0]
    watcher = threading.Thread(target=_watch, args=(serve, known, started, times), daemon=True)
    text = document.read_text(encoding="utf-8") + f"\n{marker}\n"
    started[0] = time.perf_counter()
    watcher.start()
    document.write_text(text, encoding="utf-8")
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        status, body = serve.get(url)
        if status == 200 and marker.encode() in body:
            times["served"] = time.perf_counter() - started[0]
            break
        time.sleep(0.02)
    watcher.join(WAIT)
    return times


def measure(site: Path, edits: int = 5, today: str = TODAY) -> dict:
    """Medians (ms) of `edits` saved changes: served, signal, full, done; and the first build (s)."""
    started = time.perf_counter()
    serve = Serve(site, today)
    first = time.perf_counter() - started
    try:
        document = this_years_document(site, today)
        url = serve.base + document.relative_to(site / "content").with_suffix("").as_posix() + "/"
        samples = []
        for number in range(edits):
            samples.append(one_edit(serve, document, url, number))
            time.sleep(0.5)  # a save apart from the last one, as an editor's are
    finally:
        serve.stop()
    result: dict = {"edits": edits, "first_build_s": round(first, 2), "quick": sum("quick" in s for s in samples)}
    for what in ("served", "signal", "full", "done"):
        values = [s[what] * 1000 for s in samples if what in s]
        result[f"{what}_ms"] = round(statistics.median(values)) if len(values) == edits else None
        result[f"{what}_all_ms"] = [round(v) for v in values]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--today", default=TODAY)
    args = parser.parse_args()
    print(json.dumps(measure(args.site, args.edits, args.today), indent=1))


if __name__ == "__main__":
    main()
