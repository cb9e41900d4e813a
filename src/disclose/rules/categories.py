"""Categories of 法定主动公开内容 (site.yaml `categories`): problems found by categories.py while
reading site.yaml, and the reference fields a category declares."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from .pairing import rejected_finding
from .registry import Finding, format_code, rule

HEAD = "title: 示例\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
SOURCE = "content-model.md (Additions, version 2: categories of 法定主动公开内容)"

format_code(
    "C140",
    "A category in site.yaml is not well formed",
    "site.yaml 中的类别写法不对",
    SOURCE,
    "Each entry of `categories` is `statutory` or {id, title, basis?, fields?}: the id names the folder "
    "content/<id>/ and the URL of its listing, so it is lower-case letters, digits and hyphens; the title is "
    "the column's name on the site. A misspelt key would silently drop what it says, so it is an error.",
    {"site.yaml": HEAD + "categories:\n  - id: Budget\n    title: 财政预决算\n"},
)
format_code(
    "C141",
    "A category's id clashes with a built-in kind or another category",
    "类别 id 与内置类别或其他类别重名",
    SOURCE,
    "Two kinds with one id would share a folder and a listing, and their items could not be told apart; "
    "an id that is a built-in kind's folder or a fixed part of the site (browse, reports, search, …) would "
    "overwrite its pages.",
    {"site.yaml": HEAD + "categories:\n  - id: policy\n    title: 政策\n"},
)
format_code(
    "C142",
    "A category's field is not well formed",
    "类别的字段定义不对",
    SOURCE,
    "Each field of a category has a type (text, int, number, date, bool, choice with its choices, list, ref, "
    "updates), and optionally required and label. A common field (title, issuer, published, …) applies to "
    "every kind already and cannot be redefined.",
    {
        "site.yaml": HEAD
        + "categories:\n  - id: budget\n    title: 财政预决算\n    fields:\n      fiscal_year: {type: year}\n"
    },
)
format_code(
    "C143",
    "Unknown set of categories",
    "未知的类别集合",
    SOURCE,
    "`categories: statutory` switches on the ready set for 条例 第二十条、第二十一条; no other set exists.",
    {"site.yaml": HEAD + "categories: statutary\n"},
)

# Reference fields with a rule of their own (the policy interpreted, the documents repealed, the
# consultation's feedback page); every other `ref`/`refs` field, a category's above all, is F142's.
# reference fields whose existence a rule of their own checks, with a message that says what the
# field must name (a consultation, a policy to amend, …): F142 leaves them to it
OWN_RULES = {
    "interprets": "P402",
    "supersedes": "R701",
    "feedback": "R705",
    "consultation": "R720",
    "amends": "R721",
    "kept": "R722",
    "amended": "R722",
    "repealed": "R722",
    "expired": "R722",
    "final_decision": "R724",
}


@rule(
    "F142",
    "item",
    "A reference field names no item of this site",
    "引用字段指向的信息不存在",
    "content-model.md (Additions, version 2: field type ref)",
    {
        "site.yaml": HEAD + "categories:\n  - id: budget\n    title: 财政预决算\n    fields:\n"
        "      approval: {type: ref, label: 批复文件}\n",
        "content/budget/2024.md": "---\ntitle: 2024年部门预算\nissuer: 示例市财政局\npublished: 2024-03-01\n"
        "approval: 示财发〔2024〕99号\n---\n正文。\n",
    },
)
def reference_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A `ref` field names another item of this site by id or 文号, and the page links to it.

    A reference to nothing would show an empty row, or print an identifier the site cannot
    link; give the id (the path under content/ without .md) or the 文号 of an item of this site.
    Whether that item is public is R704's concern.
    """
    for spec in site.config.kinds.references(item.kind):
        if spec.name in OWN_RULES:
            continue
        named = item.get(spec.name)
        for index, ref in enumerate([named] if isinstance(named, str) else named or ()):
            key = f"{spec.name}.{index}" if f"{spec.name}.{index}" in item.source.lines else spec.name
            if site.resolve(ref) is not None:
                continue
            if found := rejected_finding(ref, site, key, f"{spec.label}引用的", spec.name):
                yield found
            else:
                yield Finding(
                    f"{spec.name}（{spec.label}）“{ref}”不存在；请写本网站中信息的 id 或文号",
                    f"{spec.name} '{ref}' names no item of this site; give an item's id or 文号",
                    key=key,
                )
