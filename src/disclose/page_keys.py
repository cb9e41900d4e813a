"""Per-page dependency keys: a cheap digest of everything a page can show, computed without
resolving the page's context (its view model), so a rebuild resolves and renders only the pages
whose inputs changed.

A page's fingerprint (render.Page.fingerprint) is a digest of the context it shows; resolving
the context of every page to find that most did not change costs seconds at 10,000 documents.
The key of a page is a digest of the *inputs* of that context instead:

- the site-wide part: the common fingerprint (templates, the header and footer, the site's
  own words), the whole configuration, disclose's calendar package (working days);
- for each item a page shows, its *card*: the item's id, path, kind and typed fields, its
  有效性 (which its relations and the build date decide) and whatever else of it depends on
  the build date (`today_token`). A card holds everything of another item that `views.link`
  (and the rows built from it) can show;
- for an item's own page also its body, revision history, attachments with their sizes, every
  relation the Publication records for it (with the cards of the items at the other end), the
  items its lifecycle rows name, the candidates of its related items (the head of each of its
  topics' lists) and, when its body may hold a link, which items are public (a link to an item
  that is not public loses its target).

The build keeps (key, fingerprint) of every page from the last build (`load`/`save`, in the cache
folder). A page whose key is unchanged takes its fingerprint from there and is not resolved; the
unchanged file is then kept or hard-linked as before. `DISCLOSE_VERIFY_KEYS=1` resolves such
pages anyway and stops the build when the fingerprint differs (`KeyMismatch`): the tests run with
it, so an input missing from a key shows as a failure, not as a stale page.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import orjson

from .browse import related_reach
from .gate import Publication
from .lifecycle import public_resolver
from .lifecycle_views import LIFECYCLE_REFERENCES
from .model import Item
from .views import today_token

FILE = "page_keys.json"
VERIFY = "DISCLOSE_VERIFY_KEYS"
OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


class KeyMismatch(RuntimeError):
    """A page's key did not change but what it shows did: an input is missing from its key."""


def verifying() -> bool:
    """Whether key hits are checked by resolving the page anyway (tests turn this on)."""
    return os.environ.get(VERIFY, "") not in ("", "0")


