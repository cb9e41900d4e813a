"""View models: plain dicts the templates print. All decisions about what to show live here,
so templates hold markup only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from .dates import cn_date
from .gate import Publication
from .identity import contact_rows
from .lifecycle import suggestion_state
from .lifecycle_views import amenders, lifecycle_rows, lifecycle_status
from .markdown import content_target, render_markdown
from .model import Item
from .records import consultation_state, response_deadline
from .schema import DISCLOSURE, FORMS, FieldSpec
from .timeliness import lateness
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
    view = {
        "title": item.title,
        "url": item_url(base, item),
        "kind": pub.config.kinds.label(item.kind),
        "doc_no": item.get("doc_no", ""),
        "issuer": item.get("issuer", ""),
        "date": cn_date(item.published),
        "iso_date": item.published.isoformat() if item.published else "",
        "validity": pub.status(item),
        "status": status,
        "status_class": STATUS_CLASS.get(pub.status(item) or "", "")
        or ("late" if item.kind in ("response", "suggestion-reply") and (status or "").startswith("逾期") else ""),
        "response": None,
    }
    if item.kind == "response" and item.get("received"):
        due = response_deadline(item, pub)
        view["response"] = {
            "request_no": item.get("request_no", ""),
            "received": cn_date(item.get("received")),
            "received_iso": item.get("received").isoformat(),
            "due": cn_date(due.due),
            "due_iso": due.due.isoformat(),
            "replied": cn_date(item.get("replied")),
            "replied_iso": item.get("replied").isoformat() if item.get("replied") else "",
            "taken": f"{due.taken} 个工作日" if due.taken is not None else "",
        }
    return view


def _status_label(item: Item, pub: Publication) -> str | None:
    """有效性 for policies, 按期/逾期/办理中 for responses, 征求状态 for consultations."""
    if item.kind == "response" and item.get("received"):
        return response_deadline(item, pub).progress.value
    if item.kind == "consultation":
        return consultation_state(item, pub.today).label
    return lifecycle_status(item, pub) or pub.status(item)


def today_token(item: Item, pub: Publication) -> str:
    """What of `item`, beyond its fields and 有效性 (`pub.status`), a page shows that the build date
    decides: a response's 办理中/逾期 while it is unanswered, a consultation's state and days left,
    a 建议提案 reply's 按期/逾期/办理中. Part of every page key that shows the item (page_keys):
    whatever else comes to depend on `pub.today` must be added here."""
    if item.kind == "response" and item.get("received") and item.get("replied") is None:
        return pub.today.isoformat()
    if item.kind == "consultation":
        return consultation_state(item, pub.today).label
    if item.kind == "suggestion-reply":
        state = suggestion_state(item, pub.config, pub.today)
        return f"{state.label}/{state.late}" if state else ""
    return ""


def _row(label: str, value: str = "", links: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """One row of the info box: a label, a text value and/or links to other items."""
    return {"label": label, "value": value, "links": links or [], "index_no": False, **extra}


def _rows(item: Item, pub: Publication) -> list[dict[str, Any]]:
    """The 公开目录 info box: label/value rows in the order portals print them, then what a reader
    of a long page on a phone needs before the text: the repeal and the interpretations."""
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
    extra = [row for spec in pub.config.kinds.fields_for(item.kind).values() if (row := _field_row(item, spec))]
    if item.kind == "response" and item.get("received"):
        due = response_deadline(item, pub)
        extra += [
            ("答复期限", cn_date(due.due) + ("（已延期）" if item.get("extended") else "")),
            ("办理用时", f"{due.taken} 个工作日" if due.taken is not None else ""),
            ("办理状态", due.progress.value),
        ]
    if item.kind == "consultation":
        extra.append(("征求状态", consultation_state(item, pub.today).label))
    sample = _sample_labels(item, pub)
    shown = [
        _row(label, f"{value}（样例）" if label in sample else value, index_no=label == "索引号")
        for label, value in rows + extra
        if value
    ]
    return shown + lifecycle_rows(item, pub, link) + _reference_rows(item, pub) + _relation_rows(item, pub)


def _field_row(item: Item, spec: FieldSpec) -> tuple[str, str] | None:
    """The info-box row of one of the kind's own fields, as the table of kinds labels it
    (a reference field is shown as links, by _reference_rows)."""
    if spec.info is None or spec.type in ("ref", "refs", "updates"):
        return None
    value = item.get(spec.name)
    if value is None:
        return spec.info, spec.absent
    if spec.type == "date":
        return spec.info, cn_date(value)
    if spec.type == "bool":
        return spec.info, "是" if value else ""
    if spec.type == "choice":
        return spec.info, spec.shown(value)
    if spec.type == "texts":
        return spec.info, "、".join(value)
    return spec.info, str(value)


def _reference_rows(item: Item, pub: Publication) -> list[dict[str, Any]]:
    """A category's reference fields, as links to the public items they name."""
    specs = pub.config.kinds.fields_for(item.kind)
    return [
        _row(label, links=[link(pub, target) for target in targets])
        for name, targets in pub.references.get(item.id, {}).items()
        if (label := specs[name].info) is not None
    ]


