"""The one place Markdown becomes HTML (raw HTML off, tables on).

Everything goes through `render_markdown` and `body_links`, so a faster
compatible renderer can replace markdown-it-py here alone.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from functools import cache
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    default_link_open = md.renderer.rules.get("link_open")

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        resolve = env.get("resolve")
        href = token.attrGet("href")
        if resolve and href:
            token.attrSet("href", resolve(str(href)))
        if default_link_open:
            return default_link_open(tokens, idx, options, env)
        return self.renderToken(tokens, idx, options, env)

    def table_open(self, tokens, idx, options, env):
        return '<div class="table-scroll">' + self.renderToken(tokens, idx, options, env)

    def table_close(self, tokens, idx, options, env):
        return self.renderToken(tokens, idx, options, env) + "</div>"

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    return md


def render_markdown(text: str, resolve: Callable[[str], str] | None = None) -> str:
    """HTML for a Markdown body; `resolve` maps each link target to its final href."""
    return _parser().render(text, {"resolve": resolve})


def body_links(text: str) -> list[tuple[str, int]]:
    """Every link target in the body with its 0-based line within the body."""
    found = []
    for token in _parser().parse(text):
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            if child.type == "link_open" and child.attrGet("href"):
                found.append((str(child.attrGet("href")), line))
    return found


def content_target(file_path: str, href: str) -> tuple[str, str] | None:
    """For a relative link to another `.md` file, (target id or '' if outside content/, fragment).

    Returns None for links that are not links to content files (http:, mailto:, #anchors, …).
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(file_path), unquote(parts.path)))
    if not joined.startswith("content/"):
        return "", parts.fragment
    return joined.removeprefix("content/").removesuffix(".md"), parts.fragment
