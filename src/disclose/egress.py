"""The egress check: the last look at the staged output before it replaces the old one.

The gate (`gate.py`) is what keeps non-public items out of the output; this module checks that it
did, without trusting it. It reads the content files from disk again with its own small reader
(front matter and body, nothing from the catalogue, the gate or the Publication), takes the
distinctive text of every item that is not public on the build date (withheld, on-request,
draft, embargoed): its title, 文号, 索引号 and a few sentences of its body, and looks for all of
them at once (Aho-Corasick) in every staged file, with Pagefind's gzip files decompressed and the
zero-width spaces Pagefind puts between segmented words removed.

Text that is also public is no evidence of a leak: a needle that occurs in a public item's text,
in site.yaml, in the annual-report data files, in the templates or in the words disclose itself
prints (labels in its code) is dropped, and so is a needle too short to be distinctive.

A hit stops the build (exit status 1) naming the item and the output file; the old output stays.
It means the gate let something through: a bug to report, not an editor's mistake.

With a build cache, what this check takes from each file is kept there by path
(`egress-state.pickle`): its visibility facts, the distinctive text of each item not public, and
which of the texts looked for each public file holds; beside it the last result and what it came
from (`egress.pickle`: every file's git blob id, the stats of the folders and of the site's own
text files, the dates between which no item's visibility changes). A file's bytes are known by
their blob id: the build passes the ids of the bytes it parsed (`vouched`; all this check takes
from the build is which bytes a file holds, never what they say), or the file's stat is the one
it had when this check last read it (`file_digests` says what is trusted). When nothing changed
the last result stands; otherwise only the changed files are read, and every public file only
when a text to look for is new (a non-public item added or edited, or a public one withheld).
The needles are the same as without the cache (`tests/test_egress.py`);
`pipeline._egress_pages` rescans every reused output file when they changed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from stat import S_ISREG

import ahocorasick
import yaml

from .file_digests import UNTRUSTED, Stamp, code_key, load_store, read_file, save_store, stamp, trusted
from .git_index import blob_id
from .identifiers import normalize_doc_no
from .model import Problem

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

ZERO_WIDTH = "\u200b"
TITLE_WEIGHT = 10  # a title or identifier must weigh this much (a CJK character weighs 2, others 1)
SENTENCE_WEIGHT = 20  # a body sentence: at least ten Chinese characters
SENTENCES = 6  # body sentences taken per item
MAX_READ = 64 * 1024 * 1024  # a staged file larger than this is read in part (no site has one)

# Text runs: letters, digits and the CJK punctuation that no renderer rewrites. Anything else
# (spaces, ASCII punctuation, Markdown markup, what HTML escapes) ends a run, so a needle is found
# however the text around it was marked up or escaped.
_RUN = re.compile(r"[\w\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2018-\u201d\u2026]+")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Needle:
    text: str
    path: str  # the content file of the non-public item
    why: str  # withheld / on-request / draft / embargoed
    field: str  # title / doc_no / index_no / body


class Leak(Exception):
    """Non-public text found in the staged output."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].format("en") if problems else "leak")
        self.problems = problems


def weight(text: str) -> int:
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def runs(text: str) -> list[str]:
    return _RUN.findall(text)


# -- reading the sources again --------------------------------------------------------------------


def _split(text: str) -> tuple[str, str]:
    """(front matter, body) of a content file; ("", text) without front matter."""
    if not text.startswith("---\n"):
        return "", text
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        return text[4:], ""
    return text[4 : 4 + end.start()], text[4 + end.end() :]


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and (found := _DATE.fullmatch(value.strip())):
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            return None
    return None


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "on", "1")
    return bool(value)


Facts = tuple  # (disclosure or None, draft, published day's ordinal or None)


def _facts(meta: dict) -> Facts:
    """What decides an item's visibility, as plain values the store can keep."""
    disclosure = meta.get("disclosure")
    published = _day(meta.get("published"))
    return (
        None if disclosure is None else str(disclosure),
        _truthy(meta.get("draft")),
        None if published is None else published.toordinal(),
    )


