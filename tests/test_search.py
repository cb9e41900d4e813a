"""Chinese search through the search page's code and Pagefind's JS API in real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .browser import chromium, serve, wait
from .conftest import copy_sample, run
from .search_truth import expected

SAMPLE_TODAY = "2026-11-22"
QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))

RUN = """
const done = arguments[arguments.length - 1];
(async () => {
  for (let i = 0; i < 100 && !window.discloseSearch; i++) await new Promise((r) => setTimeout(r, 100));
  const out = {};
  for (const q of arguments[0]) {
    const found = await window.discloseSearch.search(q, {all: true});
    out[q] = found.results.map((d) => d.url).sort();
  }
  done(out);
})().catch((e) => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = copy_sample(tmp_path_factory.mktemp("sample"))
    result = run("build", "--site", str(site), "--today", SAMPLE_TODAY)
    assert result.exit_code == 0, result.output
    return site / "public"


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
    assert {"word", "phrase", "doc_no", "absent"} <= kinds
    assert all(q["expect"] == [] for q in QUERIES if q["kind"] == "absent")


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
