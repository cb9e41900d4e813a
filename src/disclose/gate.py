"""Stage 4, decide what is public: the only stage that hands items onward.

Rendering, search indexing, feeds, the sitemap and open data receive a
Publication, which holds public items and relations between public items only.
What is not public is reduced here to numbers (Statistics) and nothing else.

A rebuild whose front matter, site.yaml and date are unchanged recalls the last decision
(`recall`) instead of making it again; the public items it recalls are checked to be exactly
those `visibility.is_public` finds in this build's catalogue.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .catalogue import Catalogue
from .config import SiteConfig
from .history import Revision
from .model import Item, ResponseFacts, WithheldFacts
from .rules.attachments import attachment_path
from .visibility import hidden_reason, is_public


@dataclass(frozen=True)
class Statistics:
    """Counts over every item, public or not; the only trace non-public items leave."""

    not_public: Mapping[str, int]  # withheld / on-request / draft / embargoed -> count
    withheld_by_basis: Mapping[str, int]
    responses: tuple[ResponseFacts, ...]
    withheld: tuple[WithheldFacts, ...]  # every item not public by its attribute


@dataclass(frozen=True)
class Publication:
    """Everything later stages may see."""

    config: SiteConfig
    today: date
    items: tuple[Item, ...]
    by_id: Mapping[str, Item]
    interpretations: Mapping[str, tuple[Item, ...]]  # policy id -> its public interpretations
    interprets: Mapping[str, Item]  # interpretation id -> its policy
    successors: Mapping[str, tuple[Item, ...]]  # repealed id -> repealing items
    predecessors: Mapping[str, tuple[Item, ...]]  # repealing id -> repealed items
    feedback: Mapping[str, Item]  # consultation id -> feedback page
    attachments: Mapping[str, tuple[str, ...]]  # item id -> site-relative file paths
    statistics: Statistics
    history: Mapping[str, tuple[Revision, ...]]  # item id -> its public revisions, newest first
    reports: Mapping[int, Mapping]  # year -> the editors' annual-report figures and prose
    # item id -> {field: public items it names} for every `ref`/`refs` field of its kind (a category's too)
    references: Mapping[str, Mapping[str, tuple[Item, ...]]] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # views computed once per build
    amended_by: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)  # amended id -> amending items
    amends: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)  # amending id -> amended items
    declared_expired: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)  # id -> 清理结果 that ended it
    # 文号 -> the public item with it (the last, should two share one: N502 refuses that build)
    by_doc_no: Mapping[str, Item] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Item]:
        if "by_kind" not in self.memo:
            by_kind: dict[str, list[Item]] = defaultdict(list)
            for item in self.items:
                by_kind[item.kind].append(item)
            self.memo["by_kind"] = by_kind
        return list(self.memo["by_kind"].get(kind, ()))

    def status(self, item: Item) -> str | None:
        """有效性 of a policy: the editor's override, else 废止 / 失效 / 有效 computed."""
        if item.kind != "policy":
            return None
        get = item.fields.get  # asked of every policy on several pages: no Python call per field
        if status := get("status"):
            return status
        if self.successors.get(item.id):
            return "废止"
        expires = get("expires")
        if (expires and expires < self.today) or self.declared_expired.get(item.id):
            return "失效"
        if self.amended_by.get(item.id):
            return "已修改"
        return "有效"


# Fields, besides a kind's `ref` and `refs` fields, by which an item names other items (relations)
LINKS = ("interprets", "supersedes", "repealed", "amends", "expired", "feedback")


def _statistics(catalogue: Catalogue, hidden: list[Item]) -> Statistics:
    """The counts; `hidden` is every item of the catalogue that is not public."""
    responses = tuple(_facts(i) for i in catalogue.of_kind("response") if not i.draft)
    return Statistics(
        not_public=dict(sorted(Counter(r for i in hidden if (r := hidden_reason(i, catalogue.today))).items())),
        withheld_by_basis=dict(
            sorted(Counter(i.get("basis") for i in hidden if i.disclosure != "public" and i.get("basis")).items())
        ),
        responses=responses,
        withheld=tuple(
            WithheldFacts(i.published, i.disclosure, i.get("basis"), i.get("review").next if i.get("review") else None)
            for i in hidden
            if i.disclosure != "public"
        ),
    )


