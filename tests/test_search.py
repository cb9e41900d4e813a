"""Chinese search through the search page's code and Pagefind's JS API in real Chromium."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from .browser import chromium, serve, wait
from .conftest import copy_sample, run
from .search_truth import expected, rank

SAMPLE_TODAY = "2026-11-22"
QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))
# The sample's 索引号 of the 2022 绍兴 rules (every sample item has one).
INDEX_NO = ("content/policies/shaoxing-2022-work-rules.md", "11330600MB0000000X/2022-00002")

RUN = """
const done = arguments[arguments.length - 1];
(async () => {
  for (let i = 0; i < 100 && !window.discloseSearch; i++) await new Promise((r) => setTimeout(r, 100));
  const out = {};
  for (const q of arguments[0]) {
    const found = await window.discloseSearch.search(q, {all: true});
    out[q] = found.results.map((d) => d.url);
  }
  done(out);
})().catch((e) => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = copy_sample(tmp_path_factory.mktemp("sample"))
    assert f"index_no: {INDEX_NO[1]}\n" in (site / INDEX_NO[0]).read_text(encoding="utf-8")
    result = run("build", "--site", str(site), "--today", SAMPLE_TODAY)
    assert result.exit_code == 0, result.output
    return site / "public"


@pytest.fixture(scope="module")
def site_title(built):
    return yaml.safe_load((built.parent / "site.yaml").read_text(encoding="utf-8"))["title"]


@pytest.fixture(scope="module")
def found(built):
    with serve(built) as base, chromium() as driver:
        driver.get(base + "/search/")
        results = driver.execute_async_script(RUN, [q["query"] for q in QUERIES])
    assert "error" not in results, results
    return results


def test_query_list_matches_the_built_pages(built):
    for q in QUERIES:
        assert expected(built, q["query"]) == q["expect"], q["query"]


def test_search_quality_recall_and_precision_are_one(found):
    relevant = retrieved = hits = 0
    misses = []
    for q in QUERIES:
        want, got = set(q["expect"]), set(found[q["query"]])
        relevant += len(want)
        retrieved += len(got)
        hits += len(want & got)
        if want != got:
            misses.append((q["query"], sorted(want - got), sorted(got - want)))
    recall = hits / relevant if relevant else 1.0
    precision = hits / retrieved if retrieved else 1.0
    print(f"search quality: {len(QUERIES)} queries, recall {recall:.3f}, precision {precision:.3f}")
    assert misses == [], misses
    assert recall == 1.0 and precision == 1.0


def test_every_kind_of_query_is_covered():
    kinds = {q["kind"] for q in QUERIES}
    assert {"word", "phrase", "doc_no", "index_no", "absent"} <= kinds
    assert all(q["expect"] == [] for q in QUERIES if q["kind"] == "absent")
    assert all(q["first"] in q["expect"] for q in QUERIES if "first" in q)
    assert sum("first" in q for q in QUERIES) >= 8


def test_exact_doc_no_or_index_no_comes_first(found):
    """绍政发〔2022〕5号 in any bracket form finds the 2022 rules first, not the 2017 rules it repealed
    (whose banner names it); a repealed document's own 文号 finds that document first."""
    wrong = {
        q["query"]: found[q["query"]][:1] for q in QUERIES if "first" in q and found[q["query"]][:1] != [q["first"]]
    }
    assert wrong == {}


def test_results_are_in_rank_order(found, built, site_title):
    """Every query's results, in the order the search page shows them: an exact 文号 or 索引号, then
    title matches, then text matches; 现行有效 before 废止/失效 at the same tier; then the pages that
    use the terms most (so for 政务公开 an annual report that names only the site, 政务公开示例网站,
    comes after every page that speaks of it)."""
    unordered = {}
    for q in QUERIES:
        keys = [rank(built, url, q["query"], site_title) for url in found[q["query"]]]
        if keys != sorted(keys):
            unordered[q["query"]] = list(zip(found[q["query"]], keys, strict=True))
    assert unordered == {}
    rules = found["工作规则"]
    assert rules.index("/policies/shaoxing-2022-work-rules/") < rules.index("/policies/shaoxing-2017-work-rules/")


def test_withheld_item_is_not_searchable(found, built):
    assert all("2025-changwu-13" not in url for urls in found.values() for url in urls)


def test_search_page_filters_and_results_show_doc_no(built):
    with serve(built) as base, chromium() as driver:
        driver.get(base + "/search/?q=会海智治")
        wait(
            lambda: driver.execute_script("return document.getElementById('search-status').textContent").startswith(
                "找到"
            ),
            20,
        )
        text = driver.execute_script("return document.getElementById('search-results').textContent")
        filters = driver.execute_script(
            "return [...document.querySelectorAll('#search-filters select')].map(s => s.name)"
        )
    assert "绍政发〔2022〕5号" in text and "绍兴市人民政府" in text
    assert {"类别", "发布机构", "年份", "有效性"} <= set(filters)


def test_without_javascript_the_page_says_so_and_links_to_browsing(built):
    html = (built / "search/index.html").read_text(encoding="utf-8")
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert "需要启用 JavaScript" in noscript and "/policies/" in noscript and "/browse/topic/" in noscript


def test_search_page_shows_the_doc_no_first_with_the_terms_marked(built):
    with serve(built) as base, chromium(width=375, height=800) as driver:
        driver.get(base + "/search/?q=" + quote("绍政发〔2022〕5号"))
        wait(
            lambda: driver.execute_script("return document.getElementById('search-status').textContent").startswith(
                "找到"
            ),
            20,
        )
        first = driver.execute_script(
            """const li = document.querySelector('#search-results li');
            return {href: li.querySelector('a').getAttribute('href'),
                    marks: [...li.querySelectorAll('.excerpt mark')].map(m => m.textContent)};"""
        )
        words = driver.execute_script(
            """return discloseSearch.search('会海智治').then(found =>
                   found.results.map(r => discloseSearch.excerptNodes(r))
                     .map(nodes => { const p = document.createElement('p'); p.append(...nodes); return p.innerHTML; }));"""
        )
    assert first["href"] == "/policies/shaoxing-2022-work-rules/"
    assert first["marks"] and set(first["marks"]) == {"绍政发〔2022〕5号"}
    assert words and all("<mark>会海智治</mark>" in html for html in words)


HOSTILE = """
const out = {};
window.z = () => { window.pwned = 1; };
const show = (nodes) => { const p = document.createElement('p'); p.append(...nodes); return p.innerHTML; };
out.pagefind = show(discloseSearch.safeExcerpt(
  'a <mark>公开</mark> <img src=x onerror=z()><b onclick="z()">b</b><script>z()</script>'
  + '<mark><i>c</i></mark> &lt;mark&gt;'));
out.ours = show(discloseSearch.excerptNodes({
  content: '前文<img src=x onerror=z()>绍政发〔2022〕5号，后文<mark>x</mark>',
  terms: discloseSearch.terms('绍政发〔2022〕5号'), excerpt: ''}));
out.pwned = window.pwned === 1;
return out;
"""


def test_excerpts_keep_only_mark_and_escape_everything_else(built):
    """Pagefind's excerpt (entities escaped, words in <mark>) and the page's own excerpt, made from
    the raw indexed text, both come out as text and <mark> only: no tag, attribute or script."""
    with serve(built) as base, chromium() as driver:
        driver.get(base + "/search/")
        wait(lambda: driver.execute_script("return !!window.discloseSearch"), 20)
        out = driver.execute_script(HOSTILE)
        time.sleep(0.3)
        pwned = driver.execute_script("return window.pwned === 1")
    assert out["pagefind"] == "a <mark>公开</mark> b<mark>c</mark> &lt;mark&gt;"
    assert out["ours"] == (
        "前文&lt;img src=x onerror=z()&gt;<mark>绍政发〔2022〕5号</mark>，后文&lt;mark&gt;x&lt;/mark&gt;"
    )
    assert not out["pwned"] and not pwned
