"""Front-matter values to typed values, one function per field type.

The same converter serves the type rule (F103), which reports what it rejects,
and `to_item`, which runs only on sources that passed.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any

from .dates import FIRST_YEAR, LAST_YEAR
from .identifiers import canonical, normalize_doc_no
from .model import Item, Review, Source
from .schema import KIND_FOLDERS, REVIEW_KEYS, FieldSpec, fields_for


class BadValue(ValueError):
    """A value that does not fit its field; carries both languages' explanation."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


# The largest whole number each integer field may hold; any other integer field is capped at MAX_INT.
INT_LIMITS = {"paused_days": 365}
MAX_INT = 1_000_000


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise BadValue("只写日期，不写时间：YYYY-MM-DD（如 2022-04-12）", "must be a date alone, YYYY-MM-DD")
    day = None
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and len(value.strip()) == 10:
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(value.strip())
    if day is None:
        raise BadValue("应为日期，格式 YYYY-MM-DD（如 2022-04-12）", "must be a date, YYYY-MM-DD")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadValue(
            f"日期 {day} 超出 {FIRST_YEAR}–{LAST_YEAR} 年的范围；请核对年份",
            f"the date {day} is outside {FIRST_YEAR}–{LAST_YEAR}; check the year",
        )
    return day


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise BadValue("应为一段文字", "must be text")
    text = str(value).strip()
    if not text:
        raise BadValue("不能为空", "must not be empty")
    return text


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_text(value),)
    if not isinstance(value, list):
        raise BadValue("应为列表（每行以 - 开头）", "must be a list (lines starting with -)")
    return tuple(_text(v) for v in value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadValue("应为 true 或 false", "must be true or false")
    return value


def _int(value: Any, limit: int = MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadValue("应为非负整数", "must be a whole number, 0 or more")
    if value > limit:
        raise BadValue(f"不能大于 {limit}", f"must be at most {limit}")
    return value


def _review(value: Any) -> Review:
    if not isinstance(value, dict):
        raise BadValue(
            "应写成 {by: 审查人或机构, date: YYYY-MM-DD}",
            "must be {by: reviewer, date: YYYY-MM-DD}",
        )
    unknown = sorted(set(map(str, value)) - set(REVIEW_KEYS))
    if unknown:
        raise BadValue(
            f"含未知子字段 {', '.join(unknown)}（可用 by、date、next）",
            f"has unknown keys {', '.join(unknown)} (use by, date, next)",
        )
    if "by" not in value or "date" not in value:
        raise BadValue(
            "须写明审查人（by）和审查日期（date）",
            "must give the reviewer (by) and the date (date)",
        )
    nxt = value.get("next")
    return Review(_text(value["by"]), _date(value["date"]), _date(nxt) if nxt is not None else None)


def convert(spec: FieldSpec, value: Any) -> Any:
    """The typed value of `value` for `spec`, or BadValue."""
    if spec.type == "date":
        return _date(value)
    if spec.type == "bool":
        return _bool(value)
    if spec.type == "int":
        return _int(value, INT_LIMITS.get(spec.name, MAX_INT))
    if spec.type == "texts" or spec.type == "refs":
        return _texts(value)
    if spec.type == "review":
        return _review(value)
    if spec.type == "choice":
        text = spec.choice(_text(value))
        if text not in spec.choices:
            raise BadValue(
                f"取值应为 {'、'.join(spec.choices)} 之一",
                f"must be one of {', '.join(spec.choices)}",
            )
        return text
    text = _text(value)
    if spec.name == "doc_no":
        return normalize_doc_no(text)
    if spec.name in ("index_no", "request_no", "proposal_no"):
        return canonical(text)
    return text


def kind_of(source: Source) -> str | None:
    """The declared kind, else the one implied by the first folder under content/."""
    declared = source.meta.get("kind")
    if declared is not None:
        return str(declared)
    return KIND_FOLDERS.get(source.id.split("/", 1)[0])


def to_item(source: Source) -> Item:
    """A typed Item from a source that passed the schema rules."""
    kind = kind_of(source)
    assert kind is not None
    specs = fields_for(kind)
    typed = {name: convert(specs[name], value) for name, value in source.meta.items() if value is not None}
    typed.setdefault("disclosure", "public")
    typed["kind"] = kind
    return Item(source, kind, typed)
