"""The build as the data flows: load → validate → decide → render → index → write.

Reading git history (修订记录) is I/O at the edge too; it reaches rendering only through the gate.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import astuple, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from . import attachment_text, browse, egress, index_ahead, search_index
from .build_cache import SPARE, BuildCache, CacheBusy, bundle_fingerprint, exclusive
from .catalogue import Catalogue
from .config import SITE_FILE, load_config
from .file_digests import stamp
from .forking import fork_context
from .gate import Publication, decide, decision_key, recall, remember, with_history
from .history import read_history
from .history import session as history_session
from .index_ahead import Ahead
from .load import load, load_reports
from .model import Problem
from .output import (
    Manifest,
    OutputBusy,
    OutputError,
    SpareCheck,
    Staging,
    check_out,
    digest,
    locked,
    recover,
    write_atomically,
)
from .page_deps import DEPS, Tracker
from .page_keys import KeyMismatch, verifying
from .pagefind_service import Service
from .progress import QUIET, Progress
from .records import report_years
from .render import Page, Producer, Product, listing_keys, outline, recalled, render_site, shared, template_dirs
from .search_index import CORE, SERVICE_PAGES, Plan, build_index, identifier_files, plan, time_limit
from .source_file import CacheDamaged
from .urls import SITE, attachment_output, clashes, encode, item_path
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
    egress: str = ""  # digest of the egress check's needles

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check(
    site: Path,
    today: date,
    cache: BuildCache | None = None,
    workers: int | None = None,
    clashes: bool = True,
    loaded: Callable[[list[str]], None] | None = None,
) -> Report:
    """Every rule over the whole site; nothing is written. Without `clashes` the U001 check is left
    to the caller: a build runs it on the listing it renders from (`output_clashes`). `loaded` is
    told, once the content files are read, which of them the cache did not hold as they are now."""
    if not (site / SITE_FILE).is_file():
        raise UsageError(f"{site}: 找不到 {SITE_FILE}（用 --site 指向含 {SITE_FILE} 的目录）")
    report = Report()
    started = time.perf_counter()
    config, problems = load_config(site)
    report.problems.extend(problems)
    if config is None:
        report.problems.sort()
        return report
    before = dict(cache.sources) if cache is not None and loaded is not None else {}
    sources, problems = load(site, cache.sources if cache is not None else None, workers or os.cpu_count() or 1)
    report.problems.extend(problems)
    if loaded is not None and cache is not None:  # an entry parsed or read anew is a new object
        loaded([rel for rel, entry in cache.sources.items() if before.get(rel) is not entry])
    read = {source.path for source in sources}
    unreadable = frozenset(  # content files that could not be read: references to them name them
        p.path.removeprefix("content/").removesuffix(".md")
        for p in problems
        if p.path.startswith("content/") and p.path.endswith(".md") and p.path not in read
    )
    reports, problems = load_reports(site)
    report.problems.extend(problems)
    report.seconds["load"] = time.perf_counter() - started
    folder = cache.folder if cache is not None else None
    # Each attachment read once; the git history read once, for the notes' scan and the 修订记录.
    with attachment_text.session(folder), history_session(folder):
        catalogue, problems = validate(
            site,
            config,
            today,
            sources,
            reports,
            cache.sources if cache is not None else None,
            unreadable,
            cache.files if cache is not None else None,
            cache.others if cache is not None else None,
        )
    report.problems.extend(problems)
    report.catalogue = catalogue
    if not report.errors:
        # without history: the build adds it (`with_history`); kept from the last build when the
        # decision's inputs are the same (gate.recall checks the public set against the catalogue)
        kept = cache.page_keys.get(DECISION) if cache is not None else None
        pub = recall(catalogue, kept)
        if pub is None:
            pub, kept = decide(catalogue), None
        pub.memo[DECISION] = (decision_key(catalogue), kept)  # for `listing`, which keeps it
        report.publication = pub
        if clashes:
            report.problems.extend(output_clashes(site, catalogue, report.publication))
    report.problems.sort()
    report.seconds["validate"] = time.perf_counter() - started - report.seconds["load"]
    return report


Listing = list[tuple[str, Page | Producer]]  # render_site's files, listed once per build
U001 = "\0U001"  # the U001 check's last entries and findings, kept among the page keys (no path starts with NUL)
DECISION = "\0decision"  # the last decision (gate.remember) and its orders (browse.remember), kept there too
PLAN = "\0plan"  # the search bundles' plan and pagefind/ids/ (`_Plans`), kept there too
COUNTS = "\0counts"  # each search bundle's counts by its fingerprint (search_index.build_index), kept there too


def output_clashes(
    site: Path,
    catalogue: Catalogue,
    pub: Publication | None = None,
    files: Listing | None = None,
    cache: BuildCache | None = None,
) -> list[Problem]:
    """U001: two things at one output path (see `urls.clashes`): items whose names differ only in
    case, an item at a path the site itself uses (a listing page, search/, reports/, assets/), an
    item page where an attachment or a generated file is. `pub` is `decide(catalogue)` if known,
    `files` the site's listing (`render_site`) if made.

    With a `cache`, the findings are kept with a digest of the entries they were found in, in their
    order (`clashes` reads nothing else): the next build with the same entries takes them from there
    instead of comparing every path again."""
    pub = pub if pub is not None else decide(catalogue)
    dirs = tuple(template_dirs(site))
    assets = _assets(dirs)
    # The entries follow from the decision's inputs (catalogue.keys), the reports' data and the
    # assets when `files` is the listing of this `pub`: then their key spares listing them.
    decided = pub.memo.get(DECISION, (None, None))[0] if files is not None else None
    known = cache.page_keys.get(U001) if cache is not None else None
    digest = ""
    if decided is not None:
        inputs = f"{decided}\0{pub.reports!r}\0{chr(0).join(assets)}".encode("utf-8", "surrogatepass")
        digest = "d" + hashlib.sha1(inputs).hexdigest()
        if known is not None and known[0] == digest and not verifying():
            return [Problem(*found) for found in known[1]]
    entries = [(item_path(item), item.path) for item in catalogue.items]
    generated = Counter([rel for rel, _ in (files if files is not None else render_site(pub, dirs))])
    generated.subtract([item_path(item) for item in pub.items])  # listed above under their files
    entries += [(rel, SITE) for rel, count in generated.items() if count > 0]
    entries += [(rel, SITE) for rel in assets]
    entries += [(attachment_output(rel), rel) for paths in pub.attachments.values() for rel in paths]
    entries.append(("pagefind/bundles.json", SITE))
    if cache is None:
        return _clash_problems(entries)
    if decided is None:
        try:
            text = orjson.dumps(entries)  # unambiguous, like repr, and ten times faster
        except TypeError:  # a name orjson cannot encode (a lone surrogate)
            text = repr(entries).encode()
        digest = hashlib.sha1(text).hexdigest()
    if known is not None and known[0] == digest:
        problems = [Problem(*found) for found in known[1]]
        if decided is not None and problems != _clash_problems(entries):  # verifying: else returned above
            raise KeyMismatch("U001 的输入未变而结果变了 / the U001 findings changed, not their inputs")
        return problems
    problems = _clash_problems(entries)
    cache.page_keys[U001] = [digest, [list(astuple(problem)) for problem in problems]]
    return problems


def listing(pub: Publication, dirs: tuple[Path, ...], site: Path, cache: BuildCache) -> Listing:
    """Every file `render_site` lists, with the collector paused while they are made: some 50,000
    objects at 10,000 documents (pages, their contexts and keys), none of them garbage. They live
    until the build ends: frozen like what was read and checked, no collection walks them again.

    When the decision was recalled (gate.recall), so are the orders it gave (browse.recall) and,
    with the same annual-report data, the files listed (render.recalled: each made when asked
    for). Under `page_keys.verifying` the files are listed afresh too and compared."""
    key, kept = pub.memo.get(DECISION, (None, None))  # kept: the decision was recalled, so may its orders be
    ordered = kept is not None and browse.recall(pub, kept.get("browse"))
    reports = hashlib.sha1(repr(pub.reports).encode("utf-8", "surrogatepass")).hexdigest()
    laid = kept.get("listing") if ordered else None
    enabled = gc.isenabled()
    gc.disable()
    try:
        made = shared(pub, dirs, site, cache.sources, cache.folder)
        kept_files = laid[1] if isinstance(laid, list) and len(laid) == 2 and laid[0] == reports else None
        files = recalled(made, kept_files) if kept_files is not None else []
        if files:
            if verifying() and outline(list(render_site(pub, dirs, made=made)), pub) != kept_files:
                raise KeyMismatch("文件清单的输入未变而清单变了 / the listing changed, not its inputs")
        else:
            files = list(render_site(pub, dirs, made=made))
            laid = [reports, outline(files, pub)]
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    records: dict[str, Any] = cache.page_keys  # kept with the page keys, not one of them
    if ordered and laid is kept.get("listing"):
        records[DECISION] = kept
    elif ordered:
        records[DECISION] = {**kept, "listing": laid}
    elif key is not None:
        records[DECISION] = {**remember(pub, key), "browse": browse.remember(pub), "listing": laid}
    else:
        records.pop(DECISION, None)
    return files


def _clash_problems(entries: list[tuple[str, str]]) -> list[Problem]:
    """The U001 findings of the output `entries` ((output path, owner) pairs)."""
    problems = []
    for path, first, second in clashes(entries):
        owner, other = (second, first) if first == SITE else (first, second)
        url = "/" + encode(path.removesuffix("index.html"))
        if other == SITE:
            zh = (
                f"输出路径 {path}（网址 {url}）是网站自己使用的位置（栏目列表、搜索、年报、资源或附件目录）；"
                "请给文件改名或换目录"
            )
            en = (
                f"output path {path} (URL {url}) is one the site itself uses (a listing, search, reports, "
                "assets or attachments); rename or move the file"
            )
        else:
            zh = (
                f"输出路径 {path}（网址 {url}）与 {other} 的相同（只差大小写或写法，或一个是另一个的目录）；"
                "两者会互相覆盖，请给其中一个改名"
            )
            en = (
                f"output path {path} (URL {url}) is the same as that of {other} (up to letter case or Unicode "
                "form, or one is the other's folder); they would overwrite each other: rename one"
            )
        problems.append(Problem(owner if owner != SITE else "site.yaml", 1, "U001", zh, en))
    return sorted(set(problems))


def _assets(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """Static assets from templates/assets, a site's own overriding the defaults by name."""
    chosen: dict[str, Path] = {}
    for folder in reversed(dirs):
        assets = folder / "assets"
        for path in sorted(assets.rglob("*")) if assets.is_dir() else ():
            if path.is_file():
                chosen[f"assets/{path.relative_to(assets).as_posix()}"] = path
    return chosen


