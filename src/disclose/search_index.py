"""Stage 6, index: Pagefind's extended build (it segments Chinese), in bundles by year.

One Pagefind index for a large site needs more memory than a build machine has (Pagefind's memory
grows with the site), and re-indexing everything after one edit is slow; but every bundle the
search page loads costs a phone its own entry, metadata and an index chunk of about 24 KB for every
word searched, whatever the bundle's size. So the present (the last two years, where edits land) is
split into small bundles that are quick to re-index, the past into few large archive bundles that
rarely change, and the search page searches the newest bundles first and older ones only when a
query needs them (see `plan` and templates/assets/search.js). Bundles are indexed in parallel, an
unchanged bundle is reused from the previous build, and the search page merges them with Pagefind's
multisite `mergeIndex`. `pagefind/bundles.json` lists them, newest first, with their years and
page counts, and the filter values of the whole site with their counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pagefind_bin_extended

from .output import Staging
from .pagefind_bundle import filter_counts, stabilize

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


def run_bounded(command: list[str], limit: float, what: str) -> subprocess.CompletedProcess:
    """Run an external program in its own process group, killing the group after `limit` seconds."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    with _RUNNING_LOCK:
        _RUNNING.add(process)
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise SearchIndexError(
            f"{what} 超过 {limit:g} 秒仍未完成，已终止；构建已停止，原输出未改动"
            f"（时限可用环境变量 {TIMEOUT_VARIABLE} 调整，单位秒）"
        ) from None
    except BaseException:
        _kill(process)
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(process)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def pagefind_executable() -> Path:
    return Path(pagefind_bin_extended.get_executable())


PRESENT_YEARS = 2  # the latest year and the one before: small bundles, quick to re-index after an edit
ARCHIVE_FACTOR = 8  # an archive bundle of older years holds up to this many times search_bundle_size pages


def _pack(groups: list[tuple[str, list[str]]], size: int) -> list[tuple[str, list[str]]]:
    """Neighbouring groups share a bundle up to `size` pages; a group larger than `size` is split
    by a hash of the path, so an edit moves no page between bundles."""
    bundles: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    pending_paths: list[str] = []

    def flush() -> None:
        if pending:
            name = pending[0] if len(pending) == 1 else f"{pending[0]}_{pending[-1]}"
            bundles.append((name, sorted(pending_paths)))
            pending.clear()
            pending_paths.clear()

    for group, paths in groups:
        if len(paths) > size:
            flush()
            parts = -(-len(paths) // size)
            split: dict[int, list[str]] = defaultdict(list)
            for path in paths:
                split[int(hashlib.sha1(path.encode()).hexdigest(), 16) % parts].append(path)
            bundles += [(f"{group}-{part + 1}", sorted(split[part])) for part in sorted(split)]
            continue
        if len(pending_paths) + len(paths) > size:
            flush()
        pending.append(group)
        pending_paths.extend(paths)
    flush()
    return bundles


class Plan(dict[str, list[str]]):
    """Bundle name -> output paths, newest first; `front` is how many of the newest pages (at
    least) the search page searches before it loads older bundles."""

    front: int = 0


def plan(pages: Iterable[tuple[str, str]], size: int) -> Plan:
    """Bundle name -> output paths, from (output path, group) pairs; groups are years, or names
    (such as "reports") for pages of no year, which count as the latest year's.

    The present (the latest `PRESENT_YEARS` years) goes into bundles of at most `size` pages, the
    past into archive bundles of whole neighbouring years up to `ARCHIVE_FACTOR * size` pages, so
    a site of 10,000 documents over ten years has eight bundles, not thirty: an edit of a recent
    document re-indexes a small bundle, one of an old document (rare) a large one. Bundles are
    listed newest first, the order the search page loads them in, and the page searches at least
    `size` of the newest pages first; a name is its years ("2016_2019", "2025", "2026-2" for a part
    of a year split by hash), which the search page reads.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for path, group in pages:
        groups[group].append(path)
    years = sorted(int(group) for group in groups if group.isdigit())
    latest = years[-1] if years else None
    small = sum(len(paths) for paths in groups.values()) <= size  # a small site is one bundle
    present: dict[str, list[str]] = defaultdict(list)
    past: list[tuple[str, list[str]]] = []
    for group in sorted(groups):
        if group.isdigit() and latest is not None and int(group) <= latest - PRESENT_YEARS and not small:
            past.append((group, sorted(groups[group])))
        else:
            present[str(latest) if latest is not None and not group.isdigit() else group] += groups[group]
    packed = _pack(past, size * ARCHIVE_FACTOR) + _pack(sorted((g, sorted(p)) for g, p in present.items()), size)
    newest_first = Plan(sorted(packed, key=lambda bundle: bundle_years(bundle[0]) or (0, 0), reverse=True))
    newest_first.front = size
    return newest_first


def bundle_years(name: str) -> tuple[int, int] | None:
    """The (first, last) year of a bundle named by `plan`; None for a site without years."""
    first, _, rest = name.partition("_")
    first = first.split("-")[0]
    last = rest.split("-")[0] if rest else first
    return (int(first), int(last)) if first.isdigit() and last.isdigit() else None


def _index_one(site: Path, name: str, paths: list[str], target: Path) -> None:
    """Pagefind over the bundle's pages, hard-linked side by side into one folder (a folder per page
    would cost a mkdir and an rmdir each); a page's address is its `href` meta, not the file name."""
    # named after the staging folder, so what a killed build leaves is found and removed
    with tempfile.TemporaryDirectory(prefix=f"{site.name}.index-{name}-", dir=site.parent) as tmp:
        for number, rel in enumerate(paths):
            os.link(site / rel, Path(tmp) / f"{number:06d}.html")
        result = run_bounded(
            [str(pagefind_executable()), "--site", tmp, "--output-path", str(target), "--silent"],
            time_limit(len(paths)),
            f"Pagefind 建立搜索索引（分卷 {name}，{len(paths)} 个页面）",
        )
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip()
        raise SearchIndexError(f"Pagefind 建立搜索索引失败（分卷 {name}）：{detail}")
    stabilize(target)


