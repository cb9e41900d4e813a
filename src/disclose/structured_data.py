"""schema.org JSON-LD for each item: a policy is `Legislation` with its 文号 as identifier."""

from __future__ import annotations

from typing import Any

import orjson

from .gate import Publication
from .model import Item
from .urls import item_url

LEGAL_FORCE = {"有效": "InForce", "废止": "NotInForce", "失效": "NotInForce", "已修改": "PartiallyInForce"}


def _organization(name: str | None) -> dict[str, str] | None:
    return {"@type": "GovernmentOrganization", "name": name} if name else None


def json_ld(item: Item, pub: Publication) -> str:
    """A <script type="application/ld+json"> body; `</` is escaped so it cannot close the element."""
    cfg = pub.config

    def url(other: Item) -> str:
        return cfg.absolute(item_url(cfg.base_path, other))

    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebPage" if item.kind == "page" else "Article",
        "name": item.title,
        "url": url(item),
        "inLanguage": cfg.language,
    }
    if item.published:
        data["datePublished"] = item.published.isoformat()
    if item.get("index_no"):
        data["identifier"] = item.get("index_no")  # 索引号, the 公开目录's identifier
    if publisher := _organization(item.get("issuer")):
        data["publisher"] = publisher
    if item.kind == "policy":
        data["@type"] = "Legislation"
        data["legislationIdentifier"] = item.get("doc_no")
        data["legislationDate"] = (item.get("written") or item.published).isoformat()
        data["legislationPassedBy"] = publisher
        data["legislationLegalForce"] = LEGAL_FORCE.get(pub.status(item) or "有效")
        if item.get("effective"):
            data["legislationDateOfApplicability"] = item.get("effective").isoformat()
        if item.get("expires"):
            data["expires"] = item.get("expires").isoformat()
    elif item.kind == "interpretation" and item.id in pub.interprets:
        policy = pub.interprets[item.id]
        data["about"] = {
            "@type": "Legislation",
            "name": policy.title,
            "url": url(policy),
            "legislationIdentifier": policy.get("doc_no"),
        }
    text = orjson.dumps({k: v for k, v in data.items() if v is not None}, option=orjson.OPT_SORT_KEYS).decode()
    return text.replace("</", "<\\/")