def _copy_assets(dirs: tuple[Path, ...], staging: Staging) -> list[str]:
    """Copy the static assets; returns their output paths."""
    chosen = _assets(dirs)
    for rel, path in chosen.items():
        staging.put(rel, path.read_bytes())
    return list(chosen)


def _copy_attachments(site: Path, pub: Publication, staging: Staging, cache: BuildCache) -> list[str]:
    """Attachments of public items only; others' files never leave the repository. Returns their
    output paths.

    An attachment whose sha1 the build cache knows (`BuildCache.files`, kept by the attachment
    rules) is not read when the staging folder holds those bytes or the previous output has them
    (hard-linked, as an unchanged page is). What is trusted is the file's stat: its size,
    modification and change times, inode and device all as they were when it was hashed (see
    `file_digests`: a digest taken less than RACY_NS after a change is not kept), and the
    output copies' stat or sha1 as `Staging` and `BuildCache.previous_file` check them."""
    copied = []
    for paths in pub.attachments.values():
        for rel in paths:
            target = attachment_output(rel)
            copied.append(target)
            sha1 = _known_digest(site, rel, cache)
            if sha1 is None or not _reuse(staging, cache, target, sha1):
                staging.put(target, (site / rel).read_bytes())
    return copied


def _known_digest(site: Path, rel: str, cache: BuildCache) -> str | None:
    """The sha1 of the file `rel` under `site` when the cache has it for the file's current stat."""
    known = cache.files.get(rel)
    if known is None:
        return None
    try:
        status = os.stat(site / rel)
    except OSError:
        return None
    return known[1] if tuple(known[0]) == stamp(status) else None


