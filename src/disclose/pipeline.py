"""The build as the data flows: load → validate → decide → render → index → write.

Reading git history (修订记录) is I/O at the edge too; it reaches rendering only through the gate.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .build_cache import BuildCache, CacheBusy, bundle_fingerprint, exclusive
from .catalogue import Catalogue
from .config import SITE_FILE, load_config
from .forking import fork_context
from .gate import Publication, decide
from .history import read_history
from .load import load, load_reports
from .model import Problem
from .output import Manifest, Staging, write_atomically
from .progress import QUIET, Progress
from .records import report_years
from .render import Page, Producer, render_site, template_dirs
from .search_index import build_index, plan
from .urls import attachment_output, item_path
from .validate import validate


class UsageError(Exception):
    """A problem with how disclose was called (exit status 2), not with the content."""


@dataclass
class Report:
    """What a check or build found and did."""

    problems: list[Problem] = field(default_factory=list)
    catalogue: Catalogue | None = None
    publication: Publication | None = None
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    reindexed: list[str] = field(default_factory=list)  # search bundles indexed anew

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check(site: Path, today: date, cache: BuildCache | None = None, workers: int | None = None) -> Report:
    """Every rule over the whole site; nothing is written."""
    if not (site / SITE_FILE).is_file():
        raise UsageError(f"{site}: 找不到 {SITE_FILE}（用 --site 指向含 {SITE_FILE} 的目录）")
    report = Report()
    started = time.perf_counter()
    config, problems = load_config(site)
    report.problems.extend(problems)
    if config is None:
        report.problems.sort()
        return report
    sources, problems = load(site, cache.sources if cache is not None else None, workers or os.cpu_count() or 1)
    report.problems.extend(problems)
    reports, problems = load_reports(site)
    report.problems.extend(problems)
    report.seconds["load"] = time.perf_counter() - started
    catalogue, problems = validate(site, config, today, sources, reports, cache.sources if cache is not None else None)
    report.problems.extend(problems)
    report.catalogue = catalogue
    report.problems.sort()
    report.seconds["validate"] = time.perf_counter() - started - report.seconds["load"]
    return report


def _guard_out(site: Path, out: Path) -> None:
    """Never let the atomic swap replace the site itself or a folder holding it."""
    site_abs, out_abs = site.resolve(), out.resolve()
    if out_abs == site_abs or site_abs.is_relative_to(out_abs):
        raise UsageError(f"--out {out} 会覆盖站点目录本身；请指定单独的输出目录，如 public/")
    if out_abs.is_relative_to((site / "content").resolve()):
        raise UsageError(f"--out {out} 位于 content/ 之内；请指定其他输出目录")


def _copy_assets(dirs: tuple[Path, ...], staging: Staging) -> None:
    """Static assets from templates/assets, a site's own overriding the defaults by name."""
    chosen: dict[str, Path] = {}
    for folder in reversed(dirs):
        assets = folder / "assets"
        for path in sorted(assets.rglob("*")) if assets.is_dir() else ():
            if path.is_file():
                chosen[f"assets/{path.relative_to(assets).as_posix()}"] = path
    for rel, path in chosen.items():
        staging.put(rel, path.read_bytes())


def _copy_attachments(site: Path, pub: Publication, staging: Staging) -> None:
    """Attachments of public items only; others' files never leave the repository."""
    for paths in pub.attachments.values():
        for rel in paths:
            staging.put(attachment_output(rel), (site / rel).read_bytes())


def indexed_pages(pub: Publication) -> list[tuple[str, str]]:
    """(output path, bundle group) of every page the search indexes: items by year, reports."""
    pages = [(item_path(i), str(i.published.year) if i.published else "pages") for i in pub.items]
    return pages + [(f"reports/{year}/index.html", "reports") for year in report_years(pub)]


@dataclass(frozen=True)
class _Job:
    """What the page writers share; set before the worker processes fork, so it is not pickled."""

    files: list[tuple[str, Page | Producer]]  # every generated file, listed once before the fork
    staging: Staging
    workers: int
    counter: Any  # a shared multiprocessing.Value, or None in one process
    previous: BuildCache  # the previous build's output and its content ids


_JOB: _Job | None = None
PROGRESS_STEP = 50  # files a worker writes between progress reports (each takes a shared lock)


