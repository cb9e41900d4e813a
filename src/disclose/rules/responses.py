"""依申请公开答复记录: outcome, basis and reason combine as in the national report table."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from ..schema import BASIS, REASONS
from .registry import Finding, rule

RESPONSE = (
    "---\ntitle: 答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\nrequest_no: {no}\n"
    "received: 2024-02-01\nreplied: 2024-02-20\napplicant_type: natural-person\n{extra}---\n正文。\n"
)
NEEDS_BASIS = ("withheld", "partly-disclosed")


@rule(
    "Q101",
    "item",
    "Withheld reply without a basis code",
    "不予公开答复未写明理由",
    "条例 第三十六条第（三）项 (说明理由); 国办公开办函〔2021〕30号 第三部分",
    {"content/responses/nob.md": RESPONSE.format(no="YSQ-21", extra="outcome: withheld\n")},
)
def reply_basis(item: Item, site: Catalogue) -> Iterator[Finding]:
    """不予公开 and 部分公开 replies must give the ground (告知申请人不予公开并说明理由);
    the code picks the row of the annual-report table.
    """
    if item.kind == "response" and item.get("outcome") in NEEDS_BASIS and not item.get("basis"):
        yield Finding(
            f"办理结果为 {item.get('outcome')}，须用 basis 写明理由（{'、'.join(BASIS)}）",
            f"outcome {item.get('outcome')} needs a basis code",
            key="outcome",
        )


@rule(
    "Q102",
    "item",
    "Reply reason missing or not valid for the outcome",
    "答复理由缺失或与办理结果不符",
    "条例 第三十六条、第三十八条、第三十九条; 国办公开办函〔2021〕30号 第三部分",
    {"content/responses/nor.md": RESPONSE.format(no="YSQ-22", extra="outcome: cannot-provide\n")},
)
def reply_reason(item: Item, site: Catalogue) -> Iterator[Finding]:
    """无法提供、不予处理、其他处理 each have their own list of reasons (one row each)."""
    outcome = item.get("outcome")
    if item.kind != "response" or outcome not in REASONS:
        return
    allowed = REASONS[outcome]
    reason = item.get("reason")
    if reason not in allowed:
        shown = f"“{reason}”不适用；" if reason else ""
        yield Finding(
            f"办理结果 {outcome} 的理由{shown}须为 {'、'.join(allowed)} 之一",
            f"outcome {outcome} needs reason one of {', '.join(allowed)}",
            key="reason" if reason else "outcome",
        )


@rule(
    "Q103",
    "item",
    "Reason or basis that the outcome does not take",
    "理由与办理结果不匹配",
    "国办公开办函〔2021〕30号 第三部分 (each case counted in one row only)",
    {"content/responses/both.md": RESPONSE.format(no="YSQ-23", extra="outcome: disclosed\nreason: not-held\n")},
)
def reply_extra(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Each reply is counted in exactly one row; a stray reason or basis makes that ambiguous."""
    if item.kind != "response" or not item.get("outcome"):
        return
    outcome = item.get("outcome")
    if item.get("reason") and outcome not in REASONS:
        yield Finding(
            f"办理结果 {outcome} 不使用 reason；请删除",
            f"outcome {outcome} takes no reason; remove it",
            key="reason",
        )
    if item.get("basis") and outcome not in NEEDS_BASIS and item.disclosure == "public":
        yield Finding(
            f"办理结果 {outcome} 不使用 basis；请删除",
            f"outcome {outcome} takes no basis; remove it",
            key="basis",
        )


@rule(
    "Q104",
    "item",
    "Replied without an outcome",
    "已答复但未写办理结果",
    "条例 第三十六条; 国办公开办函〔2021〕30号 第三部分",
    {"content/responses/noout.md": RESPONSE.format(no="YSQ-24", extra="")},
)
def reply_outcome(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A replied request is counted by its outcome in the annual report; an open one has none yet."""
    if item.kind == "response" and item.get("replied") and not item.get("outcome"):
        yield Finding("已有答复日期，须写办理结果 outcome", "replied, so give the outcome", key="replied")