def _calendar_version() -> str:
    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _sha(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()


def _dump(value: Any) -> bytes:
    return orjson.dumps(value, default=str, option=OPTIONS)


class Keys:
    """The keys of one build's pages; every digest is computed at most once per build."""

    def __init__(self, pub: Publication, common_fingerprint: str, sizes: dict[str, int]) -> None:
        self.pub = pub
        self.sizes = sizes
        self.base = _sha(f"1\0{common_fingerprint}\0{_calendar_version()}\0{pub.config!r}".encode())
        self._cards: dict[str, bytes] = {}
        self._heads: dict[tuple[str, int], bytes] = {}
        self._public: bytes | None = None
        self._site: bytes | None = None
        self._resolve: Callable[[Any], Item | None] | None = None

    def key(self, *parts: bytes | str) -> str:
        """A page's key: the site-wide part and the page's own parts."""
        hasher = hashlib.sha1(self.base)
        for part in parts:
            hasher.update(part.encode() if isinstance(part, str) else part)
            hasher.update(b"\0")
        return hasher.hexdigest()

    def card(self, item: Item) -> bytes:
        """Everything of `item` another page can show: its fields, 有效性 and what the date decides."""
        found = self._cards.get(item.id)
        if found is None:
            pub = self.pub
            head = f"{item.id}\0{item.path}\0{item.kind}\0{pub.status(item)}\0{today_token(item, pub)}\0"
            found = self._cards[item.id] = _sha(head.encode() + _dump(item.fields))
        return found

    def cards(self, items: Iterable[Item | None]) -> bytes:
        """The cards of `items` in order (None stands for a reference that finds no public item)."""
        return b"".join(self.card(i) if i is not None else b"-" for i in items)

    def static(self, context: dict[str, Any]) -> bytes:
        """A digest of a page's context values that need no resolving."""
        return _sha(_dump(context))

    def public(self) -> bytes:
        """Which items are public: a body's link to another item's file resolves only to those."""
        if self._public is None:
            self._public = _sha("\0".join(self.pub.by_id).encode())
        return self._public

    def site(self) -> bytes:
        """Everything of the Publication but bodies and histories: for the pages that count or
        list over the whole site (annual reports, compliance pages)."""
        if self._site is None:
            pub = self.pub
            relations = {
                name: {k: [i.id for i in v] if isinstance(v, tuple) else v.id for k, v in getattr(pub, name).items()}
                for name in (
                    "interpretations",
                    "interprets",
                    "successors",
                    "predecessors",
                    "feedback",
                    "amended_by",
                    "amends",
                    "declared_expired",
                )
            }
            references = {k: {f: [i.id for i in v] for f, v in refs.items()} for k, refs in pub.references.items()}
            self._site = _sha(
                pub.today.isoformat().encode()
                + self.cards(pub.items)
                + _dump([relations, references, dict(pub.attachments), pub.reports])
                + repr(pub.statistics).encode()
            )
        return self._site

    def resolver(self) -> Callable[[Any], Item | None]:
        if self._resolve is None:
            self._resolve = public_resolver(self.pub)
        return self._resolve

    def lifecycle(self, item: Item) -> bytes:
        """The items the lifecycle rows and the 重大行政决策 目录 name (lifecycle_views), found among
        public items, with the feedback page of a consultation."""
        resolve, pub, parts = self.resolver(), self.pub, []
        for name in LIFECYCLE_REFERENCES:
            value = item.get(name)
            if value is None:
                continue
            for ref in value if isinstance(value, (list, tuple)) else [value]:
                target = resolve(ref)
                parts.append(self.cards([target]))
                if target is not None and target.id in pub.feedback:
                    parts.append(b"f" + self.card(pub.feedback[target.id]))
            parts.append(b"|")
        return b"".join(parts)

    def entries(self, items: Iterable[Item]) -> bytes:
        """Items with the items their lifecycle rows name (the 重大行政决策 目录's entries)."""
        return b"".join(self.card(i) + self.lifecycle(i) + b";" for i in items)

    def feed(self, newest_first: list[Item], title: str, path: str) -> str:
        """An Atom feed (feeds.atom): its newest dated items, or the build date when it has none."""
        dated = [i for i in newest_first if i.published][: self.pub.config.feed_size]
        return self.key("feed", path, title, "" if dated else self.pub.today.isoformat(), self.cards(dated))

    def sitemap(self) -> str:
        """sitemap.xml lists every item's address and date."""
        return self.key("sitemap", _dump([(i.id, i.published) for i in self.pub.items]))

    def catalog(self, name: str) -> str:
        """catalog.json and catalog.csv: every item's record (opendata.record)."""
        return self.key(name, self.cards(self.pub.items))

    def whole(self, name: str) -> str:
        """A file made from the whole Publication (an annual report's CSV)."""
        return self.key(name, self.site())

    def head(self, topic: str, items: Sequence[Item], length: int) -> bytes:
        """The first `length` items of a topic's list: the candidates of every related list."""
        found = self._heads.get((topic, length))
        if found is None:
            found = self._heads[(topic, length)] = _sha(topic.encode() + self.cards(items[:length]))
        return found

    def item(self, item: Item, topics: dict[str, list[Item]]) -> str:
        """The key of an item's own page (render._item_context)."""
        pub = self.pub
        iid = item.id
        policy = pub.interprets.get(iid)
        related = [
            *pub.interpretations.get(iid, ()),
            *pub.successors.get(iid, ()),
            *pub.predecessors.get(iid, ()),
            *([policy] if policy else ()),
        ]
        length = related_reach(len(related) + 1)
        heads = b"".join(self.head(t, topics.get(t, ()), length) for t in item.get("topics") or ())
        references = pub.references.get(iid, {})
        body = item.body
        parts: list[bytes | str] = [
            "item",
            self.card(item),
            _sha(body.encode("utf-8", "surrogatepass")),
            self.public() if "[" in body or "<" in body else b"",
            _dump(pub.history.get(iid)),
            _dump([(rel, self.sizes.get(rel)) for rel in pub.attachments.get(iid, ())]),
            self.cards([policy]),
            self.cards(pub.interpretations.get(iid, ())),
            self.cards(pub.successors.get(iid, ())),
            self.cards(pub.predecessors.get(iid, ())),
            self.cards([pub.feedback.get(iid)]),
            b"".join(name.encode() + b":" + self.cards(targets) for name, targets in references.items()),
            self.cards(pub.amends.get(iid, ())),
            self.cards(pub.amended_by.get(iid, ())),
            self.cards(pub.declared_expired.get(iid, ())),
            self.lifecycle(item),
            heads,
        ]
        return self.key(*parts)


def load(folder: Path | None, engine: str) -> dict[str, list]:
    """Output path -> [key, content id] from the last build under the same code, else nothing."""
    if folder is None:
        return {}
    try:
        data = orjson.loads((folder / FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("engine") != engine or not isinstance(data.get("pages"), dict):
        return {}
    return data["pages"]


def save(folder: Path | None, engine: str, pages: dict[str, list]) -> None:
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{FILE}.tmp").write_bytes(orjson.dumps({"engine": engine, "pages": pages}))
    (folder / f"{FILE}.tmp").replace(folder / FILE)