def _why(facts: Facts, today: date) -> str | None:
    disclosure, draft, published = facts
    if disclosure is not None and disclosure.strip() != "public":
        return disclosure
    if draft:
        return "draft"
    if published is not None and published > today.toordinal():
        return "embargoed"
    return None


def hidden_reason(meta: dict, today: date) -> str | None:
    """Why an item is not public, read from its raw front matter; None when it is public.
    Deliberately not `visibility.hidden_reason`: this check must not share the gate's code."""
    return _why(_facts(meta), today)


def _strings(value: object) -> Iterator[str]:
    """Every string (and date/number, as printed) inside a YAML value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def _read_yaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - the safe loader
    except yaml.YAMLError:
        return None


def _walk(site: Path) -> tuple[list[str], dict[str, Stamp] | None]:
    """The site-relative paths of every .md file under content/, folder by folder in name order
    (links are followed to files, not into folders, as os.walk does), and the stamp of every
    folder listed: while none of them changes, no file was added, removed or renamed. None instead
    of the stamps when a folder could not be listed or changed too recently to be trusted."""
    found: list[str] = []
    stamps: dict[str, Stamp] | None = {}
    skip = len(str(site)) + 1
    folders = [str(site / "content")]
    while folders:
        folder = folders.pop()
        try:
            status = os.stat(folder)
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            stamps = None
            continue
        if stamps is not None:
            stamps[folder] = now = trusted(status)
            if now == UNTRUSTED:
                stamps = None
        below = []
        for entry in entries:
            try:
                if entry.is_dir():
                    if not entry.is_symlink():
                        below.append(entry.path)
                    continue
            except OSError:
                continue
            if entry.name.endswith(".md"):
                found.append(entry.path[skip:].replace(os.sep, "/"))
        folders.extend(reversed(below))
    return found, stamps


def _unchanged(folders: dict[str, Stamp]) -> bool:
    """Whether every folder still has the stamp it had when it was listed."""
    for folder, then in folders.items():
        try:
            if stamp(os.stat(folder)) != then:
                return False
        except OSError:
            return False
    return bool(folders)


@dataclass
class Needles:
    """What must not reach the output, and a digest of it (an unchanged set lets an incremental
    build check only the files it wrote)."""

    automaton: ahocorasick.Automaton | None
    needles: list[Needle]
    digest: str

    def __bool__(self) -> bool:
        return self.automaton is not None

    @classmethod
    def of(cls, needles: list[Needle], digest: str) -> Needles:
        """The needles with their matcher: each text once, with every needle that has it."""
        if not needles:
            return cls(None, [], digest)
        automaton = ahocorasick.Automaton()
        for needle in needles:
            if needle.text in automaton:
                automaton.get(needle.text).append(needle)
            else:
                automaton.add_word(needle.text, [needle])
        automaton.make_automaton()
        return cls(automaton, needles, digest)


def _candidate_texts(meta: dict, body: str) -> tuple[tuple[str, str], ...]:
    """(text, field) of an item's distinctive text: title, 文号, 索引号 and body sentences."""
    found: list[tuple[str, str]] = []
    title = meta.get("title")
    if isinstance(title, str):
        whole = title.strip()
        found += [(run, "title") for run in {whole, *runs(whole)} if weight(run) >= TITLE_WEIGHT]
    for key in ("doc_no", "index_no"):
        value = meta.get(key)
        if isinstance(value, str | int) and str(value).strip():
            forms = {str(value).strip()}
            if key == "doc_no":
                forms.add(normalize_doc_no(str(value).strip()))
            found += [(form, key) for form in forms if weight(form) >= TITLE_WEIGHT]
    sentences = sorted({run for run in runs(body) if weight(run) >= SENTENCE_WEIGHT}, key=lambda s: (-len(s), s))
    found += [(run, "body") for run in sentences[: SENTENCES * 4]]
    return tuple(found)


