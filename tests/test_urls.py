"""Unique output paths (U001) and URLs encoded one way everywhere."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest

from disclose.urls import clashes

from .conftest import TODAY, run, write


def build(site, out):
    return run("build", "--site", str(site), "--out", str(out), "--today", TODAY)


def check(site):
    return run("check", "--site", str(site), "--today", TODAY)


def decision(title: str, day: str = "2024-03-01") -> str:
    return f"---\ntitle: {title}\nissuer: 示例市人民政府\npublished: {day}\n---\n{title}的正文。\n"


def page(title: str) -> str:
    return f"---\nkind: page\ntitle: {title}\n---\n{title}。\n"


def test_two_items_differing_only_in_case_are_refused_naming_both(site, tmp_path):
    write(site, "content/decisions/Meeting-1.md", decision("第1次常务会议决定"))
    write(site, "content/decisions/meeting-1.md", decision("第1次常务会议纪要", "2024-03-02"))
    result = build(site, tmp_path / "out")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if " U001 " in line]
    assert len(lines) == 1, result.output
    assert "content/decisions/Meeting-1.md" in lines[0] and "content/decisions/meeting-1.md" in lines[0]
    assert not (tmp_path / "out").exists()
    assert check(site).exit_code == 1  # check finds it too, before any build


def test_unicode_forms_of_one_name_clash(site):
    write(site, "content/decisions/caf\u00e9.md", decision("决定一"))
    write(site, "content/decisions/cafe\u0301.md", decision("决定二"))
    assert " U001 " in check(site).output


@pytest.mark.parametrize(
    "rel, text",
    [
        ("content/decisions/page/2.md", None),  # the decisions listing's second page
        ("content/decisions/major.md", decision("重大决策目录说明")),  # 重大行政决策事项目录
        ("content/search.md", page("搜索说明")),
        ("content/reports.md", page("年报说明")),
        ("content/assets/style.md", page("样式说明")),
        ("content/pagefind.md", page("索引说明")),
        ("content/feed.xml.md", page("订阅说明")),  # an item page needs a folder where feed.xml is
    ],
)
def test_an_item_at_a_path_the_site_uses_is_refused(site, tmp_path, rel, text):
    if text is None:  # a second page of decisions: page_size 1 and two decisions
        (site / "site.yaml").write_text((site / "site.yaml").read_text() + "page_size: 1\n")
        write(site, "content/decisions/first.md", decision("第一项决定"))
        text = decision("第二页决定")
        rel = "content/decisions/page/2.md"
    write(site, rel, text)
    result = build(site, tmp_path / "out")
    lines = [line for line in result.output.splitlines() if " U001 " in line]
    assert result.exit_code == 1, result.output
    assert lines and all(line.startswith(f"{rel}:1: U001 ") for line in lines), result.output
    assert "网站自己使用的位置" in lines[0]
    assert not (tmp_path / "out").exists()


def test_clashes_of_paths():
    site = "site"
    assert clashes([("a/index.html", "content/a.md"), ("A/index.html", "content/A.md")]) == [
        ("A/index.html", "content/A.md", "content/a.md")
    ]
    assert clashes([("x.pdf", "content/x.pdf"), ("x.pdf", "content/x.pdf")]) == []  # one owner, twice
    assert clashes([("feed.xml", site), ("feed.xml/index.html", "content/feed.xml.md")]) == [
        ("feed.xml/index.html", "content/feed.xml.md", site)
    ]
    assert clashes([("assets/x/index.html", "content/assets/x.md")]) == [
        ("assets/x/index.html", "content/assets/x.md", site)
    ]
    assert clashes([("attachments/p/a.pdf", "content/p/a.pdf")]) == []


def test_file_names_with_spaces_and_chinese_are_encoded_one_way_everywhere(site, tmp_path):
    name = "城区 停车#收费?方案"
    write(site, f"content/decisions/{name}.md", decision("城区停车收费方案决定"))
    write(site, "content/decisions/files/附件 一.txt", "附件正文")
    write(
        site,
        "content/decisions/with-file.md",
        "---\ntitle: 附带附件的决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/附件 一.txt]\n---\n见[城区方案](城区%20停车%23收费%3F方案.md)。\n",
    )
    out = tmp_path / "out"
    result = build(site, out)
    assert result.exit_code == 0, result.output
    url = "/decisions/" + quote(name) + "/"
    absolute = "https://www.example.gov.cn" + url
    assert " " not in url and "#" not in url and "?" not in url
    assert (out / "decisions" / name / "index.html").is_file()  # the file keeps its name
    assert unquote(url) == f"/decisions/{name}/"
    listing = (out / "decisions/index.html").read_text(encoding="utf-8")
    assert f'href="{url}"' in listing
    page_html = (out / "decisions" / name / "index.html").read_text(encoding="utf-8")
    assert f'href="{absolute}"' in page_html  # canonical
    assert f"href:{url}" in page_html  # Pagefind's address of the page
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{absolute}</loc>" in sitemap
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert f'href="{absolute}"' in feed
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    records = catalog if isinstance(catalog, list) else next(v for v in catalog.values() if isinstance(v, list))
    assert absolute in {record.get("url") for record in records}
    # every URL the site prints: no raw space, and each maps back to a file in the output
    attachment = "/attachments/decisions/files/" + quote("附件 一.txt")
    holder = (out / "decisions/with-file/index.html").read_text(encoding="utf-8")
    assert f'href="{attachment}"' in holder and f'href="{url}"' in holder
    assert (out / unquote(attachment).lstrip("/")).is_file()
    for text in (listing, page_html, sitemap, feed, holder):
        for link in re.findall(r'(?:href|src)="([^"]*)"', text) + re.findall(r"<loc>([^<]*)</loc>", text):
            assert " " not in link, link
