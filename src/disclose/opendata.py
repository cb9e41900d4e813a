"""Open data: the 政府信息公开目录 of every public item as JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from .gate import Publication
from .model import Item
from .urls import item_url

COLUMNS = (
    ("id", "标识"),
    ("kind", "类别"),
    ("title", "信息名称"),
    ("index_no", "索引号"),
    ("issuer", "发布机构"),
    ("doc_no", "文号"),
    ("written", "成文日期"),
    ("published", "发布日期"),
    ("topics", "主题分类"),
    ("status", "有效性"),
    ("url", "网址"),
)


def record(pub: Publication, item: Item, where: tuple[str, str] | None = None) -> dict[str, Any]:
    """The public metadata of one item; bodies and review records are not catalogue data.

    Values the item marks as samples (sample_fields) are left out: open data states facts only.
    `where` is the site's scheme and host and its base path, when known.
    """
    origin, base = where or (pub.config.absolute(""), pub.config.base_path)

    def iso(key: str) -> str:
        value = item.stated(key)
        return value.isoformat() if value else ""

    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "index_no": item.stated("index_no", ""),
        "issuer": item.stated("issuer", ""),
        "doc_no": item.stated("doc_no", ""),
        "written": iso("written"),
        "published": iso("published"),
        "topics": list(item.get("topics") or ()),
        "status": pub.status(item) or "",
        "url": origin + item_url(base, item),
    }


def records(pub: Publication) -> list[dict[str, Any]]:
    """Every item's record, made once per build for catalog.json and catalog.csv alike."""
    if "catalog" not in pub.memo:
        where = (pub.config.absolute(""), pub.config.base_path)
        pub.memo["catalog"] = [record(pub, i, where) for i in pub.items]
    return pub.memo["catalog"]


def catalog_json(pub: Publication) -> bytes:
    data = {"site": pub.config.title, "items": records(pub)}
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading ' (OWASP,
    CSV injection), so a title such as =HYPERLINK(…) cannot run when an office opens the file."""
    return "'" + value if value.startswith(FORMULA_START) else value


def catalog_csv(pub: Publication) -> bytes:
    """UTF-8 with BOM so the file opens correctly in Excel, which most offices use."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in records(pub):
        writer.writerow([csv_cell("、".join(row[k]) if k == "topics" else row[k]) for k, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