def _facts(item: Item) -> ResponseFacts:
    get: Callable[..., Any] = item.fields.get  # Item.get, without a Python call for each field
    return ResponseFacts(
        received=get("received"),
        replied=get("replied"),
        extended=bool(get("extended")),
        paused_days=get("paused_days") or 0,
        applicant_type=get("applicant_type"),
        outcome=get("outcome"),
        basis=get("basis"),
        reason=get("reason"),
    )


def _order(items: list[Item]) -> tuple[Item, ...]:
    return tuple(sorted(items, key=lambda i: (i.published or date.min, i.id)))


def _current(item: Item, today: date) -> Item:
    """The item as it stands today: an update (`updates`) dated after today is not public yet, as an
    embargoed item is not."""
    updates = item.get("updates")
    if not updates or all(update.at <= today for update in updates):
        return item
    return replace(item, fields={**item.fields, "updates": tuple(u for u in updates if u.at <= today)})


def with_history(pub: Publication, history: Mapping[str, tuple[Revision, ...]] | None) -> Publication:
    """`pub` (decided without history) with its items' revisions, as `decide(catalogue, history)`
    gives it: the history touches nothing else, so the build need not decide twice."""
    # The memo is kept: what it holds (links, orders, facets, deadlines) never reads the history;
    # only item pages do, and they are not memoized.
    return replace(pub, history=_public_history(pub.items, history), memo=pub.memo)


def _public_history(
    public: Iterable[Item], history: Mapping[str, tuple[Revision, ...]] | None
) -> dict[str, tuple[Revision, ...]]:
    if not history:
        return {}
    return {i.id: history[i.path] for i in public if i.path in history}


