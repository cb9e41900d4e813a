"""The search index's bundles: small in every year (a rebuild re-indexes the bundle of a changed
page, and a Pagefind run costs 0.2 s before its first page), cut where the pages themselves say
(an addition changes one bundle, not every older one), newest first; many bundles indexed in one
Pagefind run are byte for byte the bundles indexed alone; and a search over them in real Chromium
still finds every page of every year, loading older bundles only when a query needs them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from disclose.search_index import CORE, id_file, identifier_files, normalize, plan, relabelled

from .browser import chromium, serve, wait
from .conftest import copy_sample, run
from .search_truth import expected
from .search_truth import normalize as truth_normalize

QUERIES = [q["query"] for q in yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text("utf-8"))]
OLDEST = "/policies/liyang-2012-work-rules/"  # the sample's oldest document: 溧政发〔2012〕121号


def site_pages(per_year: int, first: int = 2010, last: int = 2026) -> list[tuple[str, str]]:
    pages = [
        (f"p/{year}-{n:04d}/index.html", f"{year}-{n % 12 + 1:02d}-{n % 28 + 1:02d}")
        for year in range(first, last + 1)
        for n in range(per_year)
    ]
    return pages + [("reports/2025/index.html", "reports"), ("pages/guide/index.html", "pages")]


def test_bundles_are_small_in_every_year_newest_first_and_hold_every_page_once():
    pages = site_pages(300)
    bundles = plan(pages, 100)
    sizes = [len(paths) for paths in bundles.values()]
    # small everywhere (a rebuild re-indexes at most 100 pages), yet nearly full: few bundles
    assert max(sizes) <= 100 and sum(sizes) / len(sizes) >= 60
    listed = [path for paths in bundles.values() for path in paths]
    assert sorted(listed) == sorted(path for path, _ in pages)
    # newest first, the order the search page loads them in; the pages of no date count as newest
    spans = [bundles.years[name] for name in bundles]
    assert spans == sorted(spans, key=lambda span: span[1], reverse=True)
    assert spans[0] == (2026, 2026) and spans[-1][0] == 2010
    first = bundles[next(iter(bundles))]
    assert {"reports/2025/index.html", "pages/guide/index.html"} <= set(first)
    assert all(name.startswith(f"{span[1]}-") for name, span in bundles.years.items())
    assert bundles.front == 100 and CORE not in bundles


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> int:
    """How many bundles of `after` a build would index anew: new names or other pages."""
    return sum(1 for name, paths in after.items() if before.get(name) != paths)


def test_an_added_or_removed_document_of_any_year_changes_one_bundle_seldom_two():
    pages = site_pages(300)
    before = plan(pages, 100)
    rng = random.Random(12)
    counts = []
    for n in range(200):
        year = rng.randrange(2010, 2027)
        added = (f"p/new-{n}/index.html", f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}")
        counts.append(changed(before, plan([*pages, added], 100)))
        removed = pages[rng.randrange(len(pages))]
        counts.append(changed(before, plan([p for p in pages if p != removed], 100)))
    # counting from the newest page instead, an addition in 2012 would change every older bundle
    assert max(counts) <= 3 and sum(counts) / len(counts) < 1.5


def test_a_small_site_is_one_bundle_and_a_site_without_dates_too():
    bundles = plan(site_pages(2, 2020, 2026), 500)
    assert len(bundles) == 1 and list(bundles.years.values()) == [(2020, 2026)]
    undated = plan([("a/index.html", "pages"), ("b/index.html", "reports")], 500)
    assert list(undated.values()) == [["b/index.html", "a/index.html"]] and list(undated.years.values()) == [None]


def test_a_bundle_lists_its_pages_newest_first():
    """Pagefind reads a bundle's copies newest last (index_ahead): the page edits land on most."""
    pages = site_pages(3, 2024, 2026)
    dates = dict(pages)
    for paths in plan(pages, 100).values():
        keys = [(dates[path], path) for path in paths]
        assert keys == sorted(keys, reverse=True)


