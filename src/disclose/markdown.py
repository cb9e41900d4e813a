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
from typing import TYPE_CHECKING, Literal, TypeVar, get_args
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:  # markdown-it-py is the fallback: imported only when used (it costs 26 ms)
    from markdown_it import MarkdownIt

try:
    from markdown_it_pyrs import MarkdownIt as _RustMarkdownIt

    RustMarkdownIt: type[_RustMarkdownIt] | None = _RustMarkdownIt
except ImportError:  # pragma: no cover - the pure-Python renderer still works
    RustMarkdownIt = None

# Everything CommonMark has except raw HTML, plus GFM tables and strikethrough (a Literal, as
# markdown-it-pyrs types its rule names).
RuleName = Literal[
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
RULES: tuple[RuleName, ...] = get_args(RuleName)
T = TypeVar("T")
HREF = re.compile(r'<a href="([^"]*)"')

# Render limits, so that no body takes unbounded time or stack to render (measured on 2 cores):
# - both renderers recurse per level of nesting; markdown-it-pyrs overflows the stack near 100,000 `>`;
# - markdown-it-pyrs matches emphasis markers in time quadratic in the markers of one paragraph
#   (20,000 `_a ` then 20,000 ` a_` take four seconds), and tries every line of a paragraph that opens
#   with `[` as a link reference definition, reading on to the paragraph's end (8,000 such lines: three);
# - markdown-it-py, the fallback, spends 20–70 µs a line or a marker: a 9 MB list took 145 s.
# Bodies beyond them are refused with a line when read (load), and never given to a renderer.
MAX_NESTING = 50  # blockquotes and lists, one inside another
MAX_MARKUP = 100_000  # lines and markup characters in one text: a few seconds in markdown-it-py
MARKUP = "\n[&<`*_~|>"
MAX_EMPHASIS_COST = 50_000_000  # sum over paragraphs of (emphasis markers in it)²: half a second
MAX_DEFINITION_COST = 10_000_000  # sum over paragraphs of (lines opening with [) × (its lines)
# a line that may open 50 levels (a tab counts 4 columns): the newline first, for the fast literal search
DEEP_LINE = re.compile(r"\n[ \t>*+\-0-9.)]{26}")
DEEP_START = re.compile(r"[ \t>*+\-0-9.)]{26}")
CONTAINER_PREFIX = re.compile(r"[ \t>*+\-0-9.)]*")
LIST_MARKER = re.compile(r"(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$)")
SEPARATED_MARKER = re.compile(r"(?:>|[-+*]|[0-9]{1,9}[.)])(?=[ \t])")
PARAGRAPH_BREAK = re.compile(r"\n[ \t>]*\n")  # inline markup is matched within one paragraph only
EMPHASIS_RUN = re.compile(r"\*+|_+|~+")
DEFINITION_LINE = re.compile(r"^[ \t>]*\[", re.M)


def _nesting(line: str) -> int:
    """An upper bound on the containers open at this line: one per > or list marker on it, and one
    per 2 columns of the remaining indentation (a list item opened on an earlier line needs at least
    that much); the one space after a marker belongs to the marker."""
    prefix = CONTAINER_PREFIX.match(line).group()  # type: ignore[union-attr]
    markers = prefix.count(">") + len(LIST_MARKER.findall(prefix))
    if not markers:
        return 0
    indent = prefix.count(" ") + 4 * prefix.count("\t") - len(SEPARATED_MARKER.findall(prefix))
    return markers + indent // 2


def _costliest(text: str, pattern: re.Pattern[str], square: bool) -> tuple[int, int, int]:
    """(total cost, most matches in one paragraph, its 0-based line): the cost of a paragraph is
    its matches squared, or its matches times its lines."""
    cost = worst = worst_at = start = 0
    for end in [m.start() for m in PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        found = len(pattern.findall(text, start, end))
        cost += found * (found if square else text.count("\n", start, end) + 1)
        if found > worst:
            worst, worst_at = found, text.count("\n", 0, start) + (start > 0)
        start = end + 1
    return cost, worst, worst_at


def limit_breach(text: str) -> tuple[int, str, str, str] | None:
    """(0-based line, code, zh, en) when rendering `text` would take unbounded time or stack.

    Cheap for ordinary text: each check first bounds its cost with a few counts."""
    first = [0] if DEEP_START.match(text) else []
    for start in first + [match.start() + 1 for match in DEEP_LINE.finditer(text)]:
        line_end = text.find("\n", start)
        if _nesting(text[start : line_end if line_end >= 0 else len(text)]) > MAX_NESTING:
            return (
                text.count("\n", 0, start),
                "E016",
                f"引用（>）或列表嵌套超过 {MAX_NESTING} 层；请减少嵌套层级",
                f"quotes (>) or lists nested more than {MAX_NESTING} levels deep; flatten them",
            )
    markup = sum(map(text.count, MARKUP)) if len(text) > MAX_MARKUP else 0
    if markup > MAX_MARKUP:
        return (
            0,
            "E018",
            f"正文过长：行数与标记符号共 {markup} 个，上限 {MAX_MARKUP}；请把长表格、清单作为附件，或分为多篇",
            f"the text is too long: {markup} lines and markup characters, limit {MAX_MARKUP}; "
            "attach long tables and lists, or split it",
        )
    size = len(text)  # bounds the counts below: short texts need none of them
    if (
        size * size > MAX_EMPHASIS_COST
        and (text.count("*") + text.count("_") + text.count("~")) ** 2 > MAX_EMPHASIS_COST
    ):
        cost, worst, line = _costliest(text, EMPHASIS_RUN, square=True)
        if cost > MAX_EMPHASIS_COST:
            return (
                line,
                "E017",
                f"此段中强调符号（* _ ~）过多（{worst} 处）；请删去多余的符号，或用空行分段",
                f"this paragraph has too many emphasis markers (* _ ~, {worst}); remove them or split it",
            )
    if size * (size + 1) > MAX_DEFINITION_COST and text.count("[") * (text.count("\n") + 1) > MAX_DEFINITION_COST:
        cost, worst, line = _costliest(text, DEFINITION_LINE, square=False)
        if cost > MAX_DEFINITION_COST:
            return (
                line,
                "E017",
                f"此段中以 [ 开头的行过多（{worst} 行）；请用空行分段",
                f"this paragraph has too many lines starting with [ ({worst}); split it with blank lines",
            )
    return None


@cache
def python_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


@cache
def rust_parser() -> _RustMarkdownIt | None:
    if RustMarkdownIt is None:
        return None
    return RustMarkdownIt("zero").enable_many(list(RULES))


def render_raw(text: str) -> str:
    """Markdown to HTML with no link rewriting; text beyond the render limits (which load refuses
    for bodies) is shown as escaped plain text rather than parsed."""
    if limit_breach(text):
        return f"<pre>{html.escape(text)}</pre>\n"
    fast = rust_parser()
    out = _unless_it_panics(lambda: fast.render(text)) if fast is not None else None
    return out if out is not None else python_parser().render(text)


def _unless_it_panics(call: Callable[[], T]) -> T | None:
    """A markdown-it-pyrs call, or None when the Rust code panics (0.4.0 does on `[` then an
    unmatched backtick): pyo3's PanicException derives from BaseException and would escape every
    handler as a traceback; markdown-it-py then reads the text instead."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - PanicException is not an Exception
        return None


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
    tree = _unless_it_panics(lambda: fast.tree(text))
    if tree is None:
        return _python_links(text)
    data = text.encode("utf-8")
    found = []
    for node in tree.walk():
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
