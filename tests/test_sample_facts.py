"""The sample site states only what its sources state: every cited article exists, every quotation
is in the text, every 文号 and date is printed in the source or marked 样例 (sample_fields), and
what is marked stays out of open data and JSON-LD.

The sources are the five government work rules in tests/fixtures/seeds/ (copied from the
project's seed texts, unchanged)."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES, ROOT, TODAY, copy_sample, run

SEEDS = FIXTURES / "seeds"
# Each item of the sample that speaks about a seed, with that seed. The earlier versions are
# known only from the repeal clause of their successor, so their source is the successor's text.
SOURCES = {
    "policies/liyang-2021-work-rules": "liyang-government-work-rules",
    "policies/liyang-2012-work-rules": "liyang-government-work-rules",
    "interpretations/liyang-2021-work-rules-jd": "liyang-government-work-rules",
    "policies/quzhou-2022-work-rules": "quzhou-2022-government-work-rules",
    "policies/quzhou-2019-work-rules": "quzhou-2022-government-work-rules",
    "interpretations/quzhou-2022-work-rules-jd": "quzhou-2022-government-work-rules",
    "policies/shaoxing-2022-work-rules": "shaoxing-2022-government-work-rules",
    "policies/shaoxing-2017-work-rules": "shaoxing-2022-government-work-rules",
    "interpretations/shaoxing-2022-work-rules-jd": "shaoxing-2022-government-work-rules",
    "policies/xinzhou-2023-work-rules": "xinzhou-2023-government-work-rules",
    "policies/xinzhou-2013-work-rules": "xinzhou-2023-government-work-rules",
    "interpretations/xinzhou-2023-work-rules-jd": "xinzhou-2023-government-work-rules",
    "policies/yueqing-2022-work-rules": "yueqing-2022-government-work-rules",
    "policies/yueqing-2020-work-rules": "yueqing-2022-government-work-rules",
    "interpretations/yueqing-2022-work-rules-jd": "yueqing-2022-government-work-rules",
}
INTERPRETATIONS = [key for key in SOURCES if key.startswith("interpretations/")]
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def cn_number(text: str) -> int:
    """一 … 九十九, as articles and chapters are numbered."""
    if "十" not in text:
        return DIGITS[text]
    tens, _, ones = text.partition("十")
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def plain(text: str) -> str:
    """Compare text as printed: NFKC (，and , alike) and no spaces or line breaks (page breaks split lines)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def seed(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def item(key: str) -> tuple[dict, str]:
    text = (ROOT / "content" / f"{key}.md").read_text(encoding="utf-8")
    _, meta, body = text.split("---\n", 2)
    return yaml.safe_load(meta), body


def articles(text: str) -> set[int]:
    """Article numbers: 第十二条 at the start of a line, or 十二、 in the rules numbered that way."""
    found = {cn_number(m) for m in re.findall(r"^\s*第([一二三四五六七八九十]+)条", text, re.M)}
    return found or {cn_number(m) for m in re.findall(r"^\s*([一二三四五六七八九十]+)、", text, re.M)}


def chapters(text: str) -> int:
    return len(re.findall(r"^\s*第[一二三四五六七八九十]+章", text, re.M))


def cn_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_the_seed_copies_are_the_sources():
    # the facts this test relies on, as the seed texts state them
    assert "十四章" not in seed("yueqing-2022-government-work-rules")
    assert (
        chapters(seed("yueqing-2022-government-work-rules")),
        max(articles(seed("yueqing-2022-government-work-rules"))),
    ) == (13, 69)
    assert "可发可不发" not in seed("shaoxing-2022-government-work-rules")
    assert "第六十七条 本工作规则自通过之日起施行" in seed("quzhou-2022-government-work-rules")
    assert "(2022年5月7日市政府第1次常务会议审议通过)" in seed("quzhou-2022-government-work-rules")
    assert "2023年6月25日印发" in seed("xinzhou-2023-government-work-rules")


@pytest.mark.parametrize("key", INTERPRETATIONS)
def test_interpretation_cites_articles_that_exist(key):
    source = seed(SOURCES[key])
    _, body = item(key)
    cited = {cn_number(n) for n in re.findall(r"第([一二三四五六七八九十]+)条", body)}
    assert cited, "an interpretation explains the rules by their articles"
    assert cited <= articles(source), sorted(cited - articles(source))
    for n in re.findall(r"第([一二三四五六七八九十]+)章", body):
        assert cn_number(n) <= chapters(source)


@pytest.mark.parametrize("key", INTERPRETATIONS)
def test_interpretation_quotes_are_in_the_text(key):
    source = plain(seed(SOURCES[key]))
    _, body = item(key)
    quotes = re.findall(r"“([^”]+)”", body)
    assert len(quotes) >= 5
    for quote in quotes:
        if quote in ("一、二、三", "第N条"):  # how the interpretation names the numbering
            continue
        assert plain(quote) in source, quote


@pytest.mark.parametrize("key", INTERPRETATIONS)
def test_interpretation_counts_chapters_and_articles(key):
    source = seed(SOURCES[key])
    _, body = item(key)
    (count,) = re.findall(r"共([一二三四五六七八九十]+)章([一二三四五六七八九十]+)条", body)
    assert (cn_number(count[0]), cn_number(count[1])) == (chapters(source), max(articles(source)))


@pytest.mark.parametrize("key", INTERPRETATIONS)
def test_interpretation_explains_disclosure_meetings_and_decisions(key):
    _, body = item(key)
    for topic in ("政务公开", "会议", "决策", "及时公布"):
        assert topic in body, topic


def test_the_facts_the_issue_found_wrong():
    assert "十四章" not in item("interpretations/yueqing-2022-work-rules-jd")[1]
    assert "可发可不发" not in item("interpretations/shaoxing-2022-work-rules-jd")[1]
    assert item("policies/quzhou-2022-work-rules")[0]["effective"] == date(2022, 5, 7)
    assert item("policies/xinzhou-2023-work-rules")[0]["published"] >= date(2023, 6, 25)
    assert item("interpretations/quzhou-2022-work-rules-jd")[0].get("form", "text") != "graphic"


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_every_doc_no_and_date_is_printed_or_marked_sample(key):
    meta, body = item(key)
    source = plain(seed(SOURCES[key]))
    sample = set(meta.get("sample_fields") or ())
    for field in ("doc_no", "written", "published", "effective"):
        if field not in meta or field in sample:
            continue
        value = meta[field]
        shown = cn_day(value) if isinstance(value, date) else value
        assert plain(shown) in source, f"{key}: {field} {shown} is not in the source; mark it in sample_fields"
    for doc_no in re.findall(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号", body):
        assert plain(doc_no) in source, f"{key} names {doc_no}, which its source does not print"


def test_no_item_body_names_a_sample_doc_no():
    samples = set()
    for path in (ROOT / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n", 2)[1])
        if "doc_no" in (meta.get("sample_fields") or ()):
            samples.add(meta["doc_no"])
    assert samples == {"溧政发〔2021〕20号", "衢政发〔2022〕10号"}
    for path in (ROOT / "content").rglob("*.md"):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        assert not [s for s in samples if s in body], path


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    site = copy_sample(tmp_path_factory.mktemp("facts") / "site")
    out = site / "public"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY, "--no-cache")
    assert result.exit_code == 0, result.output
    return out


def test_sample_values_are_marked_on_the_page(public):
    html = (public / "policies/quzhou-2022-work-rules/index.html").read_text(encoding="utf-8")
    assert "<td>衢政发〔2022〕10号（样例）</td>" in html
    assert "<td>2022年5月22日（样例）</td>" in html
    assert "<td>2022年5月7日</td>" in html  # 施行日期, stated by 第六十七条
    assert "标注“样例”的文号、发布日期为示例数据" in html
    real = (public / "policies/shaoxing-2022-work-rules/index.html").read_text(encoding="utf-8")
    assert "样例" not in real


def test_sample_values_stay_out_of_open_data_and_json_ld(public):
    records = {r["id"]: r for r in json.loads((public / "catalog.json").read_text(encoding="utf-8"))["items"]}
    assert records["policies/quzhou-2022-work-rules"]["doc_no"] == ""
    assert records["policies/quzhou-2022-work-rules"]["published"] == ""
    assert records["policies/quzhou-2022-work-rules"]["written"] == "2022-05-22"
    assert records["policies/shaoxing-2022-work-rules"]["doc_no"] == "绍政发〔2022〕5号"
    csv = (public / "catalog.csv").read_text(encoding="utf-8-sig")
    assert "衢政发〔2022〕10号" not in csv and "溧政发〔2021〕20号" not in csv and "绍政发〔2022〕5号" in csv
    for page in (
        "policies/quzhou-2022-work-rules",
        "policies/liyang-2021-work-rules",
        "interpretations/quzhou-2022-work-rules-jd",
    ):
        html = (public / page / "index.html").read_text(encoding="utf-8")
        (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        data = json.loads(ld)
        assert "衢政发〔2022〕10号" not in ld and "溧政发〔2021〕20号" not in ld, page
        assert "datePublished" not in data, page
    quzhou = json.loads(
        re.findall(
            r'<script type="application/ld\+json">(.*?)</script>',
            (public / "policies/quzhou-2022-work-rules/index.html").read_text(encoding="utf-8"),
            re.S,
        )[0]
    )
    assert quzhou["legislationDate"] == "2022-05-22" and quzhou["legislationDateOfApplicability"] == "2022-05-07"
