"""All typed items of a site, with look-ups by id and by 文号; what the rules see.

Look-ups that rules repeat for every item (an item's interpretations, the links in its text,
the items of a kind) are computed once here, so validation stays linear in the site's size.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import attrgetter
from pathlib import Path

from .config import SiteConfig
from .identifiers import normalize_doc_no, reference_key
from .markdown import body_links
from .model import Item, Source
from .visibility import is_public


@dataclass(frozen=True)
class Catalogue:
    """Every item that passed the schema, public or not. Only validation reads this."""

    root: Path
    config: SiteConfig
    today: date
    items: tuple[Item, ...]
    by_id: Mapping[str, Item]
    by_doc_no: Mapping[str, Item]
    reports: Mapping[int, Source]  # reports/YEAR.yaml: the annual report's data files
    by_kind: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)
    # sources whose front matter failed the schema, by id and by 文号: references to them name the file
    rejected: Mapping[str, Source] = field(default_factory=dict)
    # ids of content files that could not be read at all (malformed YAML, bad bytes): no Source
    unreadable: frozenset[str] = frozenset()
    # ids of the items public on `today` (visibility.is_public), found once for every rule
    public_ids: frozenset[str] = frozenset()
    hidden_ids: tuple[str, ...] = ()  # and of the others, in order
    public_years: frozenset[int] = frozenset()  # the years the public items were published in
    # for each of `UNIQUE`: the items, in order, whose value an item before them has (N502–N504)
    repeats: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)
    firsts: Mapping[str, Mapping[str, Item]] = field(default_factory=dict)  # and value -> the first item with it
    _links: dict[str, list[tuple[str, int]]] = field(default_factory=dict, compare=False, repr=False)
    _hidden: dict[str, dict[str, tuple[Item, str]]] = field(default_factory=dict, compare=False, repr=False)
    # digests of what validation found the catalogue to depend on: "front" is `validate.others_key`,
    # every content file but its body's text (set only when validation keeps its findings)
    keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        root: Path,
        config: SiteConfig,
        today: date,
        items: list[Item],
        reports: Mapping[int, Source] | None = None,
        rejected: list[Source] | None = None,
        unreadable: frozenset[str] = frozenset(),
        public_ids: frozenset[str] | None = None,
    ) -> Catalogue:
        """`public_ids`, when the caller has them, are the ids of the `items` that
        `visibility.is_public` finds public on `today` (validation asks it of every item anyway)."""
        ordered = tuple(sorted(items, key=_ID))
        by_id: dict[str, Item] = {}
        by_kind: dict[str, list[Item]] = defaultdict(list)
        public: list[str] = []
        hidden: list[str] = []
        years: set[int] = set()
        firsts: dict[str, dict[str, Item]] = {name: {} for name in UNIQUE}
        repeats: dict[str, list[Item]] = {name: [] for name in UNIQUE}
        # One pass for every index: at 10,000 items each pass costs milliseconds in memory reads alone.
        for item in ordered:
            by_id[item.id] = item
            by_kind[item.kind].append(item)
            get = item.fields.get
            for name in UNIQUE:
                if (value := get(name)) and firsts[name].setdefault(value, item) is not item:
                    repeats[name].append(item)
            if item.id in public_ids if public_ids is not None else is_public(item, today):
                public.append(item.id)
                if published := get("published"):
                    years.add(published.year)
            else:
                hidden.append(item.id)
        return cls(
            root,
            config,
            today,
            ordered,
            by_id,
            firsts["doc_no"],
            dict(reports or {}),
            {k: tuple(v) for k, v in by_kind.items()},
            rejected=_by_reference(rejected or ()),
            unreadable=unreadable,
            public_ids=frozenset(public),
            hidden_ids=tuple(hidden),
            public_years=frozenset(years),
            repeats={name: tuple(found) for name, found in repeats.items()},
            firsts=firsts,
        )

    @cached_property
    def interpretations(self) -> dict[str, tuple[Item, ...]]:
        """Policy id -> its interpretations that are not drafts (found when first asked: only the
        pairing rules ask, and they run again only for changed files, see validate)."""
        interpretations: dict[str, list[Item]] = defaultdict(list)
        for item in self.of_kind("interpretation"):
            target = self.resolve(item.get("interprets", ""))
            if target is not None and not item.draft:
                interpretations[target.id].append(item)
        return {k: tuple(v) for k, v in interpretations.items()}

    def resolve(self, ref: str) -> Item | None:
        """An item named by id (policies/a) or by 文号, in any bracket form."""
        clean, doc_no = reference_key(ref)
        return self.by_id.get(clean) or self.by_doc_no.get(doc_no)

    def is_public(self, item: Item) -> bool:
        """`visibility.is_public(item, today)` for an item of this catalogue, looked up."""
        return item.id in self.public_ids

    def failed_file(self, ref: str) -> str | None:
        """The file a reference names when that file is no item: its front matter failed the
        schema, or the file could not be read at all."""
        clean, doc_no = reference_key(ref)
        source = self.rejected.get(clean) or self.rejected.get(doc_no)
        if source is not None:
            return source.path
        return f"content/{clean}.md" if clean in self.unreadable else None

    def hidden_file(self, path: str) -> tuple[Item, str] | None:
        """(non-public item, the file named) when the site-relative `path` names a non-public
        item's .md file, its id, or one of its attachments that no public item also publishes."""
        if "files" not in self._hidden:
            self._hidden["files"] = self._hidden_files()
        return self._hidden["files"].get(_fold(path))

    def _hidden_files(self) -> dict[str, tuple[Item, str]]:
        def attached(item: Item) -> list[str]:
            base = posixpath.dirname(item.path)
            return [posixpath.normpath(posixpath.join(base, str(a))) for a in item.get("attachments") or ()]

        public = {_fold(rel) for i in self.items if self.is_public(i) for rel in attached(i)}
        hidden: dict[str, tuple[Item, str]] = {}
        for item in self.items:
            if not self.is_public(item):
                hidden[_fold(item.path)] = hidden[_fold(f"content/{item.id}")] = (item, item.path)
                hidden.update({_fold(rel): (item, rel) for rel in attached(item) if _fold(rel) not in public})
        return hidden

    def of_kind(self, kind: str) -> tuple[Item, ...]:
        return self.by_kind.get(kind, ())

    def links(self, item: Item) -> list[tuple[str, int]]:
        """Link targets in the item's text with their line in the body (parsed once per item)."""
        if item.id not in self._links:
            self._links[item.id] = body_links(item.body)
        return self._links[item.id]


UNIQUE = ("doc_no", "index_no", "request_no")  # identifiers one item each (N502–N504)
_ID = attrgetter("source.id")  # Item.id, without the property's call


def _fold(path: str) -> str:
    """A path as a case-insensitive server (or one that normalises Unicode) would match it."""
    return unicodedata.normalize("NFC", path).casefold()


def _by_reference(sources: Iterable[Source]) -> dict[str, Source]:
    found: dict[str, Source] = {}
    for source in sources:
        found.setdefault(source.id, source)
        doc_no = source.meta.get("doc_no") if isinstance(source.meta, Mapping) else None
        if isinstance(doc_no, str) and doc_no.strip():
            found.setdefault(normalize_doc_no(doc_no.strip()), source)
    return found
