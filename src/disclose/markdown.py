"""The one place Markdown becomes HTML (raw HTML off, tables and strikethrough on).

markdown-it-pyrs (markdown-it in Rust, about ten times faster here) renders when it is installed;
markdown-it-py, which it mirrors, is the fallback and the reference that a test holds it to.
Links to other items' .md files are rewritten after rendering, the same way for both.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from functools import cache
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the pure-Python renderer still works
    markdown_it_pyrs = None

# Everything CommonMark has except raw HTML, plus GFM tables and strikethrough.
RULES = [
    "blockquote",
    "code",
    "fence",
    "heading",
    "hr",
    "lheading",
    "list",
    "paragraph",
    "reference",
    "autolink",
    "backticks",
    "emphasis",
    "entity",
    "escape",
    "image",
    "link",
    "newline",
    "table",
    "strikethrough",
]
HREF = re.compile(r'<a href="([^"]*)"')


@cache
def python_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


@cache
def rust_parser():
    if markdown_it_pyrs is None:
        return None
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(RULES)


def render_raw(text: str) -> str:
    """Markdown to HTML with no link rewriting."""
    fast = rust_parser()
    return fast.render(text) if fast is not None else python_parser().render(text)


def render_markdown(text: str, resolve: Callable[[str], str] | None = None) -> str:
    """HTML for a Markdown body; `resolve` maps each link target to its final href."""
    out = render_raw(text)
    if resolve is not None:
        out = HREF.sub(lambda m: f'<a href="{html.escape(resolve(html.unescape(m.group(1))))}"', out)
    return out.replace("<table>", '<div class="table-scroll"><table>').replace("</table>", "</table></div>")


def body_links(text: str) -> list[tuple[str, int]]:
    """Every link and image target in the body (inline, reference-style and autolinks) with its
    0-based line within the body: whatever the rendered page will point at."""
    fast = rust_parser()
    if fast is None:
        return _python_links(text)
    if "[" not in text and "<" not in text:
        return []  # no link syntax at all: the common case, and no parse needed
    data = text.encode("utf-8")
    found = []
    for node in fast.tree(text).walk():
        if node.name in ("link", "autolink", "image") and node.meta.get("url"):
            found.append((node.meta["url"], data.count(b"\n", 0, node.srcmap[0]) if node.srcmap else 0))
    return found


def _python_links(text: str) -> list[tuple[str, int]]:
    found = []
    for token in python_parser().parse(text):
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open" and child.attrGet("href"):
                found.append((str(child.attrGet("href")), line))
            elif child.type == "image" and child.attrGet("src"):
                found.append((str(child.attrGet("src")), line))
    return found


def link_path(file_path: str, href: str) -> str | None:
    """The site-relative path a link names (content/policies/a.md), or None when it names no file
    of the repository (http:, mailto:, a bare #anchor).

    A relative link is taken from the linking file's folder; a link starting with / from content/
    (`/policies/a.md` and `/content/policies/a.md` both name content/policies/a.md).
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        path = posixpath.normpath(path.lstrip("/"))
        return path if path == "content" or path.startswith("content/") else posixpath.join("content", path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(file_path), path))


def content_target(file_path: str, href: str) -> tuple[str, str] | None:
    """For a link to another `.md` file, (target id or '' if outside content/, fragment).

    Returns None for links that are not links to content files (http:, mailto:, #anchors, …).
    """
    path = link_path(file_path, href)
    if path is None or not path.endswith(".md"):
        return None
    fragment = urlsplit(href).fragment
    if not path.startswith("content/"):
        return "", fragment
    return path.removeprefix("content/").removesuffix(".md"), fragment
