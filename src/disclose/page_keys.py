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
  items its lifecycle rows name, the head of each of its topics' lists (the ids and dates of the
  candidates of its related items, the cards of those it can show: browse.related_reach) and,
  when its body may hold a link, which items are public (a link to an item that is not public
  loses its target);
- for a list page its plain context values (heading, pager, total…) and the cards of its chunk;
  for the feeds, the sitemap and open data what they list; for the annual reports and compliance
  pages the whole Publication but bodies (`Keys.site`).

The build keeps (key, content id) of every file from the last build (`load`/`save`, in the cache
folder; a page's content id is its fingerprint, another file's the sha1 of its bytes). A file
whose key is unchanged takes its content id from there and is not resolved or produced; the
unchanged file is then kept or hard-linked as before. `DISCLOSE_VERIFY_KEYS=1` resolves such
pages anyway and stops the build when the fingerprint differs (`KeyMismatch`): the tests run with
it, so an input missing from a key shows as a failure, not as a stale page. Most keys are not even
computed: page_deps keeps the state of their inputs and finds the few a change can reach.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from . import installed
from .browse import related_reach
from .gate import Publication
from .identifiers import reference_key
from .lifecycle import public_resolver
from .lifecycle_views import LIFECYCLE_REFERENCES
from .model import Item, Source
from .views import today_token

FILE = "page_keys.json"
VERIFY = "DISCLOSE_VERIFY_KEYS"
OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
LIFECYCLE = frozenset(LIFECYCLE_REFERENCES)


class KeyMismatch(RuntimeError):
    """A page's key did not change but what it shows did: an input is missing from its key."""


def verifying() -> bool:
    """Whether key hits are checked by resolving the page anyway (tests turn this on)."""
    return os.environ.get(VERIFY, "") not in ("", "0")


@cache
def _calendar_version() -> str:
    return installed.versions(["chinesecalendar"])["chinesecalendar"]