def _site_texts(site: Path, template_dirs: Iterable[Path]) -> list[Path]:
    """Files whose words the site itself prints: settings, report data, templates, disclose's code."""
    files = [site / "site.yaml"]
    if (site / "reports").is_dir():
        files += sorted((site / "reports").glob("*.yaml"))
    for folder in template_dirs:
        files += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".js", ".css"))
    files += sorted(Path(__file__).parent.glob("*.py"))  # labels; not rules/, whose examples are no site text
    return files


STORE_FILE = "egress.pickle"  # in the build cache folder: the last result and what it came from
STATE_FILE = "egress-state.pickle"  # what was read of each content file, by path
_FORMAT = "egress/4"


@cache
def _key() -> str:
    """Per process: the code this process runs is what its findings come from."""
    return code_key(
        _FORMAT, modules=("egress.py", "identifiers.py", "file_digests.py", "git_index.py"), packages=("yaml",)
    )


def _parse(data: bytes) -> tuple[dict, str] | None:
    """(front matter, body) of a content file's bytes; None when they are no UTF-8."""
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None
    front, body = _split(text)
    meta = _read_yaml(front) if front else {}
    return (meta if isinstance(meta, dict) else {}), body


def _public_text(meta: dict, body: str) -> str:
    return "\n".join([*_strings(meta), body])


def _found(probe: ahocorasick.Automaton, text: str) -> tuple[int, ...]:
    """The words of `probe` in `text`, as written or with markup and spaces removed: their
    numbers (the values `probe` holds)."""
    words = {word for squeezed in (text, "".join(runs(text))) for _, word in probe.iter(squeezed)}
    return tuple(sorted(words))


def collect(
    site: Path,
    today: date,
    template_dirs: Iterable[Path] = (),
    folder: Path | None = None,
    vouched: Mapping[str, str] | None = None,
) -> Needles:
    """The distinctive text of every item not public on `today`, read from the files on disk.

    With a build cache `folder`, what was read of each file is kept, and only files with new
    bytes are read. A file's bytes are known without reading it when its stat is the one recorded
    when it was read (`file_digests.trusted`), or from `vouched`: site-relative path -> git blob id
    of the bytes this build read from the file (its parsed source, `pipeline`). When no folder,
    file, stat, date boundary or template changed, the last result is returned as it was."""
    dirs = tuple(template_dirs)
    if folder is None:
        return _Collect(site, today, dirs, {}, dict).run(None)[0]
    key = _key()
    summary = load_store(folder / STORE_FILE, key)

    def state() -> dict:
        kept = load_store(folder / STATE_FILE, key)
        return kept if kept.get("token") is not None and kept.get("token") == summary.get("token") else {}

    try:
        needles, store, kept = _Collect(site, today, dirs, summary, state).run(vouched)
    except _Moved:  # a file changed while it was read: read every file once, without the store
        needles, store, kept = _Collect(site, today, dirs, {}, dict).run(None)
    if store is not summary:
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time, not correctness
            if kept:  # new state: a new token ties it to the summary written with it
                store["token"] = kept["token"] = os.urandom(8).hex()
                save_store(folder / STATE_FILE, key, kept)
            save_store(folder / STORE_FILE, key, store)
    return needles


_NEVER = (-(10**9), 10**9)  # a date window no build date leaves
FEW = 40  # files to search below which `in` is cheaper than making an automaton of the looked-for texts


