"""References between items: repeal chains and links in the text."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..markdown import content_target
from ..model import Item
from ..visibility import is_public, why_not_public
from .registry import Finding, rule

NEW = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: 2024-03-01\ndoc_no: {no}\nsupersedes: [{sup}]\n---\n正文。\n"


@rule(
    "R701",
    "item",
    "Repeals an unknown document",
    "所废止的文件不存在",
    "国办发〔2017〕47号 (在原文件上作出明确标注); each seed's 同时废止 article",
    {"content/policies/new.md": NEW.format(title="新规则", no="示政发〔2024〕31号", sup="示政发〔1999〕1号")},
)
def supersedes_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Each entry of `supersedes` names a document of this site, which then shows 废止 and a link
    to its successor; add the earlier version as a record if it is missing.
    """
    for index, ref in enumerate(item.get("supersedes") or ()):
        if site.resolve(ref) is None:
            yield Finding(
                f"所废止的“{ref}”不存在；请写该文件的 id 或文号，或先录入原文件",
                f"supersedes '{ref}', which does not exist in this site",
                key=f"supersedes.{index}" if f"supersedes.{index}" in item.source.lines else "supersedes",
            )


@rule(
    "R702",
    "item",
    "Repeal chain forms a cycle",
    "废止关系形成循环",
    "国办发〔2017〕47号",
    {
        "content/policies/a.md": NEW.format(title="甲", no="示政发〔2024〕32号", sup="示政发〔2024〕33号"),
        "content/policies/b.md": NEW.format(title="乙", no="示政发〔2024〕33号", sup="示政发〔2024〕32号"),
    },
)
def supersession_acyclic(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A document cannot (indirectly) repeal itself; the successor chain must end."""
    seen = {item.id}
    frontier = [item]
    while frontier:
        current = frontier.pop()
        for ref in current.get("supersedes") or ():
            target = site.resolve(ref)
            if target is None:
                continue
            if target.id == item.id:
                yield Finding(
                    f"废止关系循环：{item.path} 经由 {current.path} 废止了自己",
                    f"repeal cycle: {item.path} repeals itself via {current.path}",
                    key="supersedes",
                )
                return
            if target.id not in seen:
                seen.add(target.id)
                frontier.append(target)


def _references(item: Item, site: Catalogue) -> Iterator[tuple[Item | None, str, str, int | None]]:
    """(target, how it was named, field key, body line) for every reference an item makes."""
    for key in ("interprets", "feedback"):
        if item.get(key):
            yield site.resolve(item.get(key)), item.get(key), key, None
    for ref in item.get("supersedes") or ():
        yield site.resolve(ref), ref, "supersedes", None
    for href, offset in site.links(item):
        target = content_target(item.path, href)
        if target is not None:
            yield site.by_id.get(target[0]), href, "", item.source.body_line + offset


@rule(
    "R703",
    "item",
    "Link to a missing item",
    "链接指向不存在的文件",
    "条例 第六条 (准确)",
    {
        "content/decisions/links.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "---\n详见[原文件](../policies/no-such-file.md)。\n"
    },
)
def body_link_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A link written as a relative link to another item's .md file must find that file."""
    for href, offset in site.links(item):
        target = content_target(item.path, href)
        if target is not None and target[0] not in site.by_id:
            yield Finding(
                f"链接“{href}”指向的文件不存在（content/{target[0]}.md）",
                f"link '{href}' points to a missing file (content/{target[0]}.md)",
                line=item.source.body_line + offset,
            )


@rule(
    "R704",
    "item",
    "Public item refers to a non-public item",
    "公开信息引用了未公开的信息",
    "content-model.md (What not public means); 条例 第十四至十六条",
    {
        "content/decisions/hidden.md": "---\ntitle: 某请示\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nbasis: process-info\nreview: {by: 市政府办公室, date: 2024-02-28}\n---\n正文。\n",
        "content/decisions/public.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "---\n依据[请示](hidden.md)作出。\n",
    },
)
def no_reference_to_hidden(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A link, repeal or feedback reference would print the other item's title and URL.

    Whatever is not public leaves no trace in the output, so a public item may not
    refer to it; both files are named. (Interpretations have their own rule, P403.)
    """
    if not is_public(item, site.today):
        return
    for target, named, key, line in _references(item, site):
        if key == "interprets" or target is None or is_public(target, site.today):
            continue
        yield Finding(
            f"引用了未公开的 {target.path}（{why_not_public(target, site.today)}）：“{named}”；请删除该引用",
            f"refers to {target.path}, which is not public: '{named}'; remove the reference",
            key=key or None,
            line=line,
        )


@rule(
    "R705",
    "item",
    "Consultation feedback page missing",
    "意见采纳情况页面不存在",
    "绍兴 第二十二条 (意见采纳情况); 衢州 第十九条",
    {
        "content/consultations/c.md": "---\ntitle: 征求意见\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "opens: 2024-03-01\ncloses: 2024-03-31\nfeedback: pages/no-such-feedback\n---\n正文。\n"
    },
)
def feedback_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`feedback` names the page that reports which opinions were adopted."""
    if item.get("feedback") and site.resolve(item.get("feedback")) is None:
        yield Finding(
            f"意见采纳情况“{item.get('feedback')}”不存在",
            f"feedback '{item.get('feedback')}' does not exist",
            key="feedback",
        )