def _sha(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()


def _dump(value: Any) -> bytes:
    return orjson.dumps(value, default=str, option=OPTIONS)


ZERO = bytes(20)  # a reference that finds no public item


def _count(items: Sequence[Any]) -> bytes:
    return len(items).to_bytes(4, "big")


class Keys:
    """The keys of one build's pages; every digest is computed at most once per build.

    A key hashes its parts each with its length; within a part, digests are 20 bytes and lists
    carry their length, so no two different sets of inputs can spell the same bytes."""

    def __init__(
        self,
        pub: Publication,
        common_fingerprint: str,
        sizes: dict[str, int],
        sources: Mapping[str, Any] | None = None,
    ) -> None:
        self.pub = pub
        self.sizes = sizes
        # the build cache's parsed sources (build_cache.CachedSource, by path): the digest of a
        # file's bytes stands for its body when the item was parsed from that very entry
        self.sources = sources if sources is not None else {}
        self.base = _sha(f"1\0{common_fingerprint}\0{_calendar_version()}\0{pub.config!r}".encode())
        self._cards: dict[int, bytes] = {}  # by the item object's identity: items live as long as the build
        self._heads: dict[tuple[str, tuple[int, int]], bytes] = {}
        self._public: bytes | None = None
        self._site: bytes | None = None
        self._resolve: Callable[[Any], Item | None] | None = None
        # what the Publication relates to an item, all shown on its page (views.item_view)
        self._many = tuple(
            (tag, getattr(pub, name))
            for tag, name in (
                (b"I", "interpretations"),
                (b"S", "successors"),
                (b"P", "predecessors"),
                (b"M", "amends"),
                (b"m", "amended_by"),
                (b"X", "declared_expired"),
            )
        )
        self._one = ((b"i", pub.interprets), (b"f", pub.feedback))
        # What each item page's lifecycle rows looked up (page_deps), by the item's id: the names
        # ("n"), the items found and their feedback pages ("c"), those whose feedback was asked ("r").
        self.reads: dict[str, dict[str, list]] = {}
        # The cards the last build found, by item id, of items whose inputs did not change (page_deps).
        self.known: Any = None

    def key(self, *parts: bytes | str) -> str:
        """A page's key: the site-wide part and the page's own parts, each with its length."""
        data = [part.encode() if isinstance(part, str) else part for part in parts]
        return hashlib.sha1(self.base + b"".join([len(d).to_bytes(4, "big") + d for d in data])).hexdigest()

    def card(self, item: Item) -> bytes:
        """Everything of `item` another page can show: its fields, 有效性 and what the date decides."""
        found = self._cards.get(id(item))
        if found is None:
            found = self.known.get(item.id) if self.known is not None else None
            if found is None:
                found = self.fresh_card(item)
            self._cards[id(item)] = found
        return found

    def fresh_card(self, item: Item) -> bytes:
        """`item`'s card computed from the item, never taken from the last build."""
        pub, source = self.pub, item.source
        head = f"{source.id}\0{source.path}\0{item.kind}\0{pub.status(item)}\0{today_token(item, pub)}\0"
        return _sha(head.encode() + _dump(item.fields))

    def cards(self, items: Sequence[Item | None]) -> bytes:
        """The cards of `items` in order (None stands for a reference that finds no public item)."""
        known, card = self._cards, self.card
        return _count(items) + b"".join([(known.get(id(i)) or card(i)) if i is not None else ZERO for i in items])

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
                + _sha(_dump([relations, references, dict(pub.attachments), pub.reports]))
                + repr(pub.statistics).encode()
            )
        return self._site

    def lifecycle(self, item: Item, reads: dict[str, list] | None = None) -> bytes:
        """The items the lifecycle rows and the 重大行政决策 目录 name (lifecycle_views), found among
        public items, each with the feedback page of a consultation. `reads` collects the names
        looked up, the items found and those whose feedback page was looked up."""
        if LIFECYCLE.isdisjoint(item.fields):
            return b""
        if self._resolve is None:
            self._resolve = public_resolver(self.pub)
        resolve, feedback, parts = self._resolve, self.pub.feedback, []
        for number, name in enumerate(LIFECYCLE_REFERENCES):
            value = item.get(name)
            if value is None:
                continue
            refs = value if isinstance(value, (list, tuple)) else [value]
            parts.append(bytes([number]) + _count(refs))
            for ref in refs:
                target = resolve(ref)
                answer = feedback.get(target.id) if target is not None else None
                parts.append(self.card(target) if target is not None else ZERO)
                parts.append(self.card(answer) if answer is not None else ZERO)
                if reads is not None and ref is not None:
                    reads.setdefault("n", []).extend(reference_key(str(ref)))
                    if target is not None:
                        reads.setdefault("r", []).append(target.id)
                        reads.setdefault("c", []).append(target.id)
                    if answer is not None:
                        reads.setdefault("c", []).append(answer.id)
        return b"".join(parts)

    def entries(self, items: Sequence[Item]) -> bytes:
        """Items with the items their lifecycle rows name (the 重大行政决策 目录's entries)."""
        parts = [_count(items)]
        for item in items:
            named = self.lifecycle(item)
            parts += [self.card(item), _count(named), named]
        return b"".join(parts)

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

    def head(self, topic: str, items: Sequence[Item], reach: tuple[int, int]) -> bytes:
        """The head of a topic's list as a related list reads it (browse.related_reach): the ids and
        dates of the candidates, everything of those it may show."""
        found = self._heads.get((topic, reach))
        if found is None:
            read, shown = reach
            order = _dump([(i.id, i.published) for i in items[:read]])
            found = self._heads[(topic, reach)] = _sha(topic.encode() + b"\0" + order + self.cards(items[:shown]))
        return found

    def body(self, source: Source) -> bytes:
        """A digest of the source's body: the sha1 of its file's bytes (front matter and body) the
        source cache already holds, when `source` is the one parsed from them; else the body's."""
        cached = self.sources.get(source.path)
        if cached is not None and cached.source is source:
            return b"D" + bytes.fromhex(cached.digest)
        return b"B" + _sha(source.body.encode("utf-8", "surrogatepass"))

    def history(self, iid: str) -> bytes:
        """A digest of the item's revision history (empty when it has none)."""
        history = self.pub.history.get(iid)
        return _sha(_dump(history)) if history else b""

    def attachments(self, iid: str) -> bytes:
        """A digest of the item's attachments with their sizes (empty when it has none)."""
        files = self.pub.attachments.get(iid)
        return _sha(_dump([(rel, self.sizes.get(rel)) for rel in files])) if files else b""

    def linked(self, iid: str) -> int:
        """How many items an item's page links (itself included), none of them among its related
        items: the reach into its topics' lists depends on it (browse.related_reach)."""
        linked = 1
        for _, relation in self._many:
            if found := relation.get(iid):
                linked += len(found)
        for _, single in self._one:
            if single.get(iid) is not None:
                linked += 1
        return linked

    def item(self, item: Item, topics: dict[str, list[Item]]) -> str:
        """The key of an item's own page (render._item_context, views.item_view). What its
        lifecycle rows looked up is kept in `reads` (page_deps), by the item's id."""
        pub, card, source = self.pub, self.card, item.source
        iid, body = source.id, source.body
        parts = [card(item), self.body(source)]
        if "[" in body or "<" in body:  # without either, Markdown makes no link (page_deps.links)
            parts.append(b"L" + self.public())
        if history := self.history(iid):
            parts.append(b"H" + history)
        if files := self.attachments(iid):
            parts.append(b"A" + files)
        for tag, relation in self._many:
            if found := relation.get(iid):
                parts.append(tag + self.cards(found))
        for tag, single in self._one:
            if (other := single.get(iid)) is not None:
                parts.append(tag + card(other))
        for name, targets in pub.references.get(iid, {}).items():
            parts.append(b"R" + _sha(name.encode()) + self.cards(targets))
        reads: dict[str, list] = {}
        if named := self.lifecycle(item, reads):
            parts.append(b"C" + named)
        self.reads[iid] = reads
        reach = related_reach(self.linked(iid))
        for topic in item.get("topics") or ():
            parts.append(b"T" + self.head(topic, topics.get(topic, ()), reach))
        return self.key(b"item", *parts)


def load(folder: Path | None, engine: str) -> dict[str, list]:
    """Output path -> [key, content id] from the last build under the same code, else nothing."""
    if folder is None:
        return {}
    enabled = gc.isenabled()
    gc.disable()  # a few hundred thousand objects, none garbage: the collector would walk them again and again
    try:
        data = orjson.loads((folder / FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    finally:
        if enabled:
            gc.enable()
    if not isinstance(data, dict) or data.get("engine") != engine or not isinstance(data.get("pages"), dict):
        return {}
    return data["pages"]


def save(folder: Path | None, engine: str, pages: dict[str, list]) -> None:
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{FILE}.tmp").write_bytes(orjson.dumps({"engine": engine, "pages": pages}))
    (folder / f"{FILE}.tmp").replace(folder / FILE)
