"""重大行政决策 end to end, and the period of every 公开征求意见.

绍兴 第二十二条 全面推行重大决策事项年度目录公开制度; 绍兴 第二十四条 and 衢州 第二十五条: a major
decision is put out for comment (公开征求意见), heard where needed (听证会), and decided collectively.
重大行政决策程序暂行条例 (国务院令第713号) 第十六条: 公开征求意见的期限一般不少于30日；因情况紧急等原因
需要缩短期限的，公开征求意见时应当予以说明.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..lifecycle import consultation_days, decision_status, is_planned
from ..model import Item
from .pairing import rejected_finding
from .registry import Finding, rule

PLAN = "---\ntitle: 《某专项规划》编制\nissuer: 示例市人民政府\npublished: 2024-01-15\nmajor: true\n"
CONSULT = "---\ntitle: 关于某办法公开征求意见的公告\nissuer: 示例市人民政府\npublished: 2024-03-01\n"


@rule(
    "M001",
    "item",
    "Planned major decision without its 承办单位",
    "重大行政决策目录事项未写承办单位",
    "绍兴 第二十二条 (重大决策事项年度目录公开); 重大行政决策程序暂行条例 第十条",
    {"content/decisions/plan.md": PLAN + "planned: 2024年第三季度\n---\n正文。\n"},
    reads="item",
)
def planned_has_handler(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An entry of the year's 重大行政决策事项目录 (a `major: true` decision with `planned` or
    `status`) names the department that prepares it (`handler`, 承办单位)."""
    if is_planned(item) and not item.get("handler"):
        yield Finding(
            "重大行政决策目录事项须写明承办单位（handler）",
            "an entry of the major-decision catalogue names its handler (承办单位)",
            key="major",
        )


