"""Dates that must agree with each other: written, published, effective, expires."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..catalogue import Catalogue
from ..model import Item
from .registry import Finding, rule


@rule(
    "T601",
    "item",
    "Written after published",
    "成文日期晚于发布日期",
    "content-model.md (written); GB/T 9704-2012 7.3.5.4",
    {
        "content/decisions/late.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "written: 2024-03-05\n---\n正文。\n"
    },
    reads="item",
)
def written_before_published(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A document cannot be published before it was written (成文日期 ≤ 发布日期)."""
    written, published = item.get("written"), item.published
    if written and published and written > published:
        yield Finding(
            f"成文日期 {written} 晚于发布日期 {published}",
            f"written {written} is after published {published}",
            key="written",
        )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@rule(
    "T602",
    "item",
    "Validity period too long for a normative document",
    "规范性文件有效期过长",
    "民政部规范性文件制定与审查办法 第二十三条; domain.md §4.3 (local practice)",
    {
        "content/policies/long.md": "---\ntitle: 某管理办法\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "doc_no: 示政规〔2024〕1号\nnormative: true\nexpires: 2034-03-01\n---\n正文。\n"
    },
    reads="item",
)
def normative_expiry(item: Item, site: Catalogue) -> Iterator[Finding]:
    """行政规范性文件有效期一般不超过5年；名称冠以“暂行”“试行”的不超过2年.

    Counted from `effective`, else `published`. Expiry before the start is also an error.
    """
    if item.kind != "policy" or not item.get("expires"):
        return
    start = item.get("effective") or item.published
    expires = item.get("expires")
    if start and expires < start:
        yield Finding(
            f"有效期至 {expires} 早于施行日期 {start}",
            f"expires {expires} before it takes effect {start}",
            key="expires",
        )
        return
    if not item.get("normative") or not start:
        return
    trial = "暂行" in item.title or "试行" in item.title
    years = 2 if trial else 5
    if expires > _add_years(start, years):
        kind = "暂行/试行文件" if trial else "行政规范性文件"
        yield Finding(
            f"{kind}有效期不超过{years}年：{start} 起至多到 {_add_years(start, years)}",
            f"a {'trial ' if trial else ''}normative document is valid at most {years} "
            f"years: from {start} until {_add_years(start, years)} at the latest",
            key="expires",
        )


@rule(
    "T603",
    "item",
    "Consultation closes before it opens",
    "征求意见截止日期不晚于开始日期",
    "绍兴 第二十二条; 衢州 第十九条 (公开征求意见)",
    {
        "content/consultations/c.md": "---\ntitle: 征求意见\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "opens: 2024-03-10\ncloses: 2024-03-01\n---\n正文。\n"
    },
    reads="item",
)
def consultation_period(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A consultation is open for a real period: `closes` after `opens`."""
    opens, closes = item.get("opens"), item.get("closes")
    if item.kind == "consultation" and opens and closes and closes <= opens:
        yield Finding(
            f"截止日期 {closes} 应晚于开始日期 {opens}",
            f"closes {closes} must be after opens {opens}",
            key="closes",
        )


@rule(
    "T604",
    "item",
    "Reply dated before the request was received",
    "答复日期早于收到申请日期",
    "条例 第三十一条、第三十三条",
    {
        "content/responses/r.md": "---\ntitle: 答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-1\nreceived: 2024-02-10\nreplied: 2024-02-01\noutcome: disclosed\n"
        "applicant_type: natural-person\n---\n正文。\n"
    },
    reads="item",
)
def replied_after_received(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The reply period runs from the day of receipt (条例 第三十一条)."""
    received, replied = item.get("received"), item.get("replied")
    if item.kind == "response" and received and replied and replied < received:
        yield Finding(
            f"答复日期 {replied} 早于收到申请日期 {received}",
            f"replied {replied} before received {received}",
            key="replied",
        )
