"""What makes checking a site after one edit fast must find exactly what checking it afresh finds.

- The findings of the item rules that read other items are kept in the cache (`others.pickle`)
  under a key of everything they read (`validate.others_key`): after an edit of a body only that
  file is checked again by them; any change of front matter, of which items are public, of
  site.yaml, or of the set of files checks every file again.
- The catalogue and the gate build their indexes in one pass (`Catalogue.of`, `gate.decide`).
- 文号 and 索引号 already in their normal form are not rewritten (`identifiers`).
"""

from __future__ import annotations

import dataclasses
import pickle
import re
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import copy_sample, write

TODAY = "2024-06-01"
DECISION = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: {published}\n{extra}---\n{body}\n"


def checked(site: Path, cache: Path | None, today: str = TODAY) -> list[str]:
    """Every problem `check` reports, through the cache folder `cache` (opened and saved as a
    build does, as a fresh process would) or without one."""
    from disclose import pipeline
    from disclose.build_cache import BuildCache

    opened = BuildCache.open(cache) if cache else None
    report = pipeline.check(site, date.fromisoformat(today), opened, 1)
    if opened is not None:
        opened.save()
    return [problem.format("en") for problem in report.problems]


def same_as_uncached(site: Path, cache: Path, today: str = TODAY) -> list[str]:
    found = checked(site, cache, today)
    assert found == checked(site, None, today)
    return found


def _linking_a_missing_file(site: Path, cache: Path) -> None:
    """A decision linking b.md, which does not exist: one R703, the same with the cache as without."""
    write(
        site,
        "content/decisions/a.md",
        DECISION.format(title="甲", published="2024-03-01", extra="", body="见[乙](b.md)。"),
    )
    assert codes(same_as_uncached(site, cache)) == ["R703"]


def codes(found: list[str]) -> list[str]:
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in found]


@pytest.fixture
def trusting(monkeypatch):
    """Kept findings are used as they are: not found again to compare (see `page_keys.verifying`),
    so a key that missed an input would show here as a stale finding."""
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")


@pytest.fixture
def calls(monkeypatch):
    """The ids of the items each rule that reads other items is asked about, by rule code."""
    from disclose.rules import REGISTRY

    asked: dict[str, list[str]] = defaultdict(list)
    for code, rule in list(REGISTRY.items()):
        if rule.scope == "item" and rule.reads == "catalogue":

            def counted(item, site, _check=rule.check, _code=code):
                asked[_code].append(item.id)
                return _check(item, site)

            monkeypatch.setitem(REGISTRY, code, dataclasses.replace(rule, check=counted))
    return asked


def test_after_a_body_edit_only_that_file_is_checked_again_against_the_others(site, tmp_path, trusting, calls):
    cache = tmp_path / "cache"
    _linking_a_missing_file(site, cache)
    calls.clear()
    with (site / "content/policies/rules.md").open("a", encoding="utf-8") as handle:
        handle.write("\n第二条 新增一句。\n")
    assert codes(checked(site, cache)) == ["R703"]  # kept for the unchanged file
    assert set(calls["R703"]) == {"policies/rules"} and set(calls["R704"]) == {"policies/rules"}
    calls.clear()
    assert codes(checked(site, cache)) == ["R703"]
    assert not any(calls.values())  # nothing changed: nothing looked for