class _Plans:
    """The search bundles' plan and the identifier files (pagefind/ids/) of this build, recalled
    from the last one when their inputs are the same: a rebuild at 100,000 documents otherwise
    sorts every page by date, cuts the bundles and normalizes every 文号 and 索引号 again (about a
    second) only to find what it found before.

    Their inputs are the paths, dates, 文号 and 索引号 of the public items, which the decision's
    key (`gate.decision_key`: site.yaml, every content file but its body's text, the build date)
    covers, the annual reports' data (report pages are indexed) and the bundle size; with none of
    them changed the plan and the files are those of the last build. The files are recalled by
    their sha1s: each is kept in the staging folder or linked from the last output only when it
    holds those bytes, else they are made again. Under `page_keys.verifying` both are made afresh
    and compared."""

    def __init__(self, pub: Publication, kept: Any) -> None:
        self.pub = pub
        decided = pub.memo.get(DECISION, (None, None))[0]
        self.key = None
        if decided is not None:
            reports = repr(pub.reports).encode("utf-8", "surrogatepass")
            inputs = f"{decided}\0{pub.config.search_bundle_size}\0".encode() + reports
            self.key = hashlib.sha1(inputs).hexdigest()
        self.kept = kept if self.key is not None and isinstance(kept, dict) and kept.get("key") == self.key else None
        self.ids: list[list[str]] = []

    def bundles(self) -> Plan:
        """The plan, recalled when its inputs are unchanged."""
        recalled = None
        if self.kept is not None:
            try:
                recalled = Plan((name, list(paths)) for name, paths in self.kept["bundles"])
                recalled.years = {name: tuple(span) if span else None for name, span in self.kept["years"]}
                recalled.front = int(self.kept["front"])
            except (KeyError, TypeError, ValueError):  # a damaged record: planned afresh
                recalled = None
        if recalled is not None and not verifying():
            return recalled
        bundles = plan(indexed_pages(self.pub), self.pub.config.search_bundle_size)
        same = recalled == bundles and recalled.years == bundles.years and recalled.front == bundles.front
        if recalled is not None and not same:
            raise KeyMismatch("搜索分包的输入未变而分包变了 / the search bundles changed, not their inputs")
        return bundles

    def stage_ids(self, bundles: Plan, staging: Staging, previous: BuildCache) -> list[str]:
        """Stage pagefind/ids/: the recalled files kept or linked by their sha1s, else made."""
        kept = self.kept.get("ids") if self.kept is not None else None
        if not (isinstance(kept, list) and all(isinstance(e, list) and len(e) == 2 and e[1] for e in kept)):
            kept = None
        staged = set()  # recalled files in place: the same bytes as made afresh (else KeyMismatch below)
        if kept is not None and not verifying():
            for rel, sha1 in kept:
                if not _reuse(staging, previous, rel, sha1):
                    break
                staged.add(rel)
            else:
                self.ids = kept
                return [rel for rel, _ in kept]
        files = identifier_files(bundles, self._identifiers())
        self.ids = [[rel, digest(data)] for rel, data in files.items()]
        if kept is not None and kept != self.ids:
            raise KeyMismatch("标识文件的输入未变而文件变了 / pagefind/ids/ changed, not its inputs")
        for rel, data in files.items():
            if rel not in staged:
                staging.put(rel, data)
        return list(files)

    def _identifiers(self) -> dict[str, list[str]]:
        return {item_path(i): [str(i.get("doc_no") or ""), str(i.get("index_no") or "")] for i in self.pub.items}

    def record(self, bundles: Plan) -> dict[str, Any] | None:
        """What to keep for the next build, None without a key."""
        if self.key is None:
            return None
        if self.kept is not None and self.kept.get("ids") == self.ids:
            return self.kept
        return {
            "key": self.key,
            "bundles": list(bundles.items()),
            "years": [[name, list(span) if span else None] for name, span in bundles.years.items()],
            "front": bundles.front,
            "ids": self.ids,
        }