def test_a_page_is_relabelled_with_its_bundles_language_and_nothing_else():
    page = b'<!DOCTYPE html>\n<html lang="zh-CN" class="x">\n<body>lang="zh-CN"</body></html>'
    assert relabelled(page, "zh-2026-ab") == page.replace(b'<html lang="zh-CN"', b'<html lang="zh-2026-ab"', 1)
    assert relabelled(b"<html><body></body></html>", "zh-x") == b'<html lang="zh-x"><body></body></html>'


def test_the_listing_carries_years_page_counts_and_the_sites_filter_counts(layered):
    listing = json.loads((layered / "pagefind/bundles.json").read_text(encoding="utf-8"))
    years = [(first, last) for _, _, first, last in listing["bundles"]]
    assert len(years) >= 3 and [last for _, last in years] == sorted((last for _, last in years), reverse=True)
    assert years[0][1] == 2026 and years[-1][0] == 2012
    assert all(pages <= 50 for _, pages, _, _ in listing["bundles"])
    assert listing["front"] == 50
    catalog = json.loads((layered / "catalog.json").read_text(encoding="utf-8"))
    policies = sum(1 for item in catalog["items"] if item["kind"] == "policy")
    assert policies and listing["filters"]["类别"]["政策文件"] == policies
    assert listing["filters"]["年份"]["2026"] >= 30 and listing["filters"]["年份"]["2012"] >= 1
    # Pagefind's script and WebAssembly once, in core/; the bundles hold their index alone
    assert (layered / "pagefind/core/pagefind.js").is_file()
    assert (layered / "pagefind/core/wasm.unknown.pagefind").is_file()
    name = listing["bundles"][0][0]
    assert not list((layered / "pagefind" / name).glob("*.js"))
    entry = json.loads((layered / "pagefind" / name / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == [f"zh-{name}"]


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
    names = [name for name, _, _, _ in listing["bundles"]]
    oldest = names[-1]
    with serve(layered) as base:
        first = paged(base, "常务会议决定事项", most=1)
        everything = paged(base, "人民政府")
    # this year's 30 decisions fill the first page: the oldest bundle was not fetched
    assert len(first["pages"][0]) == 10 and first["more"]
    assert any(f"/pagefind/{names[0]}/" in path for path in first["fetched"])
    assert not any(f"/pagefind/{oldest}/" in path for path in first["fetched"])
    # asking for more, page after page, reaches the oldest year
    assert OLDEST not in everything["pages"][0] and OLDEST in [url for page in everything["pages"] for url in page]
    assert all(any(f"/pagefind/{name}/" in path for path in everything["fetched"]) for name in names)


def test_a_doc_no_of_the_oldest_year_is_found_first_searching_its_bundle_alone(layered):
    """A query that is a 文号 or 索引号 looks it up in pagefind/ids/ and searches the bundle that
    holds it, not the newest bundles nor every bundle of its year; the document comes first even
    though this year's 30 decisions, which cite it, would fill a page."""
    listing = json.loads((layered / "pagefind/bundles.json").read_text(encoding="utf-8"))
    names = [name for name, _, _, _ in listing["bundles"]]
    with serve(layered) as base:
        out = paged(base, "溧政发〔2012〕121号", limit=10, most=1)
    assert out["pages"][0][0] == OLDEST
    searched = {name for name in names if any(f"/pagefind/{name}/" in path for path in out["fetched"])}
    assert searched == {names[-1]}
    assert any("/pagefind/ids/" in path for path in out["fetched"])


def test_the_search_page_finds_the_identifier_file_the_build_wrote(layered):
    keys = ["溧政发2012121号", "11330600mb0000000x/2022-00002", "示教20181号", "ａｂｃ"]
    with serve(layered) as base, chromium() as driver:
        driver.get(base + "/search/")
        wait(lambda: driver.execute_script("return !!window.discloseSearch"), 20)
        got = driver.execute_script("return arguments[0].map((k) => window.discloseSearch.idFile(k, 37));", keys)
    assert got == [id_file(key, 37) for key in keys]
    assert normalize("溧政发〔2012〕121号") == truth_normalize("溧政发〔2012〕121号") == "溧政发2012121号"


def test_identifier_files_name_the_bundle_of_each_doc_no_and_index_no():
    bundles = {"2026-a": ["a/index.html"], "2012-b": ["b/index.html", "c/index.html"]}
    ids = {"a/index.html": ["示教〔2026〕1号", ""], "b/index.html": ["溧政发〔2012〕121号", "X/2012-00001"]}
    files = identifier_files(bundles, {**ids, "gone/index.html": ["不在索引中〔2020〕1号", ""]})
    assert list(files) == ["pagefind/ids/0.json"]
    assert json.loads(files["pagefind/ids/0.json"]) == {
        "x/201200001": ["2012-b"],
        "溧政发2012121号": ["2012-b"],
        "示教20261号": ["2026-a"],
    }


def add_decisions(site: Path, count: int, cites: str = "") -> None:
    """`count` decisions of 2026 (in March), each citing `cites` if given."""
    for n in range(count):
        (site / f"content/decisions/2026-extra-{n:02d}.md").write_text(
            f"---\ntitle: 第{n + 30}次常务会议决定事项\nissuer: 政务公开示例市人民政府\n"
            f"published: 2026-03-{n % 28 + 1:02d}\ntopics: [综合政务]\n---\n市人民政府常务会议研究了本年度重点工作{cites}。\n",
            encoding="utf-8",
        )


def test_bundles_indexed_together_equal_bundles_indexed_alone(tmp_path):
    """A cold build indexes many bundles in one Pagefind run (a language each); a rebuild after an
    edit indexes the changed bundle alone. Both write the same bytes: after 45 new documents,
    after an edit of the oldest document and after one of this year, the incremental output is
    the cold one, and each edit re-indexed one bundle."""
    from datetime import date

    from disclose import pipeline

    from .test_cache import assert_same_as_cold

    site = copy_sample(tmp_path / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_bundle_size: 50\n")
    out, cache, today = tmp_path / "out", tmp_path / "cache", date(2026, 11, 22)
    first = pipeline.build(site, out, today, cache_dir=cache).reindexed
    assert CORE in first and len(first) >= 3
    pipeline.build(site, out, today, cache_dir=cache)
    add_decisions(site, 45)
    report = pipeline.build(site, out, today, cache_dir=cache)
    assert not report.errors and CORE not in report.reindexed
    names = [
        name for name, _, _, _ in json.loads((out / "pagefind/bundles.json").read_text(encoding="utf-8"))["bundles"]
    ]
    assert len(names) >= 3 and set(report.reindexed) <= set(names)
    assert_same_as_cold(site, out, tmp_path / "cold1")
    oldest = site / "content/policies/liyang-2012-work-rules.md"
    oldest.write_text(oldest.read_text(encoding="utf-8") + "\n本条为测试追加的一句话。\n", encoding="utf-8")
    assert pipeline.build(site, out, today, cache_dir=cache).reindexed == [names[-1]]
    assert_same_as_cold(site, out, tmp_path / "cold2")
    recent = site / "content/decisions/2026-extra-00.md"
    recent.write_text(recent.read_text(encoding="utf-8") + "追加。\n", encoding="utf-8")
    reindexed = pipeline.build(site, out, today, cache_dir=cache).reindexed
    assert len(reindexed) == 1 and reindexed[0].startswith("2026-")
    assert_same_as_cold(site, out, tmp_path / "cold3")


def test_copies_a_stopped_build_left_in_the_scratch_folder_are_removed(tmp_path, monkeypatch):
    """Relabelled copies go to memory (/dev/shm) when it has room; a killed build's copies, named
    by its process, are removed by the next build, and a running build's are left alone."""
    from disclose import search_index

    monkeypatch.setattr(search_index, "SCRATCH", tmp_path)
    dead = tmp_path / f"{search_index.SCRATCH_PREFIX}999999999-abc"
    alive = tmp_path / f"{search_index.SCRATCH_PREFIX}1-abc"  # process 1 is always running
    for folder in (dead, alive):
        (folder / "pages").mkdir(parents=True)
    assert search_index._scratch(10) == tmp_path
    assert not dead.exists() and alive.exists()
    monkeypatch.setattr(search_index, "PAGE_ROOM", 1 << 60)  # no room: the copies go beside the staging folder
    assert search_index._scratch(10) is None
