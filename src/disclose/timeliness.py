"""及时公开 (条例 第二十六条): an item is published within `timeliness_days` working days (20 by
default) of the day it was formed: its `written` date, or a decision's `meeting_date`.

Counted on the official working-day calendar (holidays and 调休, workdays.py) with the site's own
`holidays` / `workdays`. A late item with `late_reason` is still late, and counted as such on the
compliance page; the reason only answers the warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .config import SiteConfig
from .dates import cn_date
from .model import Item
from .visibility import is_public
from .workdays import calendar_for


@dataclass(frozen=True)
class Lateness:
    """How late an item was published: from `start` (its `field`) to `published`."""

    field: str  # written or meeting_date
    start: date
    due: date  # the last day it could be published in time
    published: date
    taken: int  # working days after `start` up to and including `published`
    limit: int


def start_of(item: Item) -> tuple[str, date] | None:
    """The day the information was formed: a decision's meeting, else the 成文日期."""
    if item.kind == "decision" and item.get("meeting_date"):
        return "meeting_date", item.get("meeting_date")
    if item.get("written"):
        return "written", item.get("written")
    return None


def lateness(item: Item, config: SiteConfig) -> Lateness | None:
    """How late `item` was published, or None when it was in time or the rule does not apply.

    Only items meant for proactive publication count: not drafts, not on-request or withheld items.
    """
    start = start_of(item)
    published = item.published
    if start is None or published is None or item.draft or item.disclosure != "public":
        return None
    field, day = start
    calendar = calendar_for(config.workdays, config.holidays)
    limit = config.timeliness_days
    due = calendar.add(day, limit)
    if published <= due:
        return None
    return Lateness(field, day, due, published, calendar.between(day, published), limit)


FIELD_LABELS = {"written": "成文日期", "meeting_date": "会议日期"}


def late_items(
    items: list[Item] | tuple[Item, ...], config: SiteConfig, year: int, today: date
) -> list[tuple[Item, Lateness]]:
    """Public items published in `year` (up to today) later than the limit, oldest first."""
    found = []
    for item in items:
        published = item.published
        if published is None or published.year != year or not is_public(item, today):
            continue
        late = lateness(item, config)
        if late is not None:
            found.append((item, late))
    return sorted(found, key=lambda pair: (pair[1].published, pair[0].id))


def timeliness_view(pub: Any, year: int, link: Callable[[Any, Item], dict[str, Any]]) -> dict[str, Any]:
    """The compliance page's 及时公开 section for `year`: every late public item, with its reason.

    `pub` is a Publication: it holds public items only, so no title of a hidden item can show.
    `link` is views.link (passed in: views shows the lateness on item pages, so it imports this).
    """
    rows = [
        {
            "item": link(pub, item),
            "from_label": FIELD_LABELS[late.field],
            "from": cn_date(late.start),
            "due": cn_date(late.due),
            "taken": late.taken,
            "reason": item.get("late_reason", ""),
        }
        for item, late in late_items(pub.items, pub.config, year, pub.today)
    ]
    return {
        "limit": pub.config.timeliness_days,
        "late": rows,
        "with_reason": sum(1 for row in rows if row["reason"]),
        "without_reason": sum(1 for row in rows if not row["reason"]),
    }