def _relation_rows(item: Item, pub: Publication) -> list[dict[str, Any]]:
    """废止日期 and 废止文件 of a repealed document, and a policy's 政策解读 with their count."""
    found = []
    repealing = pub.successors.get(item.id, ())
    if repealing:
        first = min((s.published for s in repealing if s.published), default=None)
        if first:
            found.append(_row("废止日期", cn_date(first)))
        found.append(_row("废止文件", links=[link(pub, s) for s in repealing]))
    interpretations = pub.interpretations.get(item.id, ())
    if item.kind == "policy" and interpretations:
        found.append(_row("政策解读", f"相关解读 {len(interpretations)} 篇", [link(pub, i) for i in interpretations]))
    return found


def _sample_specs(item: Item, pub: Publication) -> list[FieldSpec]:
    """The fields the item marks as examples, not facts (sample_fields)."""
    specs = pub.config.kinds.fields_for(item.kind)
    return [specs[name] for name in item.get("sample_fields") or () if name in specs]


def _sample_labels(item: Item, pub: Publication) -> set[str]:
    """The info-box labels of the sample fields: as the contract names them, and as the box does."""
    return {label for spec in _sample_specs(item, pub) for label in (spec.label, spec.info) if label}


def _sample_note(item: Item, pub: Publication) -> str | None:
    labels = [spec.label for spec in _sample_specs(item, pub)]
    if not labels:
        return None
    return f"本页标注“样例”的{'、'.join(labels)}为示例数据，原文件未载明，不是真实信息。"


def _resolver(item: Item, pub: Publication) -> Callable[[str], str]:
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
        "amenders": amenders(item, pub, link),
    }


FILE_TYPES = {
    "pdf": "PDF",
    "ofd": "OFD",
    "doc": "Word",
    "docx": "Word",
    "wps": "WPS",
    "xls": "Excel",
    "xlsx": "Excel",
    "et": "WPS 表格",
    "csv": "CSV",
    "ppt": "PowerPoint",
    "pptx": "PowerPoint",
    "txt": "文本",
    "zip": "ZIP 压缩包",
    "rar": "RAR 压缩包",
    "jpg": "JPEG 图片",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "gif": "GIF 图片",
    "mp4": "MP4 视频",
    "mp3": "MP3 音频",
}


def file_type(name: str) -> str:
    """What kind of file an attachment is, from its extension, as citizens call it."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return FILE_TYPES.get(ext, ext.upper() or "文件")


def file_size(size: int | None) -> str:
    """A size as a citizen on a metered phone plan reads it: 812 字节, 34 KB, 1.2 MB."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _revisions(item: Item, pub: Publication) -> list[dict[str, Any]]:
    """修订记录, newest first: the changes made after the first publication, then 首次发布 on the
    `published` date. The oldest public version in git is the document as first published (often
    imported years later): its commit date is not a change to the document, so it is not shown;
    a public note it carries is kept beside 首次发布."""
    history = pub.history.get(item.id, ())
    if not history:
        return []
    *later, first = history
    start = item.published or first.day
    shown = [{"date": cn_date(r.day), "iso_date": r.day.isoformat(), "note": r.note} for r in later if r.day >= start]
    note = FIRST if first.note in (None, FIRST) else f"{FIRST}（{first.note}）"
    return [*shown, {"date": cn_date(start), "iso_date": start.isoformat(), "note": note}]