def indexed_pages(pub: Publication) -> list[tuple[str, str]]:
    """(output path, date) of every page the search indexes: items by their date (ISO), reports
    and undated items as the newest (see search_index.plan)."""
    pages = [(item_path(i), i.published.isoformat() if i.published else "pages") for i in pub.items]
    return pages + [(f"reports/{year}/index.html", "reports") for year in report_years(pub)]


@dataclass(frozen=True)
class _Job:
    """What the page writers share; set before the worker processes fork, so it is not pickled."""

    # the files to produce: (path, page or producer, its key or None, and when the key is
    # unchanged but verified (page_keys.verifying) the content id it must come to)
    files: list[tuple[str, Page | Producer, str | None, str | None]]
    staging: Staging
    workers: int
    counter: Any  # a shared multiprocessing.Value, or None in one process
    previous: BuildCache  # the previous build's output and its content ids


_JOB: _Job | None = None
PROGRESS_STEP = 50  # files a worker writes between progress reports (each takes a shared lock)


def _reuse(staging: Staging, previous: BuildCache, rel: str, content_id: str) -> bool:
    """Keep `rel` when the staging folder (the spare) holds this content, or hard-link it from the
    previous build's output; False when neither has it."""
    if staging.holds(rel, content_id):
        return True
    found = previous.previous_file(rel, content_id)
    if found is None:
        return False
    os.link(found[0], staging.clear(rel, content_id, found[1]))
    return True


