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
from pathlib import Path

import ahocorasick
import yaml

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


def hidden_reason(meta: dict, today: date) -> str | None:
    """Why an item is not public, read from its raw front matter; None when it is public.
    Deliberately not `visibility.hidden_reason`: this check must not share the gate's code."""
    disclosure = meta.get("disclosure")
    if disclosure is not None and str(disclosure).strip() != "public":
        return str(disclosure)
    if _truthy(meta.get("draft")):
        return "draft"
    published = _day(meta.get("published"))
    if published is not None and published > today:
        return "embargoed"
    return None


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


def _content_files(site: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(site / "content"):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".md"):
                yield Path(folder) / name


@dataclass
class Needles:
    """What must not reach the output, and a digest of it (an unchanged set lets an incremental
    build check only the files it wrote)."""

    automaton: ahocorasick.Automaton | None
    needles: list[Needle]
    digest: str

    def __bool__(self) -> bool:
        return self.automaton is not None


def _candidates(path: str, meta: dict, body: str, why: str) -> list[Needle]:
    found = []
    title = meta.get("title")
    if isinstance(title, str):
        whole = title.strip()
        found += [Needle(run, path, why, "title") for run in {whole, *runs(whole)} if weight(run) >= TITLE_WEIGHT]
    for key in ("doc_no", "index_no"):
        value = meta.get(key)
        if isinstance(value, str | int) and str(value).strip():
            forms = {str(value).strip()}
            if key == "doc_no":
                forms.add(normalize_doc_no(str(value).strip()))
            found += [Needle(form, path, why, key) for form in forms if weight(form) >= TITLE_WEIGHT]
    sentences = sorted({run for run in runs(body) if weight(run) >= SENTENCE_WEIGHT}, key=lambda s: (-len(s), s))
    found += [Needle(run, path, why, "body") for run in sentences[: SENTENCES * 4]]
    return found


def _public_texts(public: list[str], extra: Iterable[Path]) -> Iterator[str]:
    yield from public
    for path in extra:
        try:
            yield path.read_text(encoding="utf-8", errors="ignore")
        except OSError:
            continue


def _site_texts(site: Path, template_dirs: Iterable[Path]) -> list[Path]:
    """Files whose words the site itself prints: settings, report data, templates, disclose's code."""
    files = [site / "site.yaml"]
    if (site / "reports").is_dir():
        files += sorted((site / "reports").glob("*.yaml"))
    for folder in template_dirs:
        files += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".js", ".css"))
    files += sorted(Path(__file__).parent.glob("*.py"))  # labels; not rules/, whose examples are no site text
    return files


def collect(site: Path, today: date, template_dirs: Iterable[Path] = ()) -> Needles:
    """The distinctive text of every item not public on `today`, read from the files on disk."""
    candidates: list[Needle] = []
    public: list[str] = []
    for file in _content_files(site):
        try:
            text = file.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError):
            continue
        front, body = _split(text)
        meta = _read_yaml(front) if front else {}
        if not isinstance(meta, dict):
            meta = {}
        rel = file.relative_to(site).as_posix()
        why = hidden_reason(meta, today)
        if why is None:
            public.append("\n".join([*_strings(meta), body]))
        else:
            candidates += _candidates(rel, meta, body, why)
    if not candidates:
        return Needles(None, [], hashlib.sha1(b"").hexdigest())
    # Drop what is public anyway: found in public text as written, or with markup and spaces removed.
    shared: set[str] = set()
    probe = ahocorasick.Automaton()
    for needle in candidates:
        probe.add_word(needle.text, needle.text)
    probe.make_automaton()
    for text in _public_texts(public, _site_texts(site, template_dirs)):
        for squeezed in (text, "".join(runs(text))):
            for _, word in probe.iter(squeezed):
                shared.add(word)
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
        return Needles(None, [], digest)
    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle.text in automaton:
            automaton.get(needle.text).append(needle)
        else:
            automaton.add_word(needle.text, [needle])
    automaton.make_automaton()
    return Needles(automaton, needles, digest)


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
