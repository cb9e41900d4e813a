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

With a build cache, what this check takes from each file is kept there (`egress.pickle`) by the
file's content digest: an item's visibility facts and distinctive text, and which of the texts
looked for occur in each public file. A file is read again only when its stat changed
(`file_digests` says what is trusted), and every public file only when a text to look for is new
(a non-public item was added or edited, or a public one withheld). The needles are the same as
without the cache; `pipeline._egress_pages` rescans every reused output file when they changed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import ahocorasick
import yaml

from .file_digests import code_key, load_store, read_file, save_store, stamp, trusted
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


def _content_files(site: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(path, stat) of every .md file under content/, folder by folder in name order; links are
    followed to files, not into folders (as os.walk does)."""
    folders = [str(site / "content")]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        below = []
        for entry in entries:
            try:
                if entry.is_dir():
                    if not entry.is_symlink():
                        below.append(entry.path)
                    continue
                if entry.name.endswith(".md"):
                    yield entry.path, entry.stat()
            except OSError:
                continue
        folders.extend(reversed(below))


@dataclass
class Needles:
    """What must not reach the output, and a digest of it (an unchanged set lets an incremental
    build check only the files it wrote)."""

    automaton: ahocorasick.Automaton | None
    needles: list[Needle]
    digest: str

    def __bool__(self) -> bool:
        return self.automaton is not None


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


STORE_FILE = "egress.pickle"  # in the build cache folder
_FORMAT = "egress/3"


@cache
def _key() -> str:
    """Per process: the code this process runs is what its findings come from."""
    return code_key(_FORMAT, modules=("egress.py", "identifiers.py", "file_digests.py"), packages=("yaml",))


class _Moved(Exception):
    """A file changed while the check read it: start again."""


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


def _found(probe: ahocorasick.Automaton, text: str) -> tuple[str, ...]:
    """The words of `probe` in `text`, as written or with markup and spaces removed."""
    words = {word for squeezed in (text, "".join(runs(text))) for _, word in probe.iter(squeezed)}
    return tuple(sorted(words))


def collect(site: Path, today: date, template_dirs: Iterable[Path] = (), folder: Path | None = None) -> Needles:
    """The distinctive text of every item not public on `today`, read from the files on disk;
    with a build cache `folder`, only the files changed since the last build are read."""
    path = folder / STORE_FILE if folder is not None else None
    key = _key() if path is not None else ""
    stored = load_store(path, key)
    for _ in range(3):
        try:
            needles, store = _collect(site, today, tuple(template_dirs), stored)
            break
        except _Moved:
            continue
    else:  # files keep changing: read each once, without the store
        needles, store = _collect(site, today, tuple(template_dirs), {})
    if path is not None and store != stored:
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time, not correctness
            save_store(path, key, store)
    return needles


# One file's entry in the store: its stamp (size, mtime_ns, ctime_ns, inode, device), digest,
# visibility facts, candidates (text, field) or None, and the looked-for texts it holds or None.
_STAMP, _SHA1, _FACTS, _CANDIDATES, _HITS = range(5)


def _collect(site: Path, today: date, template_dirs: tuple[Path, ...], stored: dict) -> tuple[Needles, dict]:
    known: dict[str, tuple] = stored.get("files", {})
    universe = set(stored.get("universe", ()))
    files: dict[str, tuple] = {}  # the entries of this run, by site-relative path
    read: dict[str, tuple[dict, str]] = {}  # (front matter, body) of the files read here
    candidates: list[Needle] = []
    public: list[str] = []
    skip = len(str(site)) + 1
    for name, stat in _content_files(site):
        rel = name[skip:].replace(os.sep, "/")
        entry = known.get(rel)
        if entry is None or entry[_STAMP] != stamp(stat):  # changed, or hashed too soon after a change
            try:
                sha1, data, stat = read_file(name)
            except OSError:
                continue
            if entry is None or entry[_SHA1] != sha1:  # new or changed: read it
                parsed = _parse(data)
                if parsed is None:
                    continue
                read[rel] = parsed
                entry = (trusted(stat), sha1, _facts(parsed[0]), None, None)
            else:  # the same bytes (a restored or copied file)
                entry = (trusted(stat), *entry[_SHA1:])
        why = _why(entry[_FACTS], today)
        if why is not None and entry[_CANDIDATES] is None:
            parsed = read.get(rel)
            if parsed is None:
                try:
                    sha1, data, _ = read_file(name)
                except OSError:
                    raise _Moved from None
                parsed = _parse(data)
                if sha1 != entry[_SHA1] or parsed is None:
                    raise _Moved
                read[rel] = parsed
            entry = (*entry[:_CANDIDATES], _candidate_texts(*parsed), entry[_HITS])
        files[rel] = entry
        if why is None:
            public.append(rel)
        else:
            candidates += [Needle(text, rel, why, field) for text, field in entry[_CANDIDATES]]
    texts = {needle.text for needle in candidates}
    site_known: dict[str, tuple] = stored.get("site", {})
    if not texts <= universe:  # new text to look for: every public file is searched again
        universe, site_known = texts, {}
        files = {rel: (*entry[:_HITS], None) for rel, entry in files.items()}
    store = {"universe": tuple(sorted(universe)), "files": files, "site": site_known}
    if not candidates:
        return Needles(None, [], hashlib.sha1(b"").hexdigest()), store
    # Drop what is public anyway: found in public text as written, or with markup and spaces removed.
    probe: ahocorasick.Automaton | None = None

    def found_in(text: str) -> tuple[str, ...]:
        nonlocal probe
        if probe is None:
            probe = ahocorasick.Automaton()
            for word in universe:
                probe.add_word(word, word)
            probe.make_automaton()
        return _found(probe, text)

    shared: set[str] = set()
    for rel in public:
        entry = files[rel]
        if entry[_HITS] is None:
            parsed = read.get(rel)
            if parsed is None:
                try:
                    sha1, data, _ = read_file(str(site / rel))
                except OSError:
                    raise _Moved from None
                parsed = _parse(data)
                if sha1 != entry[_SHA1] or parsed is None:
                    raise _Moved
            entry = files[rel] = (*entry[:_HITS], found_in(_public_text(*parsed)))
        shared.update(entry[_HITS])
    store["site"] = site_now = {}
    for file in _site_texts(site, template_dirs):
        name = str(file)
        entry = site_known.get(name)
        try:
            if entry is None or entry[_STAMP] != stamp(file.stat()):
                sha1, data, stat = read_file(name)
                if entry is None or entry[_SHA1] != sha1:
                    text = data.decode("utf-8", errors="ignore").replace("\r\n", "\n").replace("\r", "\n")
                    entry = (trusted(stat), sha1, found_in(text))
                else:
                    entry = (trusted(stat), *entry[_SHA1:])
        except OSError:
            continue
        site_now[name] = entry
        shared.update(entry[2])
    needles: list[Needle] = []
    per_item: dict[str, int] = {}
    for needle in candidates:
        if needle.text in shared:
            continue
        if needle.field == "body":
            if per_item.get(needle.path, 0) >= SENTENCES:
                continue
            per_item[needle.path] = per_item.get(needle.path, 0) + 1
        needles.append(needle)
    digest = hashlib.sha1("\n".join(sorted(f"{n.path}\0{n.text}" for n in needles)).encode()).hexdigest()
    if not needles:
        return Needles(None, [], digest), store
    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle.text in automaton:
            automaton.get(needle.text).append(needle)
        else:
            automaton.add_word(needle.text, [needle])
    automaton.make_automaton()
    return Needles(automaton, needles, digest), store


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
