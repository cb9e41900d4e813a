"""回应关切 and 新闻发布: the response follows the concern, and updates stay in date order."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..dates import cn_date
from ..model import Item
from .registry import Finding, rule

CONCERN = (
    "---\ntitle: 关于网传某小区停水情况的回应\nissuer: 示例市水务局\npublished: 2024-03-01\n"
    "concern_at: {concern}\n{extra}---\n正文。\n"
)


@rule(
    "F140",
    "item",
    "Response dated before the concern it answers",
    "回应日期早于关切发生日期",
    "条例 第六条; 国办发〔2016〕61号 (政务舆情回应); 绍兴 第三十条; 衢州 第三十一条",
    {"content/concern-responses/early.md": CONCERN.format(concern="2024-03-05", extra="")},
    reads="item",
)
def response_after_concern(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A response to public concern (回应关切) answers something that was said before it.

    The time of the concern (`concern_at`) and of the response (`responded_at`, else `published`)
    are what shows whether the office answered in time (国办发〔2016〕61号: within 48 hours, and
    within 5 hours for a major emergency); a response dated before its concern is a typing mistake
    in one of the two dates.
    """
    concern = item.get("concern_at")
    responded = item.get("responded_at") or item.published
    if concern is None or responded is None or responded >= concern:
        return
    key = "responded_at" if item.get("responded_at") else "published"
    yield Finding(
        f"回应日期 {cn_date(responded)} 早于关切发生日期 concern_at {cn_date(concern)}；请核对两个日期",
        f"the response ({responded}) is dated before the concern it answers (concern_at {concern}); check both",
        key=key,
    )


@rule(
    "F141",
    "item",
    "Updates out of date order",
    "后续更新未按日期排列",
    "条例 第六条 (及时、准确; 发布准确的政府信息予以澄清); 溧阳 二十八",
    {
        "content/press-conferences/storm.md": "---\ntitle: 台风防御工作新闻发布会\nissuer: 示例市人民政府新闻办公室\n"
        "published: 2024-03-01\nheld_on: 2024-03-01\nupdates:\n  - {at: 2024-03-03, text: 全市转移群众1200人。}\n"
        "  - {at: 2024-03-02, text: 全市已启动防台风三级应急响应。}\n---\n正文。\n"
    },
    reads="item",
)
def updates_in_order(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Updates (`updates`) stay on the item's page in the order they were made, each dated.

    Information on a 突发事件 is corrected and added to in place, so readers find the whole story
    on one page: each update is dated on or after the item's publication and after the update
    before it. An update dated after today is shown from its day on, not before.
    """
    updates = item.get("updates") or ()
    for index, update in enumerate(updates):
        key = f"updates.{index}" if f"updates.{index}" in item.source.lines else "updates"
        if item.published is not None and update.at < item.published:
            yield Finding(
                f"第 {index + 1} 项更新的日期 {cn_date(update.at)} 早于发布日期 {cn_date(item.published)}",
                f"update {index + 1} is dated {update.at}, before the item was published ({item.published})",
                key=key,
            )
        elif index and update.at < updates[index - 1].at:
            yield Finding(
                f"第 {index + 1} 项更新（{cn_date(update.at)}）早于上一项（{cn_date(updates[index - 1].at)}）；"
                "请按日期先后排列",
                f"update {index + 1} ({update.at}) is dated before the one above it ({updates[index - 1].at}); "
                "keep updates in date order",
                key=key,
            )
