"""Index ahead: the unchanged pages of the search bundle an edit changes, indexed while the site
is still being checked.

After one edit, Pagefind indexing the changed bundle (about a hundred pages: some 1.6 ms a page to
add, 2 ms to write) is the longest part of a rebuild once the pages are written. Most of its pages
did not change, and need not wait for the build: as soon as the sources are read, the build knows
which content files changed; the last build's plan, kept in the cache (`PLAN`), tells which bundle
their pages were in; and the last output holds that bundle's other pages. Pagefind numbers pages
in the order it walks their folder, and folders added to one index one after the other give the
index `pagefind --site` gives for one folder whose listing is their listings in turn (see
`pagefind_service.Service.add_dir`). So the bundle's pages that the walk puts before every changed
page are copied, relabelled as the index run relabels them, into a folder of their own and added
to a new index of the warm service at once; when the bundle is indexed, the rest follows from a
second folder, and only those pages and the writing of the index are left to wait for.

Nothing is trusted. What went ahead is used only when the run indexes that one bundle with the
same pages in the same order, when each copy that went ahead is byte for byte the copy the run made
from this build's page, and when the two folders' listings are, in turn, the listing of the run's
own folder of copies; otherwise the run indexes its folder in a new index, as it would have (the
guess cost the second core's time only). Each bundle lists its pages newest first
(search_index.plan), and a folder in memory (tmpfs) lists its files newest first, so the newest
page, where edits mostly land, is the last Pagefind reads and every other page can go ahead.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from .pagefind_copies import SCRATCH, SCRATCH_PREFIX, copy_name, language, relabelled
from .pagefind_service import Service, ServiceTimeout

PLAN = "bundles.pickle"  # in the cache folder: the last build's plan (bundle -> its pages, in order)


def previous_plan(folder: Path | None) -> dict[str, list[str]] | None:
    """The plan the last build with this cache folder indexed by, if it kept one."""
    if folder is None:
        return None
    try:
        with (folder / PLAN).open("rb") as handle:
            plan = pickle.load(handle)
    except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return plan if isinstance(plan, dict) else None


def remember(folder: Path | None, bundles: Mapping[str, list[str]], known: dict[str, list[str]] | None) -> None:
    """Keep this build's plan for the next build's guess, unless it is the one `known` (read)."""
    plan = dict(bundles)
    if folder is None or plan == known:
        return
    temporary = folder / (PLAN + ".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(plan, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(folder / PLAN)


def guess(plan: Mapping[str, list[str]], changed: list[str]) -> tuple[str, list[str], int] | None:
    """The bundle whose pages the changed content files (site-relative) had, with its pages, and
    the number of the first page that can go ahead (every page after the last changed one); None
    unless they were all in one bundle and some page can go ahead."""
    pages = {f"{rel.removeprefix('content/').removesuffix('.md')}/index.html" for rel in changed}
    if not pages:
        return None
    found: dict[str, int] = {}
    owner = ""
    for name, paths in plan.items():
        for number, path in enumerate(paths):
            if path in pages:
                if owner and owner != name:
                    return None
                owner, found[path] = name, number
    if len(found) != len(pages):
        return None  # a page the last build did not index: the plan changes
    first = max(found.values()) + 1
    paths = list(plan[owner])
    if any(not isinstance(path, str) or path.startswith("/") or ".." in path.split("/") for path in paths):
        return None  # not a plan this engine wrote: its pages are read from the last output
    return (owner, paths, first) if first < len(paths) else None


class Ahead:
    """One guess for a build and the pages that went ahead; `start` it once the sources are read,
    `complete` it from the index run, `close` it when the build ends."""

    def __init__(self, service: Service, cache_folder: Path | None, out: Path, limit: float) -> None:
        self.service, self.cache_folder, self.out, self.limit = service, cache_folder, out, limit
        self.plan: dict[str, list[str]] | None = None  # the last build's, once read
        self.bundle, self.first = "", 0
        self.paths: list[str] = []
        self.index: int | None = None  # the service's index holding the pages that went ahead
        self.folder: Path | None = None
        self.copies: dict[str, bytes] = {}  # the copies that went ahead, by name
        self._thread: threading.Thread | None = None

    def start(self, changed: list[str]) -> None:
        """Guess from the content files that changed, and send the pages ahead, in a thread."""
        self._thread = threading.Thread(target=self._ahead, args=(changed,), name="index-ahead", daemon=True)
        self._thread.start()

    def _ahead(self, changed: list[str]) -> None:
        try:
            self.plan = previous_plan(self.cache_folder)
            found = guess(self.plan, changed) if self.plan is not None and changed else None
            if found is None:
                return
            if not os.access(SCRATCH, os.W_OK):
                return  # on a disk a folder lists its files in an order of its own: the run's would differ
            self.bundle, self.paths, self.first = found
            # named as the run's copies are: a killed build's are removed by the next (search_index._scratch)
            self.folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-ahead-", dir=SCRATCH))
            ahead = self.folder / "ahead"
            ahead.mkdir()
            lang = language(self.bundle)
            for number in range(self.first, len(self.paths)):  # made in the order the run makes its copies
                name = copy_name(self.bundle, number)
                self.copies[name] = relabelled((self.out / self.paths[number]).read_bytes(), lang)
                (ahead / name).write_bytes(self.copies[name])
            deadline = time.monotonic() + self.limit
            index = self.service.new_index(deadline)
            self.service.add_dir(index, ahead, deadline)
            self.index = index
        except Exception:  # noqa: BLE001 - a guess that failed is no guess; the run indexes as before
            self.index = None

    def complete(self, jobs: list[tuple[str, list[str]]], source: Path, out: Path, deadline: float) -> bool:
        """Index the run's folder of copies (`source`) into `out` from what went ahead, when that
        is exactly the run's (see the module's docstring); False, having written nothing, when not."""
        if self._thread is None:
            return False
        self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            raise ServiceTimeout
        if self.index is None or self.folder is None or [(self.bundle, self.paths)] != jobs:
            return False
        ahead, rest = self.folder / "ahead", self.folder / "rest"
        for name, copy in self.copies.items():
            if (source / name).read_bytes() != copy:
                return False
        rest.mkdir()
        for number in range(self.first):
            name = copy_name(self.bundle, number)
            (rest / name).write_bytes((source / name).read_bytes())
        if os.listdir(ahead) + os.listdir(rest) != os.listdir(source):
            return False
        self.service.add_dir(self.index, rest, deadline)
        self.service.write_files(self.index, out, deadline)
        return True

    def close(self) -> None:
        """Wait for the thread (the service is stopped first: it cannot be waiting on it) and
        remove the copies."""
        if self._thread is not None:
            self._thread.join()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
