"""Tests that kill the mutants mutation testing left alive in the gate and the rules.

Each test pins one decision exactly (a boundary date, the order of a list, a count, which of two
ends must be public) that the broader tests pass through without looking at. They are fast, so
the mutation run (`scripts/mutation.py`, `docs/mutation.md`) can afford them for every mutant.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path

import pytest

from disclose import pipeline
from disclose.gate import decide
from disclose.model import ResponseFacts, WithheldFacts
from disclose.visibility import hidden_reason, is_public, why_not_public

from .conftest import FIXTURES

TODAY = date(2024, 6, 1)
REVIEW = "review: {by: 市政府办公室, date: 2024-02-01, next: 2025-02-01}\n"
ISSUER = "issuer: 示例市人民政府\n"


def item(head: str, body: str = "正文。") -> str:
    return f"---\n{head}---\n{body}\n"


def policy(no: int, published: str, extra: str = "") -> str:
    return item(f"title: 文件{no}\n{ISSUER}published: {published}\ndoc_no: 示政发〔2024〕{no}号\n{extra}")


def interpretation(no: int, published: str, extra: str = "") -> str:
    return item(f"title: 解读{no}\n{ISSUER}published: {published}\ninterprets: 示政发〔2024〕{no}号\n{extra}")


GATE_SITE = {
    # policy 1 with three public interpretations (two same day, one late) and a withheld one
    "policies/one.md": policy(1, "2024-03-01", "attachments: [files/one.txt, ../decisions/files/d.txt]\n"),
    "policies/files/one.txt": "附件",
    "decisions/files/d.txt": "附件",
    "interpretations/one-a.md": interpretation(1, "2024-04-01", "late_reason: 配套措施\n"),
    "interpretations/one-b.md": interpretation(1, "2024-03-01"),
    "interpretations/one-c.md": interpretation(1, "2024-03-01"),
    "interpretations/one-hidden.md": interpretation(
        1, "2024-03-01", "disclosure: withheld\nbasis: process-info\n" + REVIEW
    ),
    # published today: public; tomorrow: embargoed
    "policies/today.md": policy(2, "2024-06-01", "supersedes: [policies/old]\n"),
    "interpretations/today.md": interpretation(2, "2024-06-01"),
    "policies/tomorrow.md": policy(3, "2024-06-02", "supersedes: [policies/kept]\n"),
    "interpretations/tomorrow.md": interpretation(3, "2024-06-02"),
    "policies/old.md": policy(4, "2023-01-01"),
    "policies/kept.md": policy(5, "2023-01-01"),
    "policies/expired.md": policy(6, "2023-01-01", "expires: 2024-05-31\n"),
    "policies/expires-today.md": policy(7, "2023-01-01", "expires: 2024-06-01\n"),
    "policies/expires-later.md": policy(10, "2023-01-01", "expires: 2025-01-01\n"),
    "policies/amended.md": policy(8, "2023-01-01", "status: 已修改\nsupersedes: [policies/withheld-old]\n"),
    "policies/withheld-old.md": policy(9, "2022-01-01", "disclosure: withheld\nbasis: process-info\n" + REVIEW),
    # non-public decisions of every sort
    "decisions/withheld.md": item(
        f"title: 决定\n{ISSUER}published: 2024-01-01\ndisclosure: withheld\nbasis: process-info\n{REVIEW}"
    ),
    "decisions/withheld-2.md": item(
        f"title: 决定\n{ISSUER}published: 2024-01-02\ndisclosure: withheld\nbasis: internal-affairs\n"
        "review: {by: 办公室, date: 2024-01-01}\n"
    ),
    "decisions/on-request.md": item(
        f"title: 决定\n{ISSUER}published: 2024-01-01\ndisclosure: on-request\nbasis: on-request-only\n{REVIEW}"
    ),
    "decisions/draft.md": item(f"title: 决定\n{ISSUER}published: 2024-01-01\ndraft: true\n"),
    "decisions/draft-2.md": item(
        f"title: 决定\n{ISSUER}published: 2024-01-01\ndraft: true\nbasis: commercial-secret\n"
    ),
    "decisions/public.md": item(f"title: 决定\n{ISSUER}published: 2024-02-01\ndraft: false\n"),
    # responses: public, withheld by attribute, a draft (not counted)
    "responses/r1.md": item(
        f"title: 答复\n{ISSUER}published: 2024-02-01\nrequest_no: R1\nreceived: 2024-01-02\nreplied: 2024-01-20\n"
        "extended: true\npaused_days: 3\napplicant_type: business\noutcome: withheld\nbasis: commercial-secret\n"
    ),
    "responses/r2.md": item(
        f"title: 答复\n{ISSUER}published: 2024-02-01\nrequest_no: R2\nreceived: 2024-01-03\n"
        "applicant_type: natural-person\noutcome: cannot-provide\nreason: not-held\n"
        "disclosure: withheld\nbasis: personal-privacy\n" + REVIEW
    ),
    "responses/r3.md": item(
        f"title: 答复\n{ISSUER}published: 2024-02-01\nrequest_no: R3\nreceived: 2024-01-04\ndraft: true\n"
        "outcome: disclosed\n"
    ),
    # consultations: feedback public, feedback a draft
    "consultations/c1.md": item(
        f"title: 征求意见\n{ISSUER}published: 2024-01-01\nopens: 2024-01-01\ncloses: 2024-01-31\nfeedback: pages/fb\n"
    ),
    "consultations/c2.md": item(
        f"title: 征求意见\n{ISSUER}published: 2024-01-01\nopens: 2024-01-01\ncloses: 2024-01-31\n"
        "feedback: pages/fb-draft\n"
    ),
    "pages/fb.md": item("title: 采纳情况\n"),
    "pages/fb-draft.md": item("title: 采纳情况\ndraft: true\n"),
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    site = tmp_path_factory.mktemp("gate") / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    shutil.rmtree(site / "content")
    for rel, text in GATE_SITE.items():
        path = site / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (site / "reports").mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "reports" / "2026.yaml", site / "reports" / "2026.yaml")
    report = pipeline.check(site, TODAY)
    assert report.catalogue is not None
    broken = {p.path for p in report.errors if p.code.startswith(("E", "F"))}
    assert not broken, report.errors  # every item above is read; rule errors do not matter here
    return report.catalogue


@pytest.fixture(scope="module")
def pub(catalogue):
    history = {"content/policies/one.md": ("rev-one",), "content/decisions/withheld.md": ("rev-hidden",)}
    return decide(catalogue, history)


def ids(items) -> list[str]:
    return [i.id for i in items]


def test_only_public_items_pass_and_today_is_public(pub):
    assert sorted(pub.by_id) == sorted(ids(pub.items))
    assert "policies/today" in pub.by_id  # published today
    assert "policies/tomorrow" not in pub.by_id  # embargoed
    assert "decisions/public" in pub.by_id  # draft: false
    hidden = {"decisions/withheld", "decisions/on-request", "decisions/draft", "responses/r2", "pages/fb-draft"}
    assert not hidden & set(pub.by_id)
    assert pub.today == TODAY and pub.config is not None


def test_interpretations_are_public_and_ordered_by_date_then_id(pub):
    assert ids(pub.interpretations["policies/one"]) == [
        "interpretations/one-b",
        "interpretations/one-c",
        "interpretations/one-a",
    ]
    assert pub.interprets["interpretations/one-b"].id == "policies/one"
    assert "interpretations/one-hidden" not in pub.interprets
    assert "policies/tomorrow" not in pub.interpretations
    assert list(pub.interpretations) == sorted(pub.interpretations)


def test_repeal_relations_need_both_ends_public(pub):
    assert ids(pub.successors["policies/old"]) == ["policies/today"]
    assert ids(pub.predecessors["policies/today"]) == ["policies/old"]
    assert "policies/kept" not in pub.successors  # repealed by an embargoed policy: not yet
    assert "policies/withheld-old" not in pub.successors
    assert "policies/amended" not in pub.predecessors


def test_status_of_a_policy(pub):
    by_id = pub.by_id
    assert pub.status(by_id["policies/old"]) == "废止"
    assert pub.status(by_id["policies/kept"]) == "有效"
    assert pub.status(by_id["policies/expired"]) == "失效"
    assert pub.status(by_id["policies/expires-today"]) == "有效"
    assert pub.status(by_id["policies/amended"]) == "已修改"
    assert pub.status(by_id["policies/one"]) == "有效"
    assert pub.status(by_id["policies/expires-later"]) == "有效"
    assert pub.status(by_id["decisions/public"]) is None
    assert pub.status(by_id["responses/r1"]) is None  # kinds after "policy" too


def test_publication_is_frozen_and_its_memo_is_no_part_of_it(pub):
    with pytest.raises(dataclasses.FrozenInstanceError):
        pub.items = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pub.statistics.not_public = {}
    pub.of_kind("policy")  # fills the memo
    assert dataclasses.replace(pub, memo={}) == pub
    assert "by_kind" not in repr(pub)


def test_feedback_only_when_the_page_is_public(pub):
    assert pub.feedback["consultations/c1"].id == "pages/fb"
    assert "consultations/c2" not in pub.feedback


def test_attachments_are_site_relative(pub):
    assert pub.attachments == {"policies/one": ("content/policies/files/one.txt", "content/decisions/files/d.txt")}


def test_history_of_public_items_only(pub):
    assert pub.history == {"policies/one": ("rev-one",)}


def test_history_absent(catalogue):
    assert decide(catalogue, None).history == {}
    assert decide(catalogue, {}).history == {}


def test_reports_are_handed_on(pub):
    assert list(pub.reports) == [2026]
    assert isinstance(pub.reports[2026], dict) and pub.reports[2026]


def test_of_kind(pub):
    assert ids(pub.of_kind("consultation")) == ["consultations/c1", "consultations/c2"]
    assert pub.of_kind("suggestion-reply") == []
    listed = pub.of_kind("consultation")
    listed.clear()  # a copy: the memo is not changed by callers
    assert len(pub.of_kind("consultation")) == 2


def test_statistics_count_what_is_not_public(pub):
    stats = pub.statistics
    assert dict(stats.not_public) == {
        "draft": 4,  # decisions/draft, decisions/draft-2, responses/r3, pages/fb-draft
        "embargoed": 2,  # policies/tomorrow and its interpretation
        "on-request": 1,
        "withheld": 5,  # interpretations/one-hidden, policies/withheld-old, two decisions, responses/r2
    }
    assert list(stats.not_public) == sorted(stats.not_public)
    assert dict(stats.withheld_by_basis) == {
        "internal-affairs": 1,
        "on-request-only": 1,
        "personal-privacy": 1,
        "process-info": 3,
    }
    assert list(stats.withheld_by_basis) == sorted(stats.withheld_by_basis)


def test_statistics_of_responses(pub):
    facts = sorted(pub.statistics.responses, key=lambda f: f.received)
    assert facts == [
        ResponseFacts(date(2024, 1, 2), date(2024, 1, 20), True, 3, "business", "withheld", "commercial-secret", None),
        ResponseFacts(
            date(2024, 1, 3), None, False, 0, "natural-person", "cannot-provide", "personal-privacy", "not-held"
        ),
    ]


def test_statistics_of_withheld_items(pub):
    withheld = sorted(pub.statistics.withheld, key=lambda f: (f.published, f.disclosure, f.basis))
    assert WithheldFacts(date(2024, 1, 1), "on-request", "on-request-only", date(2025, 2, 1)) in withheld
    assert WithheldFacts(date(2024, 1, 2), "withheld", "internal-affairs", None) in withheld
    assert len(withheld) == 6
    assert all(f.disclosure != "public" for f in withheld)


# --- visibility: the one predicate --------------------------------------------------------------


class _Item:
    def __init__(self, disclosure="public", draft=False, published=None):
        self.disclosure, self.draft, self.published = disclosure, draft, published


@pytest.mark.parametrize(
    ("kwargs", "public", "reason", "label"),
    [
        ({}, True, None, None),
        ({"published": TODAY}, True, None, None),
        ({"published": date(2024, 5, 31)}, True, None, None),
        ({"published": date(2024, 6, 2)}, False, "embargoed", "定于 2024-06-02 发布"),
        ({"draft": True, "published": TODAY}, False, "draft", "草稿"),
        ({"disclosure": "withheld", "draft": True}, False, "withheld", "不予公开"),
        ({"disclosure": "on-request"}, False, "on-request", "依申请公开"),
    ],
)
def test_visibility(kwargs, public, reason, label):
    thing = _Item(**kwargs)
    assert is_public(thing, TODAY) is public
    assert hidden_reason(thing, TODAY) == reason
    assert why_not_public(thing, TODAY) == label


# --- rules: a small site per case, checked in-process --------------------------------------------

SITE_YAML = "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
PAIR = {
    "policies/p.md": policy(1, "2024-03-01"),
    "interpretations/p-jd.md": interpretation(1, "2024-03-01"),
}


def problems(tmp_path: Path, files: dict[str, str], settings: str = "", pair: bool = True) -> list[tuple]:
    """(path, line, code, severity) of every problem of a site made of `files` (under content/)."""
    site = tmp_path / "site"
    if site.exists():
        shutil.rmtree(site)
    (site / "content").mkdir(parents=True)
    (site / "site.yaml").write_text(SITE_YAML + settings, encoding="utf-8")
    for rel, text in ({**PAIR, **files} if pair else files).items():
        path = site / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = pipeline.check(site, TODAY)
    return [(p.path.removeprefix("content/"), p.line, p.code, p.severity) for p in report.problems]


def codes(found: list[tuple], prefix: str = "") -> list[tuple]:
    return [f for f in found if f[2].startswith(prefix)]


def decision(extra: str = "", body: str = "正文。") -> str:
    return item(f"title: 决定\n{ISSUER}published: 2024-03-01\n{extra}", body)


WITHHELD = "disclosure: withheld\n"


def test_clean_pair_has_no_problems(tmp_path):
    assert problems(tmp_path, {}) == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (WITHHELD + "review: {by: 办公室, date: 2024-01-01}\n", [("decisions/d.md", 5, "D201", "error")]),
        (WITHHELD + "basis: process-info\n", [("decisions/d.md", 5, "D202", "error")]),
        (WITHHELD, [("decisions/d.md", 5, "D201", "error"), ("decisions/d.md", 5, "D202", "error")]),
        (WITHHELD + "basis: process-info\nreview: {by: 办公室, date: 2024-01-01}\n", []),
        ("", []),
        ("basis: process-info\n", [("decisions/d.md", 5, "D204", "error")]),
        # on-request sorts before "public", withheld after: both are non-public
        ("disclosure: on-request\nreview: {by: 办公室, date: 2024-01-01}\n", [("decisions/d.md", 5, "D201", "error")]),
        ("disclosure: on-request\nbasis: on-request-only\n", [("decisions/d.md", 5, "D202", "error")]),
        ("disclosure: on-request\nbasis: on-request-only\nreview: {by: 办公室, date: 2024-01-01}\n", []),
    ],
)
def test_disclosure_rules(tmp_path, extra, expected):
    assert codes(problems(tmp_path, {"decisions/d.md": decision(extra)}), "D") == expected


def test_basis_on_a_public_item_of_a_kind_after_response(tmp_path):
    reply = item(
        f"title: 办理结果\n{ISSUER}published: 2024-03-01\nproposal_no: N1\nbody_type: npc\nhandler: 市民政局\n"
        "basis: process-info\n"
    )
    assert codes(problems(tmp_path, {"suggestions/s.md": reply}), "D") == [("suggestions/s.md", 8, "D204", "error")]


def test_own_mark_on_an_on_request_item_is_no_contradiction(tmp_path):
    extra = "disclosure: on-request\nbasis: on-request-only\nreview: {by: 办公室, date: 2024-01-01}\n"
    assert codes(problems(tmp_path, {"decisions/d.md": decision(extra, "（此件依申请公开）")}), "D") == []


def test_own_mark_line_counts_a_blank_first_body_line(tmp_path):
    found = codes(problems(tmp_path, {"decisions/d.md": decision(body="\n（此件不公开）")}), "D")
    assert found == [("decisions/d.md", 7, "D203", "error")]


def test_own_mark_message_quotes_the_whole_mark(tmp_path):
    site = tmp_path / "s"
    shutil.copytree(FIXTURES / "minimal", site)
    (site / "content/decisions").mkdir()
    (site / "content/decisions/d.md").write_text(decision(body="（此件不公开）"), encoding="utf-8")
    (hit,) = [p for p in pipeline.check(site, TODAY).problems if p.code == "D203"]
    assert "“此件不公开”" in hit.zh and "'此件不公开'" in hit.en


def test_basis_explanation_keeps_its_text_and_lists_every_code():
    from disclose.rules.disclosure import needs_basis
    from disclose.schema import BASIS

    doc = needs_basis.__doc__ or ""
    assert doc.startswith("以公开为常态、不公开为例外")
    assert all(f"- {code}: " in doc for code in BASIS)


def test_review_required_for_every_item_names_the_title_line(tmp_path):
    found = problems(tmp_path, {"decisions/d.md": decision()}, "require_review: true\n", pair=False)
    assert codes(found, "D") == [("decisions/d.md", 2, "D202", "error")]
    reviewed = decision("review: {by: 办公室, date: 2024-01-01}\n")
    assert codes(problems(tmp_path, {"decisions/d.md": reviewed}, "require_review: true\n", pair=False)) == []


def test_own_mark_names_each_line_of_a_public_item(tmp_path):
    body = "第一段。\n\n（此件不公开）\n\n此件依申请公开。"
    found = codes(problems(tmp_path, {"decisions/d.md": decision(body=body)}), "D")
    assert found == [("decisions/d.md", 8, "D203", "error"), ("decisions/d.md", 10, "D203", "error")]
    hidden = decision(WITHHELD + "basis: process-info\nreview: {by: 办公室, date: 2024-01-01}\n", body)
    assert codes(problems(tmp_path, {"decisions/d.md": hidden}), "D") == []


def test_basis_on_a_public_response_is_the_reply_basis(tmp_path):
    response = item(
        f"title: 答复\n{ISSUER}published: 2024-03-01\nrequest_no: R1\nreceived: 2024-01-02\nreplied: 2024-01-10\n"
        "applicant_type: business\noutcome: withheld\nbasis: commercial-secret\n"
    )
    assert codes(problems(tmp_path, {"responses/r.md": response}), "D") == []


HIDDEN_JD = "disclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2024-01-01}\n"


@pytest.mark.parametrize(
    ("files", "settings", "expected"),
    [
        ({"interpretations/p-jd.md": None}, "", [("policies/p.md", 5, "P401", "error")]),
        (
            {"interpretations/p-jd.md": interpretation(1, "2024-03-01", HIDDEN_JD)},
            "",
            [("policies/p.md", 5, "P401", "error")],
        ),
        (
            {"interpretations/p-jd.md": interpretation(1, "2024-03-01", "draft: true\n")},
            "",
            [("policies/p.md", 5, "P401", "error")],
        ),
        ({"interpretations/p-jd.md": None}, "paired_release_since: 2024-03-02\n", []),
        (
            {"interpretations/p-jd.md": None},
            "paired_release_since: 2024-03-01\n",
            [("policies/p.md", 5, "P401", "error")],
        ),
        ({"policies/p.md": policy(1, "2024-03-01", HIDDEN_JD), "interpretations/p-jd.md": None}, "", []),
        (
            {"interpretations/p-jd.md": interpretation(1, "2024-03-02")},
            "",
            [("interpretations/p-jd.md", 4, "P404", "error")],
        ),
        (
            {"interpretations/p-jd.md": interpretation(1, "2024-02-29")},
            "",
            [("interpretations/p-jd.md", 4, "P404", "error")],
        ),
        ({"interpretations/p-jd.md": interpretation(1, "2024-03-03")}, "paired_release_grace_days: 2\n", []),
        (
            {"interpretations/p-jd.md": interpretation(1, "2024-03-04")},
            "paired_release_grace_days: 2\n",
            [("interpretations/p-jd.md", 4, "P404", "error")],
        ),
        ({"interpretations/p-jd.md": interpretation(1, "2024-05-04", "late_reason: 配套\n")}, "", []),
        (
            {"interpretations/x.md": interpretation(9, "2024-03-01")},
            "",
            [("interpretations/x.md", 5, "P402", "error")],
        ),
        (
            {"interpretations/x.md": item(f"title: 解读\n{ISSUER}published: 2024-03-01\ninterprets: decisions/d\n")},
            "",
            [("interpretations/x.md", 5, "P402", "error")],
        ),
        (
            {"policies/p.md": policy(1, "2024-03-01", HIDDEN_JD)},
            "",
            [("interpretations/p-jd.md", 5, "P403", "error")],
        ),
        (
            {
                "policies/p.md": policy(1, "2024-03-01", HIDDEN_JD),
                "interpretations/p-jd.md": interpretation(1, "2024-03-01", HIDDEN_JD),
            },
            "",
            [],
        ),
        (
            {"policies/p.md": policy(1, "2024-03-01", "drafter: 市司法局\n").replace(ISSUER, "issuer: 市政府\n")},
            "",
            [("interpretations/p-jd.md", 3, "P405", "warning")],
        ),
        ({"policies/p.md": policy(1, "2024-03-01", "drafter: 示例市人民政府\n")}, "", []),
        (
            {
                "policies/p.md": policy(1, "2024-03-01", "drafter: 市司法局\n"),
                "interpretations/p-jd.md": interpretation(1, "2024-03-01").replace(ISSUER, "issuer: 市司法局\n"),
            },
            "",
            [],
        ),
        (
            {
                "policies/p.md": policy(1, "2024-03-01", "drafter: 市司法局\n").replace(ISSUER, "issuer: 市政府\n"),
                "interpretations/p-jd.md": interpretation(1, "2024-03-01").replace(ISSUER, "issuer: 市政府\n"),
            },
            "",
            [],
        ),
    ],
    ids=[
        "no-interpretation",
        "withheld-interpretation",
        "draft-interpretation",
        "before-since",
        "on-since",
        "withheld-policy",
        "a-day-late",
        "a-day-early",
        "within-grace",
        "past-grace",
        "late-reason",
        "unknown-document",
        "not-a-policy",
        "public-of-withheld",
        "both-withheld",
        "not-the-drafter",
        "no-drafter-no-warning",
        "the-drafter",
        "the-policy-issuer",
    ],
)
def test_pairing_rules(tmp_path, files, settings, expected):
    files = dict(files)
    dropped = [rel for rel, text in files.items() if text is None]
    site = {**PAIR, **{k: v for k, v in files.items() if v is not None}}
    for rel in dropped:
        site.pop(rel)
    found = problems(tmp_path, site, settings, pair=False)
    assert [f for f in found if f[2][0] in "P"] == expected, found


def test_interpretation_of_a_policy_with_its_own_errors(tmp_path):
    broken = policy(1, "2024-03-01").replace(ISSUER, "")
    found = problems(tmp_path, {"policies/p.md": broken})
    assert ("interpretations/p-jd.md", 5, "P402", "error") in found


def _pairing(tmp_path, files: dict[str, str | None], settings: str = "") -> list[tuple]:
    site = {**PAIR, **files}
    found = problems(tmp_path, {k: v for k, v in site.items() if v is not None}, settings, pair=False)
    return [f for f in found if f[2].startswith("P")]


HIDDEN_DECISION = decision(HIDDEN_JD)


@pytest.mark.parametrize(
    ("folder", "extra"),
    [
        ("decisions", ""),
        (
            "responses",
            "request_no: R9\nreceived: 2024-01-02\nreplied: 2024-01-10\napplicant_type: business\noutcome: disclosed\n",
        ),
    ],
)
def test_interpreting_what_is_no_policy(tmp_path, folder, extra):
    """A kind before and after "policy": named as no policy, never as late nor as a hidden policy."""
    target = item(f"title: 某事项\n{ISSUER}published: 2024-01-05\n{extra}{HIDDEN_JD}")
    jd = item(f"title: 解读\n{ISSUER}published: 2024-03-01\ninterprets: {folder}/t\n")
    found = _pairing(tmp_path, {f"{folder}/t.md": target, "interpretations/x.md": jd})
    assert found == [("interpretations/x.md", 5, "P402", "error")]


@pytest.mark.parametrize(
    ("folder", "head"),
    [
        (
            "responses",
            "request_no: R9\nreceived: 2024-01-02\nreplied: 2024-01-10\napplicant_type: business\noutcome: disclosed\n",
        ),
        ("suggestions", "proposal_no: N1\nbody_type: npc\nhandler: 市民政局\n"),
    ],
)
def test_kinds_after_policy_need_no_interpretation(tmp_path, folder, head):
    public = item(f"title: 某事项\n{ISSUER}published: 2024-03-01\n{head}")
    assert _pairing(tmp_path, {f"{folder}/t.md": public}) == []


def test_policies_after_the_start_of_paired_release_need_one(tmp_path):
    found = _pairing(tmp_path, {"interpretations/p-jd.md": None}, "paired_release_since: 2024-01-01\n")
    assert found == [("policies/p.md", 5, "P401", "error")]


def test_within_the_grace_before_its_last_day(tmp_path):
    jd = interpretation(1, "2024-03-02")
    assert _pairing(tmp_path, {"interpretations/p-jd.md": jd}, "paired_release_grace_days: 2\n") == []


def test_interpretation_of_a_rejected_policy_says_so(tmp_path):
    site = tmp_path / "s"
    shutil.copytree(FIXTURES / "minimal", site)
    policy_file = site / "content/policies/rules.md"
    policy_file.write_text(policy_file.read_text(encoding="utf-8").replace(ISSUER, ""), encoding="utf-8")
    hits = [p for p in pipeline.check(site, TODAY).problems if p.code == "P402"]
    assert len(hits) == 1 and "errors of its own" in hits[0].en, hits


def test_the_first_hidden_interpretation_is_named(tmp_path):
    site = tmp_path / "s"
    shutil.copytree(FIXTURES / "minimal", site)
    jd = site / "content/interpretations/rules-jd.md"
    text = jd.read_text(encoding="utf-8")
    on_request = "disclosure: on-request\nbasis: on-request-only\nreview: {by: 办公室, date: 2024-01-01}\n"
    jd.write_text(text.replace("published:", on_request + "published:"), encoding="utf-8")
    (site / "content/interpretations/rules-jd2.md").write_text(
        text.replace("published:", HIDDEN_JD + "published:"), encoding="utf-8"
    )
    report = pipeline.check(site, TODAY)
    first, last = (i.path for i in report.catalogue.interpretations["policies/rules"])
    (hit,) = [p for p in report.problems if p.code == "P401"]
    assert first in hit.en and last not in hit.en
