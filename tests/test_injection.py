"""Front-matter strings cannot break out of the JSON embedded in pages, nor run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from disclose.structured_data import json_for_html

from .conftest import TODAY, run, write

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!--<script>",
    "</SCRIPT >",
    "a & b > c",
]
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted string


@pytest.mark.parametrize("hostile", HOSTILE)
def test_front_matter_cannot_break_out_of_json_ld(site, hostile):
    write(
        site,
        "content/decisions/d.md",
        f"---\ntitle: {yaml_string('决定' + hostile)}\nissuer: {yaml_string('示例市' + hostile)}\n"
        "published: 2024-03-01\n---\n正文结尾标记。\n",
    )
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    page = (site / "public/decisions/d/index.html").read_text(encoding="utf-8")
    blocks = SCRIPT.findall(page)
    assert len(blocks) == 1
    block = blocks[0]
    for unsafe in ("<", ">", "&"):
        assert unsafe not in block, block
    data = json.loads(block)
    assert data["name"] == "决定" + hostile
    assert data["publisher"]["name"] == "示例市" + hostile
    # the rest of the page is still there, after the block
    assert page.rindex("正文结尾标记") > page.index(block)


def test_json_for_html_escapes_every_character_that_can_derail_a_script():
    value = "</script><!--<script>&\u2028\u2029"
    text = json_for_html({"v": value})
    for unsafe in ("<", ">", "&", "\u2028", "\u2029"):
        assert unsafe not in text
    assert json.loads(text) == {"v": value}


# Tab and CR cannot reach a front-matter string (E011 refuses them); csv_cell's own test covers them.
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def test_catalog_csv_cells_cannot_start_a_formula(site):
    for index, formula in enumerate(FORMULAS):
        write(
            site,
            f"content/decisions/f{index}.md",
            f"---\ntitle: {yaml_string(formula)}\nissuer: {yaml_string(formula)}\npublished: 2024-03-01\n"
            f"topics: [{yaml_string(formula)}]\n---\n正文。\n",
        )
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    text = (site / "public/catalog.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    by_title = {row["信息名称"]: row for row in rows}
    for formula in FORMULAS:
        row = by_title["'" + formula]
        assert row["发布机构"] == "'" + formula
        assert row["主题分类"] == "'" + formula
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert len(rows) == len(FORMULAS) + 2
    # ordinary cells are untouched
    assert by_title["示例市人民政府工作规则"]["发布日期"] == "2024-03-01"


def test_csv_cell_neutralises_tab_and_carriage_return():
    from disclose.opendata import csv_cell

    assert csv_cell("\t=1") == "'\t=1"
    assert csv_cell("\r=1") == "'\r=1"
    assert csv_cell("示政发〔2024〕1号") == "示政发〔2024〕1号"