def build_index(
    staging: Staging,
    bundles: dict[str, list[str]],
    fingerprints: dict[str, str],
    previous: Callable[[str, str], tuple[Path, list] | None] = lambda rel, fingerprint: None,
    workers: int | None = None,
    done: Callable[[int], None] = lambda count: None,
    indexed: Callable[[str], None] = lambda rel: None,
) -> list[str]:
    """Index each bundle into pagefind/<name>/: kept when the staging folder already holds it,
    linked from the previous build when that indexed the same pages, else indexed anew (and
    then `indexed` is told its folder, while the others are still being indexed).
    Returns the names of the bundles indexed anew."""
    jobs = []
    for name, paths in bundles.items():
        rel = f"pagefind/{name}/"
        if staging.holds(rel, fingerprints[name]):
            continue
        source = previous(rel, fingerprints[name])
        if source is not None:
            shutil.copytree(source[0], staging.clear(rel, fingerprints[name], source[1]), copy_function=os.link)
        else:
            jobs.append((name, paths, staging.clear(rel, fingerprints[name])))
    finished = len(bundles) - len(jobs)
    done(finished)
    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(_index_one, staging.root, *job) for job in jobs]
        try:
            for future, (name, _, _) in zip(futures, jobs, strict=True):
                future.result()
                indexed(f"pagefind/{name}/")
                finished += 1
                done(finished)
        except BaseException:  # one failed or the build was interrupted: stop the others at once
            for future in futures:
                future.cancel()
            with _RUNNING_LOCK:
                running = list(_RUNNING)
            for process in running:
                _kill(process)
            raise
    staging.put(f"pagefind/{BUNDLES_FILE}", listing(staging.root, bundles))
    return [name for name, _, _ in jobs]


def listing(site: Path, bundles: dict[str, list[str]]) -> bytes:
    """bundles.json: the bundles newest first, each with its years and page count, and how many of
    the newest pages a query searches first (older bundles are loaded only when it needs them), and
    the filter values of the whole site with
    their counts (the search page's filter menus, shown without loading any bundle)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    entries = []
    for name, paths in bundles.items():
        for filter_name, values in filter_counts(site / "pagefind" / name).items():
            for value, count in values.items():
                totals[filter_name][value] += count
        years = bundle_years(name)
        entries.append({"name": name, "pages": len(paths), "years": list(years) if years else None})
    filters = {name: dict(sorted(values.items())) for name, values in sorted(totals.items())}
    front = getattr(bundles, "front", 0) or sum(len(paths) for paths in bundles.values())
    data = {"bundles": entries, "front": front, "filters": filters}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
