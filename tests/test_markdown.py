"""The fast renderer (markdown-it-pyrs) gives exactly markdown-it-py's output on everything we render."""

from __future__ import annotations

import pytest

from disclose import markdown

from .conftest import ROOT

EDGE_CASES = [
    "<script>alert(1)</script>\n\n<b>bold</b> a<br>b <!-- c -->",
    "[x](javascript:alert(1)) [y](../a.md#f) [z](vbscript:x) [d](data:text/html,x) ~~s~~",
    "| a | b |\n|---|---|\n| 1 | <i>2</i> |\n| **3** | `4` |",
    "- （一）新的\n- （二）b\n\n1. x\n2. y\n\n3) z",
    "a & b < c \"q\" 'x' &amp; &#169; &nbsp;",
    '![图](a.png "t") <http://a.com> <a@b.com> www.example.com',
    "```\ncode <x>\n```\n\n    indented <y>",
    "# H\n\nSetext\n---\n\n> quote\n\n***",
    "*em* **strong** `c<` \\*not em\\*",
    "line  \nbreak\\\nx",
    '[ref]\n\n[ref]: ../b.md "T"',
    "第一条 …… “两个确立” 【重要】 ＜全角＞",
]


def bodies() -> list[str]:
    return EDGE_CASES + [
        p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in sorted((ROOT / "content").rglob("*.md"))
    ]


@pytest.mark.skipif(markdown.rust_parser() is None, reason="markdown-it-pyrs not installed")
def test_fast_renderer_matches_markdown_it_py():
    differing = [b[:60] for b in bodies() if markdown.rust_parser().render(b) != markdown.python_parser().render(b)]
    assert differing == []


@pytest.mark.skipif(markdown.rust_parser() is None, reason="markdown-it-pyrs not installed")
def test_links_found_the_same_way_by_both():
    for body in bodies():
        assert markdown.body_links(body) == markdown._python_links(body), body[:60]


def test_raw_html_is_escaped_and_links_are_rewritten():
    out = markdown.render_markdown("<script>x</script>\n\n[a](b.md#c) [d](http://e.cn/)", lambda h: h.upper())
    assert "&lt;script&gt;" in out and '<a href="B.MD#C">' in out and '<a href="HTTP://E.CN/">' in out
