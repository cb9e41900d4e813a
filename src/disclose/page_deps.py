"""Which page keys can have changed since the last build, found without computing them: after one
edit a rebuild computes the keys of the pages the edit can reach, not all 12,000 of them.

A page key (page_keys) is a digest of a page's inputs. With its keys, the last build kept the
state of those inputs (`Tracker.record`, among the page keys under `DEPS`):

- every item's *token*, public or not: its file's sha1 from the source cache, or for a file the
  cache does not hold a digest of its path, kind, fields and body;
- every public item's card (`Keys.card`);
- the relations the Publication records, by item (interpretations, repeals, amendments, feedback
  pages, references);
- the topic heads item pages read, the public set, the annual reports' data, the attachments'
  sizes, each item's revision history, and what each item page's lifecycle rows looked up;
- the site-wide part of every key (templates, site.yaml, the calendar) and the build date.

This build compares:

- the site-wide part changed, or nothing usable was kept: every key is computed;
- a card is computed again when its item's token or relations changed (its 有效性 follows them),
  or the date moved; the other cards are the kept ones (`Keys.known`);
- a *wide* change (a card changed, an item was added or removed, a non-public item changed, the
  reports' data changed, the date moved) may reach any list, feed or report: the keys of all pages
  but item pages are computed again (a sixth of the pages); the relations are compared and the
  topic heads computed again;
- an item page's key is computed again when its own item's token, card, relations, history or
  attachment sizes changed, or after a wide change when an item it shows changed its card (a
  related item, a reference's target: found in the relations), a topic head it shows changed, a
  name its lifecycle rows look up now finds another item, or the public set changed and its text
  may link; any other item page keeps its key.

What this trusts: that while the site-wide part and the date are unchanged an item is a function
of its file's bytes (the source cache's own premise), and that a key reads nothing but the above.
The second is checked: with DISCLOSE_VERIFY_KEYS=1 (every test) each key and card is computed
anyway, and one judged unchanged that differs stops the build (KeyMismatch).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from .browse import FACETS, facet_index, related_reach
from .gate import Publication
from .model import Item
from .page_keys import KeyMismatch, Keys, _dump, _sha

DEPS = "\0deps"  # the record's place among the page keys (no output path starts with NUL)
VERSION = 2
WIDTH = 40  # a token or card in hex
NONE = "0" * WIDTH  # the card of an item that is not public (no sha1 is all zeros)
RELATIONS = (
    ("I", "interpretations"),
    ("i", "interprets"),
    ("S", "successors"),
    ("P", "predecessors"),
    ("f", "feedback"),
    ("m", "amended_by"),
    ("M", "amends"),
    ("X", "declared_expired"),
)


def token(sources: Mapping[str, Any], item: Item) -> str:
    """What stands for everything of `item` while the site-wide part and the date are unchanged:
    its file's sha1 when the source cache parsed `item.source` from it, else a digest of its
    path, kind, fields and body."""
    source = item.source
    cached = sources.get(source.path)
    if cached is not None and cached.source is source:
        return cached.digest
    head = f"B\0{source.path}\0{item.kind}\0".encode("utf-8", "surrogatepass")
    return hashlib.sha1(head + _dump(item.fields) + source.body.encode("utf-8", "surrogatepass")).hexdigest()


def relations(pub: Publication) -> dict[str, str]:
    """By item id, what every relation of the Publication gives it (the ids, in order, as JSON)."""
    found: dict[str, list] = {}
    for tag, name in RELATIONS:
        for iid, value in getattr(pub, name).items():
            found.setdefault(iid, []).append([tag, [i.id for i in value] if isinstance(value, tuple) else value.id])
    for iid, refs in pub.references.items():
        found.setdefault(iid, []).append(["R", [[name, [i.id for i in targets]] for name, targets in refs.items()]])
    return {iid: orjson.dumps(value).decode() for iid, value in found.items()}


def partners(pub: Publication) -> dict[str, set[str]]:
    """By item id, every item whose card its page shows through a relation or a reference."""
    found: dict[str, set[str]] = {}
    for _, name in RELATIONS:
        for iid, value in getattr(pub, name).items():
            found.setdefault(iid, set()).update(i.id for i in (value if isinstance(value, tuple) else (value,)))
    for iid, refs in pub.references.items():
        found.setdefault(iid, set()).update(i.id for targets in refs.values() for i in targets)
    return found


def _changed(now: Mapping[str, Any], kept: Mapping[str, Any]) -> set[str]:
    """The keys whose values differ between two mappings, or that only one has."""
    return {k for k in now.keys() | kept.keys() if now.get(k) != kept.get(k)}


def _usable(kept: Any, base: str) -> bool:
    """Whether `kept` is a record of this format, made under the same site-wide part of the keys."""
    if not isinstance(kept, dict) or kept.get("v") != VERSION or kept.get("base") != base:
        return False
    ids = kept.get("ids")
    if not isinstance(ids, list) or not isinstance(kept.get("heads"), list):
        return False
    blobs = all(isinstance(blob := kept.get(k), str) and len(blob) == WIDTH * len(ids) for k in ("tokens", "cards"))
    return blobs and all(isinstance(kept.get(k), dict) for k in ("relations", "sizes", "histories", "reads"))


class _Known:
    """The kept cards of the items whose cards are known unchanged (all but `fresh`), converted
    from the record when asked for."""

    def __init__(self, cards: str, index: Mapping[str, int], fresh: set[str]) -> None:
        self.cards, self.index, self.fresh = cards, index, fresh

    def get(self, iid: str) -> bytes | None:
        at = self.index.get(iid)
        if at is None or iid in self.fresh:
            return None
        card = self.cards[at * WIDTH : at * WIDTH + WIDTH]
        try:
            return bytes.fromhex(card) if card != NONE else None
        except ValueError:  # a damaged record: the card is computed
            return None


class Tracker:
    """This build's changes against the record the last build kept, and the record to keep."""

    def __init__(self, keys: Keys, items: Sequence[Item], kept: Any, verify: bool) -> None:
        """`items` is every item of the catalogue, public or not; `kept` the last build's record."""
        pub = keys.pub
        self.keys, self.items, self.verify = keys, items, verify
        self.public = pub.by_id
        self.ids = [item.id for item in items]
        sources = keys.sources
        self.tokens = [token(sources, item) for item in items]
        self.state = {
            "v": VERSION,
            "base": keys.base.hex(),
            "today": pub.today.isoformat(),
            "reports": _sha(_dump(pub.reports)).hex(),
            "public": keys.public().hex(),
            "history": _sha(_dump(pub.history)).hex(),
        }
        self.full = self.wide = True
        self.dirty: set[str] = set()  # the items whose pages' keys are to be computed
        self.fresh: set[str] = set()  # the items whose cards were computed to compare them
        self.histories: dict[str, str] | None = None
        self.relations: dict[str, str] | None = None
        self.kept: dict[str, Any] | None = kept if _usable(kept, keys.base.hex()) else None
        if self.kept is not None:
            try:
                self._compare(self.kept)
            except (TypeError, ValueError, AttributeError, KeyError, IndexError):  # a damaged record: not used
                self._forget()

    def _forget(self) -> None:
        """Compute every key, as without a record."""
        self.kept, self.keys.known, self.relations, self.histories = None, None, None, None
        self.full = self.wide = True
        self.dirty = set()

    def _card(self, item: Item) -> str:
        self.fresh.add(item.id)
        return self.keys.card(item).hex()

    def _compare(self, kept: dict[str, Any]) -> None:
        keys, pub, public, ids, tokens = self.keys, self.keys.pub, self.public, self.ids, self.tokens
        self.full = False
        index = {iid: at for at, iid in enumerate(kept["ids"])}
        old_tokens, old_cards = kept["tokens"], kept["cards"]

        def old(blob: str, iid: str) -> str:
            at = index.get(iid)
            return blob[at * WIDTH : at * WIDTH + WIDTH] if at is not None else ""

        same = kept["ids"] == ids
        if same and old_tokens == "".join(tokens):
            touched: set[str] = set()
        else:
            touched = {iid for iid, now in zip(ids, tokens, strict=True) if old(old_tokens, iid) != now}
        gone = set() if same else index.keys() - set(ids)
        moved = kept["today"] != self.state["today"]
        # the cards that changed: computed for the items they may have changed for, and compared
        candidates = set(public) if moved else touched & public.keys()
        cards = {iid for iid in candidates if self._card(public[iid]) != old(old_cards, iid)}
        left = set(index) if moved else touched | gone  # the items that may have left the public set
        cards |= {iid for iid in left if iid not in public and old(old_cards, iid) not in ("", NONE)}
        hidden = moved or any(iid not in public for iid in touched) or any(old(old_cards, i) == NONE for i in gone)
        self.wide = bool(cards) or hidden or kept["reports"] != self.state["reports"]
        related: set[str] = set()
        if self.wide:
            self.relations = relations(pub)
            related = _changed(self.relations, kept["relations"])
            for iid in related - self.fresh:  # a repeal or an expiry changes the 有效性 on a card
                if iid in public and self._card(public[iid]) != old(old_cards, iid):
                    cards.add(iid)
        if not self.verify:
            keys.known = _Known(old_cards, index, self.fresh | cards | related)
        elif not moved:  # every card is computed: the ones taken as unchanged must be so
            for item in pub.items:
                unchanged = item.id in index and item.id not in self.fresh
                if unchanged and keys.fresh_card(item).hex() != old(old_cards, item.id):
                    raise KeyMismatch(f"{item.path}: 卡片的输入未变而卡片变了 / its card changed, not its inputs")
            if not self.wide and relations(pub) != kept["relations"]:
                raise KeyMismatch("关系变了而未察觉 / the relations changed unnoticed")
        # an item page's own inputs
        dirty = (touched & public.keys()) | cards | related
        if self.verify or kept["history"] != self.state["history"]:
            self.histories = {iid: keys.history(iid).hex() for iid in pub.history}
            dirty |= _changed(self.histories, kept["histories"])
        if keys.sizes != kept["sizes"]:
            resized = _changed(keys.sizes, kept["sizes"])
            dirty |= {iid for iid, files in pub.attachments.items() if not resized.isdisjoint(files)}
        if self.wide:
            dirty |= self._reached(kept, cards, related)
        self.dirty = dirty

    def _reached(self, kept: dict[str, Any], cards: set[str], related: set[str]) -> set[str]:
        """The item pages a wide change reaches besides the changed items' own: those showing a
        changed card through a relation, a changed topic head, a lifecycle row that may find
        another item now, or links when the public set changed."""
        keys, pub, public = self.keys, self.keys.pub, self.public
        reached = {iid for iid, shown in partners(pub).items() if not cards.isdisjoint(shown)}
        names = set(cards) | {doc_no for iid in cards if iid in public and (doc_no := public[iid].get("doc_no"))}
        for iid, reads in kept["reads"].items():
            if (
                not cards.isdisjoint(reads.get("c", ()))
                or not related.isdisjoint(reads.get("r", ()))
                or not names.isdisjoint(reads.get("n", ()))
            ):
                reached.add(iid)
        topics = facet_index(pub, FACETS[0])
        heads = set()
        for topic, read, shown, digest in kept["heads"]:
            if keys.head(topic, topics.get(topic, ()), (read, shown)).hex() != digest:
                heads.add((topic, read, shown))
        if heads:
            changed = {topic for topic, _, _ in heads}
            for item in pub.items:
                shown_topics = item.get("topics") or ()
                if not changed.isdisjoint(shown_topics):
                    read, shown = related_reach(keys.linked(item.id))
                    if any((topic, read, shown) in heads for topic in shown_topics):
                        reached.add(item.id)
        if kept["public"] != self.state["public"]:
            reached |= {item.id for item in pub.items if "[" in item.body or "<" in item.body}
        return reached

    def unchanged(self, item: str | None) -> bool:
        """Whether a page's key is the one the last build recorded for it, without computing it;
        `item` is the id of the item whose page it is, None for any other page."""
        if self.full:
            return False
        return not self.wide if item is None else item not in self.dirty

    def record(self) -> dict[str, Any]:
        """The state of this build's inputs, to keep with its page keys."""
        keys, kept, public = self.keys, self.kept, self.public
        pub = keys.pub
        if kept is not None and not self.wide:  # no card changed, no item came or went
            cards = kept["cards"]
        else:
            computed, known = keys._cards, keys.known
            found = []
            for item in self.items:
                now = public.get(item.id)
                if now is None:
                    found.append(NONE)
                    continue
                card = computed.get(id(now)) or (known.get(item.id) if known is not None else None)
                found.append((card or keys.card(now)).hex())
            cards = "".join(found)
        if self.relations is None:
            self.relations = relations(pub) if kept is None else kept["relations"]
        if self.histories is None:
            self.histories = (
                {iid: keys.history(iid).hex() for iid in pub.history} if kept is None else kept["histories"]
            )
        heads = [[topic, read, shown, digest.hex()] for (topic, (read, shown)), digest in keys._heads.items()]
        if kept is not None and not self.wide:  # the kept heads did not change: they stand, with any new
            heads += [head for head in kept["heads"] if (head[0], (head[1], head[2])) not in keys._heads]
        reads = {} if kept is None else {iid: r for iid, r in kept["reads"].items() if iid in public}
        for iid, found_reads in keys.reads.items():
            if found_reads:
                reads[iid] = found_reads
            else:
                reads.pop(iid, None)
        return {
            **self.state,
            "ids": self.ids,
            "tokens": "".join(self.tokens),
            "cards": cards,
            "relations": self.relations,
            "heads": heads,
            "histories": self.histories,
            "sizes": keys.sizes,
            "reads": reads,
        }
