"""Stage 6, index: Pagefind's extended build (it segments Chinese), in small bundles.

A rebuild re-indexes the bundles that hold a changed page, and a Pagefind run costs about 0.2 s
of CPU before its first page (its Chinese dictionary) and 3 ms a page after: so every bundle is
small (at most `search_bundle_size` pages, about 100), of any year, and its boundaries are set by
the pages themselves (see `plan`), so an edit or a new document changes one bundle, rarely two.
Many bundles are indexed in one Pagefind run all the same: each bundle's pages are handed to
Pagefind under a language of their own (`zh-<bundle>`), Pagefind writes a separate index for
each language, and each index is moved into its bundle's folder. A language's index does not
depend on the other languages of its run, so a bundle indexed alone after an edit is byte for
byte the one a cold build writes in a run with others (tests/test_bundles.py).

Every bundle the search page searches costs a phone its entry, its metadata and an index chunk
of about 24 KB for each word, whatever the bundle's size, so the page searches the newest
bundles first and older ones only when a query needs them (templates/assets/search.js).
`pagefind/core/` holds Pagefind's script and WebAssembly once, with an index of one page that
matches no query (Pagefind needs a first index to start from); the bundles hold index files only.
`pagefind/bundles.json` lists the bundles, newest first, with their years and page counts, and
the filter values of the whole site with their counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pagefind_bin_extended

from .index_ahead import Ahead
from .output import Staging, staging_name
from .pagefind_bundle import filter_counts, stabilize
from .pagefind_copies import PAGE_ROOM, SCRATCH, SCRATCH_PREFIX, copy_name, language, relabelled
from .pagefind_service import Service, ServiceError, ServiceTimeout

BUNDLES_FILE = "bundles.json"


TIMEOUT_VARIABLE = "DISCLOSE_PAGEFIND_TIMEOUT"


class SearchIndexError(RuntimeError):
    """Pagefind failed or took too long; the build stops and the previous output stays."""


def time_limit(pages: int) -> float:
    """Seconds a Pagefind run over `pages` pages may take: generous (a 500-page bundle takes
    about 2 s), so only a hung run reaches it; the environment variable sets another."""
    given = os.environ.get(TIMEOUT_VARIABLE)
    if given:
        try:
            return max(0.1, float(given))
        except ValueError:
            pass
    return 120 + 0.5 * pages


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def _kill(process: subprocess.Popen) -> None:
    """Kill a Pagefind run and everything it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Stopped(Exception):
    """A run was not started: the build is stopping (`stop_all`)."""


def run_bounded(
    command: list[str],
    limit: float,
    what: str,
    started: Callable[[], None] = lambda: None,
    stop: threading.Event | None = None,
) -> subprocess.CompletedProcess:
    """Run an external program in its own process group, killing the group after `limit` seconds;
    `started` is told as soon as it runs. Once `stop` is set (see `stop_all`) none is started."""
    with _RUNNING_LOCK:
        if stop is not None and stop.is_set():
            raise Stopped(what)
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        _RUNNING.add(process)
    try:
        started()
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise _timed_out(what, limit) from None
    except BaseException:
        _kill(process)
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(process)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _timed_out(what: str, limit: float) -> SearchIndexError:
    return SearchIndexError(
        f"{what} 超过 {limit:g} 秒仍未完成，已终止；构建已停止，原输出未改动"
        f"（时限可用环境变量 {TIMEOUT_VARIABLE} 调整，单位秒）"
    )


SERVICE_PAGES = 1000  # the largest first run the warm service takes (`warm`); larger ones run as before


def warm(out: Path) -> Service | None:
    """A Pagefind service for this build's first run, its Chinese dictionary loading from now on
    (see pagefind_service): worth it when few pages change, when the dictionary is a third of the
    indexing. It is named after this build's staging folder, so that a killed build's is found
    and stopped (output.recover), and `stop_all` stops it like any run. End it with `close`. None
    on Windows, where a pipe cannot be waited on with a deadline (`select`): runs start as before."""
    if sys.platform == "win32":
        return None
    try:
        service = Service(pagefind_executable(), f"pagefind {staging_name(out)}")
    except OSError:
        return None
    with _RUNNING_LOCK:
        _RUNNING.add(service.process)
    return service


def close(service: Service | None) -> None:
    if service is not None:
        _kill(service.process)
        with _RUNNING_LOCK:
            _RUNNING.discard(service.process)