def decide(catalogue: Catalogue, history: Mapping[str, tuple[Revision, ...]] | None = None) -> Publication:
    """Keep the public items and the relations whose both ends are public."""
    today = catalogue.today
    kinds = catalogue.config.kinds
    specs_of = {kind: kinds.references(kind) for kind in catalogue.by_kind}
    named_by = {kind: frozenset(spec.name for spec in specs).union(LINKS) for kind, specs in specs_of.items()}
    public: list[Item] = []
    hidden: list[Item] = []
    by_id: dict[str, Item] = {}
    by_doc_no: dict[str, Item] = {}
    attachments: dict[str, tuple[str, ...]] = {}
    linking: list[Item] = []  # the public items with a field that names another item
    for item in catalogue.items:
        if not is_public(item, today):
            hidden.append(item)
            continue
        item = _current(item, today)
        public.append(item)
        by_id[item.id] = item
        get: Callable[..., Any] = item.fields.get  # Item.get, without a Python call for each field asked
        if get("attachments"):
            attachments[item.id] = tuple(attachment_path(item, a) for a in get("attachments"))
        if doc_no := get("doc_no"):
            by_doc_no[doc_no] = item
        if not named_by[item.kind].isdisjoint(item.fields):  # a field set (even to nothing) that names items
            linking.append(item)

    def resolve(ref: str) -> Item | None:
        target = catalogue.resolve(ref)
        return by_id.get(target.id) if target is not None else None

    interpretations: dict[str, list[Item]] = defaultdict(list)
    interprets: dict[str, Item] = {}
    successors: dict[str, list[Item]] = defaultdict(list)
    predecessors: dict[str, list[Item]] = defaultdict(list)
    feedback: dict[str, Item] = {}
    amended_by: dict[str, list[Item]] = defaultdict(list)
    amends: dict[str, list[Item]] = defaultdict(list)
    declared_expired: dict[str, list[Item]] = defaultdict(list)
    references: dict[str, dict[str, tuple[Item, ...]]] = {}
    # Relations once every public item is known; an item not in `linking` has none of the fields
    # that name items.
    for item in linking:
        ask: Callable[..., Any] = item.fields.get
        for spec in specs_of[item.kind]:
            named = ask(spec.name)
            targets = [t for ref in ([named] if isinstance(named, str) else named or ()) if (t := resolve(ref))]
            if targets:
                references.setdefault(item.id, {})[spec.name] = tuple(targets)
        if item.kind == "interpretation" and (policy := resolve(ask("interprets", ""))):
            interpretations[policy.id].append(item)
            interprets[item.id] = policy
        for name in ("supersedes", "repealed"):  # a 清理结果 repeals too
            for ref in ask(name) or ():
                if old := resolve(ref):
                    successors[old.id].append(item)
                    predecessors[item.id].append(old)
        for ref in ask("amends") or ():
            if old := resolve(ref):
                amended_by[old.id].append(item)
                amends[item.id].append(old)
        for ref in ask("expired") or ():
            if old := resolve(ref):
                declared_expired[old.id].append(item)
        if ask("feedback") and (page := resolve(ask("feedback"))):
            feedback[item.id] = page
    return Publication(
        config=catalogue.config,
        today=catalogue.today,
        items=tuple(public),
        by_id=by_id,
        interpretations={k: _order(v) for k, v in sorted(interpretations.items())},
        interprets=interprets,
        successors={k: _order(v) for k, v in sorted(successors.items())},
        predecessors={k: _order(v) for k, v in sorted(predecessors.items())},
        feedback=feedback,
        attachments=attachments,
        statistics=_statistics(catalogue, hidden),
        history=_public_history(public, history),
        reports={year: dict(source.meta) for year, source in sorted(catalogue.reports.items())},
        amended_by={k: _order(v) for k, v in sorted(amended_by.items())},
        amends={k: _order(v) for k, v in sorted(amends.items())},
        declared_expired={k: _order(v) for k, v in sorted(declared_expired.items())},
        references=references,
        by_doc_no=by_doc_no,
    )


# The decision kept between builds (`remember`, `recall`). A body edit changes no input of the
# decision, yet deciding again visits every item: at 10,000 documents that is most of a rebuild's
# decision time. What is kept names items by id and by position in `Publication.items`, never
# holds one, so what is recalled is this build's items themselves.
MEMORY = 1  # the record's format


def decision_key(catalogue: Catalogue) -> str | None:
    """A digest of everything `decide` reads, None when validation did not find it: site.yaml,
    every content file but its body's text and which files are items (`validate.others_key`,
    kept in `catalogue.keys`), and the build date. `decide` reads of an item only its kind and
    fields, which follow from its file's front matter and site.yaml; the history is added apart
    (`with_history`), the annual reports' data is taken afresh."""
    front = catalogue.keys.get("front")
    if not front:
        return None
    return hashlib.sha1(f"{MEMORY}\0{front}\0{catalogue.today.isoformat()}".encode()).hexdigest()


def remember(pub: Publication, key: str) -> dict[str, Any]:
    """`pub`'s decision as plain data under `key` (`decision_key`): items as ids, and as positions
    in `pub.items` where they are related. Mappings are lists of pairs, so their order is kept
    however the record is stored."""
    at = {item.id: n for n, item in enumerate(pub.items)}

    def many(relation: Mapping[str, tuple[Item, ...]]) -> list[list]:
        return [[iid, [at[i.id] for i in items]] for iid, items in relation.items()]

    return {
        "v": MEMORY,
        "key": key,
        "ids": list(at),
        "current": [n for n, item in enumerate(pub.items) if "updates" in item.fields],
        "attachments": [[iid, list(paths)] for iid, paths in pub.attachments.items()],
        "doc_no": [[doc_no, at[item.id]] for doc_no, item in pub.by_doc_no.items()],
        "one": {name: [[iid, at[i.id]] for iid, i in getattr(pub, name).items()] for name in _ONE},
        "many": {name: many(getattr(pub, name)) for name in _MANY},
        "references": [
            [iid, [[name, [at[i.id] for i in targets]] for name, targets in refs.items()]]
            for iid, refs in pub.references.items()
        ],
    }


