"""Item pages as a citizen reads them: what the info box at the top says, the response list's dates,
attachments with their type and size, descriptions in plain text and a truthful 修订记录."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfgen import canvas

from disclose.markdown import render_markdown
from disclose.views import BLOCKS, SOFT_BREAK, plain_text, summary

from .conftest import copy_sample, git, run, write


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    site = copy_sample(tmp_path_factory.mktemp("items"))
    result = run("build", "--site", str(site), "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    return site / "public"


def read(public: Path, path: str) -> str:
    return (public / path / "index.html").read_text(encoding="utf-8")


def info_box(page: str) -> str:
    return page[page.index('<table class="info">') : page.index("</table>")]


def rows(page: str) -> dict[str, str]:
    """Info box label -> the cell's text (tags removed)."""
    found = re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td>', info_box(page))
    return {label: html.unescape(re.sub(r"<[^>]+>", "", cell)) for label, cell in found}


def description(page: str) -> str:
    return html.unescape(re.search(r'<meta name="description" content="([^"]*)">', page).group(1))


def test_policy_names_its_interpretation_in_the_info_box_before_the_text(public):
    page = read(public, "policies/shaoxing-2022-work-rules")
    box = info_box(page)
    assert '<a href="/interpretations/shaoxing-2022-work-rules-jd/">' in box
    assert rows(page)["政策解读"].endswith("相关解读 1 篇")
    assert page.index('<table class="info">') < page.index('<div class="body">')


def test_repealed_document_shows_when_and_by_what_it_was_repealed(public):
    page = read(public, "policies/shaoxing-2017-work-rules")
    found = rows(page)
    assert found["有效性"] == "废止"
    assert found["废止日期"] == "2022年4月12日"  # the repealing document's 发布日期
    assert found["废止文件"] == "绍兴市人民政府关于印发绍兴市人民政府工作规则的通知（绍政发〔2022〕5号）"
    assert '<a href="/policies/shaoxing-2022-work-rules/">' in info_box(page)
    start = page.index('<div class="banner')
    banner = page[start : page.index("</div>", start)]
    assert "2022年4月12日由" in banner
    valid = rows(read(public, "policies/shaoxing-2022-work-rules"))
    assert "废止日期" not in valid and "废止文件" not in valid


def test_response_list_shows_received_deadline_and_days_taken(public):
    listing = (public / "responses/index.html").read_text(encoding="utf-8")
    entries = re.findall(r'<a href="(/responses/[^"]+/)">.*?<span class="meta">(.*?)</span>\s*</li>', listing, re.S)
    assert entries
    for url, meta in entries:
        text = re.sub(r"<[^>]+>", "", meta)
        record = rows(read(public, url.strip("/")))
        assert f"收到日期 {record['收到申请日期']}" in text, url
        assert f"答复期限 {record['答复期限'].removesuffix('（已延期）')}" in text, url
        if "办理用时" in record:
            assert f"用时 {record['办理用时']}" in text, url
        else:
            assert "用时" not in text, url
    assert sum("用时" in meta for _, meta in entries) >= 10


def test_descriptions_are_plain_text_of_the_rendered_body(public, site):
    # The sample's repealed rules link to their successor in Markdown.
    old = description(read(public, "policies/shaoxing-2017-work-rules"))
    assert "新规则" in old and "](" not in old and ".md" not in old
    write(
        site,
        "content/decisions/marks.md",
        "---\ntitle: 关于调整办公时间的决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n"
        "## 一、调整内容\n\n自**4月1日**起，办公时间调整为\n上午8:30至12:00，详见[工作规则](../policies/rules.md)。\n\n"
        "| 时段 | 时间 |\n| --- | --- |\n| 上午 | 8:30 |\n\n> 注意 A&B\n\n- 第一项\n",
    )
    assert run("build", "--site", str(site), "--today", "2024-06-01").exit_code == 0
    text = description(read(site / "public", "decisions/marks"))
    assert (
        text
        == "一、调整内容 自4月1日起，办公时间调整为上午8:30至12:00，详见工作规则。 时段 时间 上午 8:30 注意 A&B 第一项"
    )


