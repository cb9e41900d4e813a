"""`disclose serve`: build, serve on localhost, rebuild on change, reload the browser.

The last good build keeps being served while the content is broken; the rule
errors show in the page (an overlay) as well as in the terminal. An unknown URL gets the
site's own 404 page, with status 404, as on the real host. Rebuilds run while the HTTP
threads do, so they work in one process (see forking.py).

A rebuild is fast because the process stays warm: the build cache is kept in memory between
rebuilds (never read from or written to disk), and the browser is told to reload as soon as the
pages are written and have passed the gate and the egress check, while the search index is
still being built. Until the build completes, those pages are served from its staging folder;
the search index of the previous build is served only when it was checked for the same egress
needles (else it answers 503 for that moment). The browser waits on a long poll, so it learns of
a rebuild at once. The temporary folder is removed however serve stops (Ctrl+C, SIGTERM, SIGHUP).

The common edit, a change to the text of a published document, is shown sooner still: before the
rebuild, that document's page alone is rendered and checked from the last good build's state
(`quick_preview` says when, and what it trusts) and served in place of the old one until the
rebuild's own pages are ready.
"""

from __future__ import annotations

import filecmp
import functools
import http.server
import json
import posixpath
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import click
from watchfiles import Change, watch

from . import pipeline, quick_preview
from .build_cache import BuildCache
from .config import SITE_FILE
from .egress import Needles

LIVE_JS = (Path(__file__).parent / "live.js").read_bytes()
WATCHED = (SITE_FILE, "content", "templates", "reports")  # everything a build reads
LONG_POLL = 20.0  # seconds a status request waits for a change before answering anyway


def live_tag(version: int) -> bytes:
    """The script that reloads the page; it carries the version the page was served from, so a
    rebuild finished between serving the page and the script's first question still reloads it."""
    return f'<script src="/__disclose/live.js" data-version="{version}"></script>'.encode()