FIRST = "首次发布"


def item_view(item: Item, pub: Publication, sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything an item's page shows; `sizes` gives attachments' byte counts by site-relative path."""
    base = pub.config.base_path
    view = dict(link(pub, item))
    policy = pub.interprets.get(item.id)
    body = render_markdown(item.body, _resolver(item, pub))
    view.update(
        id=item.id,
        kind_key=item.kind,
        kind_url=list_url(base, pub.config.kinds.folder(item.kind)),
        rows=_rows(item, pub),
        sample_note=_sample_note(item, pub),
        updates=[
            {"date": cn_date(u.at), "iso_date": u.at.isoformat(), "text": u.text} for u in item.get("updates") or ()
        ],
        banner=_banner(item, pub),
        body=body,
        summary=item.get("summary") or summary(body),
        index_no=item.get("index_no", ""),
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
            {
                "name": rel.rsplit("/", 1)[-1],
                "url": attachment_url(base, rel),
                "type": file_type(rel),
                "size": file_size((sizes or {}).get(rel)),
            }
            for rel in pub.attachments.get(item.id, ())
        ],
        topics=list(item.get("topics") or ()),
        year=str(item.published.year) if item.published else "",
        revisions=_revisions(item, pub),
        contact=contact_rows(pub.config.contact) if shows_contact(item) else [],
        timeliness=_timeliness(item, pub),
    )
    return view


def shows_contact(item: Item) -> bool:
    """The 工作机构's details appear in the 政府信息公开指南 (条例 第十二条) and on every 依申请公开 page."""
    return item.kind == "response" or (item.kind == "page" and item.get("column") == "guide")


def _timeliness(item: Item, pub: Publication) -> dict[str, Any] | None:
    """A late item's stated reason (late_reason), shown as the paired-release reason is."""
    policy = pub.interprets.get(item.id)
    if not item.get("late_reason") or (policy is not None and item.published != policy.published):
        return None  # shown already as the interpretation's 未同步原因
    late = lateness(item, pub.config)
    if late is None:
        return None
    return {"limit": late.limit, "taken": late.taken, "reason": item.get("late_reason")}


BLOCKS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "table",
        "thead",
        "tbody",
        "blockquote",
        "pre",
        "div",
        "br",
        "hr",
    ]
)


# A line break inside a Chinese paragraph is no space: the text runs on.
SOFT_BREAK = re.compile(
    r"(?<=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])[ \t]*\n\s*(?=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])"
)


# A tag of rendered Markdown (markdown-it escapes <, >, & and " in text and attribute values, and
# makes no comments or raw HTML): its name, in any case.
TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>")


def plain_text(html: str, enough: int | None = None) -> str:
    """Rendered HTML as one line of plain text, as a reader sees it: no tags, no Markdown marks; a
    block's edge is a space, a line break inside a Chinese paragraph none. (What html.parser would
    give, in a fraction of the time: a test holds the two to each other.) With `enough`, reading
    may stop once the text is longer than that: what it returns is then a prefix of the whole."""
    parts: list[str] = []
    start = read = 0
    check = enough
    for tag in TAG.finditer(html):
        if tag.start() > start:
            text = html[start : tag.start()]
            parts.append(SOFT_BREAK.sub("", unescape(text)) if "\n" in text or "&" in text else text)
            read += len(text)
        if tag.group(2).lower() in BLOCKS:
            parts.append(" ")
        start = tag.end()
        if check is not None and read > check:
            found = " ".join("".join(parts).split())
            if enough is not None and len(found) > enough:
                return found
            check = 2 * read
    if start < len(html):
        parts.append(SOFT_BREAK.sub("", unescape(html[start:])))
    return " ".join("".join(parts).split())


def summary(html: str, limit: int = 120) -> str:
    """A plain-text description for <meta>: the rendered body's first words, cut at `limit`."""
    text = plain_text(html, limit)  # the words after the first `limit` are not needed
    return text[:limit].rstrip() + "…" if len(text) > limit else text
