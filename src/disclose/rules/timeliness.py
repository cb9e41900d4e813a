"""及时公开 (条例 第二十六条): published within `timeliness_days` working days of being formed."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from ..timeliness import FIELD_LABELS, lateness
from .registry import Finding, rule


@rule(
    "T620",
    "item",
    "Published later than timeliness_days working days after it was formed",
    "未及时公开",
    "条例 第二十六条 (自形成或者变更之日起20个工作日内及时公开)",
    {
        "content/decisions/slow.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\nwritten: 2024-01-02\n"
        "published: 2024-03-01\n---\n正文。\n"
    },
    severity="warning",
    reads="item",
)
def published_in_time(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An item is published within `timeliness_days` (site.yaml, default 20) working days of its
    `written` date, a decision of its `meeting_date`, counted on the official calendar with
    holidays and 调休. A late item says why in `late_reason`; it is still counted late on the
    compliance page. Drafts, on-request and withheld items are not proactively published and
    are not measured."""
    late = lateness(item, site.config)
    if late is None or item.get("late_reason"):
        return
    label = FIELD_LABELS[late.field]
    yield Finding(
        f"未及时公开：{label} {late.start} 后第 {late.taken} 个工作日才发布，超过 {late.limit} 个工作日"
        f"（应不晚于 {late.due}）；请及时发布，或用 late_reason 写明原因",
        f"published {late.taken} working days after {late.field} {late.start}, over the limit of "
        f"{late.limit} (due by {late.due}); publish in time or give late_reason",
        key="published",
    )
