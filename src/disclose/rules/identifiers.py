"""文号、索引号、申请编号: well-formed and unique after normalization."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..identifiers import is_valid_doc_no
from ..model import Item
from .registry import Finding, rule

POLICY = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: 2024-03-01\ndoc_no: {doc_no}\n---\n正文。\n"


@rule(
    "N501",
    "item",
    "文号 not in the form 机关代字〔年份〕序号号",
    "文号格式不正确",
    "GB/T 9704-2012 7.2.5 发文字号",
    {"content/policies/badno.md": POLICY.format(title="某通知", doc_no="示政发〔2024〕第05号")},
    reads="item",
)
def doc_no_form(item: Item, site: Catalogue) -> Iterator[Finding]:
    """年份标全称，用六角括号〔〕括入；发文顺序号不加“第”字，不编虚位（1 不编为 01）.

    [2022], (2022), （2022） and 【2022】 are normalized to 〔2022〕 before the check.
    """
    doc_no = item.get("doc_no")
    if doc_no and not is_valid_doc_no(doc_no):
        yield Finding(
            f"文号“{doc_no}”格式不正确：应为 机关代字〔年份〕序号号，如 绍政发〔2022〕5号（序号不加“第”、不补零）",
            f"文号 '{doc_no}' is malformed: use 机关代字〔年份〕序号号, e.g. 绍政发〔2022〕5号",
            key="doc_no",
        )


def _duplicates(site: Catalogue, key: str, label: str, label_en: str) -> Iterator[Finding]:
    """Every item whose `key` an item before it has, by value, naming the first (the catalogue
    found them in its one pass over the items: `Catalogue.repeats`, `Catalogue.firsts`)."""
    for item in sorted(site.repeats[key], key=lambda item: item.fields[key]):  # stable: in order within a value
        value = item.fields[key]
        first = site.firsts[key][value]
        yield Finding(
            f"{label}“{value}”与 {first.path} 重复；{label}须全站唯一",
            f"{label_en} '{value}' is also used by {first.path}; it must be unique",
            key=key,
            at=item,
        )


@rule(
    "N502",
    "site",
    "Duplicate 文号",
    "文号重复",
    "GB/T 9704-2012 7.2.5; 国办发〔2018〕37号 (统一编号)",
    {
        "content/policies/a.md": POLICY.format(title="甲", doc_no="示政发〔2024〕21号"),
        "content/policies/b.md": POLICY.format(title="乙", doc_no="示政发[2024]21号"),
    },
)
def unique_doc_no(site: Catalogue) -> Iterator[Finding]:
    """One 文号 names one document; look-alike brackets and full-width digits count as equal."""
    yield from _duplicates(site, "doc_no", "文号", "doc_no")


@rule(
    "N503",
    "site",
    "Duplicate 索引号",
    "索引号重复",
    "政府信息公开目录系统实施指引 (索引号唯一且不变)",
    {
        "content/decisions/a.md": "---\ntitle: 甲\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "index_no: 000000000/2024-00001\n---\n正文。\n",
        "content/decisions/b.md": "---\ntitle: 乙\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        'index_no: "000000000/2024-00001\\u200b"\n---\n正文。\n',
    },
)
def unique_index_no(site: Catalogue) -> Iterator[Finding]:
    """索引号 is the catalogue's identifier: unique and never reused (zero-width spaces ignored)."""
    yield from _duplicates(site, "index_no", "索引号", "index_no")


@rule(
    "N504",
    "site",
    "Duplicate 申请编号",
    "申请编号重复",
    "条例 第四十五条 (申请登记)",
    {
        "content/responses/a.md": "---\ntitle: 甲\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-2024-001\nreceived: 2024-02-01\n---\n正文。\n",
        "content/responses/b.md": "---\ntitle: 乙\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: ＹＳＱ-2024-001\nreceived: 2024-02-02\n---\n正文。\n",
    },
)
def unique_request_no(site: Catalogue) -> Iterator[Finding]:
    """Each request registered once (申请登记); the annual report counts records, not titles."""
    yield from _duplicates(site, "request_no", "申请编号", "request_no")