def _write_shard(shard: int) -> tuple[int, Manifest]:
    """Write every `workers`-th file of the site: kept when the staging folder (the spare) already
    holds it, hard-linked from the previous build when its fingerprint is unchanged, else rendered.
    Returns the pages written and every file's manifest record."""
    job = _JOB
    assert job is not None
    staging, pages = job.staging, 0
    for done, (rel, produce) in enumerate(job.files[shard :: job.workers], 1):
        if isinstance(produce, Page):
            context = produce.resolve()
            fingerprint = produce.fingerprint(context)
            if not staging.holds(rel, fingerprint):
                previous = job.previous.previous_file(rel, fingerprint)
                if previous is not None:
                    os.link(previous[0], staging.clear(rel, fingerprint, previous[1]))
                else:
                    staging.write(rel, fingerprint, produce.render(context))
        else:
            staging.put(rel, produce())
        pages += rel.endswith(".html")
        if job.counter is not None and done % PROGRESS_STEP == 0:
            with job.counter.get_lock():
                job.counter.value += PROGRESS_STEP
    return pages, staging.written


def write_pages(
    pub: Publication,
    dirs: tuple[Path, ...],
    staging: Staging,
    workers: int,
    cache: BuildCache,
    progress: Progress = QUIET,
    site: Path | None = None,
) -> int:
    """Render the site into `staging`, over `workers` forked processes when there are several."""
    global _JOB
    context = fork_context(workers, len(pub.items), 200)
    files = list(render_site(pub, dirs, site))
    progress.start("生成页面", len(files))
    try:
        if context is None:
            _JOB = _Job(files, staging, 1, None, cache)
            results = [_write_shard(0)]
        else:
            counter = context.Value("i", 0)
            _JOB = _Job(files, staging, workers, counter, cache)
            with context.Pool(workers) as pool:
                pending = pool.map_async(_write_shard, range(workers))
                while not pending.ready():
                    pending.wait(0.2)
                    progress.update(counter.value)
                results = pending.get()
    finally:
        _JOB = None
    progress.finish()
    for _, written in results:
        staging.written.update(written)
    return sum(pages for pages, _ in results)


def build(
    site: Path,
    out: Path,
    today: date,
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress = QUIET,
) -> Report:
    """Check, then write the whole site to `out` atomically; nothing is written on errors.

    With `cache_dir`, unchanged sources are not parsed or checked again, unchanged pages and
    search bundles are taken from the previous build or the spare output, and the output is
    byte-identical to a build without it. One build at a time may use a cache folder.
    """
    workers = workers or os.cpu_count() or 1
    _guard_out(site, out)
    try:
        with exclusive(cache_dir):
            return _build(site, out, today, workers, BuildCache.open(cache_dir), progress)
    except CacheBusy:
        raise UsageError(f"另一个构建正在使用缓存 {cache_dir}；请等它结束后再构建") from None
    finally:
        gc.unfreeze()


def _build(site: Path, out: Path, today: date, workers: int, cache: BuildCache, progress: Progress) -> Report:
    """The build proper, while it holds the cache folder."""
    report = check(site, today, cache, workers)
    if report.errors or report.catalogue is None:
        return report
    started = time.perf_counter()
    # What was read and checked lives until the end: the collector need not walk it again (nor
    # touch it in the forked workers, which would copy their memory page by page).
    gc.freeze()
    pub = decide(report.catalogue, read_history(site))
    report.publication = pub
    dirs = tuple(template_dirs(site))

    def finish(staging: Staging) -> None:
        report.pages = write_pages(pub, dirs, staging, workers, cache, progress, site)
        _copy_assets(dirs, staging)
        _copy_attachments(site, pub, staging)
        report.seconds["render"] = time.perf_counter() - started
        bundles = plan(indexed_pages(pub), pub.config.search_bundle_size)
        fingerprints = {name: bundle_fingerprint(staging.written, paths) for name, paths in bundles.items()}
        progress.start("建立搜索索引", len(bundles))
        report.reindexed = build_index(staging, bundles, fingerprints, cache.previous_file, workers, progress.update)
        progress.finish()
        report.seconds["index"] = time.perf_counter() - started - report.seconds["render"]

    manifest, kept = write_atomically(out, finish, cache.spare, cache.spare_manifest)
    cache.spare_manifest = cache.manifest if kept else {}
    cache.manifest, cache.out = manifest, str(out.absolute())
    cache.save()
    return report
