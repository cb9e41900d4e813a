"""sitemap.xml: every public item page and the listings, for search engines."""

from __future__ import annotations

from jinja2 import Environment

from .gate import Publication
from .urls import item_url


def sitemap(pub: Publication, env: Environment) -> bytes:
    cfg = pub.config
    origin, base = cfg.absolute(""), cfg.base_path
    urls = [{"loc": origin + base, "lastmod": ""}]
    for item in pub.items:
        urls.append(
            {
                "loc": origin + item_url(base, item),
                "lastmod": item.published.isoformat() if item.published else "",
            }
        )
    return env.get_template("sitemap.xml").render(urls=urls).encode("utf-8")