def _checked(rel: str, content_id: str, expected: str | None) -> str:
    """`content_id`, when it is the one its unchanged key promised (`expected`, set only while
    page_keys.verifying): a different one means an input is missing from the key."""
    if expected is not None and content_id != expected:
        raise KeyMismatch(f"{rel}: 键未变而内容变了 / the key did not change but the content did")
    return content_id


def _write_shard(shard: int) -> tuple[Manifest, dict[str, list]]:
    """Produce every `workers`-th file of the job: a page is resolved and fingerprinted, then kept
    or hard-linked when its fingerprint is unchanged, else rendered. Returns the manifest records
    of the files written and the (key, content id) of every keyed file."""
    job = _JOB
    assert job is not None
    staging, written, keys = job.staging, {}, {}
    for done, (rel, produce, key, expected) in enumerate(job.files[shard :: job.workers], 1):
        if isinstance(produce, Page):
            context = produce.resolve()
            content_id = _checked(rel, produce.fingerprint(context), expected)
            if not _reuse(staging, job.previous, rel, content_id):
                staging.write(rel, content_id, produce.render(context))
        else:
            data = produce()
            content_id = _checked(rel, digest(data), expected)
            staging.put(rel, data)
        written[rel] = staging.written[rel]
        if key is not None:
            keys[rel] = [key, content_id]
        if job.counter is not None and done % PROGRESS_STEP == 0:
            with job.counter.get_lock():
                job.counter.value += PROGRESS_STEP
    return written, keys