def stop_all(stop: threading.Event) -> None:
    """Kill every run under way, and let no run that waits on `stop` start after."""
    with _RUNNING_LOCK:
        stop.set()
        running = list(_RUNNING)
    for process in running:
        _kill(process)


def pagefind_executable() -> Path:
    return Path(pagefind_bin_extended.get_executable())


CORE = "core"  # pagefind/core/: Pagefind's script and WebAssembly, and an index that matches nothing
COUNTS_FILE = "counts.json"  # in each bundle: its filter values with their page counts (for bundles.json)
RUN_PAGES = 2000  # pages one Pagefind run indexes at most: its memory grows with them
UNDATED = "9999"  # the sort key of pages without a date (reports, pages): they count as the newest
# The one page of pagefind/core/: the search page's first Pagefind index, which every query
# searches and none matches (it has no address; search.js shows only pages that have one).
CORE_PAGE = (
    b'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>-</title></head>'
    b"<body><main data-pagefind-body><p>0</p></main></body></html>"
)


def _cut(pages: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    """(key, path) pairs, newest first, cut into bundles of at most `size` pages: a run of more
    pages is cut in two after the page of its middle third whose path hashes highest, and each
    half again, until every part fits. Where a run is cut depends on its pages, not on their
    count: a page added or removed changes its own bundle and seldom one more (counting from the
    newest page would change every older bundle), and bundles hold about 2/3 of `size` pages."""
    # the first four bytes of each path's sha1 (compared as bytes: as big-endian numbers)
    weights = [(hashlib.sha1(path.encode()).digest()[:4], n) for n, (_, path) in enumerate(pages)]
    bundles: list[list[tuple[str, str]]] = []

    def split(start: int, end: int) -> None:
        if end - start <= size:
            bundles.append(pages[start:end])
            return
        third = (end - start) // 3
        cut = max(weights[start + third : end - third])[1] + 1
        split(start, cut)
        split(cut, end)

    if pages:
        split(0, len(pages))
    return bundles


class Plan(dict[str, list[str]]):
    """Bundle name -> output paths, newest bundle first and in each bundle newest page first;
    `years` gives each bundle's (first, last) year (None on a site without dates) and `front` how
    many of the newest pages (at least) the search page searches before it loads older bundles."""

    front: int = 0
    years: dict[str, tuple[int, int] | None]


def plan(pages: Iterable[tuple[str, str]], size: int) -> Plan:
    """Bundles of at most `size` pages from (output path, key) pairs: the key is the page's date
    (ISO, or a year), or a name (such as "reports") for a page of no date, which counts as the
    newest, of the latest year. Pages are ordered by date, newest first, and cut by `_cut`; a
    bundle is named by its newest year and a hash of its newest page ("2026-3fa9c1d2"), which
    stays the same while that page does."""
    keyed = sorted(((key if key[:4].isdigit() else UNDATED, path) for path, key in pages), reverse=True)
    latest = next((int(key[:4]) for key, _ in keyed if key != UNDATED), None)
    result = Plan()
    result.years = {}
    result.front = size
    for bundle in _cut(keyed, size):
        # newest first, and a page of no date counts as of the latest year: a bundle's years run
        # from its last page's to its first page's
        first, last = (latest if key == UNDATED else int(key[:4]) for key in (bundle[0][0], bundle[-1][0]))
        span = None if first is None or last is None else (last, first)
        name = f"{span[1] if span else 'x'}-{hashlib.sha1(bundle[0][1].encode()).hexdigest()[:8]}"
        result[name] = [path for _, path in bundle]  # newest first: see index_ahead
        result.years[name] = span
    return result


IDS_PER_FILE = 256  # identifiers in one file of pagefind/ids/ (about 14 KB)
# what the search page's normalize() drops (templates/assets/search.js): a 文号 matches as typed
_STRIP = re.compile(r"[\u200b\s\[\]()（）【】〔〕［］「」《》<>“”\"'‘’,，.。、:：;；!！?？·・\-—_]")


def normalize(text: str) -> str:
    """Text as the search page compares it: NFKC, lower case, no spaces, brackets or punctuation."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text).lower())


def id_file(key: str, files: int) -> int:
    """Which file of pagefind/ids/ holds a normalized identifier: the CRC-32 of its UTF-8, as the
    search page computes it."""
    return zlib.crc32(key.encode()) % files


def identifier_files(bundles: dict[str, list[str]], identifiers: dict[str, list[str]]) -> dict[str, bytes]:
    """pagefind/ids/<n>.json: each page's 文号 and 索引号 (normalized) with the bundles that hold
    it, so a query that is an identifier searches those bundles alone, not every bundle of its
    year (at 100,000 documents a year has about eighty)."""
    where = {path: name for name, paths in bundles.items() for path in paths}
    owners: dict[str, set[str]] = defaultdict(set)
    for path, values in identifiers.items():
        for value in values:
            key = normalize(value)
            if key and path in where:
                owners[key].add(where[path])
    count = max(1, -(-len(owners) // IDS_PER_FILE))
    files: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for key in sorted(owners):
        files[id_file(key, count)][key] = sorted(owners[key])
    return {
        f"pagefind/ids/{n}.json": json.dumps(files.get(n, {}), ensure_ascii=False, separators=(",", ":")).encode()
        for n in range(count)
    }


def bundle_years(name: str, bundles: Plan | None = None) -> tuple[int, int] | None:
    """The (first, last) year of a bundle of `bundles`, or the year its name starts with."""
    if bundles is not None and name in getattr(bundles, "years", {}):
        return bundles.years[name]
    year = name.split("-")[0]
    return (int(year), int(year)) if year.isdigit() else None


def _move_index(out: Path, entry: dict, lang: str, target: Path) -> None:
    """Move the index of one language out of a Pagefind run's output into its own bundle folder,
    with an entry file naming that language alone."""
    info = entry["languages"].get(lang)
    target.mkdir(parents=True)
    if info is None:  # none of its pages had text to index: a bundle the search page skips
        empty = {"version": entry["version"], "languages": {}, "include_characters": entry["include_characters"]}
        (target / "pagefind-entry.json").write_text(json.dumps(empty, ensure_ascii=False), encoding="utf-8")
        return
    for folder in ("index", "fragment", "filter"):
        (target / folder).mkdir()
        for path in (out / folder).glob(f"{lang}_*"):
            path.rename(target / folder / path.name)
    meta = f"pagefind.{info['hash']}.pf_meta"
    (out / meta).rename(target / meta)
    own = {"version": entry["version"], "languages": {lang: info}, "include_characters": entry["include_characters"]}
    (target / "pagefind-entry.json").write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")


def _scratch(pages: int) -> Path | None:
    """Where a run's relabelled copies go: the memory file system when it has room for them
    (copies of stopped builds, named by their process, are removed first), else None."""
    try:
        for old in SCRATCH.glob(f"{SCRATCH_PREFIX}*"):
            pid = int(old.name.removeprefix(SCRATCH_PREFIX).split("-")[0])
            if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
                shutil.rmtree(old, ignore_errors=True)
        room = os.statvfs(SCRATCH)
        if room.f_bavail * room.f_frsize > 2 * pages * PAGE_ROOM and os.access(SCRATCH, os.W_OK):
            return SCRATCH
    except (OSError, ValueError):
        pass
    return None


def _index_run(
    work: Path,
    jobs: list[tuple[str, list[str]]],
    site: Path,
    started: threading.Event,
    stop: threading.Event,
    service: Service | None = None,
    ahead: Ahead | None = None,
) -> None:
    """One Pagefind run over the pages of several bundles (output paths under `site`), each under
    a language of its own (written as copies that name it), each index then moved into its own
    folder `work`/<bundle>. `started` is set once Pagefind runs (or this run has failed or was
    stopped: see `run_bounded`). With `service` (see `warm`), the run is the service's, and
    finishes what went `ahead` (index_ahead) when that holds."""
    try:
        pages = sum(len(paths) for _, paths in jobs)
        scratch = _scratch(pages)
        with (
            tempfile.TemporaryDirectory(prefix=f"{jobs[0][0]}-", dir=work) as tmp,
            tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=scratch or tmp) as copies,
        ):
            source, out = Path(copies) / "pages", Path(tmp) / "out"
            source.mkdir()
            for name, paths in jobs:
                lang = language(name)
                if name == CORE:
                    (source / f"{name}.html").write_bytes(relabelled(CORE_PAGE, lang))
                for number, rel in enumerate(paths):
                    (source / copy_name(name, number)).write_bytes(relabelled((site / rel).read_bytes(), lang))
            names = ", ".join(name for name, _ in jobs[:3]) + ("…" if len(jobs) > 3 else "")
            what = f"Pagefind 建立搜索索引（分卷 {names}，{pages} 个页面）"
            if service is not None:
                if stop.is_set():
                    raise Stopped(what)
                started.set()
                try:
                    deadline = time.monotonic() + time_limit(pages)
                    if ahead is None or not ahead.complete(jobs, source, out, deadline):
                        service.index(source, out, max(0.0, deadline - time.monotonic()))
                except ServiceTimeout:
                    raise _timed_out(what, time_limit(pages)) from None
                except ServiceError as err:
                    raise SearchIndexError(f"Pagefind 建立搜索索引失败（分卷 {names}）：{err}") from None
            else:
                result = run_bounded(
                    [str(pagefind_executable()), "--site", str(source), "--output-path", str(out), "--silent"],
                    time_limit(pages),
                    what,
                    started.set,
                    stop,
                )
                if result.returncode != 0:
                    detail = result.stderr.strip() or result.stdout.strip()
                    raise SearchIndexError(f"Pagefind 建立搜索索引失败（分卷 {names}）：{detail}")
            entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
            for name, _ in jobs:
                target = work / name
                _move_index(out, entry, language(name), target)
                if name == CORE:  # the search page loads Pagefind's script and WebAssembly from here
                    for file in ("pagefind.js", "wasm.unknown.pagefind"):
                        (out / file).rename(target / file)
                if (target / "filter").is_dir():
                    stabilize(target)
                info = entry["languages"].get(language(name))
                counts = {"pages": info["page_count"] if info else 0, "filters": filter_counts(target)}
                (target / COUNTS_FILE).write_text(
                    json.dumps(counts, ensure_ascii=False, sort_keys=True), encoding="utf-8"
                )
    finally:
        started.set()


def _runs(jobs: list[tuple[str, list[str]]], workers: int) -> list[list[tuple[str, list[str]]]]:
    """Jobs packed into Pagefind runs: at most RUN_PAGES pages a run, and as many runs as there
    are workers when there are enough pages (each run pays Pagefind's start once)."""
    total = sum(len(paths) for _, paths in jobs)
    limit = min(RUN_PAGES, max(1, -(-total // max(1, workers))))
    runs: list[list[tuple[str, list[str]]]] = []
    pages = 0
    for job in jobs:
        if runs and pages + len(job[1]) <= limit:
            runs[-1].append(job)
            pages += len(job[1])
        else:
            runs.append([job])
            pages = len(job[1])
    return runs


def build_index(
    staging: Staging,
    bundles: dict[str, list[str]],
    fingerprints: dict[str, str],
    previous: Callable[[str, str], tuple[Path, list] | None] = lambda rel, fingerprint: None,
    workers: int | None = None,
    done: Callable[[int], None] = lambda count: None,
    indexed: Callable[[str], None] = lambda rel: None,
    identifiers: Callable[[], dict[str, list[str]]] = dict,
    meanwhile: Callable[[], None] = lambda: None,
    service: Service | None = None,
    ahead: Ahead | None = None,
    known_counts: dict[str, dict] | None = None,
    stage_ids: Callable[[Staging], list[str]] | None = None,
) -> list[str]:
    """Index each bundle into pagefind/<name>/, and pagefind/core/: kept when the staging folder
    already holds it, linked from the previous build when that indexed the same pages, else
    indexed anew, several bundles to a Pagefind run (and then `indexed` is told each folder while
    other runs go on). `fingerprints` has the content id of every bundle and of CORE;
    `identifiers` gives each page's 文号 and 索引号 (pagefind/ids/). Returns the bundles indexed
    anew.

    `service` (see `warm`) indexes the first run when it is small, from what went `ahead`.

    `known_counts` (bundle fingerprint -> its `COUNTS_FILE`, kept by the caller) spares reading the
    counts of a bundle whose pages are the same, which at 100,000 documents is reading some 900
    files a build; it is replaced in place by the counts of this build's bundles. `stage_ids`, when
    given, stages pagefind/ids/ itself (the caller recalls the files) and returns their paths.

    Pagefind is a separate process, so it is started first, as soon as the bundles to index are
    known: `meanwhile` is then called in this thread (the caller's own work runs beside Pagefind),
    and the bundles taken from the previous build, the removal of stale ones from the staging
    folder, the identifier files and the counts of the bundles not indexed anew follow before
    this waits for Pagefind. Only this thread changes the staging folder; each run writes into a
    work folder beside it."""
    jobs: list[tuple[str, list[str]]] = []
    linked: list[tuple[str, str, tuple[Path, list]]] = []
    for name, paths in {CORE: [], **bundles}.items():
        rel = f"pagefind/{name}/"
        if staging.holds(rel, fingerprints[name]):
            continue
        source = previous(rel, fingerprints[name])
        if source is not None:
            linked.append((rel, fingerprints[name], source))
        else:
            jobs.append((name, paths))
    finished = len(bundles) + 1 - len(jobs)
    done(finished)
    workers = workers or min(4, os.cpu_count() or 1)
    runs = _runs(jobs, workers)
    # named after the staging folder, so what a killed build leaves is found and removed (output.recover)
    with (
        tempfile.TemporaryDirectory(prefix=f"{staging.root.name}.index-", dir=staging.root.parent) as tmp,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        work = Path(tmp)
        started, stop = [threading.Event() for _ in runs], threading.Event()
        first = service if runs and sum(len(paths) for _, paths in runs[0]) <= SERVICE_PAGES else None
        futures = [
            pool.submit(_index_run, work, run, staging.root, ready, stop, *((first, ahead) if number == 0 else ()))
            for number, (run, ready) in enumerate(zip(runs, started, strict=True))
        ]
        try:
            for ready in started[:workers]:  # the first runs are under way (or failed)
                ready.wait()
            meanwhile()
            for rel, fingerprint, (path, record) in linked:
                shutil.copytree(path, staging.clear(rel, fingerprint, record), copy_function=os.link)
            targets = {name: staging.clear(f"pagefind/{name}/", fingerprints[name]) for name, _ in jobs}
            if stage_ids is not None:
                ids = stage_ids(staging)
            else:
                for rel, data in (files := identifier_files(bundles, identifiers())).items():
                    staging.put(rel, data)
                ids = list(files)
            kept = known_counts or {}
            counts = {
                name: kept.get(fingerprints[name]) or _counts(staging.root, name)
                for name in bundles
                if name not in targets
            }
            for future, run in zip(futures, runs, strict=True):
                future.result()
                for name, _ in run:
                    os.rename(work / name, targets[name])
                    indexed(f"pagefind/{name}/")
                finished += len(run)
                done(finished)
        except BaseException:  # one failed or the build was interrupted: stop the others at once
            for future in futures:
                future.cancel()
            stop_all(stop)
            raise
    if known_counts is not None:  # this build's counts, for the next
        counts.update((name, _counts(staging.root, name)) for name in targets if name in bundles)
        known_counts.clear()
        known_counts.update((fingerprints[name], found) for name, found in counts.items())
    staging.put(f"pagefind/{BUNDLES_FILE}", listing(staging.root, bundles, len(ids), counts))
    return [name for name, _ in jobs]


def _counts(site: Path, name: str) -> dict:
    """A bundle's page count and filter values (`COUNTS_FILE`)."""
    return json.loads((site / "pagefind" / name / COUNTS_FILE).read_text(encoding="utf-8"))


def listing(site: Path, bundles: dict[str, list[str]], ids: int = 0, known: dict[str, dict] | None = None) -> bytes:
    """bundles.json: the bundles newest first, each as [name, page count, first year, last year],
    how many of the newest pages a query searches first (older bundles are loaded only when it
    needs them), and the filter values of the whole site with their counts (the search page's
    filter menus, shown without loading any bundle), and how many files pagefind/ids/ has.
    `known` holds the counts of bundles already read (see `_counts`)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    entries = []
    for name in bundles:
        counts = known[name] if known and name in known else _counts(site, name)
        for filter_name, values in counts["filters"].items():
            for value, count in values.items():
                totals[filter_name][value] += count
        years = bundle_years(name, bundles if isinstance(bundles, Plan) else None)
        if counts["pages"]:  # a bundle without an index (no page had text) is not listed
            entries.append([name, counts["pages"], *(years or (None, None))])
    filters = {name: dict(sorted(values.items())) for name, values in sorted(totals.items())}
    front = getattr(bundles, "front", 0) or sum(len(paths) for paths in bundles.values())
    data = {"bundles": entries, "front": front, "filters": filters, "ids": ids}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