class _Collect:
    """One collect: each file's bytes known by their blob id; what a file holds read again only
    when they changed.

    The summary (`STORE_FILE`) holds the walk, each file's blob id and proving stamp, the site's
    own text files, the dates between which no item's visibility changes (`window`) and the last
    result. The state (`STATE_FILE`) holds, by path, each file's visibility facts (None: no UTF-8,
    passed over), the candidate texts of each file not public within the window (`hidden`), and
    for each public one the texts looked for (`universe`, by number) its public text holds."""

    def __init__(
        self, site: Path, today: date, dirs: tuple[Path, ...], summary: dict, state: Callable[[], dict]
    ) -> None:
        self.site, self.today, self.dirs, self.summary, self.load_state = site, today, dirs, summary, state
        self.data: dict[str, bytes] = {}  # the bytes of the files read here, by site-relative path
        self.parsed: dict[str, tuple[dict, str] | None] = {}  # and what they hold

    def run(self, vouched: Mapping[str, str] | None) -> tuple[Needles, dict, dict]:
        """The needles, the summary to keep (`summary` itself when nothing changed) and the state
        to keep (empty when unchanged)."""
        summary = self.summary
        walked = summary.get("walk")
        folders = summary.get("folders")
        if walked is None or folders is None or not _unchanged(folders):
            walked, folders = _walk(self.site)
        files, stamps = self._digests(walked, vouched)
        site_files = [str(file) for file in _site_texts(self.site, self.dirs)]
        site_kept: dict[str, tuple] = summary.get("site", {})
        day = self.today.toordinal()
        low, high = summary.get("window", _NEVER)
        result = summary.get("result")
        if (
            result is not None
            and walked == summary.get("walk")
            and files == summary.get("files")
            and low <= day < high
            and site_files == list(site_kept)
            and (site_now := _same_site(site_kept)) is not None
        ):
            needles = Needles.of([Needle(*needle) for needle in result[0]], result[1])
            if folders is summary.get("folders") and stamps == summary.get("stamps") and site_now == site_kept:
                return needles, summary, {}
            return needles, {**summary, "folders": folders, "stamps": stamps, "site": site_now}, {}  # new stats
        return self._again(walked, folders, files, stamps, site_files)

    def _digests(self, walked: list[str], vouched: Mapping[str, str] | None) -> tuple[dict[str, str], dict[str, Stamp]]:
        """The blob id of each walked file's bytes (files that cannot be read are left out), and the
        stamps that prove them."""
        known: dict[str, str] = self.summary.get("files", {})
        proven: dict[str, Stamp] = self.summary.get("stamps", {})
        if vouched is not None and len(vouched) == len(walked) and vouched.keys() == set(walked):
            if vouched == known:
                return known, proven
            files = dict(vouched)
            return files, {rel: then for rel, then in proven.items() if known.get(rel) == files.get(rel)}
        files, stamps = {}, {}
        for rel in walked:
            sha = vouched.get(rel) if vouched is not None else None
            if sha is not None:
                if rel in proven and known.get(rel) == sha:
                    stamps[rel] = proven[rel]
                files[rel] = sha
                continue
            name = os.path.join(self.site, rel)
            try:
                status = os.stat(name)
            except OSError:
                continue
            if not S_ISREG(status.st_mode):
                continue
            then = proven.get(rel)
            if then is not None and rel in known and then == stamp(status):
                files[rel], stamps[rel] = known[rel], then
                continue
            try:
                _, data, status = read_file(name)
            except OSError:
                continue
            files[rel], self.data[rel] = blob_id(data), data
            if (now := trusted(status)) != UNTRUSTED:
                stamps[rel] = now
        return files, stamps

    def _parsed(self, rel: str, files: dict[str, str]) -> tuple[dict, str] | None:
        """(front matter, body) of `rel`, read now if not read yet: the bytes must be those of
        `files[rel]`, or the file changed while this check read it."""
        if rel in self.parsed:
            return self.parsed[rel]
        data = self.data.get(rel)
        if data is None:
            try:
                _, data, _ = read_file(os.path.join(self.site, rel))
            except OSError:
                raise _Moved from None
            if blob_id(data) != files[rel]:
                raise _Moved
        self.parsed[rel] = found = _parse(data)
        return found

    def _again(
        self,
        walked: list[str],
        folders: dict[str, Stamp] | None,
        files: dict[str, str],
        stamps: dict[str, Stamp],
        site_files: list[str],
    ) -> tuple[Needles, dict, dict]:
        """The needles when something changed: each file's facts, candidates and hits kept for the
        files whose bytes are the same (all of them again when the date left the window)."""
        summary, today = self.summary, self.today
        state = self.load_state() if summary else {}
        day = today.toordinal()
        low, high = summary.get("window", _NEVER)
        before: dict[str, str] = summary.get("files", {})
        facts: dict[str, Facts | None] = dict(state.get("facts", {}))
        hidden: dict[str, tuple] = dict(state.get("hidden", {}))
        hits: dict[str, tuple[int, ...]] = dict(state.get("hits", {}))
        universe: tuple[str, ...] = state.get("universe", ())
        gone = facts.keys() - files.keys()
        if not state or not low <= day < high:  # every file's visibility is decided again
            changed = files.keys() | gone
            keep = {rel for rel in files if rel in facts and before.get(rel) == files[rel]}
        else:  # only the files whose bytes changed, or that were added or removed
            changed = {rel for rel, _ in files.items() - before.items()} | gone | (files.keys() - facts.keys())
            keep = set()
        for rel in changed:
            was = facts.pop(rel, None) if rel not in keep else facts.get(rel)
            if rel not in keep:
                hidden.pop(rel, None)
                hits.pop(rel, None)
            if rel not in files:
                continue
            if rel not in keep:
                found = self._parsed(rel, files)
                was = facts[rel] = None if found is None else _facts(found[0])
            if was is None:
                continue
            if _why(was, today) is None:
                hidden.pop(rel, None)
            else:
                hits.pop(rel, None)
                if rel not in hidden:
                    found = self._parsed(rel, files)
                    assert found is not None  # its facts were read from these bytes
                    hidden[rel] = _candidate_texts(*found)
        texts = {text for candidates in hidden.values() for text, _ in candidates}
        site_kept: dict[str, tuple] = summary.get("site", {}) if state else {}  # hits are numbers in `universe`
        if not texts <= set(universe):  # new text to look for: every public file is searched again
            universe, site_kept, hits = tuple(sorted(texts)), {}, {}
        unread = [rel for rel in facts.keys() - hidden.keys() - hits.keys() if facts[rel] is not None] if hidden else []
        few = len(unread) + len(site_files) - len(site_kept.keys() & set(site_files)) < FEW
        probe: ahocorasick.Automaton | None = None

        def found_in(text: str) -> tuple[int, ...]:
            """The numbers of the looked-for texts `text` holds: with `in` when few files are
            searched, else with an automaton (which costs more to make than a few searches)."""
            nonlocal probe
            if not universe:
                return ()
            if few:
                squeezed = "".join(runs(text))
                return tuple(n for n, word in enumerate(universe) if word in text or word in squeezed)
            if probe is None:
                probe = ahocorasick.Automaton()
                for number, word in enumerate(universe):
                    probe.add_word(word, number)
                probe.make_automaton()
            return _found(probe, text)

        # Drop what is public anyway: found in public text as written, or with markup and spaces removed.
        for rel in unread:
            found = self._parsed(rel, files)
            assert found is not None
            hits[rel] = found_in(_public_text(*found))
        site_now: dict[str, tuple] = {}
        for name in site_files:
            site_entry = site_kept.get(name)
            try:
                if site_entry is None or site_entry[0] != _stamp_of(name):
                    sha1, data, status = read_file(name)
                    if site_entry is None or site_entry[1] != sha1:
                        text = data.decode("utf-8", errors="ignore").replace("\r\n", "\n").replace("\r", "\n")
                        site_entry = (trusted(status), sha1, found_in(text))
                    else:
                        site_entry = (trusted(status), *site_entry[1:])
            except OSError:
                continue
            site_now[name] = site_entry
        shared_numbers = set().union(*hits.values(), *(entry[2] for entry in site_now.values()))
        shared = {universe[number] for number in shared_numbers}
        needles: list[Needle] = []
        per_item: dict[str, int] = {}
        for rel in walked:
            if rel not in hidden:
                continue
            why = _why(facts[rel], today)  # type: ignore[arg-type]
            for text, field in hidden[rel]:
                if text in shared:
                    continue
                if field == "body":
                    if per_item.get(rel, 0) >= SENTENCES:
                        continue
                    per_item[rel] = per_item.get(rel, 0) + 1
                needles.append(Needle(text, rel, why, field))  # type: ignore[arg-type]
        digest = hashlib.sha1("\n".join(sorted(f"{n.path}\0{n.text}" for n in needles)).encode()).hexdigest()
        dates = {known[2] for known in facts.values() if known is not None and known[2] is not None}
        store = {
            "walk": walked,
            "folders": folders,
            "files": files,
            "stamps": stamps,
            "site": site_now,
            "window": (
                max((d for d in dates if d <= day), default=_NEVER[0]),
                min((d for d in dates if d > day), default=_NEVER[1]),
            ),
            "result": ([(n.text, n.path, n.why, n.field) for n in needles], digest),
        }
        kept = {"facts": facts, "hidden": hidden, "hits": hits, "universe": universe}
        return Needles.of(needles, digest), store, kept


