"""The one predicate for "is this item public today" (以公开为常态、不公开为例外)."""

from __future__ import annotations

from datetime import date

from .model import Item


def is_public(item: Item, today: date) -> bool:
    """Public unless marked otherwise, a draft, or embargoed until a later date."""
    if item.disclosure != "public" or item.draft:
        return False
    published = item.published
    return published is None or published <= today


def hidden_reason(item: Item, today: date) -> str | None:
    """Why an item is not public: withheld, on-request, draft or embargoed; None when it is public."""
    if item.disclosure != "public":
        return item.disclosure
    if item.draft:
        return "draft"
    if item.published and item.published > today:
        return "embargoed"
    return None


def why_not_public(item: Item, today: date) -> str | None:
    """A short Chinese label for why an item is not public, for messages."""
    reason = hidden_reason(item, today)
    if reason == "embargoed" and item.published is not None:
        return f"定于 {item.published.isoformat()} 发布"
    return {"withheld": "不予公开", "on-request": "依申请公开", "draft": "草稿"}.get(reason or "")