@rule(
    "M002",
    "item",
    "Planned major decision without its planned time",
    "重大行政决策目录事项未写计划决策时间",
    "绍兴 第二十二条 (重大决策事项年度目录公开)",
    {"content/decisions/plan.md": PLAN + "handler: 市发展改革委\nstatus: 征求意见中\n---\n正文。\n"},
    reads="item",
)
def planned_has_time(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The 目录 says when each decision is planned (`planned`, e.g. 2026年第三季度)."""
    if is_planned(item) and not item.get("planned"):
        yield Finding(
            "重大行政决策目录事项须写明计划决策时间（planned，如 2026年第三季度）",
            "an entry of the major-decision catalogue gives its planned time (planned)",
            key="major",
        )


@rule(
    "M003",
    "item",
    "Adjusted major decision without a reason",
    "调整的重大行政决策事项未说明原因",
    "重大行政决策程序暂行条例 第十条 (目录…根据实际情况调整)",
    {"content/decisions/plan.md": PLAN + "handler: 市发展改革委\nplanned: 2024年6月\nstatus: 调整\n---\n正文。\n"},
    reads="item",
)
def adjusted_has_reason(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An entry taken off or moved in the 目录 (`status: 调整`) says why (`adjust_reason`)."""
    if item.kind == "decision" and item.get("status") == "调整" and not item.get("adjust_reason"):
        yield Finding(
            "决策状态为“调整”的事项须用 adjust_reason 说明调整原因",
            "an adjusted entry (status: 调整) gives adjust_reason",
            key="status",
        )


@rule(
    "M004",
    "item",
    "Major decision under consultation without its consultation",
    "征求意见中的决策事项未关联征求意见",
    "绍兴 第二十四条; 衢州 第二十五条 (向社会公开征求意见)",
    {
        "content/decisions/plan.md": PLAN
        + "handler: 市发展改革委\nplanned: 2024年6月\nstatus: 征求意见中\n---\n正文。\n"
    },
    reads="item",
)
def consulting_has_consultation(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An entry whose status is 征求意见中 links the 征求意见 (`consultation: consultations/…`)."""
    if item.kind == "decision" and item.get("status") == "征求意见中" and not item.get("consultation"):
        yield Finding(
            "决策状态为“征求意见中”的事项须关联征求意见（consultation: consultations/…）",
            "an entry under consultation names it (consultation: consultations/…)",
            key="status",
        )


@rule(
    "M005",
    "item",
    "Decided major decision without its result",
    "已决策事项未关联决策结果",
    "绍兴 第二十二条; 条例 第二十条",
    {
        "content/decisions/plan.md": PLAN + "handler: 市发展改革委\nplanned: 2024年6月\nstatus: 已决策\n"
        "no_consultation_reason: 依法需要保密\n---\n正文。\n"
    },
    severity="warning",
    reads="item",
)
def decided_has_result(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An entry marked 已决策 links the decision (`final_decision`: the 会议决定事项 or the document
    issued) or gives its own `meeting_date`, so a reader can follow the entry to its result."""
    if (
        item.kind == "decision"
        and item.get("status") == "已决策"
        and not item.get("final_decision")
        and not item.get("meeting_date")
    ):
        yield Finding(
            "已决策的事项应关联决策结果（final_decision: 会议决定事项或所印发文件的 id），或写明会议日期 meeting_date",
            "a decided entry names its result (final_decision) or gives meeting_date",
            key="status",
        )


@rule(
    "M006",
    "item",
    "Decided major decision without consultation or a reason for none",
    "已决策事项未征求意见也未说明原因",
    "绍兴 第二十四条 (除依法不予公开外，重大决策事项应向社会公开征求意见); 衢州 第二十五条",
    {
        "content/decisions/plan.md": PLAN + "handler: 市发展改革委\nplanned: 2024年6月\nstatus: 已决策\n"
        "meeting_date: 2024-05-20\n---\n正文。\n"
    },
    severity="warning",
    reads="item",
)
def decided_was_consulted(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A decided entry of the 目录 names its 征求意见 (`consultation`) or says why there was none
    (`no_consultation_reason`, e.g. 依法不予公开)."""
    if (
        is_planned(item)
        and decision_status(item) == "已决策"
        and not item.get("consultation")
        and not item.get("no_consultation_reason")
    ):
        yield Finding(
            "重大行政决策应向社会公开征求意见：请关联征求意见（consultation），或用 no_consultation_reason 写明原因",
            "a major decision names its consultation, or gives no_consultation_reason",
            key="major",
        )


@rule(
    "M007",
    "item",
    "Catalogue entry published after the decision",
    "目录事项在决策后才公布",
    "绍兴 第二十二条 (重大决策事项年度目录公开: 事先公布)",
    {
        "content/decisions/plan.md": "---\ntitle: 《某专项规划》编制\nissuer: 示例市人民政府\npublished: 2024-05-30\n"
        "major: true\nhandler: 市发展改革委\nplanned: 2024年5月\nstatus: 已决策\nmeeting_date: 2024-05-20\n"
        "no_consultation_reason: 依法需要保密\n---\n正文。\n"
    },
    severity="warning",
    reads="item",
)
def planned_in_advance(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The 目录 is published before the decisions it lists: an entry whose `published` date is after
    its `meeting_date` was not announced in advance."""
    meeting = item.get("meeting_date")
    if is_planned(item) and meeting and item.published and item.published > meeting:
        yield Finding(
            f"目录事项应在决策前公布：发布日期 {item.published} 晚于会议日期 {meeting}",
            f"the entry was published on {item.published}, after the decision on {meeting}",
            key="published",
        )


@rule(
    "R724",
    "item",
    "final_decision names no item",
    "所关联的决策结果不存在",
    "绍兴 第二十二条",
    {
        "content/decisions/plan.md": PLAN + "handler: 市发展改革委\nplanned: 2024年6月\nstatus: 已决策\n"
        "no_consultation_reason: 依法需要保密\nfinal_decision: decisions/no-such-meeting\n---\n正文。\n"
    },
    fields=("final_decision",),
)
def final_decision_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`final_decision` names an item of this site: the 会议决定事项 or the document issued."""
    ref = item.get("final_decision")
    if ref and site.resolve(ref) is None:
        yield rejected_finding(ref, site, "final_decision", "所关联的决策结果", "final_decision") or Finding(
            f"所关联的决策结果“{ref}”不存在；请写会议决定事项或所印发文件的 id 或文号",
            f"final_decision '{ref}' does not exist in this site",
            key="final_decision",
        )


@rule(
    "M010",
    "item",
    "Consultation without its period",
    "征求意见未写明起止日期",
    "重大行政决策程序暂行条例 第十六条 (公开征求意见…期限); 绍兴 第二十四条",
    {"content/consultations/c.md": CONSULT + "closes: 2024-04-01\n---\n正文。\n"},
    reads="item",
)
def consultation_has_period(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A 征求意见 gives the day it opens (`opens`) and the day it closes (`closes`): the public must
    know how long it has, and the site counts the days left."""
    if item.kind != "consultation":
        return
    missing = [name for name in ("opens", "closes") if not item.get(name)]
    if missing:
        yield Finding(
            f"征求意见须写明{'和'.join({'opens': '开始日期 opens', 'closes': '截止日期 closes'}[m] for m in missing)}",
            f"a consultation gives {' and '.join(missing)}",
            key=missing[0] if missing[0] in item.source.lines else "title",
        )


@rule(
    "M011",
    "item",
    "Consultation shorter than the minimum period",
    "征求意见期限不足",
    "重大行政决策程序暂行条例 第十六条 (一般不少于30日；缩短期限的应当予以说明)",
    {"content/consultations/c.md": CONSULT + "opens: 2024-03-01\ncloses: 2024-03-15\n---\n正文。\n"},
    reads="item",
)
def consultation_long_enough(item: Item, site: Catalogue) -> Iterator[Finding]:
    """The period from `opens` to `closes` is at least site.yaml `consultation_min_days` days (default 30;
    the first day does not count, so 1 to 31 March is 30 days). A shorter period is allowed when the
    consultation says why (`short_reason`, e.g. 情况紧急), as the 条例 requires."""
    days = consultation_days(item)
    minimum = site.config.consultation_min_days
    if item.kind != "consultation" or days is None or days <= 0 or days >= minimum or item.get("short_reason"):
        return
    yield Finding(
        f"征求意见期限为 {days} 天，少于 {minimum} 天：请延长截止日期（不早于 {item.get('opens')} 后第 {minimum} 天），"
        f"或用 short_reason 说明缩短期限的原因",
        f"the consultation runs {days} days, less than {minimum}: close it later or give short_reason",
        key="closes",
    )
