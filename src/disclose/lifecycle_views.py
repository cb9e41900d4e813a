"""What item pages, lists and the compliance page show of the lifecycles (lifecycle.py).

`link` is views.link, passed in: views shows these rows, so this module cannot import it.
Every reference is resolved among public items only (lifecycle.public_resolver).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .dates import cn_date
from .gate import Publication
from .lifecycle import (
    consultation_days,
    decision_status,
    handler_rates,
    hearing_date,
    is_planned,
    public_resolver,
    suggestion_state,
)
from .model import Item

Link = Callable[[Publication, Item], dict[str, Any]]

# The fields whose references the rows and the 目录 (lifecycle_pages) resolve among public items:
# a page that shows them depends on what they find (page_keys.Keys.lifecycle).
LIFECYCLE_REFERENCES = ("consultation", "hearing", "final_decision", "kept", "amended", "repealed", "expired")


def _row(label: str, value: str = "", links: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"label": label, "value": value, "links": links or [], "index_no": False, **extra}


def _sample(item: Item, name: str, value: str) -> str:
    return f"{value}（样例）" if value and name in (item.get("sample_fields") or ()) else value


def lifecycle_status(item: Item, pub: Publication) -> str | None:
    """The status a list shows: 按期/逾期 of a 建议提案 reply, the 决策状态 of a 目录 entry."""
    if item.kind == "suggestion-reply":
        state = suggestion_state(item, pub.config, pub.today)
        return state.label if state else None
    if is_planned(item):
        return decision_status(item)
    return None


def _consultation_rows(item: Item, pub: Publication, link: Link) -> list[dict[str, Any]]:
    """The 征求意见 of a draft (or why there was none) and, once published, its 意见采纳情况."""
    resolve = public_resolver(pub)
    rows = []
    consultation = resolve(item.get("consultation"))
    if consultation is not None and consultation.kind == "consultation":
        period = f"{cn_date(consultation.get('opens'))}至{cn_date(consultation.get('closes'))}"
        rows.append(_row("征求意见", period if consultation.get("opens") else "", [link(pub, consultation)]))
        if consultation.id in pub.feedback:
            rows.append(_row("意见采纳情况", links=[link(pub, pub.feedback[consultation.id])]))
    elif item.get("no_consultation_reason"):
        rows.append(_row("未公开征求意见原因", item.get("no_consultation_reason")))
    return rows


def _policy_rows(item: Item, pub: Publication, link: Link) -> list[dict[str, Any]]:
    rows = []
    if item.get("registration_no"):
        rows.append(_row("登记号", _sample(item, "registration_no", item.get("registration_no"))))
    rows += _consultation_rows(item, pub, link)
    if pub.amends.get(item.id):
        rows.append(_row("所修改的文件", links=[link(pub, p) for p in pub.amends[item.id]]))
    if pub.amended_by.get(item.id):
        first = min((a.published for a in pub.amended_by[item.id] if a.published), default=None)
        if first:
            rows.append(_row("修改日期", cn_date(first)))
        rows.append(_row("修改文件", links=[link(pub, a) for a in pub.amended_by[item.id]]))
    if pub.declared_expired.get(item.id):
        rows.append(_row("宣布失效", links=[link(pub, c) for c in pub.declared_expired[item.id]]))
    return rows


def _decision_rows(item: Item, pub: Publication, link: Link) -> list[dict[str, Any]]:
    """A 重大行政决策 entry from plan to result: 承办单位, 计划时间, 状态, 征求意见, 听证, 结果."""
    if not item.get("major"):
        return []
    resolve = public_resolver(pub)
    rows = []
    if item.get("handler"):
        rows.append(_row("承办单位", item.get("handler")))
    if item.get("planned"):
        rows.append(_row("计划决策时间", item.get("planned")))
    if is_planned(item):
        status = decision_status(item)
        reason = item.get("adjust_reason") if status == "调整" else None
        rows.append(_row("决策状态", f"{status}（{reason}）" if reason else status))
    rows += _consultation_rows(item, pub, link)
    if item.get("hearing"):
        day = hearing_date(item)
        target = None if day else resolve(item.get("hearing"))
        if target is not None:
            rows.append(_row("听证会", links=[link(pub, target)]))
        elif day is not None:
            rows.append(_row("听证会", cn_date(day)))
        elif not _looks_like_reference(str(item.get("hearing"))):
            rows.append(_row("听证会", str(item.get("hearing"))))
    result = resolve(item.get("final_decision"))
    if result is not None:
        rows.append(_row("决策结果", links=[link(pub, result)]))
    return rows


def _looks_like_reference(text: str) -> bool:
    """A hearing written as an item's id (pages/…) that is not public is not printed at all."""
    return "/" in text or text.endswith(".md")


