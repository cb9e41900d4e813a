"""A persistent build cache (a folder CI can restore between runs): parsed sources by content
hash, with what the per-file rules and the rules that read only their own item found in them
(`sources.pickle`, and the few changed since in `sources.delta.pickle`), the newer stats of
unchanged sources apart from them, with the attachments' digests and blob ids
(`stamps.pickle`); the manifest of the previous build's output (a content id for every file:
for a page, the fingerprint of what it shows; for a search bundle, the fingerprint of the pages
it indexes); and the spare output folder with its manifest (see `output`).

All are exact: a source is reused only for the same bytes (its stat stands for them only while
size, times, inode and device are all unchanged, see `trusted`; git's index, when it vouches for
the recorded blob id, see `git_index`), a rule's findings only under a
key of everything the rule reads (`validate.own_key`), a page only when its template set and
context are the same (it is then hard-linked from the previous output), a search bundle only for
the same pages, the same disclose code and Pagefind version, so an incremental build writes
exactly what a cold build would.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import orjson

if sys.platform != "win32":  # no fcntl on Windows: builds there take no lock
    import fcntl

from . import __version__, installed, page_keys, source_file
from .file_digests import RACY_NS, UNTRUSTED
from .file_digests import Stamp as Stat  # size, mtime_ns, ctime_ns, inode, device
from .file_digests import stamp as stat_key  # what identifies a file's bytes without reading them
from .git_index import blob_id
from .model import Item, Problem, Source
from .output import Manifest, digest, spare_changes, spare_of, verified

FORMAT = 8
SPARE = "spare"
SOURCES, DELTA, STAMPS = "sources.pickle", "sources.delta.pickle", "stamps.pickle"
OTHERS = "others.pickle"  # what the rules that read other items found (`OthersFound`)
FILES = "\0files"  # the attachments' entry among the signatures (no path starts with NUL)
DELTA_MIN, DELTA_SHARE = 256, 0.1  # changed sources kept apart until there are more than both


# Packages whose version changes what a build writes or what a rule finds: the indexer, the
# templating and escaping, the Markdown renderers, the readers of attachments' text (A803, I903,
# S303 keep their findings in the cache) and the official holiday calendar (deadlines, Q106).
ENGINES = (
    "pagefind-bin-extended",
    "Jinja2",
    "MarkupSafe",
    "markdown-it-py",
    "markdown-it-pyrs",
    "markdown-it-pyrs-abi3",  # the same renderer, as its abi3 wheel is named (what CI installs)
    "pypdf",
    "python-docx",
    "chinesecalendar",
)


def _stamped(sources: dict[str, CachedSource], stamps: dict[str, tuple[Stat, str]]) -> dict[str, tuple[Stat, str]]:
    """Give each source the newer stat kept for it in `stamps`, if the stat was taken of the bytes
    the source was parsed from (the same digest: a stamps file and a sources file written by
    different builds never pair a stat with other bytes). Returns the stamps applied."""
    applied = {}
    for rel, (stat, sha) in stamps.items():
        entry = sources.get(rel)
        if entry is not None and entry.digest == sha:
            entry.stat = stat
            applied[rel] = (stat, sha)
    return applied


def trusted(status: os.stat_result, read_at: int) -> Stat | None:
    """The stat to remember for a file read at `read_at` (time.time_ns()), or None when it changed
    too shortly before for its stat to prove, next time, that it is unchanged."""
    return stat_key(status) if status.st_ctime_ns < read_at - RACY_NS else None


@cache
def _engine_key() -> str:
    """What makes cached results valid: the cache format, the versions of the packages that shape
    the output (`ENGINES`, read from their dist-info folders' names: `installed`) and disclose's
    own code and data (every file of the package, not just the version number, so a changed rule
    never reuses old results)."""
    code = hashlib.sha1(__version__.encode())
    package = Path(__file__).parent
    for name in sorted(_package_files(str(package))):
        with open(os.path.join(package, name), "rb") as handle:
            code.update(name.encode("utf-8", "surrogateescape") + b"\0" + handle.read())
    engines = ",".join(f"{name}={version}" for name, version in installed.versions(ENGINES).items())
    return f"{FORMAT}/{code.hexdigest()}/{engines}"


def _package_files(folder: str, prefix: str = "") -> Iterator[str]:
    """Every file under `folder` (POSIX paths relative to it) but compiled bytecode: the code and
    the data it reads (statutory.yaml). Linked folders are not followed (as before; it has none)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    yield from _package_files(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file() and not entry.name.endswith((".pyc", ".pyo")):
                yield prefix + entry.name


@dataclass
class CachedSource:
    """A parsed content file, and what the per-file and per-item rules found in it."""

    digest: str  # the git blob id of the file's bytes (`git_index.blob_id`): git's index can vouch for it
    source: Source
    checked_for: str = ""  # the configuration key `problems` and `item` were found under
    problems: Sequence[Problem] = field(default_factory=list)  # read back from the cache as tuples
    item: Item | None = None
    stat: Stat | None = None  # the file's stat when read, if it proves the bytes unchanged (see `trusted`)
    own_for: str = ""  # the key (see `validate.own_key`) `own` was found under
    own: Sequence[Problem] = field(default_factory=list)  # what the rules that read only this item found
    dated_for: str = ""  # the key, with the build date, `dated` was found under
    dated: Sequence[Problem] = field(default_factory=list)  # what this item's rules that read the date found


@dataclass
class OthersFound:
    """What the item rules that read other items found (see `validate.others_key`), kept while the
    site's front matter, the public items and site.yaml stay the same (`key`): by file, with the
    sha1 of the bytes each file had, and only for the files where they found something."""

    key: str = ""
    digests: dict[str, str] = field(default_factory=dict)  # path -> sha1 of the file the findings are of
    found: dict[str, list[Problem]] = field(default_factory=dict)  # path -> the findings, if any
    changed: bool = False  # since it was read: `save` writes it


class CacheBusy(RuntimeError):
    """Another build is using the same cache folder."""


@contextmanager
def exclusive(folder: Path | None) -> Iterator[None]:
    """One build at a time per cache folder: two would start from the same spare output."""
    if folder is None or sys.platform == "win32":
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CacheBusy(str(folder)) from None
        yield


Files = dict[str, tuple[Stat, str, str]]  # attachment path -> (stat, sha1, git blob id) of the bytes hashed


def file_digest(
    files: Files, root: Path, rel: str, status: os.stat_result, vouched: str | None = None, asked_at: int = 0
) -> str:
    """The sha1 of the file `rel` under `root` (an attachment), read only when its stat does not
    prove it unchanged since it was last hashed, nor git's index vouches that it holds the bytes
    hashed then: `vouched` is the blob id git's index gives the file at this very stat, taken at
    `asked_at` (time.time_ns(), see `git_index`). `files` remembers stats, digests and blob ids by
    path; a stat too new to prove anything next time (`trusted`) is kept as one that matches no
    file, so only git's index can vouch for it then."""
    known = files.get(rel)
    if known is not None:
        if known[0] == stat_key(status):
            return known[1]
        if vouched is not None and vouched == known[2]:
            files[rel] = (trusted(status, asked_at) or UNTRUSTED, known[1], known[2])
            return known[1]
    read_at = time.time_ns()
    with open(os.path.join(root, rel), "rb") as handle:
        data = handle.read()
    sha = digest(data)
    files[rel] = (trusted(status, read_at) or UNTRUSTED, sha, blob_id(data))
    return sha


def _write(path: Path, data: object) -> None:
    """Pickle `data` to `path` atomically."""
    with path.with_name(path.name + ".tmp").open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    path.with_name(path.name + ".tmp").replace(path)


def _read_others(folder: Path) -> OthersFound:
    """The findings `OTHERS` keeps, if written by this engine; else none (missing or damaged)."""
    try:
        with (folder / OTHERS).open("rb") as handle:
            engine, others = pickle.load(handle)
    except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return OthersFound()
    return others if engine == _engine_key() and isinstance(others, OthersFound) else OthersFound()


def config_key(config: object) -> str:
    """Identifies a site configuration (the per-file rules read it)."""
    return digest(repr(config).encode())


@dataclass
class BuildCache:
    """The cache folder's contents, read at the start of a build and written at the end."""

    folder: Path | None
    sources: dict[str, CachedSource] = field(default_factory=dict)  # by path
    manifest: Manifest = field(default_factory=dict)  # of the previous build's output
    spare_manifest: Manifest = field(default_factory=dict)  # of the spare output folder
    out: str = ""  # the output folder the previous build was written to
    egress: str = ""  # the needles the previous output was checked for (see `egress`)
    spare_egress: str = ""  # and the spare output
    files: Files = field(default_factory=dict)  # attachment path -> (stat, sha1, blob id), see `file_digest`
    read: dict[str, tuple] | None = None  # signatures of the sources as read or last written (`_signatures`)
    delta: dict[str, CachedSource] = field(default_factory=dict)  # sources changed since SOURCES was written
    deleted: set[str] = field(default_factory=set)  # and those gone since
    stamps: dict[str, tuple[Stat, str]] = field(default_factory=dict)  # newer stats: path -> (stat, digest)
    read_files: tuple = ()  # the attachments' entries as read or last written
    page_keys: dict[str, list] = field(default_factory=dict)  # output path -> [key, content id] (page_keys)
    others: OthersFound = field(default_factory=OthersFound)

    @classmethod
    def open(cls, folder: Path | None) -> BuildCache:
        cache = cls(folder)
        if folder is None:
            return cache
        try:
            state = orjson.loads((folder / "state.json").read_bytes())
            if state.get("engine") == _engine_key():
                cache.out, cache.manifest = state.get("out", ""), state.get("manifest", {})
                cache.spare_manifest = spare_of(state)
                cache.egress, cache.spare_egress = state.get("egress", ""), state.get("spare_egress", "")
                cache._read_sources(folder)
                cache.page_keys = page_keys.load(folder, _engine_key())
                cache.others = _read_others(folder)
        except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            cache.sources, cache.manifest, cache.spare_manifest, cache.out = {}, {}, {}, ""  # damaged = empty
            cache.egress = cache.spare_egress = ""
            cache.files, cache.read, cache.delta, cache.deleted = {}, None, {}, set()
            cache.stamps, cache.read_files = {}, ()
            cache.page_keys = {}
            cache.others = OthersFound()
        return cache

    def _read_sources(self, folder: Path) -> None:
        """The sources as last written in full (`SOURCES`), with what changed since (`DELTA`), and
        the newer stats of unchanged ones with the attachments' digests (`STAMPS`)."""
        # Unpickling makes ~10 objects a source, none of them garbage: the collector would walk them
        # again and again while they are made, and once more at its next run (most of the time of
        # opening at 10,000 files). They live as long as the build: frozen, they are not walked at
        # all (`pipeline.build` unfreezes when it ends).
        enabled = gc.isenabled()
        gc.disable()
        try:
            engine, sources = source_file.read(folder / SOURCES)  # bodies and front matter read when asked for
            if engine != _engine_key():
                return
            if (folder / DELTA).is_file():
                with (folder / DELTA).open("rb") as handle:
                    engine, changed, deleted = pickle.load(handle)
                if engine == _engine_key():  # a delta is only ever written over a base of its engine
                    sources.update(changed)
                    for rel in deleted:
                        sources.pop(rel, None)
                    self.delta, self.deleted = changed, set(deleted)
            if (folder / STAMPS).is_file():
                with (folder / STAMPS).open("rb") as handle:
                    engine, stamps, files = pickle.load(handle)
                if engine == _engine_key():
                    self.stamps, self.files = _stamped(sources, stamps), files
            self.sources = sources
            gc.freeze()
        finally:
            if enabled:
                gc.enable()
        self.read, self.read_files = self._signatures(), tuple(self.files.items())

    def save(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_sources(self.folder)
        if self.others.changed:
            self.others.changed = False
            _write(self.folder / OTHERS, (_engine_key(), self.others))
        page_keys.save(self.folder, _engine_key(), self.page_keys)
        state = {
            "engine": _engine_key(),
            "out": self.out,
            "manifest": self.manifest,
            **(
                {"spare_changes": spare_changes(self.manifest, self.spare_manifest)}
                if self.spare_manifest
                else {"spare_manifest": {}}
            ),
            "egress": self.egress,
            "spare_egress": self.spare_egress,
        }
        (self.folder / "state.json.tmp").write_bytes(orjson.dumps(state))
        (self.folder / "state.json.tmp").replace(self.folder / "state.json")

    def _write_sources(self, folder: Path) -> None:
        """Write what changed since the sources were read: nothing when nothing did; else, while the
        changes are few, only them (`DELTA`, rewritten whole each time), so a rebuild after one
        edit does not write every source again; past `DELTA_SHARE` of the sources, everything.

        A source whose bytes and findings are unchanged but whose stat is new (every file of a
        fresh checkout, as in CI) is not written again: its new stat goes to the small `STAMPS`
        file with the attachments' digests, rewritten whole when any of them changed.

        Any entry, even one left over from a build that stopped half-way, is a true record (a
        file's bytes and what was found in them), so a stale one costs work, never a wrong result;
        a stamp is applied only to the entry of the digest it was taken for (`_stamped`)."""
        now, read = self._signatures(), self.read
        files = tuple(self.files.items())
        if now == read and files == self.read_files:
            return
        engine = _engine_key()
        changed, stamped = read is None, files != self.read_files
        if read is not None and now != read:
            for rel, signature in now.items():
                before = read.get(rel)
                if before is None or before[:4] != signature[:4]:
                    self.delta[rel] = self.sources[rel]  # pickled with its stat
                    self.deleted.discard(rel)
                    stamped = self.stamps.pop(rel, None) is not None or stamped
                    changed = True
                elif before[4] != signature[4] and signature[4] is not None:  # a stat gone stale is harmless
                    self.stamps[rel] = (signature[4], signature[0])
                    stamped = True
            for rel in read.keys() - now.keys():
                self.delta.pop(rel, None)
                self.deleted.add(rel)
                stamped = self.stamps.pop(rel, None) is not None or stamped
                changed = True
        if read is None or len(self.delta) + len(self.deleted) > max(DELTA_MIN, len(self.sources) * DELTA_SHARE):
            for entry in self.sources.values():  # equal keys as one object: a smaller file, faster to read
                entry.own_for, entry.dated_for = sys.intern(entry.own_for), sys.intern(entry.dated_for)
            source_file.write(folder / SOURCES, (engine,), self.sources)
            (folder / DELTA).unlink(missing_ok=True)
            self.delta, self.deleted, self.stamps, stamped = {}, set(), {}, True
        elif changed:
            _write(folder / DELTA, (engine, self.delta, sorted(self.deleted)))
        if stamped:
            _write(folder / STAMPS, (engine, self.stamps, dict(self.files)))
        self.read, self.read_files = now, files

    def _signatures(self) -> dict[str, tuple]:
        """Each source's signature, which changes whenever anything pickled of it changes: its
        digest and the keys of its findings, then its stat (kept apart when only it changed)."""
        return {
            rel: (entry.digest, entry.checked_for, entry.own_for, entry.dated_for, entry.stat)
            for rel, entry in self.sources.items()
        }

    @property
    def spare(self) -> Path | None:
        return self.folder / SPARE if self.folder is not None else None

    def previous_file(self, rel: str, content_id: str) -> tuple[Path, list] | None:
        """The previous build's file or unit folder `rel` and its manifest record, if it had this
        content id and is untouched since."""
        record = self.manifest.get(rel)
        if not self.out or record is None or record[0] != content_id:
            return None
        path = Path(self.out) / rel.rstrip("/")
        now = verified(path, record, unit=rel.endswith("/"))
        return (path, now) if now else None


def bundle_fingerprint(pages: Manifest, paths: list[str]) -> str:
    """What a bundle's index depends on: the indexed pages' paths and content ids."""
    hasher = hashlib.sha1(_engine_key().encode())
    for rel in paths:
        hasher.update(f"{rel}\0{pages[rel][0]}\n".encode())
    return hasher.hexdigest()
