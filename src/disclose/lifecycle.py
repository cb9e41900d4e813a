"""Facts of the lifecycles the seed work rules ask for, as pure functions of items and settings.

- 行政规范性文件 (衢州 第十九条, 乐清 第二十四条, 忻州 三十二): registered (登记号), drafted in public
  (a link to the draft's 征求意见, or the reason there was none), cleaned up (清理结果), amended
  or repealed, and expiring (有效期至).
- 重大行政决策 (绍兴 第二十二、二十四条, 衢州 第二十五条): the year's 目录 published in advance,
  each entry with its 承办单位, planned time, status, consultation, hearing, feedback and result.
- 征求意见 periods: at least `consultation_min_days` (重大行政决策程序暂行条例 第十六条: 一般不少于30日).
- 建议提案 (衢州 第三十三条 按时办结率, 忻州 十四 办理时限): 交办 date, due date, 按期 / 逾期.
"""

from __future__ import annotations

import calendar
import contextlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .config import SiteConfig
from .identifiers import reference_key
from .model import Item

# ---- references between public items ------------------------------------------------------


def public_resolver(pub: Any) -> Callable[[Any], Item | None]:
    """A look-up of references among the Publication's items only (computed once per build):
    a reference to anything not public finds nothing, so nothing about it can be shown. The gate
    indexed the public items by id and by 文号 (`Publication.by_id`, `Publication.by_doc_no`)."""
    by_id, by_doc_no = pub.by_id, pub.by_doc_no

    def resolve(ref: Any) -> Item | None:
        if ref is None:
            return None
        clean, doc_no = reference_key(str(ref))
        return by_id.get(clean) or by_doc_no.get(doc_no)

    return resolve


# ---- 行政规范性文件 ------------------------------------------------------------------------

# The library's filter (规范性文件库): an amended document is still in force.
NORMATIVE_GROUPS = {"valid": "现行有效", "repealed": "已废止", "expired": "已失效"}
GROUP_OF_STATUS = {"有效": "valid", "已修改": "valid", "废止": "repealed", "失效": "expired"}
EXPIRY_WARNINGS = (90, 30)  # days before `expires` when the office is warned (T640, T641)


def is_normative(item: Item) -> bool:
    return item.kind == "policy" and bool(item.fields.get("normative"))


def consultation_required(item: Item, config: SiteConfig) -> bool:
    """A normative document published on or after `normative_consultation_since` names its draft's
    征求意见 or the reason there was none. Without the setting nothing is required, so a site's
    older documents stay valid; the sample sets it."""
    since = config.normative_consultation_since
    return is_normative(item) and since is not None and item.published is not None and item.published >= since


def days_to_expiry(item: Item, today: date) -> int | None:
    """Days from `today` until the document's last day of validity, or None (no expiry, or past)."""
    expires = item.get("expires")
    if item.kind != "policy" or expires is None or expires < today:
        return None
    return (expires - today).days


# ---- 征求意见 --------------------------------------------------------------------------------


def consultation_days(item: Item) -> int | None:
    """The length of the period in days, counted as 民法典 第二百零一条 counts periods: the first day
    does not count, so 1 March to 31 March is 30 days."""
    opens, closes = item.get("opens"), item.get("closes")
    if opens is None or closes is None:
        return None
    return (closes - opens).days


# ---- 建议提案 --------------------------------------------------------------------------------

DUE_MONTHS = 3  # 自交办之日起三个月内办复: the common practice for 人大代表建议 and 政协提案


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 March + 3 months = 30 June)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def suggestion_due(item: Item, config: SiteConfig) -> date | None:
    """The reply's due date: `due` as written, else from `assigned` (交办): `suggestion_due_days`
    calendar days when site.yaml sets it, else three months."""
    if item.get("due"):
        return item.get("due")
    assigned = item.get("assigned")
    if assigned is None:
        return None
    if config.suggestion_due_days:
        return assigned + timedelta(days=config.suggestion_due_days)
    return add_months(assigned, DUE_MONTHS)


@dataclass(frozen=True)
class SuggestionState:
    """Where a 建议提案 reply stands against its due date."""

    due: date
    replied: date | None
    label: str  # 按期 / 逾期 / 办理中 / 逾期未答复
    late: bool


def suggestion_state(item: Item, config: SiteConfig, today: date) -> SuggestionState | None:
    """按期 when replied by the due date, 逾期 after it; without a reply, 办理中 until the due date
    and 逾期未答复 after it. None for a reply without 交办 or due date."""
    if item.kind != "suggestion-reply":
        return None
    due = suggestion_due(item, config)
    if due is None:
        return None
    replied = item.get("replied")
    if replied is not None:
        late = replied > due
        return SuggestionState(due, replied, "逾期" if late else "按期", late)
    late = today > due
    return SuggestionState(due, None, "逾期未答复" if late else "办理中", late)


@dataclass(frozen=True)
class HandlerRate:
    """One 承办单位's replies given in a year: how many by the due date."""

    handler: str
    replied: int
    on_time: int
    late: int
    overdue_open: int  # due in the year (by its end, or today), not yet replied

    @property
    def rate(self) -> str:
        """按期办复率 as a percentage with one decimal, or — when nothing was replied."""
        if not self.replied:
            return "—"
        return f"{self.on_time * 100 / self.replied:.1f}%"


def handler_rates(items: list[Item], config: SiteConfig, year: int, today: date) -> list[HandlerRate]:
    """The on-time rate per 承办单位 of the replies given in `year` (public records only)."""
    as_of = min(date(year, 12, 31), today)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for item in items:
        state = suggestion_state(item, config, as_of)
        if state is None:
            continue
        row = counts[item.get("handler") or item.get("issuer") or "未注明"]
        if state.replied is not None and state.replied.year == year and state.replied <= as_of:
            row[0] += 1
            row[1 if not state.late else 2] += 1
        elif state.replied is None and state.late and state.due.year == year:
            row[3] += 1
    return [HandlerRate(name, *row) for name, row in sorted(counts.items()) if any(row)]


# ---- 重大行政决策 --------------------------------------------------------------------------


def is_planned(item: Item) -> bool:
    """An entry of the 重大行政决策事项目录 planned in advance: a major decision with a plan."""
    return item.kind == "decision" and bool(item.get("major")) and bool(item.get("planned") or item.get("status"))


def decision_status(item: Item) -> str:
    """The entry's status as written, else 已决策 once a meeting or result is recorded, else 计划中."""
    if item.get("status"):
        return item.get("status")
    return "已决策" if item.get("meeting_date") or item.get("final_decision") else "计划中"


def hearing_date(item: Item) -> date | None:
    """`hearing` written as a date (YYYY-MM-DD), else None (then it names an item or is text)."""
    text = str(item.get("hearing") or "").strip()
    with contextlib.suppress(ValueError):
        return date.fromisoformat(text) if len(text) == 10 else None
    return None