class Preview:
    """The state shared by the watcher (which rebuilds) and the HTTP handler threads."""

    def __init__(self, site: Path, today: Callable[[], date]):
        self.site = site
        self.today = today
        self.folder = Path(tempfile.mkdtemp(prefix="disclose-serve-"))
        self.out = self.folder / "site"
        self.cache = BuildCache(self.folder / "cache")  # kept in memory: this process is its only user
        self.version = 0  # bumped when the browser should reload
        self.seq = 0  # bumped on any change a status request waits for
        self.busy = False
        self.problems: list[str] = []
        # while a build runs: its staging folder, the output paths there that passed the egress
        # check, and the digest of the needles they were checked for
        self.early: tuple[Path, frozenset[str], str] | None = None
        # the last good build's state (None after a failed one), and the quick pages shown until
        # the next build's pages are: output path -> file, in a folder of their own
        self.base: quick_preview.Base | None = None
        self.quick: dict[str, Path] = {}
        self.quick_folder: Path | None = None
        self.quick_shown = 0  # how many times quick pages were shown
        self.needles: Future[Needles] | None = None  # being collected for the next `base`
        self.changed = threading.Condition()

    def update(self, changes: set[tuple[Change, str]]) -> None:
        """The watcher saw `changes`: show the quick pages when they may be (see `quick_preview`),
        then rebuild."""
        self.preview_quickly([path for _, path in changes])  # added, changed or deleted: what is there now counts
        self.rebuild()

    def preview_quickly(self, changed: list[str]) -> bool:
        """Render and check the pages of the changed documents alone (`changed`: the paths the
        watcher reported) and serve them, when the quick path may be taken; True when they are
        shown. Any failure shows nothing: the rebuild that follows is the only path then."""
        base = self.base
        if base is None:
            return False
        if self.quick_folder is not None:  # what the last quick preview showed is replaced by now
            shutil.rmtree(self.quick_folder, ignore_errors=True)
            self.quick_folder = None
        try:
            self.quick_folder = folder = Path(tempfile.mkdtemp(prefix="quick-", dir=self.folder))
            paths = quick_preview.site_paths(self.site, changed)
            shown = quick_preview.pages(base, self.today(), paths, folder) if paths else None
        except Exception:  # noqa: BLE001 - a shortcut: whatever goes wrong, the rebuild shows the change
            shown = None
        if not shown:
            return False
        with self.changed:
            self.quick = shown
            self.quick_shown += 1
            self.version += 1
            self.seq += 1
            self.changed.notify_all()
        return True

    def rebuild(self) -> None:
        with self.changed:
            self.busy = True
            self.seq += 1
            self.changed.notify_all()
        today = self.today()
        self.base = None  # the cache and the output change now: no quick preview from them meanwhile
        if self.needles is not None:  # still collecting after a failed build: it must not write the store meanwhile
            wait([self.needles])
            self.needles = None

        def ready(staging: Path, paths: frozenset[str], needles: str) -> None:
            # the needles of the quick previews to come, collected while the search index is built
            self.needles = quick_preview.collect_later(self.site, today, self.cache.folder)
            self._pages_ready(staging, paths, needles)

        try:
            report = pipeline.build(self.site, self.out, today, cache=self.cache, pages_ready=ready)
            lines = [p.format("zh") for p in report.problems]
        except Exception as err:  # noqa: BLE001 - keep serving the last good build
            self.cache = BuildCache(self.cache.folder)  # it may be half updated: start afresh
            report, lines = None, [f"{SITE_FILE}:1: 构建失败：{err}"]
        failed = report is None or bool(report.errors)
        with self.changed:
            if self.early is None or failed:  # not told yet, or what it was told is gone
                self.version += 1
            self.early = None
            self.quick = {}  # the build's own pages replace them (or, if it failed, the last good ones)
            self.problems = lines
            self.busy = False
            self.seq += 1
            self.changed.notify_all()
        for line in lines:
            click.echo(line)
        if not failed:
            click.echo(f"已重新构建（第 {self.version} 次）")
        if report is not None and not failed:
            try:
                self.base = quick_preview.base_of(self.site, today, report, self.cache.folder, self.needles)
            except Exception:  # noqa: BLE001 - without it, changes take the full rebuild only
                self.base = None

    def _pages_ready(self, staging: Path, ready: frozenset[str], needles: str) -> None:
        """The build's pages are written and checked: show them now (called from its thread). The
        browser is told to reload unless the quick pages it was told of are what the build wrote
        (a change to the text of a document changes no other page)."""
        quick = self.quick
        shown = bool(quick) and all(rel in ready and _same(path, staging / rel) for rel, path in quick.items())
        with self.changed:
            self.early = (staging, ready, needles)
            self.quick = {}  # this build read the changed files after the quick preview did
            if not shown:
                self.version += 1
            self.seq += 1
            self.changed.notify_all()

    def locate(self, rel: str) -> Path | None:
        """The file to serve for output path `rel`, or None while none may be shown (the search
        index, during a build whose egress needles differ from those it was checked for)."""
        with self.changed:
            early, quick = self.early, self.quick
        if rel in quick:
            return quick[rel]
        if early is None:
            return self.out / rel
        staging, ready, needles = early
        if rel in ready:
            return staging / rel
        return self.out / rel if needles == self.cache.egress else None

    def status(self, seq: int | None) -> bytes:
        """The state, once it differs from `seq` (a long poll) or LONG_POLL seconds have passed."""
        with self.changed:
            if seq is not None:
                self.changed.wait_for(lambda: self.seq != seq, timeout=LONG_POLL)
            state = {
                "version": self.version,
                "seq": self.seq,
                "busy": self.busy,
                "problems": self.problems,
                "quick": sorted(self.quick),  # output paths served from quick pages (see quick_preview)
            }
        return json.dumps(state, ensure_ascii=False).encode("utf-8")


def _same(one: Path, other: Path) -> bool:
    try:
        return filecmp.cmp(one, other, shallow=False)
    except OSError:
        return False


