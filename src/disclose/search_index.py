"""Stage 6, index: Pagefind's extended build (it segments Chinese), one bundle per year.

One Pagefind index for a large site needs more memory than a build machine has (Pagefind's memory
grows with the site), and re-indexing everything after one edit is slow. So the indexed pages are
split into bundles, by year of publication and, past `search_bundle_size` pages, by a hash of the
path; bundles are indexed in parallel, an unchanged bundle is reused from the previous build, and
the search page merges them (Pagefind's multisite `mergeIndex`). `pagefind/bundles.json` lists them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pagefind_bin_extended

from .output import Staging
from .pagefind_bundle import stabilize

BUNDLES_FILE = "bundles.json"


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build stops and the previous output stays."""


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
    with tempfile.TemporaryDirectory(prefix=f"disclose-index-{name}-", dir=site.parent) as tmp:
        for number, rel in enumerate(paths):
            os.link(site / rel, Path(tmp) / f"{number:06d}.html")
        result = subprocess.run(
            [str(pagefind_executable()), "--site", tmp, "--output-path", str(target), "--silent"],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed on bundle {name}: {result.stderr.strip() or result.stdout.strip()}")
    stabilize(target)


def build_index(
    staging: Staging,
    bundles: dict[str, list[str]],
    fingerprints: dict[str, str],
    previous: Callable[[str, str], tuple[Path, list] | None] = lambda rel, fingerprint: None,
    workers: int | None = None,
    done: Callable[[int], None] = lambda count: None,
) -> list[str]:
    """Index each bundle into pagefind/<name>/: kept when the staging folder already holds it,
    linked from the previous build when that indexed the same pages, else indexed anew.
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
        for future in [pool.submit(_index_one, staging.root, *job) for job in jobs]:
            future.result()
            finished += 1
            done(finished)
    listing = json.dumps({"bundles": list(bundles)}, ensure_ascii=False).encode()
    staging.put(f"pagefind/{BUNDLES_FILE}", listing)
    return [name for name, _, _ in jobs]
