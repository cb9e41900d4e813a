"""schema.org JSON-LD for each item: a policy is `Legislation` with its 文号 as identifier.

Values an item marks as samples (sample_fields) are left out: machines read them as facts.
"""

from __future__ import annotations

from typing import Any

import orjson

from .gate import Publication
from .model import Item
from .urls import item_url

# Inside <script>, `</script`, `<!--` and `<script` end or derail the element whatever the type;
# U+2028/2029 end a line in older JavaScript. As \uXXXX escapes they are the same JSON.
HTML_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})

LEGAL_FORCE = {"有效": "InForce", "废止": "NotInForce", "失效": "NotInForce", "已修改": "PartiallyInForce"}


def _organization(name: str | None) -> dict[str, str] | None:
    return {"@type": "GovernmentOrganization", "name": name} if name else None


def json_for_html(data: Any) -> str:
    """JSON to embed in an HTML <script> element: no character of it can end or derail the element."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode().translate(HTML_UNSAFE)


def json_ld(item: Item, pub: Publication) -> str:
    """A <script type="application/ld+json"> body, safe to print unescaped (see json_for_html)."""
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
    if published := item.stated("published"):
        data["datePublished"] = published.isoformat()
    if index_no := item.stated("index_no"):
        data["identifier"] = index_no  # 索引号, the 公开目录's identifier
    if publisher := _organization(item.stated("issuer")):
        data["publisher"] = publisher
    if item.kind == "policy":
        data["@type"] = "Legislation"
        data["legislationIdentifier"] = item.stated("doc_no")
        if day := item.stated("written") or item.stated("published"):
            data["legislationDate"] = day.isoformat()
        data["legislationPassedBy"] = publisher
        data["legislationLegalForce"] = LEGAL_FORCE.get(pub.status(item) or "有效")
        if item.stated("effective"):
            data["legislationDateOfApplicability"] = item.stated("effective").isoformat()
        if item.stated("expires"):
            data["expires"] = item.stated("expires").isoformat()
    elif item.kind == "interpretation" and item.id in pub.interprets:
        policy = pub.interprets[item.id]
        data["about"] = {
            "@type": "Legislation",
            "name": policy.title,
            "url": url(policy),
            "legislationIdentifier": policy.stated("doc_no"),
        }
    return json_for_html({k: v for k, v in data.items() if v is not None})
