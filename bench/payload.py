"""What a citizen's phone downloads to search: every response, counted by the server, in real Chromium.

Usage: python bench/payload.py PUBLIC_DIR [--hugo HUGO_OUT] [--queries 营商环境,示教〔2018〕1号]

For disclose's output it opens the search page in a fresh headless Chromium (375 px wide, empty
cache and profile), runs the first query as a citizen does (typed into the form), waits until the
results are shown and the network is quiet, then runs the second query the same way. Every request
the server answers is counted with its body bytes; the search page itself (HTML, CSS, the page's
own script) is counted apart, and everything under /pagefind/ (Pagefind's script, WebAssembly,
index files, fragments, the bundle list) is the search's payload. Requests made by Pagefind's web
worker are counted too, which the page's own resource timing would miss.

For Hugo + one Pagefind index (`--hugo`, the output `bench/run.py` builds) a minimal page runs the
same queries with Pagefind's JS API and loads the result fragments of as many results as the
disclose search page shows first, so both figures cover the same work.
The files are served as they are, without compression, as a plain static server does.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

QUERIES = ("营商环境", "行政复议")
SHOWN = 10  # results the disclose search page shows first (search.js BATCH); the peer loads as many
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HUGO_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>search</title></head>
<body><script type="module">
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.init();
window.runQuery = async (q) => {
  const found = await pagefind.search(q);
  const data = await Promise.all(found.results.slice(0, SHOWN).map((r) => r.data()));
  return data.length;
};
window.ready = true;
</script></body></html>
""".replace("SHOWN", str(SHOWN))


class _Counting(http.server.SimpleHTTPRequestHandler):
    """A static server that records every response it sends: (path, status, body bytes)."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".pagefind": "application/wasm",
    }
    log: list[tuple[str, int, int]]

    def send_response(self, code, message=None):
        self._status, self._length = code, 0
        super().send_response(code, message)

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self._length = int(value)
        super().send_header(keyword, value)

    def end_headers(self):
        super().end_headers()
        self.log.append((unquote(urlsplit(self.path).path), self._status, self._length))

    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path):
    """Serve `folder` on a loopback port; yields (base URL, the list every response is logged to)."""
    log: list[tuple[str, int, int]] = []
    handler = type("Handler", (_Counting,), {"log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def phone():
    """A fresh headless Chromium the width of a phone: new profile, so nothing is cached."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="disclose-bench-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=375,800",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _until(predicate, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the search page did not finish")
        time.sleep(0.1)


def _quiet(log: list, seconds: float = 1.0) -> None:
    """Wait until the server has answered nothing new for `seconds`."""
    seen, since = len(log), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.1)
        if len(log) != seen:
            seen, since = len(log), time.monotonic()


def _sum(entries: list[tuple[str, int, int]]) -> dict:
    return {"requests": len(entries), "kb": round(sum(size for _, _, size in entries) / 1024, 1)}


def _split(entries: list[tuple[str, int, int]]) -> tuple[list, list]:
    search = [e for e in entries if e[0].startswith("/pagefind/")]
    return search, [e for e in entries if not e[0].startswith("/pagefind/")]


def disclose_payload(public: Path, queries: tuple[str, str] = QUERIES) -> dict:
    """Requests and KB of the first and second query on disclose's search page (page excluded)."""
    status = "return document.getElementById('search-status').textContent"
    with serve(public) as (base, log), phone() as driver:
        driver.get(base + "/search/")
        _until(lambda: driver.execute_script("return !!window.discloseSearch"))
        figures: dict = {}
        for number, query in enumerate(queries):
            start = len(log)
            driver.execute_script("document.getElementById('search-status').textContent = '';")
            driver.execute_script(
                "const q = document.getElementById('q'); q.value = arguments[0];"
                "document.getElementById('search-form').requestSubmit();",
                query,
            )
            _until(lambda: (driver.execute_script(status) or "") not in ("", "正在搜索…"))
            _quiet(log)
            search, page = _split(log[start:] if number else log)
            figures["first" if number == 0 else "second"] = {
                **_sum(search),
                "shown": driver.execute_script("return document.querySelectorAll('#search-results li').length"),
                "files": [f"{path} {size}" for path, _, size in search],
            }
            if number == 0:
                figures["page"] = _sum(page)
    return figures


def hugo_payload(public: Path, queries: tuple[str, str] = QUERIES) -> dict:
    """The same two queries against Hugo's output and its one Pagefind index."""
    (public / "bench-search.html").write_text(HUGO_PAGE, encoding="utf-8")
    with serve(public) as (base, log), phone() as driver:
        driver.get(base + "/bench-search.html")
        _until(lambda: driver.execute_script("return !!window.ready"))
        figures: dict = {}
        for number, query in enumerate(queries):
            start = len(log)
            shown = driver.execute_async_script(
                "const done = arguments[arguments.length - 1]; window.runQuery(arguments[0]).then(done);", query
            )
            _quiet(log)
            search, _ = _split(log[start:] if number else log)
            figures["first" if number == 0 else "second"] = {
                **_sum(search),
                "shown": shown,
                "files": [f"{path} {size}" for path, _, size in search],
            }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("public", type=Path)
    parser.add_argument("--hugo", type=Path)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--files", action="store_true", help="list every file fetched")
    args = parser.parse_args()
    queries = tuple(args.queries.split(","))
    results = {"disclose": disclose_payload(args.public, queries)}
    if args.hugo:
        results["hugo"] = hugo_payload(args.hugo, queries)
    for who, figures in results.items():
        for which in ("first", "second"):
            f = figures[which]
            print(f"{who:<9} {which:<7} {f['requests']:>4} requests {f['kb']:>8} KB  ({f['shown']} results shown)")
            if args.files:
                print("\n".join("    " + line for line in f["files"]))
        if "page" in figures:
            print(f"{who:<9} page    {figures['page']['requests']:>4} requests {figures['page']['kb']:>8} KB")
    print(
        json.dumps(
            {w: {k: {x: y for x, y in v.items() if x != "files"} for k, v in f.items()} for w, f in results.items()}
        )
    )


if __name__ == "__main__":
    main()
