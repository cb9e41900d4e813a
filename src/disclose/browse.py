"""Browsing the 法定主动公开内容 by 主题分类, 发布机构, 年份 and 有效性, and related items.

Facet values become stable ASCII URL segments: years and validity codes as they are, topics
and issuers as a short hash of the value, so URLs never depend on file-system encodings.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .gate import Publication
from .model import Item

VALIDITY_SLUGS = {"有效": "valid", "废止": "repealed", "失效": "expired", "已修改": "amended"}
VALIDITY_LABELS = {"有效": "现行有效", "废止": "已废止", "失效": "已失效", "已修改": "已修改"}


def slug(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Facet:
    key: str  # URL segment: topic, issuer, year, validity
    label: str
    values: Callable[[Item, Publication], Iterable[str]]
    slug: Callable[[str], str]
    display: Callable[[str], str]


FACETS = (
    Facet("topic", "主题分类", lambda i, p: i.get("topics") or (), slug, lambda v: v),
    Facet("issuer", "发布机构", lambda i, p: [i.get("issuer")] if i.get("issuer") else [], slug, lambda v: v),
    Facet("year", "年份", lambda i, p: [str(i.published.year)] if i.published else [], lambda v: v, lambda v: f"{v}年"),
    Facet(
        "validity",
        "有效性",
        lambda i, p: [status] if (status := p.status(i)) else [],
        lambda v: VALIDITY_SLUGS[v],
        lambda v: VALIDITY_LABELS[v],
    ),
)


def _order(item: Item) -> tuple[date, str]:
    return (item.published or date.min, item.id)


def _newest(items: list[Item]) -> list[Item]:
    return sorted(items, key=_order, reverse=True)


def newest(pub: Publication) -> list[Item]:
    """Every item, newest first (by publication date, then id): sorted once per build, so each
    list of the site is a filter of it, not a sort of its own."""
    if "newest" not in pub.memo:
        pub.memo["newest"] = _newest(list(pub.items))
    return pub.memo["newest"]


def newest_of_kind(pub: Publication, kind: str) -> list[Item]:
    """The items of one kind, newest first."""
    if "newest_by_kind" not in pub.memo:
        by_kind: dict[str, list[Item]] = defaultdict(list)
        for item in newest(pub):
            by_kind[item.kind].append(item)
        pub.memo["newest_by_kind"] = by_kind
    return list(pub.memo["newest_by_kind"].get(kind, ()))


def facet_index(pub: Publication, facet: Facet) -> dict[str, list[Item]]:
    """Facet value -> its items, newest first (browsable items only: of listed kinds, not 栏目页).
    Every facet's index is made in one pass, once per build; the lists are shared, not to be changed."""
    if ("facet", facet.key) not in pub.memo:
        groups: list[dict[str, list[Item]]] = [defaultdict(list) for _ in FACETS]
        listed = {kind.id for kind in pub.config.kinds.listed()}
        for item in newest(pub):
            if item.kind in listed:
                for each, found in zip(FACETS, groups, strict=True):
                    for value in each.values(item, pub):
                        found[value].append(item)
        for each, found in zip(FACETS, groups, strict=True):
            pub.memo[("facet", each.key)] = {value: found[value] for value in sorted(found)}
    return pub.memo[("facet", facet.key)]


def related_reach(linked: int, limit: int = 5) -> tuple[int, int]:
    """How far into one topic's list `related` can read for an item that links `linked` items
    (itself included), and how far into it the items it shows can lie. A page key (page_keys)
    covers the ids and dates of the first part and everything of the second.

    It reads until it has 3 × `limit` candidates, skipping what the item links and what an earlier
    topic found (each item at most twice in a list, should it name a topic twice). It shows the
    newest `limit` candidates: the candidates taken from a topic are all the unlinked entries of
    the part of its list read, so an entry with `limit` unlinked newer ones before it is never
    shown."""
    return 2 * (2 * 3 * limit + linked) + 2, 2 * (limit + linked) + 2


def related(pub: Publication, topics_index: dict[str, list[Item]], item: Item, limit: int = 5) -> list[Item]:
    """Newest items sharing a topic, excluding the item and what is already linked from it."""
    linked = {item.id}
    linked |= {i.id for i in pub.interpretations.get(item.id, ())}
    linked |= {i.id for i in pub.successors.get(item.id, ())} | {i.id for i in pub.predecessors.get(item.id, ())}
    if item.id in pub.interprets:
        linked.add(pub.interprets[item.id].id)
    found: dict[str, Item] = {}
    for topic in item.get("topics") or ():
        for other in topics_index.get(topic, ()):
            if len(found) >= limit * 3:
                break
            if other.id not in linked:
                found.setdefault(other.id, other)
    return _newest(list(found.values()))[:limit]


def remember(pub: Publication) -> dict[str, Any]:
    """The orders this module found for `pub` (`newest`, every facet's index), as positions in
    `pub.items`: kept with the decision (gate.remember), as they follow from it alone."""
    at = {id(item): n for n, item in enumerate(pub.items)}
    return {
        "newest": [at[id(item)] for item in newest(pub)],
        "facets": {
            facet.key: [[value, [at[id(item)] for item in items]] for value, items in facet_index(pub, facet).items()]
            for facet in FACETS
        },
    }


def recall(pub: Publication, record: Any) -> bool:
    """Set `pub`'s orders from the `record` kept with its decision (`remember`); False when it
    does not fit. Under `page_keys.verifying` they are found afresh too and any difference stops
    the build."""
    from .page_keys import KeyMismatch, verifying  # page_keys builds on this module

    items = pub.items
    try:
        order = [items[n] for n in record["newest"]]
        facets = {
            facet.key: {value: [items[n] for n in at] for value, at in record["facets"][facet.key]} for facet in FACETS
        }
    except (KeyError, IndexError, TypeError, ValueError):
        return False
    if len(order) != len(items):
        return False
    if verifying():
        fresh = replace(pub, memo={})
        if order != newest(fresh) or any(
            list(facets[facet.key].items()) != list(facet_index(fresh, facet).items()) for facet in FACETS
        ):
            raise KeyMismatch("浏览顺序的输入未变而顺序变了 / the orders changed, not their inputs")
    pub.memo["newest"] = order
    for facet in FACETS:
        pub.memo[("facet", facet.key)] = facets[facet.key]
    return True