def write_pages(
    pub: Publication,
    dirs: tuple[Path, ...],
    staging: Staging,
    workers: int,
    cache: BuildCache,
    progress: Progress = QUIET,
    site: Path | None = None,
    files: Listing | None = None,
    catalogue: Catalogue | None = None,
) -> int:
    """Render the site into `staging`. A file whose key (page_keys) is the one recorded by the
    last build has the content recorded with it, and is kept or hard-linked without resolving it;
    the others are produced over `workers` forked processes when there are many. `files` is the
    site's listing when the build has made it (`render_site` with `site` and `cache`): it is
    emptied once written.

    With the `catalogue` (every item, public or not), a key whose inputs did not change since the
    last build (page_deps) is not computed: the recorded one stands."""
    global _JOB
    if files is None:
        files = list(render_site(pub, dirs, site, cache.sources, cache.folder))
    progress.start("生成页面", len(files))
    verify = verifying()
    recorded = cache.page_keys
    keys: dict[str, Any] = {k: recorded[k] for k in (U001, DECISION) if k in recorded}  # check's, kept as they are
    todo: list[tuple[str, Page | Producer, str | None, str | None]] = []
    keyed = cache.folder is not None  # without a cache there is nothing to compare keys with, nor to keep them in
    listed = listing_keys(files) if keyed else None
    tracker = None
    if listed is not None and catalogue is not None:
        tracker = Tracker(listed, catalogue.items, recorded.get(DEPS), verify)
    for rel, produce in files:
        key = known = None
        if keyed and isinstance(produce, (Page, Product)):
            known = recorded.get(rel)
            item = produce.item if isinstance(produce, Page) else None
            if tracker is not None and known is not None and tracker.unchanged(item):
                key = known[0]
                if verify and produce.key() != key:
                    raise KeyMismatch(f"{rel}: 输入判为未变而键变了 / its inputs were judged unchanged, not its key")
            else:
                key = produce.key()
        if key is not None and known is not None and known[0] == key:
            keys[rel] = known
            if verify:
                todo.append((rel, produce, key, known[1]))
                continue
            if _reuse(staging, cache, rel, known[1]):
                continue
        todo.append((rel, produce, key, None))
    reused = len(files) - len(todo)
    progress.update(reused)
    context = fork_context(workers, len(todo), 200)
    try:
        if context is None:
            _JOB = _Job(todo, staging, 1, None, cache)
            results = [_write_shard(0)]
        else:
            counter = context.Value("i", 0)
            _JOB = _Job(todo, staging, workers, counter, cache)
            with context.Pool(workers) as pool:
                pending = pool.map_async(_write_shard, range(workers))
                while not pending.ready():
                    pending.wait(0.2)
                    progress.update(reused + counter.value)
                results = pending.get()
    finally:
        _JOB = None
    progress.finish()
    for written, produced in results:
        staging.written.update(written)
        keys.update(produced)
    if tracker is not None:
        keys[DEPS] = tracker.record()
    cache.page_keys = keys
    pages = sum(rel.endswith(".html") for rel, _ in files)
    files.clear()  # the pages are not kept through the search index (a tenth of the build's memory)
    return pages


def build(
    site: Path,
    out: Path,
    today: date,
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress = QUIET,
    cache: BuildCache | None = None,
    pages_ready: PagesReady | None = None,
) -> Report:
    """Check, then write the whole site to `out` atomically; nothing is written on errors.

    With `cache_dir`, unchanged sources are not parsed or checked again, unchanged pages and
    search bundles are taken from the previous build or the spare output, and the output is
    byte-identical to a build without it. One build at a time may use a cache folder.

    `cache` is a cache already open (`disclose serve` keeps one in memory between rebuilds): it is
    used instead of reading `cache_dir` (its folder), updated in place, and left to its owner to
    save. `pages_ready` is told, from another thread, when the pages are written and have passed
    the egress check while the search index is still being built (see `PagesReady`).
    """
    workers = workers or os.cpu_count() or 1
    if cache is not None:
        cache_dir = cache.folder
    try:
        check_out(site, out, cache_dir)
        with locked(out), exclusive(cache_dir):
            recover(out)
            # the spare output is checked beside the checks of the site (before the cache is opened: a
            # small process to fork), from the manifest on disk (an open cache may hold a newer one)
            early = (
                SpareCheck.start(cache_dir / SPARE, cache_dir / "state.json") if cache is None and cache_dir else None
            )
            # after the fork: the spare's check holds no pipe of it. Only a rebuild indexes few pages:
            # a first build (no cache, or none written yet) would only load the dictionary for nothing
            rebuild = cache is not None or (cache_dir is not None and (cache_dir / "state.json").is_file())
            service = search_index.warm(out) if rebuild else None
            ahead = Ahead(service, cache_dir, out, time_limit(SERVICE_PAGES)) if service is not None else None
            try:
                opened = BuildCache.open(cache_dir) if cache is None else cache
                try:
                    return _build(
                        site, out, today, workers, opened, progress, pages_ready, cache is None, early, service, ahead
                    )
                except CacheDamaged:  # a damaged byte in the cache's sources file: build as if it were empty
                    opened.__init__(cache_dir)  # type: ignore[misc]  # in place: `serve` holds it too
                    return _build(site, out, today, workers, opened, progress, pages_ready, cache is None)
            finally:
                search_index.close(service)
                if ahead is not None:  # after the service: its thread cannot be waiting on it
                    ahead.close()
                if early is not None:
                    early.close()
    except OutputError as err:
        raise UsageError(str(err)) from None
    except OutputBusy:
        raise UsageError(f"另一个构建正在写输出目录 {out}；请等它结束后再构建") from None
    except CacheBusy:
        raise UsageError(f"另一个构建正在使用缓存 {cache_dir}；请等它结束后再构建") from None
    finally:
        gc.unfreeze()