def test_front_matter_edited_elsewhere_checks_every_file_again(site, tmp_path, trusting):
    """The policy's file is unchanged, but its interpretation is no longer public (P401), and then
    a file appears that a kept finding said was missing (R703)."""
    cache = tmp_path / "cache"
    _linking_a_missing_file(site, cache)
    jd = site / "content/interpretations/rules-jd.md"
    jd.write_text(jd.read_text(encoding="utf-8").replace("---\n本规则", "draft: true\n---\n本规则"), encoding="utf-8")
    found = same_as_uncached(site, cache)
    assert "P401" in codes(found) and any(line.startswith("content/policies/rules.md") for line in found)
    jd.write_text(jd.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    assert codes(same_as_uncached(site, cache)) == ["R703"]
    write(site, "content/decisions/b.md", DECISION.format(title="乙", published="2024-03-01", extra="", body="正文。"))
    assert same_as_uncached(site, cache) == []


def test_kept_findings_follow_the_items_made_public_by_the_date(site, tmp_path, trusting, calls):
    """A link to an embargoed item (R704) is refused until its day; a later build date that makes
    no item public keeps the findings, the one that does finds them again."""
    cache = tmp_path / "cache"
    write(
        site,
        "content/decisions/later.md",
        DECISION.format(title="将来", published="2024-07-01", extra="", body="正文。"),
    )
    write(
        site,
        "content/decisions/a.md",
        DECISION.format(title="甲", published="2024-03-01", extra="", body="见[将来](later.md)。"),
    )
    assert codes(same_as_uncached(site, cache, "2024-06-01")) == ["R704"]
    calls.clear()
    assert codes(checked(site, cache, "2024-06-20")) == ["R704"]
    assert not calls["R704"]  # the same items are public: kept
    assert codes(same_as_uncached(site, cache, "2024-07-02")) == []
    assert codes(same_as_uncached(site, cache, "2024-06-20")) == ["R704"]


def test_findings_follow_site_yaml(site, tmp_path, trusting):
    """The grace for an interpretation published later (P404) is set in site.yaml."""
    cache = tmp_path / "cache"
    jd = site / "content/interpretations/rules-jd.md"
    jd.write_text(jd.read_text(encoding="utf-8").replace("published: 2024-03-01", "published: 2024-03-03"), "utf-8")
    assert "P404" in codes(same_as_uncached(site, cache))
    with (site / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("paired_release_grace_days: 5\n")
    assert "P404" not in codes(same_as_uncached(site, cache))


def test_a_damaged_record_is_ignored(site, tmp_path, trusting):
    from disclose.build_cache import OTHERS

    cache = tmp_path / "cache"
    _linking_a_missing_file(site, cache)
    (cache / OTHERS).write_bytes(b"\x80\x05not a pickle")
    assert codes(same_as_uncached(site, cache)) == ["R703"]


def test_a_record_that_differs_from_what_the_rules_find_stops_the_check(site, tmp_path, monkeypatch):
    """Under DISCLOSE_VERIFY_KEYS (on in the tests) kept findings are found again and compared:
    a key that missed an input stops the build instead of hiding a finding."""
    from disclose.build_cache import OTHERS, _engine_key
    from disclose.page_keys import KeyMismatch

    cache = tmp_path / "cache"
    _linking_a_missing_file(site, cache)
    with (cache / OTHERS).open("rb") as handle:
        engine, others = pickle.load(handle)
    assert engine == _engine_key() and others.found
    others.found = {}  # as if R703 had found nothing
    with (cache / OTHERS).open("wb") as handle:
        pickle.dump((engine, others), handle)
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    with pytest.raises(KeyMismatch):
        checked(site, cache)


# ---- the gate's one pass ------------------------------------------------------------------------


def _reference_decide(catalogue):
    """The relations as the gate found them before it went over the items once: every public item
    asked for every field."""
    from disclose.gate import _current
    from disclose.rules.attachments import attachment_path
    from disclose.visibility import is_public

    public = [_current(i, catalogue.today) for i in catalogue.items if is_public(i, catalogue.today)]
    by_id = {i.id: i for i in public}

    def resolve(ref):
        target = catalogue.resolve(ref)
        return by_id.get(target.id) if target is not None else None

    found = defaultdict(lambda: defaultdict(list))
    references = {}
    for item in public:
        for spec in catalogue.config.kinds.references(item.kind):
            named = item.get(spec.name)
            targets = [t for ref in ([named] if isinstance(named, str) else named or ()) if (t := resolve(ref))]
            if targets:
                references.setdefault(item.id, {})[spec.name] = tuple(targets)
        if item.kind == "interpretation" and (policy := resolve(item.get("interprets", ""))):
            found["interpretations"][policy.id].append(item)
        for ref in (item.get("supersedes") or ()) + (item.get("repealed") or ()):
            if old := resolve(ref):
                found["successors"][old.id].append(item)
                found["predecessors"][item.id].append(old)
        for ref in item.get("amends") or ():
            if old := resolve(ref):
                found["amended_by"][old.id].append(item)
                found["amends"][item.id].append(old)
        for ref in item.get("expired") or ():
            if old := resolve(ref):
                found["declared_expired"][old.id].append(item)
        if item.get("feedback") and (page := resolve(item.get("feedback"))):
            found["feedback"][item.id] = page
        if item.get("attachments"):
            found["attachments"][item.id] = tuple(attachment_path(item, a) for a in item.get("attachments"))
    order = lambda items: tuple(sorted(items, key=lambda i: (i.published or date.min, i.id)))  # noqa: E731
    relations = {
        name: {k: order(v) for k, v in found[name].items()}
        for name in ("interpretations", "successors", "predecessors", "amended_by", "amends", "declared_expired")
    }
    return public, references, relations, dict(found["feedback"]), dict(found["attachments"])


def test_the_gate_finds_every_relation_the_plain_way_finds(tmp_path):
    """The sample site has every kind of relation, hidden items, embargoes and a future update."""
    from disclose import pipeline
    from disclose.gate import decide

    sample = copy_sample(tmp_path / "sample")
    for today in ("2024-06-01", "2026-11-22"):
        report = pipeline.check(sample, date.fromisoformat(today), None, 1)
        catalogue = report.catalogue
        assert catalogue is not None
        pub = decide(catalogue)
        public, references, relations, feedback, attachments = _reference_decide(catalogue)
        assert list(pub.items) == public and dict(pub.references) == references
        assert dict(pub.feedback) == feedback and dict(pub.attachments) == attachments
        for name, expected in relations.items():
            assert dict(getattr(pub, name)) == expected, name
        assert sum(len(v) for v in relations.values()) > 5 and references  # the sample relates items
        assert dict(pub.by_doc_no) == {i.get("doc_no"): i for i in pub.items if i.get("doc_no")}


def test_the_catalogue_indexes_equal_what_each_rule_found_alone(tmp_path):
    from disclose import pipeline
    from disclose.catalogue import UNIQUE
    from disclose.visibility import is_public

    sample = copy_sample(tmp_path / "sample")
    policy = (sample / "content/policies").glob("*.md").__next__().read_text(encoding="utf-8")
    write(sample, "content/policies/zz-copy.md", policy)  # every identifier twice
    write(sample, "content/policies/aa-copy.md", policy)
    catalogue = pipeline.check(sample, date(2024, 6, 1), None, 1).catalogue
    assert catalogue is not None
    today = catalogue.today
    assert catalogue.public_ids == {i.id for i in catalogue.items if is_public(i, today)}
    assert catalogue.hidden_ids == tuple(i.id for i in catalogue.items if not is_public(i, today))
    assert catalogue.public_years == {i.published.year for i in catalogue.items if i.published and is_public(i, today)}
    for name in UNIQUE:
        holders = defaultdict(list)
        for item in catalogue.items:
            if item.get(name):
                holders[item.get(name)].append(item)
        assert catalogue.firsts[name] == {value: items[0] for value, items in holders.items()}
        assert sorted(catalogue.repeats[name], key=lambda i: i.id) == sorted(
            (i for items in holders.values() for i in items[1:]), key=lambda i: i.id
        )
    assert catalogue.repeats["doc_no"]
    from disclose.build_cache import BuildCache

    cache = BuildCache.open(tmp_path / "cache")
    for _ in range(2):  # the public ids validation found, through the cache (kept entries) too
        cached = pipeline.check(sample, date(2024, 6, 1), cache, 1).catalogue
        assert cached is not None and cached.public_ids == catalogue.public_ids
        assert cached.hidden_ids == catalogue.hidden_ids and catalogue.hidden_ids


# ---- identifiers: the normal form without rewriting ---------------------------------------------


def _canonical(value: str) -> str:
    text = unicodedata.normalize(
        "NFKC", str(value).translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")))
    )
    return re.sub(r"\s+", "", text)


def _normalize_doc_no(value: str) -> str:
    return re.sub(r"[\[\(（【〔［]\s*(\d{4})\s*[\]\)）】〕］]", r"〔\1〕", _canonical(value))


IDENTIFIER_TEXT = st.text(
    st.sampled_from(
        list("示政发规办号第0123456789２０２４〔〕[]()（）【】［］ \u3000\t\u200b\u00adＡAａ/-٢") + ["\ufb01", "\u2460"]
    ),
    max_size=16,
)


@given(IDENTIFIER_TEXT)
def test_identifiers_in_normal_form_come_out_as_the_full_rewriting_gives_them(text):
    from disclose.identifiers import canonical, normalize_doc_no

    assert canonical(text) == _canonical(text)
    assert normalize_doc_no(text) == _normalize_doc_no(text)
    assert normalize_doc_no(normalize_doc_no(text)) == normalize_doc_no(text)


# ---- the decision kept between builds (gate.remember, gate.recall) -------------------------------


def _kept_decision(tmp_path: Path, today: str = "2026-11-22"):
    """The sample site checked once through a cache, and its catalogue as the next check finds it."""
    from disclose import pipeline
    from disclose.build_cache import BuildCache

    sample = copy_sample(tmp_path / "sample")
    cache = BuildCache.open(tmp_path / "cache")
    report = pipeline.check(sample, date.fromisoformat(today), cache, 1)
    assert report.catalogue is not None and report.catalogue.keys["front"]
    return sample, cache, report.catalogue


def _record(catalogue):
    import orjson

    from disclose import browse
    from disclose.gate import decide, decision_key, remember

    pub = decide(catalogue)
    key = decision_key(catalogue)
    assert key is not None
    return orjson.loads(orjson.dumps({**remember(pub, key), "browse": browse.remember(pub)}))  # as stored


@pytest.mark.parametrize("today", ["2024-06-01", "2026-11-22"])
def test_a_kept_decision_is_the_decision_made_afresh(tmp_path, today, trusting):
    """On both days the sample has hidden and embargoed items, relations of every kind and (in
    2024) an update not yet public: recalled, the Publication equals `decide`'s, order included."""
    from dataclasses import replace

    from disclose import browse
    from disclose.gate import decide, recall, same

    _, _, catalogue = _kept_decision(tmp_path, today)
    record = _record(catalogue)
    pub = recall(catalogue, record)
    assert pub is not None
    assert same(pub, decide(catalogue)) and pub == decide(catalogue)
    assert len(pub.successors) and len(pub.interprets) and len(pub.references)  # the sample relates items
    assert browse.recall(pub, record["browse"])
    fresh = decide(catalogue)
    assert browse.newest(pub) == browse.newest(fresh)
    for facet in browse.FACETS:
        assert list(browse.facet_index(pub, facet).items()) == list(browse.facet_index(fresh, facet).items())
    assert recall(replace(catalogue, today=date(2030, 1, 1), keys=catalogue.keys), record) is None  # another day


def test_a_kept_decision_never_publishes_what_is_not_public(tmp_path, trusting):
    """Whatever a record holds, the items it makes public are exactly those the catalogue finds
    public afresh: a record naming a hidden item (in place of a public one, or as the owner of a
    relation or attachment) is not used."""
    from disclose.gate import recall

    _, _, catalogue = _kept_decision(tmp_path)
    hidden = catalogue.hidden_ids[0]
    for plant in (
        lambda r: r["ids"].__setitem__(0, hidden),
        lambda r: r["ids"].append(hidden),
        lambda r: r["ids"].pop(),
        lambda r: r["one"]["interprets"].append([hidden, 0]),
        lambda r: r["many"]["successors"].append([hidden, [0]]),
        lambda r: r["references"].append([hidden, [["basis", [0]]]]),
        lambda r: r["attachments"].append([hidden, ["content/secret.pdf"]]),
    ):
        record = _record(catalogue)
        assert recall(catalogue, record) is not None
        plant(record)
        assert recall(catalogue, record) is None


def test_a_kept_decision_is_checked_while_verifying(tmp_path, monkeypatch):
    """A record whose key holds but whose relations or orders differ from what deciding afresh
    finds is used as it is when trusted (so the tests above are not vacuous), and stops the
    build under DISCLOSE_VERIFY_KEYS."""
    from disclose import browse
    from disclose.gate import recall
    from disclose.page_keys import KeyMismatch

    _, _, catalogue = _kept_decision(tmp_path)
    record = _record(catalogue)
    (policy, interpretation), *_ = record["one"]["interprets"]
    record["one"]["interprets"][0] = [policy, 0 if interpretation else 1]
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")
    pub = recall(catalogue, record)
    assert pub is not None and pub.interprets[policy] is pub.items[record["one"]["interprets"][0][1]]
    record["browse"]["newest"].reverse()
    assert browse.recall(pub, record["browse"]) and browse.newest(pub)[0] is pub.items[record["browse"]["newest"][0]]
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    with pytest.raises(KeyMismatch):
        recall(catalogue, record)
    record = _record(catalogue)
    record["browse"]["newest"].reverse()
    pub = recall(catalogue, record)
    assert pub is not None
    with pytest.raises(KeyMismatch):
        browse.recall(pub, record["browse"])


def test_a_body_edit_keeps_the_decision_a_front_matter_edit_does_not(tmp_path, monkeypatch, trusting):
    from disclose import pipeline

    sample, cache, catalogue = _kept_decision(tmp_path)
    decided = []
    decide = pipeline.decide
    monkeypatch.setattr(pipeline, "decide", lambda *a: decided.append(1) or decide(*a))
    out = tmp_path / "out"
    day = date(2026, 11, 22)
    assert not pipeline.build(sample, out, day, cache=cache).errors
    assert pipeline.DECISION in cache.page_keys and decided == [1]  # kept by the build's listing
    decided.clear()
    assert not pipeline.build(sample, out, day, cache=cache).errors
    assert decided == []
    path = sample / "content/policies/shaoxing-2022-work-rules.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    assert not pipeline.build(sample, out, day, cache=cache).errors
    assert decided == []
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: （修订）", 1), encoding="utf-8")
    assert not pipeline.build(sample, out, day, cache=cache).errors
    assert decided == [1]
