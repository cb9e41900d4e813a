"""公开属性: publish by default, withhold only by a recorded, lawful exception."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from ..schema import BASIS, DISCLOSURE, basis_list
from .registry import Finding, rule

WITHHELD = """---
title: 某事项请示
issuer: 示例市人民政府办公室
published: 2024-03-01
disclosure: withheld
{extra}---
正文。
"""
OWN_MARK = re.compile(r"此件(不公开|依申请公开|不予公开)")


@rule(
    "D201",
    "item",
    "Non-public item without a basis code",
    "不公开但未写明理由",
    "条例 第十三条 至 第十六条; 国办发〔2016〕80号",
    {"content/decisions/nobasis.md": WITHHELD.format(extra="review: {by: 市政府办公室, date: 2024-02-28}\n")},
    reads="item",
)
def needs_basis(item: Item, site: Catalogue) -> Iterator[Finding]:
    """以公开为常态、不公开为例外: an item that is not 主动公开 must name its exception.

    Only the grounds of 条例 第十四、十五、十六条 (and 依申请公开) are lawful; each is
    a basis code so the annual report can count it. The code's Chinese name is
    accepted too (`basis: 过程性信息` is `process-info`). The codes:
    """
    if item.disclosure != "public" and not item.get("basis"):
        yield Finding(
            f"公开属性为“{DISCLOSURE[item.disclosure]}”，须用 basis 写明不公开理由，可写代码或其中文名：{basis_list()}",
            f"disclosure is {item.disclosure}: give a basis code ({basis_list(', ')})",
            key="disclosure",
        )


needs_basis.__doc__ = (needs_basis.__doc__ or "") + "".join(
    f"\n    - {code}: {label} ({source})" for code, (label, source) in BASIS.items()
)


@rule(
    "D202",
    "item",
    "Non-public item without a 保密审查 record",
    "不公开但缺少保密审查记录",
    "保守国家秘密法 第三十五条; 条例 第十七条",
    {"content/decisions/noreview.md": WITHHELD.format(extra="basis: process-info\n")},
    reads="item",
)
def needs_review(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Every decision not to publish rests on a recorded 保密审查: who reviewed it, and when.

    With `require_review: true` in site.yaml every item needs one (先审查、后公开).
    """
    needed = item.disclosure != "public" or site.config.require_review
    if needed and not item.get("review"):
        yield Finding(
            "缺少保密审查记录：请写 review: {by: 审查人或机构, date: YYYY-MM-DD}",
            "no confidentiality review: add review: {by: reviewer, date: YYYY-MM-DD}",
            key="disclosure" if item.disclosure != "public" else "title",
        )


@rule(
    "D203",
    "item",
    "Text says 此件不公开 but the item is public",
    "正文标注不公开而属性为公开",
    "国办发〔2016〕80号 (公开属性随公文报批); GB/T 9704 附注",
    {
        "content/policies/selfmarked.md": "---\ntitle: 某通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕6号\n---\n正文。\n\n（此件不公开）\n"
    },
    reads="item",
)
def own_mark_contradicts(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The 附注 of a 公文 states its own 公开属性; it must agree with the front matter.

    A document printed 「此件不公开」 or 「此件依申请公开」 that is about to be
    published was approved as non-public: set `disclosure` (with basis and
    review) or get the attribute changed through the approval chain first.
    """
    if item.disclosure != "public":
        return
    for match in OWN_MARK.finditer(item.body):
        offset = item.body.count("\n", 0, match.start())
        yield Finding(
            f"正文标注“{match.group(0)}”，但公开属性为主动公开；请核对公开属性",
            f"the text says '{match.group(0)}' but the item is public; check the disclosure attribute",
            line=item.source.body_line + offset,
        )


@rule(
    "D204",
    "item",
    "Basis given but the item is public",
    "写了不公开理由但属性为公开",
    "条例 第十三条",
    {
        "content/decisions/confused.md": "---\ntitle: 某事项\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\nbasis: personal-privacy\n---\n正文。\n"
    },
    reads="item",
)
def basis_without_attribute(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A basis code on a public item means someone meant to withhold it.

    Publishing by default is right only when nobody recorded an exception; a
    stray `basis` shows the `disclosure` line is missing or misspelt.
    """
    if item.kind != "response" and item.disclosure == "public" and item.get("basis"):
        yield Finding(
            "写了不公开理由 basis，但公开属性为主动公开；如需不公开请写 disclosure: withheld",
            "basis is given but the item is public; set disclosure: withheld to withhold",
            key="basis",
        )