def _is_file(path: Path | None) -> bool:
    try:
        return path is not None and path.is_file()
    except OSError:  # no name the file system can hold (a segment over 255 bytes)
        return False


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview
    base_path = "/"

    def log_message(self, format: str, *args: Any) -> None:  # the terminal shows rule errors, not requests
        pass

    def output_path(self, path: str) -> str:
        """The output path a URL path names; `..` never leaves the output folder."""
        path = unquote(urlsplit(path).path)
        if path.startswith(self.base_path):
            path = "/" + path[len(self.base_path) :]
        rel = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
        return rel + "/" if rel and path.endswith("/") else rel

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/__disclose/status":
            asked = parse_qs(parts.query).get("seq", [""])[0]
            seq = int(asked) if asked.lstrip("-").isdigit() else None
            return self._send(self.preview.status(seq), "application/json; charset=utf-8")
        if parts.path == "/__disclose/live.js":
            return self._send(LIVE_JS, "text/javascript; charset=utf-8")
        version = self.preview.version  # read before the file: a rebuild in between reloads the page
        rel = self.output_path(self.path)
        if not rel or rel.endswith("/"):
            rel += "index.html"
        target = self.preview.locate(rel)
        if not _is_file(target):
            if _is_file(self.preview.locate(rel + "/index.html")):  # as a static host does: /a -> /a/
                self.send_response(301)
                self.send_header("Location", parts.path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if target is None and rel.startswith("pagefind/"):
                return self._send("搜索索引正在更新，请稍候再试".encode(), "text/plain; charset=utf-8", 503)
            if not _is_file(self.preview.locate("index.html")):
                body = b"<!DOCTYPE html><title>disclose</title><p>no successful build yet" + live_tag(version)
                return self._send(body, "text/html; charset=utf-8")
            return self._not_found(version)
        assert target is not None
        try:
            with target.open("rb") as handle:
                body = handle.read()
        except OSError:  # replaced by the build just now
            return self._not_found(version)
        if target.suffix == ".html":
            return self._send(body.replace(b"</body>", live_tag(version) + b"</body>"), "text/html; charset=utf-8")
        return self._send(body, self.guess_type(str(target)))

    def _not_found(self, version: int) -> None:
        """The site's own 404 page, with status 404."""
        missing = self.preview.locate("404.html")
        body = (
            missing.read_bytes()
            if missing is not None and _is_file(missing)
            else b"<!DOCTYPE html><title>404</title><p>404"
        )
        return self._send(body.replace(b"</body>", live_tag(version) + b"</body>"), "text/html; charset=utf-8", 404)

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


STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP stop serve as Ctrl+C does, so its temporary folder is removed."""
    raise KeyboardInterrupt


def serve(site: Path, host: str, port: int, today: Callable[[], date], base_path: str) -> None:
    previous = {number: signal.signal(number, _interrupt) for number in STOPPING}
    preview: Preview | None = None
    server: http.server.ThreadingHTTPServer | None = None
    try:
        preview = Preview(site, today)
        preview.rebuild()
        handler = functools.partial(
            type("BoundHandler", (Handler,), {"preview": preview, "base_path": base_path}),
            directory=str(preview.folder),
        )
        try:
            server = http.server.ThreadingHTTPServer((host, port), handler)
        except OSError as err:
            raise click.UsageError(
                f"无法在 {host}:{port} 上预览（{err.strerror}）；请检查 --host，或用 --port 换一个端口"
            ) from None
        threading.Thread(target=server.serve_forever, daemon=True).start()
        announced = False
        # the first yield (a change, or none within rust_timeout) means the watcher is live: only
        # then is the address shown, so an edit made after it is never missed
        for changes in watch(*watched(site), debounce=200, step=30, rust_timeout=300, yield_on_timeout=True):
            if not announced:
                click.echo(f"正在预览：http://{host}:{server.server_address[1]}{base_path}（Ctrl+C 结束）")
                announced = True
            if changes:
                preview.update(changes)
    except KeyboardInterrupt:
        pass
    finally:
        for number in STOPPING:  # a second Ctrl+C must not cut the cleanup short
            signal.signal(number, signal.SIG_IGN)
        if server is not None:
            server.shutdown()
        if preview is not None:
            shutil.rmtree(preview.folder, ignore_errors=True)
        for number, before in previous.items():
            signal.signal(number, before)