# Told the staging folder, the output paths in it that are written and checked (pages, assets,
# attachments: everything but the search index), and the digest of the egress needles they were
# checked for. Only a preview may show them before the build completes.
PagesReady = Callable[[Path, frozenset[str], str], None]


def _build(
    site: Path,
    out: Path,
    today: date,
    workers: int,
    cache: BuildCache,
    progress: Progress,
    pages_ready: PagesReady | None = None,
    save: bool = True,
    early: SpareCheck | None = None,
    service: Service | None = None,
    ahead: Ahead | None = None,
) -> Report:
    """The build proper, while it holds the cache folder; `early` is the spare's check if started,
    `service` a warm Pagefind for the first bundles to index (search_index.warm), `ahead` the
    guess that sends it the changed bundle's other pages as soon as the sources are read."""
    report = check(site, today, cache, workers, clashes=False, loaded=ahead.start if ahead is not None else None)
    if report.errors or report.catalogue is None:
        return report
    started = time.perf_counter()
    # What was read and checked lives until the end: the collector need not walk it again (nor
    # touch it in the forked workers, which would copy their memory page by page).
    gc.freeze()
    decided = report.publication
    history = read_history(site, cache.folder)
    pub = decide(report.catalogue, history) if decided is None else with_history(decided, history)
    report.publication = pub
    dirs = tuple(template_dirs(site))
    records: dict[str, Any] = cache.page_keys  # read before write_pages replaces them
    plans = _Plans(pub, records.get(PLAN))
    counts: dict[str, dict] = dict(records[COUNTS]) if isinstance(records.get(COUNTS), dict) else {}
    files = listing(pub, dirs, site, cache)  # listed once: for U001 and the writers
    report.problems.extend(output_clashes(site, report.catalogue, pub, files, cache))
    report.problems.sort()
    if report.errors:
        return report

    def finish(staging: Staging) -> None:
        report.pages = write_pages(pub, dirs, staging, workers, cache, progress, site, files, report.catalogue)
        report.seconds["render"] = time.perf_counter() - started
        rendered = list(staging.written)
        # Pagefind starts on the changed bundles as soon as their pages are written (build_index);
        # while it runs, this process copies the assets and attachments and the egress check reads
        # the sources and scans the pages (no more forking from here on, so a thread is safe). Each
        # new search bundle is scanned as soon as it is ready; what is left (reused bundles, when
        # everything must be scanned) comes last. A preview waiting for the pages (`pages_ready`)
        # has the egress check start before Pagefind instead: the pages are shown before the search
        # index is complete, so their check comes first.
        with ThreadPoolExecutor(1) as background:

            def collect() -> egress.Needles:
                return egress.collect(site, today, dirs, cache.folder, _read_as(report.catalogue, cache))

            collected = [background.submit(collect)] if pages_ready else []
            bundles = plans.bundles()
            known = ahead.plan if ahead is not None else index_ahead.previous_plan(cache.folder)
            index_ahead.remember(cache.folder, bundles, known)  # for the next build's guess
            fingerprints = {name: bundle_fingerprint(staging.written, paths) for name, paths in bundles.items()}
            fingerprints[CORE] = bundle_fingerprint(staging.written, [])  # the same while the engine is
            progress.start("建立搜索索引", len(bundles) + 1)
            pages: list[tuple[str, bool]] = []  # (output path, written anew) of all but the search index
            checking: list[Future] = []  # the egress check of `pages`, once started
            scans: dict[str, Future] = {}

            def meanwhile() -> None:
                if checking:
                    return
                if not collected:
                    collected.append(background.submit(collect))
                copied = _copy_assets(dirs, staging) + _copy_attachments(site, pub, staging, cache)
                pages.extend((rel, len(staging.written[rel]) < 5) for rel in dict.fromkeys(rendered + copied))
                checking.append(background.submit(_egress_pages, collected[0], staging, pages, cache))
                if pages_ready is not None:
                    checking[0].add_done_callback(lambda done: _tell(pages_ready, staging, pages, done))

            def scan_bundle(rel: str) -> None:
                scans[rel] = background.submit(lambda: egress.scan(staging.root, [rel], checking[0].result()[0]))

            report.reindexed = build_index(
                staging,
                bundles,
                fingerprints,
                cache.previous_file,
                workers,
                progress.update,
                scan_bundle,
                plans._identifiers,
                meanwhile,
                service,
                ahead,
                counts,
                lambda staging: plans.stage_ids(bundles, staging, cache),
            )
            now: dict[str, Any] = cache.page_keys  # this build's (write_pages), not one of them
            if (recorded := plans.record(bundles)) is not None:
                now[PLAN] = recorded
            now[COUNTS] = counts
            meanwhile()  # when build_index did not call it (a stand-in for it, in tests)
            progress.finish()
            report.seconds["index"] = time.perf_counter() - started - report.seconds["render"]
            needles, full, hits = checking[0].result()
            for future in scans.values():
                hits += future.result()
        scanned = {rel for rel, _ in pages} | scans.keys()
        rest = [rel for rel, record in staging.written.items() if rel not in scanned and (full or len(record) < 5)]
        hits += egress.scan(staging.root, rest, needles)
        report.seconds["egress"] = time.perf_counter() - started - report.seconds["render"] - report.seconds["index"]
        if hits:
            raise egress.Leak(egress.problems(hits))
        report.egress = needles.digest

    try:
        manifest, kept = write_atomically(out, finish, cache.spare, cache.spare_manifest, early)
    except egress.Leak as leak:
        report.problems.extend(leak.problems)
        report.problems.sort()
        return report
    cache.spare_manifest, cache.spare_egress = (cache.manifest, cache.egress) if kept else ({}, "")
    cache.manifest, cache.out, cache.egress = manifest, str(out.absolute()), report.egress
    if save:
        cache.save()
    return report


