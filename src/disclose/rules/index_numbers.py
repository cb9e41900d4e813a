"""索引号: present when site.yaml requires it, in the site's form, its serial used once a year.

Uniqueness of the whole 索引号 is N503 (identifiers.py); these rules add what the form knows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..catalogue import Catalogue
from ..identity import index_form
from ..model import Item
from .registry import Finding, rule

SITE = (
    "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
    "organization:\n  name: 示例市人民政府办公室\n  code: 11330600MB0000000X\n"
)
DECISION = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: 2024-03-01\n{extra}---\n正文。\n"


def needs_index_no(item: Item) -> bool:
    """Every item of the 公开目录 has a 索引号 when the site requires one: pages (栏目页 such as the
    指南) are not catalogue entries, and a draft gets its number by `disclose new` or before it is
    published."""
    return item.kind != "page" and not item.draft


@rule(
    "N505",
    "item",
    "索引号 missing where site.yaml requires one",
    "缺少索引号",
    "政府信息公开目录系统实施指引 (索引号); site.yaml index_no.required",
    {
        "site.yaml": SITE + "index_no: {required: true}\n",
        "content/policies/rules.md": "---\ntitle: 示例市人民政府工作规则\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "doc_no: 示政发〔2024〕1号\n---\n正文。\n",
        "content/interpretations/rules-jd.md": "---\ntitle: 《示例市人民政府工作规则》解读\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ninterprets: 示政发〔2024〕1号\n---\n解读。\n",
    },
    reads="today",
)
def index_no_present(item: Item, site: Catalogue) -> Iterator[Finding]:
    """With `index_no: {required: true}` in site.yaml, every catalogue item carries its 索引号.

    Pages and drafts are exempt. `disclose new` writes the next free number.
    """
    if site.config.index_no_required and not item.get("index_no") and needs_index_no(item):
        form = index_form(site.config.organization, site.config.index_no_form)
        year = item.published.year if item.published else site.today.year
        hint = f"，如 {form.example(year)}" if form else ""
        yield Finding(
            f"缺少索引号（index_no）：本站要求每项信息都有索引号{hint}；新建文件请用 disclose new，会自动编号",
            f"index_no missing: this site requires one on every item{hint.replace('，如', ', e.g.')}; "
            "`disclose new` writes the next free one",
        )


@rule(
    "N506",
    "item",
    "索引号 not in the site's form",
    "索引号格式不正确",
    "政府信息公开目录系统实施指引 (索引号 = 机构代码/年份-流水号); site.yaml index_no.form",
    {
        "site.yaml": SITE,
        "content/decisions/bad.md": DECISION.format(title="某决定", extra="index_no: 2024-00001\n"),
    },
    reads="today",
)
def index_no_form(item: Item, site: Catalogue) -> Iterator[Finding]:
    """索引号 is {organization.code}/{year}-{serial} (or the site's `index_no.form`): the
    organization's code, the year of `published`, and a zero-padded serial. Checked when the
    site gives organization.code (or a form that does not need it)."""
    value = item.get("index_no")
    if not value:
        return
    form = index_form(site.config.organization, site.config.index_no_form)
    if form is None:
        return
    year = item.published.year if item.published else site.today.year
    parsed = form.parse(value)
    if parsed is None:
        yield Finding(
            f"索引号“{value}”格式不正确：应为 {form.template}，如 {form.example(year)}",
            f"index_no '{value}' is not in the form {form.template}, e.g. {form.example(year)}",
            key="index_no",
        )
    elif parsed[0] is not None and item.published and parsed[0] != item.published.year:
        yield Finding(
            f"索引号“{value}”中的年份 {parsed[0]} 与发布日期的年份 {item.published.year} 不一致",
            f"the year {parsed[0]} in index_no '{value}' is not the year published ({item.published.year})",
            key="index_no",
        )


@rule(
    "N507",
    "site",
    "索引号 serial used twice in a year",
    "索引号流水号重复",
    "政府信息公开目录系统实施指引 (索引号唯一且不变)",
    {
        "site.yaml": SITE,
        "content/decisions/a.md": DECISION.format(title="甲", extra="index_no: 11330600MB0000000X/2024-00007\n"),
        "content/decisions/b.md": DECISION.format(title="乙", extra="index_no: 11330600MB0000000X/2024-007\n"),
    },
)
def index_serial_unique(site: Catalogue) -> Iterator[Finding]:
    """A serial is used once per code and year: 2024-007 and 2024-00007 are the same number.

    (Identical 索引号 are reported by N503.)"""
    form = index_form(site.config.organization, site.config.index_no_form)
    if form is None:
        return
    holders: dict[tuple[int | None, int], list[Item]] = defaultdict(list)
    for item in site.items:
        parsed = form.parse(item.get("index_no") or "")
        if parsed is not None:
            holders[parsed].append(item)
    for items in holders.values():
        first = items[0]
        for item in items[1:]:
            if item.get("index_no") != first.get("index_no"):
                yield Finding(
                    f"索引号“{item.get('index_no')}”与 {first.path} 的“{first.get('index_no')}”流水号相同；"
                    "同一年度的流水号不能重复",
                    f"index_no '{item.get('index_no')}' has the same serial as '{first.get('index_no')}' in "
                    f"{first.path}; a serial is used once a year",
                    key="index_no",
                    at=item,
                )
