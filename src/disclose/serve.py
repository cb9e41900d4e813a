"""`disclose serve`: build, serve on localhost, rebuild on change, reload the browser.

The last good build keeps being served while the content is broken; the rule
errors show in the page (an overlay) as well as in the terminal. An unknown URL gets the
site's own 404 page, with status 404, as on the real host. Rebuilds run while the HTTP
threads do, so they work in one process (see forking.py).
"""

from __future__ import annotations

import functools
import http.server
import json
import posixpath
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import click
from watchfiles import watch

from . import pipeline
from .config import SITE_FILE

LIVE_JS = (Path(__file__).parent / "live.js").read_bytes()
LIVE_TAG = b'<script src="/__disclose/live.js"></script>'
WATCHED = (SITE_FILE, "content", "templates", "reports")  # everything a build reads


class Preview:
    """The state shared by the watcher and the HTTP handler."""

    def __init__(self, site: Path, today: Callable[[], date]):
        self.site = site
        self.today = today
        self.out = Path(tempfile.mkdtemp(prefix="disclose-serve-")) / "site"
        self.version = 0
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def rebuild(self) -> None:
        try:
            report = pipeline.build(self.site, self.out, self.today(), cache_dir=self.out.parent / "cache")
            lines = [p.format("zh") for p in report.problems]
        except Exception as err:  # noqa: BLE001 - keep serving the last good build
            report, lines = None, [f"{SITE_FILE}:1: 构建失败：{err}"]
        with self.lock:
            self.problems = lines
            self.version += 1
        for line in lines:
            click.echo(line)
        if report is not None and not report.errors:
            click.echo(f"已重新构建（第 {self.version} 次）")

    def status(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "problems": self.problems}, ensure_ascii=False).encode("utf-8")


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview
    base_path = "/"

    def log_message(self, format: str, *args: Any) -> None:  # the terminal shows rule errors, not requests
        pass

    def translate_path(self, path: str) -> str:
        """The file under the output for a URL path; `..` never leaves the output folder."""
        path = unquote(urlsplit(path).path)
        if path.startswith(self.base_path):
            path = "/" + path[len(self.base_path) :]
        path = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
        return str(self.preview.out / path) if path not in ("", ".") else str(self.preview.out / "index.html")

    def do_GET(self) -> None:
        route = urlsplit(self.path).path
        if route == "/__disclose/status":
            return self._send(self.preview.status(), "application/json; charset=utf-8")
        if route == "/__disclose/live.js":
            return self._send(LIVE_JS, "text/javascript; charset=utf-8")
        if not self.preview.out.exists():
            return self._send(
                b"<!DOCTYPE html><title>disclose</title><p>no successful build yet" + LIVE_TAG,
                "text/html; charset=utf-8",
            )
        target = Path(self.translate_path(self.path))
        try:
            target.stat()
        except OSError:  # absent, or no name the file system can hold (a segment over 255 bytes)
            return self._not_found()
        if target.is_dir():
            if not route.endswith("/"):  # as a static host does: /policies/a -> /policies/a/
                self.send_response(301)
                self.send_header("Location", route + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if not target.is_file():
            return self._not_found()
        if target.suffix == ".html":
            html = target.read_bytes().replace(b"</body>", LIVE_TAG + b"</body>")
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()

    def _not_found(self) -> None:
        """The site's own 404 page, with status 404."""
        missing = self.preview.out / "404.html"
        body = missing.read_bytes() if missing.is_file() else b"<!DOCTYPE html><title>404</title><p>404"
        return self._send(body.replace(b"</body>", LIVE_TAG + b"</body>"), "text/html; charset=utf-8", 404)

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def watched(site: Path) -> list[Path]:
    """The inputs of a build that exist: site.yaml, content/, templates/ and reports/."""
    return [site / name for name in WATCHED if (site / name).exists()]


def serve(site: Path, host: str, port: int, today: Callable[[], date], base_path: str) -> None:
    preview = Preview(site, today)
    preview.rebuild()
    handler = functools.partial(
        type("BoundHandler", (Handler,), {"preview": preview, "base_path": base_path}),
        directory=str(preview.out),
    )
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as err:
        shutil.rmtree(preview.out.parent, ignore_errors=True)
        raise click.UsageError(
            f"无法在 {host}:{port} 上预览（{err.strerror}）；请检查 --host，或用 --port 换一个端口"
        ) from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    announced = False
    try:
        # the first yield (a change, or none within rust_timeout) means the watcher is live: only
        # then is the address shown, so an edit made after it is never missed
        for changes in watch(*watched(site), debounce=200, step=50, rust_timeout=300, yield_on_timeout=True):
            if not announced:
                click.echo(f"正在预览：http://{host}:{server.server_address[1]}{base_path}（Ctrl+C 结束）")
                announced = True
            if changes:
                preview.rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(preview.out.parent, ignore_errors=True)