def _same_site(kept: dict[str, tuple]) -> dict[str, tuple] | None:
    """The site's own text files' entries with their current stamps, when each holds the bytes it
    held (read again only when its stamp changed); None when one changed or cannot be read."""
    now = {}
    for name, entry in kept.items():
        try:
            if _stamp_of(name) != entry[0]:
                sha1, _, status = read_file(name)
                if sha1 != entry[1]:
                    return None
                entry = (trusted(status), *entry[1:])
        except OSError:
            return None
        now[name] = entry
    return now


def _stamp_of(name: str) -> Stamp | None:
    try:
        return stamp(os.stat(name))
    except OSError:
        return None


class _Moved(Exception):
    """A file changed while the check read it."""


# -- scanning the staged output -------------------------------------------------------------------


def text_of(data: bytes) -> str:
    """A staged file as text: decompressed when it is gzip (Pagefind's index and fragments), with
    the zero-width spaces Pagefind puts between segmented words removed."""
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError, zlib.error):
            data = gzip.decompress(data)
    return data.decode("utf-8", errors="ignore").replace(ZERO_WIDTH, "")


def files_under(root: Path, rels: Iterable[str]) -> Iterator[str]:
    """Output-relative paths of the files `rels` name; a name ending in "/" is a folder."""
    for rel in rels:
        if not rel.endswith("/"):
            yield rel
            continue
        for folder, _, files in os.walk(root / rel):
            base = Path(folder).relative_to(root).as_posix()
            yield from (f"{base}/{name}" for name in sorted(files))


