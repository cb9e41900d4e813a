"""The search index's bundles: old years together in few archive bundles, recent years in small
ones, newest first; and a search over them in real Chromium still finds every page of every year,
loading older bundles only when a query needs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from disclose.search_index import ARCHIVE_FACTOR, bundle_years, plan

from .browser import chromium, serve, wait
from .conftest import copy_sample, run
from .search_truth import expected

QUERIES = [q["query"] for q in yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text("utf-8"))]
OLDEST = "/policies/liyang-2012-work-rules/"  # the sample's oldest document: 溧政发〔2012〕121号


def site_pages(per_year: int, first: int = 2010, last: int = 2026) -> list[tuple[str, str]]:
    pages = [(f"p/{year}-{n:04d}/index.html", str(year)) for year in range(first, last + 1) for n in range(per_year)]
    return pages + [("reports/2025/index.html", "reports"), ("pages/guide/index.html", "pages")]


def test_old_years_share_large_archive_bundles_and_recent_years_stay_small():
    pages = site_pages(300)
    bundles = plan(pages, 100)
    years = {name: bundle_years(name) for name in bundles}
    recent = [name for name, span in years.items() if span[0] >= 2025]
    archive = [name for name, span in years.items() if span[1] <= 2024]
    assert set(recent) | set(archive) == set(bundles)
    # the present: small bundles (split by a hash of the path, so about 100 pages each: a recent
    # edit re-indexes about 100 pages), the pages of no year with them
    assert max(len(bundles[name]) for name in recent) <= 150
    assert sum(len(bundles[name]) for name in recent) / len(recent) <= 100
    assert {"reports/2025/index.html", "pages/guide/index.html"} <= {p for name in recent for p in bundles[name]}
    # the past: whole neighbouring years together, up to ARCHIVE_FACTOR times the size
    assert all(len(bundles[name]) <= 100 * ARCHIVE_FACTOR for name in archive)
    assert [years[name] for name in archive] == [
        (2024, 2024),
        (2022, 2023),
        (2020, 2021),
        (2018, 2019),
        (2016, 2017),
        (2014, 2015),
        (2012, 2013),
        (2010, 2011),
    ]
    assert len(recent) == 7  # 602 pages of this year and last; 4,500 pages of 15 years in 8 bundles, not 45
    # newest first, the order the search page loads them in; every page in exactly one bundle
    starts = [years[name][0] for name in bundles]
    assert starts == sorted(starts, reverse=True)
    listed = [path for paths in bundles.values() for path in paths]
    assert sorted(listed) == sorted(path for path, _ in pages)
    assert bundles.front == 100


def test_an_edit_or_a_new_document_of_this_year_leaves_the_archive_as_it_was():
    before = plan(site_pages(300), 100)
    after = plan([*site_pages(300), ("p/2026-new/index.html", "2026")], 100)
    old = {name: paths for name, paths in before.items() if bundle_years(name)[1] <= 2024}
    assert old and all(after[name] == paths for name, paths in old.items())


def test_a_small_site_is_one_bundle_and_a_site_without_years_too():
    assert list(plan(site_pages(2, 2020, 2026), 500)) == ["2020_2026"]
    assert list(plan([("a/index.html", "pages"), ("b/index.html", "reports")], 500)) == ["pages_reports"]
    assert bundle_years("pages_reports") is None


def test_the_listing_carries_years_page_counts_and_the_sites_filter_counts(layered):
    listing = json.loads((layered / "pagefind/bundles.json").read_text(encoding="utf-8"))
    years = [b["years"] for b in listing["bundles"]]
    assert len(years) >= 3 and years == sorted(years, reverse=True)
    assert years[0] == [2026, 2026] and years[-1][0] == 2012
    assert listing["front"] == 50
    catalog = json.loads((layered / "catalog.json").read_text(encoding="utf-8"))
    policies = sum(1 for item in catalog["items"] if item["kind"] == "policy")
    assert policies and listing["filters"]["类别"]["政策文件"] == policies
    assert listing["filters"]["年份"]["2026"] >= 30 and listing["filters"]["年份"]["2012"] >= 1


@pytest.fixture(scope="module")
def layered(tmp_path_factory):
    """The sample site with 30 more decisions of 2026 and bundles of 50 pages: this year fills two
    bundles, so last year and the archive (2012 to 2023) are loaded only when a query needs them."""
    site = copy_sample(tmp_path_factory.mktemp("layered"))
    with (site / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_bundle_size: 50\n")
    add_decisions(site, 30, "，继续执行溧政发〔2012〕121号")
    result = run("build", "--site", str(site), "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    return site / "public"


PAGES = """
const done = arguments[arguments.length - 1];
(async () => {
  for (let i = 0; i < 100 && !window.discloseSearch; i++) await new Promise((r) => setTimeout(r, 100));
  const [query, limit, most] = arguments;
  const pages = [];
  let found = await window.discloseSearch.search(query, {limit});
  pages.push(found.results.map((d) => d.url));
  while (found.rest && pages.length < most) {
    found = await window.discloseSearch.search(query, {limit, start: found.rest});
    pages.push(found.results.map((d) => d.url));
  }
  const fetched = performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname);
  done({pages, fetched, more: !!found.rest});
})().catch((e) => done({error: String(e)}));
"""


def paged(base: str, query: str, limit: int = 10, most: int = 1000) -> dict:
    """A fresh search page: the query's results page by page (at most `most` pages), and what
    was fetched (Pagefind runs in the page's thread, so its fetches are in the resource timing)."""
    with chromium() as driver:
        driver.get(base + "/search/")
        out = driver.execute_async_script(PAGES, query, limit, most)
    assert "error" not in out, out
    return out


def test_every_query_finds_exactly_its_pages_across_the_bundles(layered):
    """Paging through the results (older bundles merged as the pages ask for more) finds exactly
    the pages that contain the query, from every year: recall and precision 1.0."""
    with serve(layered) as base, chromium() as driver:
        driver.get(base + "/search/")
        wait(lambda: driver.execute_script("return !!window.discloseSearch"), 20)
        misses = {}
        for query in [*QUERIES, "人民政府"]:
            out = driver.execute_async_script(PAGES, query, 10, 1000)
            assert "error" not in out, out
            got = [url for page in out["pages"] for url in page]
            assert len(got) == len(set(got)), query  # no page shown twice
            if sorted(got) != expected(layered, query):
                misses[query] = (
                    sorted(set(expected(layered, query)) - set(got)),
                    sorted(set(got) - set(expected(layered, query))),
                )
    assert misses == {}
    assert OLDEST in expected(layered, "人民政府")


def test_a_query_the_newest_bundles_answer_loads_no_older_bundle_until_asked(layered):
    listing = json.loads((layered / "pagefind/bundles.json").read_text(encoding="utf-8"))
    newest, older = listing["bundles"][0]["name"], [b["name"] for b in listing["bundles"][2:]]
    with serve(layered) as base:
        first = paged(base, "常务会议决定事项", most=1)
        everything = paged(base, "人民政府")
    # this year's 30 decisions fill the first page: only this year's bundles were fetched
    assert len(first["pages"][0]) == 10 and first["more"]
    assert any(f"/pagefind/{newest}/" in path for path in first["fetched"])
    assert not any(f"/pagefind/{name}/" in path for name in older for path in first["fetched"])
    # asking for more, page after page, reaches the oldest year
    assert OLDEST not in everything["pages"][0] and OLDEST in [url for page in everything["pages"] for url in page]
    assert all(any(f"/pagefind/{name}/" in path for path in everything["fetched"]) for name in older)


def test_a_doc_no_of_the_oldest_year_is_found_first_at_once(layered):
    """A 文号 carries its year: the bundle of that year is searched with the newest ones, so the
    document comes first even though this year's 30 decisions, which cite it, fill a page."""
    with serve(layered) as base:
        out = paged(base, "溧政发〔2012〕121号", limit=10)
    assert out["pages"][0][0] == OLDEST


def add_decisions(site: Path, count: int, cites: str = "") -> None:
    """`count` decisions of 2026 (in March), each citing `cites` if given."""
    for n in range(count):
        (site / f"content/decisions/2026-extra-{n:02d}.md").write_text(
            f"---\ntitle: 第{n + 30}次常务会议决定事项\nissuer: 政务公开示例市人民政府\n"
            f"published: 2026-03-{n % 28 + 1:02d}\ntopics: [综合政务]\n---\n市人民政府常务会议研究了本年度重点工作{cites}。\n",
            encoding="utf-8",
        )


def test_when_the_layout_changes_an_incremental_build_equals_a_cold_one(tmp_path):
    """The sample fits one bundle of 100 pages; 45 more documents split it into this year, last
    year and an archive. The incremental build writes what a cold build writes, and then an edit of
    the oldest document re-indexes the archive alone, one of this year a small bundle alone."""
    from datetime import date

    from disclose import pipeline

    from .test_cache import _body, assert_same_as_cold

    site = copy_sample(tmp_path / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_bundle_size: 100\n")
    out, cache, today = tmp_path / "out", tmp_path / "cache", date(2026, 11, 22)
    assert pipeline.build(site, out, today, cache_dir=cache).reindexed == ["2012_2026"]
    pipeline.build(site, out, today, cache_dir=cache)
    add_decisions(site, 45)
    report = pipeline.build(site, out, today, cache_dir=cache)
    assert not report.errors
    names = [b["name"] for b in json.loads((out / "pagefind/bundles.json").read_text(encoding="utf-8"))["bundles"]]
    assert len(names) >= 2 and names[-1].startswith("2012_") and sorted(report.reindexed) == sorted(names)
    assert_same_as_cold(site, out, tmp_path / "cold1")
    oldest = site / "content/policies/liyang-2012-work-rules.md"
    oldest.write_text(oldest.read_text(encoding="utf-8") + "\n本条为测试追加的一句话。\n", encoding="utf-8")
    assert pipeline.build(site, out, today, cache_dir=cache).reindexed == [names[-1]]
    assert_same_as_cold(site, out, tmp_path / "cold2")
    _body(site)  # the 2022 绍兴 rules: in the archive too
    (site / "content/decisions/2026-extra-00.md").write_text(
        (site / "content/decisions/2026-extra-00.md").read_text(encoding="utf-8") + "追加。\n", encoding="utf-8"
    )
    reindexed = pipeline.build(site, out, today, cache_dir=cache).reindexed
    assert names[-1] in reindexed and len(reindexed) == 2
    assert_same_as_cold(site, out, tmp_path / "cold3")
