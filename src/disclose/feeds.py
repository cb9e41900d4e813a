"""Atom feeds (RFC 4287): the newest public items, dated by publication, never by build time."""

from __future__ import annotations

from jinja2 import Environment

from .gate import Publication
from .model import Item
from .urls import item_url
from .views import link


def atom(pub: Publication, env: Environment, newest_first: list[Item], title: str, path: str) -> bytes:
    cfg = pub.config
    entries = []
    dated = [item for item in newest_first if item.published]
    origin, base = cfg.absolute(""), cfg.base_path
    for item in dated[: cfg.feed_size]:
        view = dict(link(pub, item))
        view["absolute"] = origin + item_url(base, item)
        view["id"] = view["absolute"]
        entries.append(view)
    latest = dated[0].published if dated else None
    updated = (latest or pub.today).isoformat()
    return (
        env.get_template("feed.xml")
        .render(
            title=f"{cfg.title} · {title}",
            self_url=cfg.absolute(cfg.base_path + path),
            home=cfg.absolute(cfg.base_path),
            updated=updated,
            entries=entries,
        )
        .encode("utf-8")
    )