_ONE = ("interprets", "feedback")
_MANY = ("interpretations", "successors", "predecessors", "amended_by", "amends", "declared_expired")


def recall(catalogue: Catalogue, record: Any) -> Publication | None:
    """The Publication `decide(catalogue)` gives, rebuilt from the `record` of an earlier build
    (`remember`) when its key is this catalogue's `decision_key`; None otherwise, or when the
    record does not fit the catalogue.

    Whatever the key, the recalled public items must be exactly those `visibility.is_public` finds
    in this catalogue (`Catalogue.public_ids`, found afresh), each once: a record can never
    publish an item that is not public. Under `page_keys.verifying` the decision is made afresh
    too and any difference stops the build."""
    from .page_keys import KeyMismatch, verifying  # page_keys reads the Publication: imported when used

    key = decision_key(catalogue)
    if key is None or not isinstance(record, dict) or record.get("v") != MEMORY or record.get("key") != key:
        return None
    try:
        pub = _recalled(catalogue, record)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # a damaged record: decide
        return None
    if pub is not None and verifying() and not same(pub, decide(catalogue)):
        raise KeyMismatch("公开决定的输入未变而决定变了 / the decision changed, not its inputs")
    return pub


def _recalled(catalogue: Catalogue, record: dict[str, Any]) -> Publication | None:
    today, ids = catalogue.today, record["ids"]
    items = list(map(catalogue.by_id.__getitem__, ids))
    by_id = dict(zip(ids, items, strict=True))
    public = catalogue.public_ids
    if not (len(by_id) == len(items) == len(public) and public.issuperset(by_id)):
        return None
    for n in record["current"]:
        items[n] = by_id[ids[n]] = _current(items[n], today)
    at = items.__getitem__

    def many(relation: list[list]) -> dict[str, tuple[Item, ...]]:
        return {iid: tuple(map(at, positions)) for iid, positions in relation}

    one = {name: {iid: items[n] for iid, n in relation} for name, relation in record["one"].items()}
    related = {name: many(relation) for name, relation in record["many"].items()}
    references = {iid: {name: tuple(map(at, where)) for name, where in refs} for iid, refs in record["references"]}
    attachments = {iid: tuple(paths) for iid, paths in record["attachments"]}
    # every relation and attachment belongs to a public item (its ends are public by position)
    owners = (*one.values(), *related.values(), references, attachments)
    if not all(by_id.keys() >= relation.keys() for relation in owners):
        return None
    hidden = list(map(catalogue.by_id.__getitem__, catalogue.hidden_ids))
    return Publication(
        config=catalogue.config,
        today=today,
        items=tuple(items),
        by_id=by_id,
        interpretations=related["interpretations"],
        interprets=one["interprets"],
        successors=related["successors"],
        predecessors=related["predecessors"],
        feedback=one["feedback"],
        attachments=attachments,
        statistics=_statistics(catalogue, hidden),
        history={},
        reports={year: dict(source.meta) for year, source in sorted(catalogue.reports.items())},
        amended_by=related["amended_by"],
        amends=related["amends"],
        declared_expired=related["declared_expired"],
        references=references,
        by_doc_no={doc_no: items[n] for doc_no, n in record["doc_no"]},
    )


def same(one: Publication, other: Publication) -> bool:
    """Whether two Publications are equal, the order of every mapping included (dicts compare
    equal in any order; the pages list what they hold in theirs)."""
    for name in one.__dataclass_fields__:
        if name == "memo":
            continue
        mine, theirs = getattr(one, name), getattr(other, name)
        if mine != theirs:
            return False
        if isinstance(mine, Mapping) and (
            list(mine) != list(theirs)
            or any(isinstance(v, Mapping) and list(v) != list(theirs[k]) for k, v in mine.items())
        ):
            return False
    return True
