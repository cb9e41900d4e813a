"""Stage 6, index: Pagefind's extended build (it segments Chinese), one bundle per year.

One Pagefind index for a large site needs more memory than a build machine has (Pagefind's memory
grows with the site), and re-indexing everything after one edit is slow. So the indexed pages are
split into bundles, by year of publication and, past `search_bundle_size` pages, by a hash of the
path; bundles are indexed in parallel, an unchanged bundle is reused from the previous build, and
the search page merges them (Pagefind's multisite `mergeIndex`). `pagefind/bundles.json` lists them.
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
from .pagefind_bundle import stabilize

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


def plan(pages: Iterable[tuple[str, str]], size: int) -> dict[str, list[str]]:
    """Bundle name -> output paths, from (output path, group) pairs.

    Neighbouring small groups (years) share a bundle up to `size` pages; a group larger than
    `size` is split by a hash of the path, so an edit moves no page between bundles.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for path, group in pages:
        groups[group].append(path)
    bundles: dict[str, list[str]] = {}
    pending: list[str] = []
    pending_paths: list[str] = []

    def flush() -> None:
        if pending:
            name = pending[0] if len(pending) == 1 else f"{pending[0]}_{pending[-1]}"
            bundles[name] = sorted(pending_paths)
            pending.clear()
            pending_paths.clear()

    for group in sorted(groups):
        paths = sorted(groups[group])
        if len(paths) > size:
            flush()
            parts = -(-len(paths) // size)
            for path in paths:
                part = int(hashlib.sha1(path.encode()).hexdigest(), 16) % parts
                bundles.setdefault(f"{group}-{part + 1}", []).append(path)
            continue
        if len(pending_paths) + len(paths) > size:
            flush()
        pending.append(group)
        pending_paths.extend(paths)
    flush()
    return dict(sorted(bundles.items()))


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
    listing = json.dumps({"bundles": list(bundles)}, ensure_ascii=False).encode()
    staging.put(f"pagefind/{BUNDLES_FILE}", listing)
    return [name for name, _, _ in jobs]