def _suggestion_rows(item: Item, pub: Publication) -> list[dict[str, Any]]:
    state = suggestion_state(item, pub.config, pub.today)
    rows = []
    if item.get("assigned"):
        rows.append(_row("交办日期", _sample(item, "assigned", cn_date(item.get("assigned")))))
    if state is not None:
        rows.append(_row("办理期限", cn_date(state.due)))
    if item.get("replied"):
        rows.append(_row("答复日期", _sample(item, "replied", cn_date(item.get("replied")))))
    if state is not None:
        rows.append(_row("办理状态", state.label, status_class="late" if state.late else ""))
    return rows


def _cleanup_rows(item: Item, pub: Publication, link: Link) -> list[dict[str, Any]]:
    resolve = public_resolver(pub)
    rows = [_row("清理日期", cn_date(item.get("cleaned")))] if item.get("cleaned") else []
    for name, label in (("kept", "继续有效"), ("amended", "需修改"), ("repealed", "废止"), ("expired", "宣布失效")):
        found = [t for ref in item.get(name) or () if (t := resolve(ref)) is not None]
        if found:
            rows.append(_row(f"{label}（{len(found)} 件）", links=[link(pub, t) for t in found]))
    return rows


def lifecycle_rows(item: Item, pub: Publication, link: Link) -> list[dict[str, Any]]:
    """The info-box rows of this module's fields, for the item's kind."""
    if item.kind == "policy":
        return _policy_rows(item, pub, link)
    if item.kind == "decision":
        return _decision_rows(item, pub, link)
    if item.kind == "suggestion-reply":
        return _suggestion_rows(item, pub)
    if item.kind == "cleanup":
        return _cleanup_rows(item, pub, link)
    if item.kind == "consultation" and item.get("short_reason"):
        return [_row("期限缩短原因", f"{item.get('short_reason')}（征求意见 {consultation_days(item)} 天）")]
    return []


def amenders(item: Item, pub: Publication, link: Link) -> list[dict[str, Any]]:
    """The documents that amended `item`, for the banner beside 废止."""
    return [link(pub, a) for a in pub.amended_by.get(item.id, ())]


def suggestions_view(pub: Publication, year: int) -> dict[str, Any]:
    """The compliance page's 建议提案办理 section: the on-time rate per 承办单位."""
    rows = handler_rates(pub.of_kind("suggestion-reply"), pub.config, year, pub.today)
    replied = sum(r.replied for r in rows)
    on_time = sum(r.on_time for r in rows)
    return {
        "rows": [
            {
                "handler": r.handler,
                "replied": r.replied,
                "on_time": r.on_time,
                "late": r.late,
                "rate": r.rate,
                "overdue_open": r.overdue_open,
            }
            for r in rows
        ],
        "replied": replied,
        "on_time": on_time,
        "late": replied - on_time,
        "rate": f"{on_time * 100 / replied:.1f}%" if replied else "—",
        "overdue_open": sum(r.overdue_open for r in rows),
        "due_rule": f"交办之日起 {pub.config.suggestion_due_days} 天"
        if pub.config.suggestion_due_days
        else "交办之日起三个月",
    }
