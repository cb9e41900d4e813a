"""The changed bundle's other pages go to Pagefind while the site is checked, and the index is the
one a cold build writes; whatever does not match what the build wrote is not used."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from disclose import index_ahead, pipeline
from disclose.index_ahead import Ahead, guess, previous_plan
from disclose.pagefind_bundle import stabilize
from disclose.pagefind_copies import SCRATCH, copy_name
from disclose.pagefind_service import Service
from disclose.search_index import pagefind_executable

from .conftest import snapshot

TODAY = datetime.date(2026, 11, 22)
PAGE = (
    '<!DOCTYPE html><html lang="zh-a"><head><meta charset="utf-8"><title>{title}</title></head><body>'
    '<main data-pagefind-body><h1>{title}</h1><p data-pagefind-filter="年份">{year}</p>'
    "<p>{text}</p></main></body></html>"
)


def _page(number: int) -> bytes:
    title = f"关于第{number}项政府信息公开工作的通知"
    text = "依申请公开答复与政策解读同步发布。" * (number + 1)
    return PAGE.format(title=title, year=2020 + number % 3, text=text).encode()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def memory() -> Path:
    """A folder in memory, where the build makes its copies (search_index._scratch)."""
    if not os.access(SCRATCH, os.W_OK):
        pytest.skip(f"{SCRATCH} is not writable here")
    folder = Path(tempfile.mkdtemp(dir=SCRATCH, prefix="disclose-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_folders_added_in_turn_index_as_one_folder_listing_them_in_turn(memory, tmp_path):
    """What the guess relies on: Pagefind numbers pages in the order it lists their folder, so two
    folders added one after the other give the index of one folder whose listing is theirs in turn."""
    whole, ahead, rest = memory / "whole", memory / "ahead", memory / "rest"
    for folder, numbers in ((whole, range(12)), (ahead, range(5, 12)), (rest, range(5))):
        folder.mkdir()
        for number in numbers:  # made in the same order as in the whole folder
            (folder / copy_name("a", number)).write_bytes(_page(number))
    if os.listdir(ahead) + os.listdir(rest) != os.listdir(whole):
        pytest.skip("this file system lists a folder in an order of its own (the build then indexes it whole)")
    cli, served = tmp_path / "cli", tmp_path / "served"
    subprocess.run(
        [str(pagefind_executable()), "--site", str(whole), "--output-path", str(cli), "--silent"], check=True
    )
    service = Service(pagefind_executable(), "pagefind")
    try:
        index = service.new_index(time.monotonic() + 120)
        assert service.add_dir(index, ahead, time.monotonic() + 120) == 7
        assert service.add_dir(index, rest, time.monotonic() + 120) == 5
        service.write_files(index, served, time.monotonic() + 120)
    finally:
        service.process.kill()
        service.process.wait()
    stabilize(cli)
    stabilize(served)
    assert _tree(served) == _tree(cli)
    # and the order matters: the other way round is another index
    swapped = tmp_path / "swapped"
    service = Service(pagefind_executable(), "pagefind")
    try:
        index = service.new_index(time.monotonic() + 120)
        service.add_dir(index, rest, time.monotonic() + 120)
        service.add_dir(index, ahead, time.monotonic() + 120)
        service.write_files(index, swapped, time.monotonic() + 120)
    finally:
        service.process.kill()
        service.process.wait()
    stabilize(swapped)
    assert _tree(swapped) != _tree(cli)


def test_the_guess_is_the_one_bundle_of_the_changed_files_and_the_pages_after_them():
    plan = {"2026-a": ["reports/2026/index.html", "p/new/index.html", "p/mid/index.html", "p/old/index.html"]}
    plan["2025-b"] = ["p/x/index.html", "p/y/index.html"]
    assert guess(plan, ["content/p/new.md"]) == ("2026-a", plan["2026-a"], 2)
    assert guess(plan, ["content/p/mid.md", "content/p/new.md"]) == ("2026-a", plan["2026-a"], 3)
    assert guess(plan, ["content/p/old.md"]) is None  # the last page: nothing can go ahead
    assert guess(plan, ["content/p/new.md", "content/p/x.md"]) is None  # two bundles
    assert guess(plan, ["content/p/added.md"]) is None  # not indexed last time
    assert guess(plan, []) is None
    assert guess({"x": ["p/new/index.html", "../../secret"]}, ["content/p/new.md"]) is None  # outside the output


def _built(site: Path, out: Path, cache: Path) -> None:
    assert not pipeline.build(site, out, TODAY, cache_dir=cache).errors


def _newest_item(cache: Path) -> tuple[str, list[str], str]:
    """The bundle with the most pages, its pages, and the content file of its newest item page."""
    plan = previous_plan(cache)
    assert plan
    name = max(plan, key=lambda bundle: len(plan[bundle]))
    page = next(p for p in plan[name] if not p.startswith("reports/"))
    return name, plan[name], f"content/{page.removesuffix('/index.html')}.md"


def _completions(monkeypatch) -> list[bool]:
    results: list[bool] = []
    real = Ahead.complete

    def spy(self, *args):
        results.append(real(self, *args))
        return results[-1]

    monkeypatch.setattr(Ahead, "complete", spy)
    return results


def _edit_and_rebuild(site: Path, out: Path, cache: Path, source: str, bundle: str) -> None:
    """Add a paragraph to the body of `source` and rebuild: only `bundle` is indexed again."""
    edited = site / source
    edited.write_text(edited.read_text(encoding="utf-8") + "\n本段为重建时追加的正文。\n", encoding="utf-8")
    report = pipeline.build(site, out, TODAY, cache_dir=cache)
    assert not report.errors and report.reindexed == [bundle]


def _as_cold(site: Path, out: Path, cold: Path) -> None:
    assert not pipeline.build(site, cold, TODAY).errors
    assert snapshot(out) == snapshot(cold)


def test_a_rebuild_after_an_edit_indexes_the_other_pages_of_its_bundle_ahead(sample, tmp_path, monkeypatch, memory):
    out, cache, cold = tmp_path / "out", tmp_path / "cache", tmp_path / "cold"
    _built(sample, out, cache)
    _built(sample, out, cache)
    name, pages, source = _newest_item(cache)
    added: list[int] = []
    real_add = Service.add_dir
    monkeypatch.setattr(
        Service,
        "add_dir",
        lambda self, index, folder, deadline: (
            added.append(len(os.listdir(folder))) or real_add(self, index, folder, deadline)
        ),
    )
    completed = _completions(monkeypatch)
    _edit_and_rebuild(sample, out, cache, source, name)
    assert completed == [True]
    assert sum(added) == len(pages) and added[0] > len(pages) // 2  # most pages went ahead
    _as_cold(sample, out, cold)


def test_a_page_changed_in_the_live_output_is_not_indexed_from_there(sample, tmp_path, monkeypatch, memory):
    """The pages that go ahead are read from the last output; one edited there by hand differs from
    the page this build wrote, so the bundle is indexed from this build's pages alone."""
    out, cache, cold = tmp_path / "out", tmp_path / "cache", tmp_path / "cold"
    _built(sample, out, cache)
    _built(sample, out, cache)
    name, pages, source = _newest_item(cache)
    tampered = out / pages[-1]
    tampered.write_bytes(tampered.read_bytes().replace(b"</main>", "<p>篡改的内容不应被索引</p></main>".encode()))
    completed = _completions(monkeypatch)
    _edit_and_rebuild(sample, out, cache, source, name)
    assert completed == [False]
    _as_cold(sample, out, cold)


def test_the_plan_is_kept_only_when_it_changes(tmp_path):
    plan = {"2026-a": ["a/index.html"]}
    index_ahead.remember(tmp_path, plan, None)
    assert previous_plan(tmp_path) == plan
    written = (tmp_path / index_ahead.PLAN).stat().st_mtime_ns
    os.utime(tmp_path / index_ahead.PLAN, ns=(written - 10**9, written - 10**9))
    index_ahead.remember(tmp_path, plan, plan)
    assert (tmp_path / index_ahead.PLAN).stat().st_mtime_ns == written - 10**9
    (tmp_path / index_ahead.PLAN).write_bytes(b"damaged")
    assert previous_plan(tmp_path) is None