def scan(root: Path, rels: Iterable[str], needles: Needles) -> list[tuple[Needle, str]]:
    """(needle, output file) of every needle found in the files `rels` under `root`; at most one
    hit per item and file."""
    automaton = needles.automaton
    if automaton is None:  # no needles
        return []
    hits: list[tuple[Needle, str]] = []
    for rel in files_under(root, rels):
        try:
            with open(root / rel, "rb") as handle:
                data = handle.read(MAX_READ)
        except OSError:
            continue
        seen: set[str] = set()
        for _, found in automaton.iter(text_of(data)):
            for needle in found:
                if needle.path not in seen:
                    seen.add(needle.path)
                    hits.append((needle, rel))
    return hits


_WHY_ZH = {"withheld": "不予公开", "on-request": "依申请公开", "draft": "草稿", "embargoed": "未到发布日期"}
_FIELD_ZH = {"title": "标题", "doc_no": "文号", "index_no": "索引号", "body": "正文"}


def problems(hits: list[tuple[Needle, str]]) -> list[Problem]:
    """One X001 line per item and output file."""
    out = []
    for needle, rel in hits:
        shown = needle.text if len(needle.text) <= 40 else needle.text[:40] + "…"
        why_zh = _WHY_ZH.get(needle.why, needle.why)
        out.append(
            Problem(
                needle.path,
                1,
                "X001",
                f"非公开信息（{why_zh}）的{_FIELD_ZH[needle.field]}“{shown}”出现在输出文件 {rel} 中；"
                "构建已停止，原输出未改动。这是 disclose 的缺陷（公开判定放过了非公开信息），请报告",
                f"text of a non-public item ({needle.why}), its {needle.field} “{shown}”, is in the output file "
                f"{rel}; the build stopped and the old output is unchanged. This is a bug in disclose "
                "(the gate let a non-public item through): please report it",
            )
        )
    return sorted(set(out))
