"""建议提案 deadlines: 交办 date, due date and reply date agree with each other.

衢州 第三十三条 asks to 不断提高按时办结率; 忻州 十四 to 严格落实办理责任和时限. A reply is due
`suggestion_due_days` after 交办 (site.yaml), else three months after it, or on its own `due` date.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from .registry import Finding, rule

HEAD = (
    "---\ntitle: 对第15号建议的答复\nissuer: 示例市教育局\npublished: 2024-05-20\nproposal_no: 第15号\n"
    "body_type: npc\nhandler: 示例市教育局\n"
)


@rule(
    "T643",
    "item",
    "Suggestion replied before it was assigned",
    "建议提案答复日期早于交办日期",
    "衢州 第三十三条; 忻州 十四",
    {"content/suggestions/s.md": HEAD + "assigned: 2024-04-01\nreplied: 2024-03-20\n---\n正文。\n"},
    reads="item",
)
def replied_after_assigned(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A 建议 or 提案 is answered after it was handed to the department (交办 ≤ 答复)."""
    assigned, replied = item.get("assigned"), item.get("replied")
    if item.kind == "suggestion-reply" and assigned and replied and replied < assigned:
        yield Finding(
            f"答复日期 {replied} 早于交办日期 {assigned}",
            f"replied {replied} before assigned {assigned}",
            key="replied",
        )


@rule(
    "T644",
    "item",
    "Suggestion due before it was assigned",
    "建议提案办理期限早于交办日期",
    "衢州 第三十三条; 忻州 十四",
    {"content/suggestions/s.md": HEAD + "assigned: 2024-04-01\ndue: 2024-03-01\n---\n正文。\n"},
    reads="item",
)
def due_after_assigned(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The due date comes after the day the 建议 or 提案 was assigned."""
    assigned, due = item.get("assigned"), item.get("due")
    if item.kind == "suggestion-reply" and assigned and due and due < assigned:
        yield Finding(
            f"办理期限 {due} 早于交办日期 {assigned}",
            f"due {due} before assigned {assigned}",
            key="due",
        )


@rule(
    "T645",
    "item",
    "Suggestion reply published before it was given",
    "建议提案答复日期晚于发布日期",
    "国办发〔2014〕46号 (办理复文公开)",
    {"content/suggestions/s.md": HEAD + "assigned: 2024-03-01\nreplied: 2024-05-25\n---\n正文。\n"},
    reads="item",
)
def replied_before_published(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The published page is the reply: it cannot be published before the reply was given."""
    replied = item.get("replied")
    if item.kind == "suggestion-reply" and replied and item.published and replied > item.published:
        yield Finding(
            f"答复日期 {replied} 晚于发布日期 {item.published}",
            f"replied {replied} after published {item.published}",
            key="replied",
        )
