"""What a search must find, computed from the built pages themselves: the text Pagefind indexes
(the data-pagefind-body element, without data-pagefind-ignore parts), compared the way the search
page compares (NFKC, no spaces, brackets or punctuation)."""

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
        self.stack: list[tuple[bool, bool]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        names = dict(attrs)
        body = "data-pagefind-body" in names
        ignore = "data-pagefind-ignore" in names or tag in ("script", "style")
        self.stack.append((body, ignore))
        self.depth += body
        self.ignore += ignore

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        body, ignore = self.stack.pop()
        self.depth -= body
        self.ignore -= ignore

    def handle_data(self, data):
        if self.depth and not self.ignore:
            self.text.append(data)


def indexed_text(page: Path) -> str | None:
    parser = _Indexed()
    html = page.read_text(encoding="utf-8")
    if "data-pagefind-body" not in html:
        return None
    parser.feed(html)
    return " ".join(parser.text)


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
