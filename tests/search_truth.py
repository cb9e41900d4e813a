"""What a search must find, computed from the built pages themselves: the text Pagefind indexes
(the data-pagefind-body element, without data-pagefind-ignore parts), compared the way the search
page compares (NFKC, no spaces, brackets or punctuation); and in what order, from the metadata
Pagefind records (title, 文号, 索引号, 有效性)."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

STRIP = re.compile(r"[\u200b\s\[\]()（）【】〔〕［］「」《》<>“”\"'‘’,，.。、:：;；!！?？·・\-—_]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def normalize(text: str) -> str:
    return STRIP.sub("", unicodedata.normalize("NFKC", text).lower())


def terms(query: str) -> list[str]:
    return [t for t in (normalize(p) for p in unicodedata.normalize("NFKC", query).split()) if t]


class _Indexed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside data-pagefind-body
        self.ignore = 0
        self.stack: list[tuple[bool, bool, str | None]] = []
        self.text: list[str] = []
        self.meta: dict[str, str] = {}
        self.capturing: dict[str, list[str]] = {}
        self.first_h1: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        names = dict(attrs)
        body = "data-pagefind-body" in names
        ignore = "data-pagefind-ignore" in names or tag in ("script", "style")
        meta = names.get("data-pagefind-meta")
        if meta and ":" in meta:
            key, value = meta.split(":", 1)
            self.meta.setdefault(key, value)
            meta = None
        elif meta:
            self.capturing[meta] = []
        if tag == "h1" and self.first_h1 is None and not meta:
            meta = "h1"
            self.capturing[meta] = []
        self.stack.append((body, ignore, meta))
        self.depth += body
        self.ignore += ignore

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        body, ignore, meta = self.stack.pop()
        self.depth -= body
        self.ignore -= ignore
        if meta:
            self.meta.setdefault(meta, "".join(self.capturing.pop(meta)).strip())

    def handle_data(self, data):
        for parts in self.capturing.values():
            parts.append(data)
        if self.depth and not self.ignore:
            self.text.append(data)


def indexed_text(page: Path) -> str | None:
    parser = _Indexed()
    html = page.read_text(encoding="utf-8")
    if "data-pagefind-body" not in html:
        return None
    parser.feed(html)
    return " ".join(parser.text)


def page_meta(page: Path) -> dict[str, str]:
    """The metadata Pagefind records for a page: its data-pagefind-meta values, the title falling
    back to the first h1 as Pagefind's does."""
    parser = _Indexed()
    parser.feed(page.read_text(encoding="utf-8"))
    meta = dict(parser.meta)
    meta.setdefault("title", meta.get("h1", ""))
    return meta


def rank(public: Path, url: str, query: str, site_title: str) -> tuple[int, int, int]:
    """Where a found page belongs in the results: (tier, stale, -uses), smaller first.

    tier 0: the query is the page's 文号 or 索引号; 1: its title holds every term; 2: its text does.
    stale: 1 for 废止/失效. uses: how often the text uses the terms. The site's own name counts for
    neither the title nor the uses."""
    page = public / url.lstrip("/") / "index.html"
    meta = page_meta(page)
    wanted = terms(query)
    site = normalize(site_title)
    ids = [normalize(meta.get(k, "")) for k in ("doc_no", "index_no")]
    title = normalize(meta["title"]).replace(site, "\0")
    tier = 0 if "".join(wanted) in ids else 1 if all(t in title for t in wanted) else 2
    text = normalize(indexed_text(page) or "").replace(site, "\0")
    uses = sum(text.count(t) for t in wanted)
    return tier, int(meta.get("validity") in ("废止", "失效")), -uses


def pages(public: Path) -> dict[str, str]:
    """URL -> normalized indexed text of every indexed page."""
    found = {}
    for page in sorted(public.rglob("*.html")):
        text = indexed_text(page)
        if text is not None:
            url = "/" + page.relative_to(public).as_posix().removesuffix("index.html")
            found[url] = normalize(text)
    return found


def expected(public: Path, query: str) -> list[str]:
    wanted = terms(query)
    return sorted(url for url, text in pages(public).items() if all(t in text for t in wanted))