def _tell(pages_ready: PagesReady, staging: Staging, pages: list[tuple[str, bool]], checked: Any) -> None:
    """Hand the checked pages to `pages_ready`, only when the egress check found nothing in them."""
    if checked.exception() is None and not checked.result()[2]:
        pages_ready(staging.root, frozenset(rel for rel, _ in pages), checked.result()[0].digest)


def _read_as(catalogue: Catalogue | None, cache: BuildCache) -> dict[str, str] | None:
    """Each content file's git blob id as this build read it: the cached source of an item that
    is the very source it was built from (an entry left from before, when the file now failed to
    parse, is not). The egress check takes these bytes as the files' without a stat of its own."""
    if catalogue is None or cache.folder is None:
        return None
    known = cache.sources
    read = {}
    for item in catalogue.items:
        entry = known.get(item.path)
        if entry is not None and entry.source is item.source:
            read[item.path] = entry.digest
    return read


def _egress_pages(
    collected: Future, staging: Staging, pages: list[tuple[str, bool]], cache: BuildCache
) -> tuple[egress.Needles, bool, list]:
    """The needles (`collected`: egress.collect), whether every staged file must be scanned (no
    cache, or the needles changed since the files taken from the previous output or the spare
    were scanned), and the hits in the pages. Otherwise only the files this build wrote anew are
    scanned."""
    needles = collected.result()
    full = (
        cache.folder is None
        or needles.digest != cache.egress
        or (bool(staging.present) and needles.digest != cache.spare_egress)
    )
    return needles, full, egress.scan(staging.root, [rel for rel, fresh in pages if full or fresh], needles)
