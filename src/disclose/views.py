"""View models: plain dicts the templates print. All decisions about what to show live here,
so templates hold markup only.
"""

from __future__ import annotations

from typing import Any

from .dates import cn_date
from .gate import Publication
from .markdown import content_target, render_markdown
from .model import Item
from .records import consultation_state, response_deadline
from .schema import (
    APPLICANT_TYPES,
    BODY_TYPES,
    DISCLOSURE,
    FORMS,
    KIND_LABELS,
    OUTCOMES,
    fields_for,
)
from .urls import attachment_url, item_url, list_url

STATUS_CLASS = {"有效": "valid", "废止": "repealed", "失效": "expired", "已修改": "amended"}


def link(pub: Publication, item: Item) -> dict[str, Any]:
    """The short form of an item used in lists and cross-links (computed once per item per build)."""
    key = ("link", item.id)
    if key not in pub.memo:
        pub.memo[key] = _link(pub, item)
    return pub.memo[key]


def _link(pub: Publication, item: Item) -> dict[str, Any]:
    base = pub.config.base_path
    status = _status_label(item, pub)
    return {
        "title": item.title,
        "url": item_url(base, item),
        "kind": KIND_LABELS[item.kind],
        "doc_no": item.get("doc_no", ""),
        "issuer": item.get("issuer", ""),
        "date": cn_date(item.published),
        "iso_date": item.published.isoformat() if item.published else "",
        "validity": pub.status(item),
        "status": status,
        "status_class": STATUS_CLASS.get(pub.status(item) or "", "")
        or ("late" if item.kind == "response" and status == "逾期" else ""),
    }


def _status_label(item: Item, pub: Publication) -> str | None:
    """有效性 for policies, 按期/逾期/办理中 for responses, 征求状态 for consultations."""
    if item.kind == "response" and item.get("received"):
        return response_deadline(item, pub).progress.value
    if item.kind == "consultation":
        return consultation_state(item, pub.today).label
    return pub.status(item)


def _rows(item: Item, pub: Publication) -> list[tuple[str, str]]:
    """The 公开目录 info box: label/value rows in the order portals print them."""
    rows = [
        ("索引号", item.get("index_no", "")),
        ("发布机构", item.get("issuer", "")),
        ("成文日期", cn_date(item.get("written"))),
        ("文号", item.get("doc_no", "")),
        ("发布日期", cn_date(item.published)),
        ("主题分类", "、".join(item.get("topics") or ())),
        ("有效性", pub.status(item) or ""),
        ("公开方式", DISCLOSURE["public"]),
    ]
    extra = {
        "policy": [
            ("施行日期", cn_date(item.get("effective"))),
            ("有效期至", cn_date(item.get("expires"))),
        ],
        "interpretation": [("解读形式", FORMS.get(item.get("form", "text"), ""))],
        "response": [
            ("申请编号", item.get("request_no", "")),
            ("收到申请日期", cn_date(item.get("received"))),
            ("答复日期", cn_date(item.get("replied")) or "办理中"),
            ("申请人类型", APPLICANT_TYPES.get(item.get("applicant_type", ""), "")),
            ("办理结果", OUTCOMES.get(item.get("outcome", ""), "")),
        ],
        "decision": [
            ("会议名称", item.get("meeting", "")),
            ("会议日期", cn_date(item.get("meeting_date"))),
            ("重大行政决策", "是" if item.get("major") else ""),
        ],
        "consultation": [
            ("征求意见开始", cn_date(item.get("opens"))),
            ("征求意见截止", cn_date(item.get("closes"))),
        ],
        "suggestion-reply": [
            ("编号", item.get("proposal_no", "")),
            ("类型", BODY_TYPES.get(item.get("body_type", ""), "")),
            ("承办单位", item.get("handler", "")),
        ],
    }.get(item.kind, [])
    if item.kind == "response" and item.get("received"):
        due = response_deadline(item, pub)
        extra += [
            ("答复期限", cn_date(due.due) + ("（已延期）" if item.get("extended") else "")),
            ("办理用时", f"{due.taken} 个工作日" if due.taken is not None else ""),
            ("办理状态", due.progress.value),
        ]
    if item.kind == "consultation":
        extra.append(("征求状态", consultation_state(item, pub.today).label))
    sample = _sample_labels(item)
    return [(label, f"{value}（样例）" if label in sample else value) for label, value in rows + extra if value]


def _sample_labels(item: Item) -> list[str]:
    """Labels of the fields the item marks as examples, not facts (sample_fields)."""
    specs = fields_for(item.kind)
    return [specs[name].label for name in item.get("sample_fields") or () if name in specs]


def _sample_note(item: Item) -> str | None:
    labels = _sample_labels(item)
    if not labels:
        return None
    return f"本页标注“样例”的{'、'.join(labels)}为示例数据，原文件未载明，不是真实信息。"


def _resolver(item: Item, pub: Publication):
    """Turn relative links to .md files into the target's URL; non-public targets lose the link."""
    base = pub.config.base_path

    def resolve(href: str) -> str:
        target = content_target(item.path, href)
        if target is None:
            return href
        found = pub.by_id.get(target[0])
        if found is None:
            return "#"
        return item_url(base, found) + (f"#{target[1]}" if target[1] else "")

    return resolve


def _banner(item: Item, pub: Publication) -> dict[str, Any] | None:
    status = pub.status(item)
    if status in (None, "有效"):
        return None
    texts = {"废止": "本文件已废止", "失效": "本文件已失效", "已修改": "本文件已修改"}
    return {
        "status": status,
        "class": STATUS_CLASS[status],
        "text": texts[status],
        "successors": [link(pub, s) for s in pub.successors.get(item.id, ())],
    }


def item_view(item: Item, pub: Publication) -> dict[str, Any]:
    base = pub.config.base_path
    view = dict(link(pub, item))
    policy = pub.interprets.get(item.id)
    view.update(
        id=item.id,
        kind_key=item.kind,
        kind_url=list_url(base, item.kind),
        rows=_rows(item, pub),
        sample_note=_sample_note(item),
        banner=_banner(item, pub),
        body=render_markdown(item.body, _resolver(item, pub)),
        summary=item.get("summary") or _summary(item.body),
        interpretations=[
            dict(
                link(pub, i),
                form=FORMS.get(i.get("form", "text")),
                late_reason=i.get("late_reason"),
            )
            for i in pub.interpretations.get(item.id, ())
        ],
        policy=link(pub, policy) if policy else None,
        late_reason=item.get("late_reason") if policy and item.published != policy.published else None,
        predecessors=[link(pub, p) for p in pub.predecessors.get(item.id, ())],
        successors=[link(pub, s) for s in pub.successors.get(item.id, ())],
        feedback=link(pub, pub.feedback[item.id]) if item.id in pub.feedback else None,
        attachments=[
            {"name": rel.rsplit("/", 1)[-1], "url": attachment_url(base, rel)}
            for rel in pub.attachments.get(item.id, ())
        ],
        topics=list(item.get("topics") or ()),
        year=str(item.published.year) if item.published else "",
        revisions=[
            {"date": cn_date(r.day), "iso_date": r.day.isoformat(), "note": r.note}
            for r in pub.history.get(item.id, ())
        ],
    )
    return view


def _summary(body: str, limit: int = 120) -> str:
    """A plain-text description for <meta> and feeds: the body's first words."""
    text = " ".join(line.strip("#>*-| ") for line in body.split("\n") if line.strip())
    return text[:limit] + ("…" if len(text) > limit else "")