def test_attachments_show_file_type_and_size(site):
    files = site / "content/policies/files"
    files.mkdir(parents=True)
    pdf = canvas.Canvas(str(files / "rules.pdf"))
    for line in range(60):
        pdf.drawString(
            72, 800 - 12 * line, f"Article {line}: the rules apply to every department of the city government."
        )
    pdf.showPage()
    pdf.save()
    doc = Document()
    doc.add_paragraph("Appendix")
    doc.save(str(files / "appendix.docx"))
    rules = site / "content/policies/rules.md"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("doc_no:", "attachments: [files/rules.pdf, files/appendix.docx]\ndoc_no:", 1))
    assert run("build", "--site", str(site), "--today", "2024-06-01").exit_code == 0
    page = read(site / "public", "policies/rules")
    section = page[page.index('<section class="attachments"') : page.index("</section>")]
    pdf_kb = round(os.path.getsize(files / "rules.pdf") / 1024)
    docx_kb = round(os.path.getsize(files / "appendix.docx") / 1024)
    assert pdf_kb > 0 and docx_kb > 0
    assert f'rules.pdf</a> <span class="meta">（PDF，{pdf_kb} KB）</span>' in section
    assert f'appendix.docx</a> <span class="meta">（Word，{docx_kb} KB）</span>' in section


def test_revisions_start_at_first_publication_not_at_the_import(site):
    """A 2024 policy imported into git in 2026 was not changed in 2026: its 修订记录 begins with
    首次发布 on its 发布日期, and lists only the later changes."""
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "导入历史文件", date="2026-11-20")
    rules = site / "content/policies/rules.md"
    rules.write_text(rules.read_text(encoding="utf-8").replace("制定本规则", "制定本工作规则"), encoding="utf-8")
    git(site, "commit", "-qam", "更正\n\n公开说明：第一条补全规则名称", date="2026-11-21")
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    page = read(site / "public", "policies/rules")
    section = page[page.index('<section class="revisions"') : page.index("</section>")]
    entries = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", section)]
    assert entries == ["2026年11月21日：第一条补全规则名称", "2024年3月1日：首次发布"]
    assert "2026年11月20日" not in page
    interpretation = read(site / "public", "interpretations/rules-jd")
    assert "2024年3月1日</time>：首次发布</li>" in interpretation and "2026年11月20日" not in interpretation


class _Reference(HTMLParser):
    """plain_text as html.parser reads the HTML: the reference the fast version is held to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(SOFT_BREAK.sub("", data))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append(" ")


def reference_text(html: str) -> str:
    parser = _Reference()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


MARKDOWN_BITS = [
    "第一条",
    "\n",
    "\n\n",
    "# 标题\n",
    "**粗体**",
    "*强调*",
    "`代码 <b>`",
    "[链接](../policies/a.md)",
    "![图](x.png)",
    "<https://example.gov.cn/a>",
    "> 引用\n",
    "- 列表\n",
    "1. 第一\n",
    "| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |\n",
    '```\n代码块 <x> & "\n```\n',
    "A&B &amp; &lt;p&gt; &#x4E00; &copy;",
    "<p>原样</p>",
    "中\n文",
    "a  \nb",
    "~~删除~~",
    "---\n",
    "'\"",
    "\u3000全角空格",
]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.sampled_from(MARKDOWN_BITS), st.text(max_size=8)), max_size=12))
def test_plain_text_reads_rendered_markdown_as_html_parser_does(bits):
    html = render_markdown("".join(bits))
    text = reference_text(html)
    assert plain_text(html) == text
    for limit in (0, 1, 5, 12, 40):  # the summary reads only as far as it needs, with the same result
        assert summary(html, limit) == (text[:limit].rstrip() + "…" if len(text) > limit else text)
