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


def why_not_public(item: Item, today: date) -> str | None:
    """A short Chinese label for why an item is not public, for messages."""
    if item.disclosure == "withheld":
        return "不予公开"
    if item.disclosure == "on-request":
        return "依申请公开"
    if item.draft:
        return "草稿"
    if item.published and item.published > today:
        return f"定于 {item.published.isoformat()} 发布"
    return None
