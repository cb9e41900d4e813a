"""依申请公开答复记录: outcome, basis and reason combine as in the national report table."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from ..schema import BASIS, REASONS
from ..workdays import calendar_for
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
    reads="item",
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
    reads="item",
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
    reads="item",
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
    reads="item",
)
def reply_outcome(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A replied request is counted by its outcome in the annual report; an open one has none yet."""
    if item.kind == "response" and item.get("replied") and not item.get("outcome"):
        yield Finding("已有答复日期，须写办理结果 outcome", "replied, so give the outcome", key="replied")


@rule(
    "Q105",
    "item",
    "Reply basis that is not a ground for refusal",
    "答复理由不是不予公开的法定理由",
    "条例 第十四至十六条; 国办公开办函〔2021〕30号 第三部分 (不予公开 rows 1–8)",
    {"content/responses/onreq.md": RESPONSE.format(no="YSQ-25", extra="outcome: withheld\nbasis: on-request-only\n")},
    reads="item",
)
def reply_basis_is_ground(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`on-request-only` describes how an item is published, not why a request was refused;
    a refused reply names one of the grounds of 条例 第十四、十五、十六条.
    """
    if item.kind == "response" and item.get("outcome") in NEEDS_BASIS and item.get("basis") == "on-request-only":
        yield Finding(
            "依申请公开（on-request-only）不是不予公开的理由；请写第十四至十六条的理由代码",
            "on-request-only is not a ground for refusing a request; use a ground of Art. 14-16",
            key="basis",
        )


@rule(
    "Q106",
    "item",
    "Working-day calendar not known for the year",
    "该年度的法定节假日尚未收录",
    "条例 第三十三条; 国务院办公厅 年度节假日安排通知",
    {
        "content/responses/future.md": RESPONSE.format(no="YSQ-26", extra="outcome: disclosed\n")
        .replace("2024-02-01", "2099-02-01")
        .replace("2024-02-20", "2099-02-20")
        .replace("2024-03-01", "2024-03-01")
    },
    severity="warning",
    reads="item",
)
def calendar_known(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Deadlines count working days on the official calendar; for a year it does not cover yet,
    Monday to Friday are assumed. Add that year's holidays and 调休 days to site.yaml
    (`holidays`, `workdays`) or update the `chinesecalendar` package.
    """
    if item.kind != "response" or not item.get("received"):
        return
    calendar = calendar_for(site.config.workdays, site.config.holidays)
    year = item.get("received").year
    if not calendar.covers(year):
        yield Finding(
            f"{year} 年的法定节假日和调休尚未收录，答复期限暂按周一至周五计算",
            f"the official calendar for {year} is not known; counting Monday to Friday",
            key="received",
        )
