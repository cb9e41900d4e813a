"""The search bundles' plan, pagefind/ids/ and each bundle's counts are recalled from the last
build when their inputs are the same (`pipeline._Plans`, `search_index.build_index`), and the
output stays byte for byte a cold build's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from disclose import pipeline, search_index
from disclose.page_keys import KeyMismatch

from .conftest import copy_sample
from .test_cache import _body, _title, assert_same_as_cold, small_bundles

TODAY = date(2026, 11, 22)


def primed(tmp_path: Path) -> tuple[Path, Path, Path]:
    site = copy_sample(tmp_path / "site")
    small_bundles(site)
    out, cache = tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, TODAY, cache_dir=cache)
    pipeline.build(site, out, TODAY, cache_dir=cache)
    return site, out, cache


def spied(monkeypatch) -> dict[str, list]:
    """Count the calls of what a recalled plan spares."""
    calls: dict[str, list] = {"plan": [], "identifier_files": [], "counts": []}
    for module, name, key in (
        (pipeline, "plan", "plan"),
        (pipeline, "identifier_files", "identifier_files"),
        (search_index, "_counts", "counts"),
    ):
        original = getattr(module, name)

        def spy(*args, _original=original, _key=key):
            calls[_key].append(args)
            return _original(*args)

        monkeypatch.setattr(module, name, spy)
    return calls


def test_a_body_edit_neither_plans_the_bundles_nor_reads_the_counts_of_unchanged_ones(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCLOSE_VERIFY_KEYS", raising=False)
    site, out, cache = primed(tmp_path)
    _body(site)
    calls = spied(monkeypatch)
    report = pipeline.build(site, out, TODAY, cache_dir=cache)
    assert len(report.reindexed) == 1
    assert calls["plan"] == [] and calls["identifier_files"] == []
    assert [args[1] for args in calls["counts"]] == report.reindexed  # the new bundle's own, for the next build
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_a_front_matter_edit_plans_again(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCLOSE_VERIFY_KEYS", raising=False)
    site, out, cache = primed(tmp_path)
    _title(site)
    calls = spied(monkeypatch)
    pipeline.build(site, out, TODAY, cache_dir=cache)
    assert len(calls["plan"]) == 1 and len(calls["identifier_files"]) == 1
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_an_identifier_file_changed_by_hand_is_made_again(tmp_path, monkeypatch):
    monkeypatch.delenv("DISCLOSE_VERIFY_KEYS", raising=False)
    site, out, cache = primed(tmp_path)
    for folder in (out, cache / "spare"):  # the output and the spare the next build starts from
        (folder / "pagefind/ids/0.json").write_text('{"x":["2026-00000000"]}', encoding="utf-8")
    calls = spied(monkeypatch)
    pipeline.build(site, out, TODAY, cache_dir=cache)
    assert len(calls["identifier_files"]) == 1
    assert_same_as_cold(site, out, tmp_path / "cold")


@pytest.mark.parametrize("part", ["bundles", "ids"])
def test_a_recalled_plan_that_differs_from_a_fresh_one_stops_a_verifying_build(tmp_path, monkeypatch, part):
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    site, out, cache = primed(tmp_path)
    stored = orjson.loads((cache / "page_keys.json").read_bytes())
    kept = stored["pages"][pipeline.PLAN]
    if part == "bundles":
        kept["bundles"][0][1] = kept["bundles"][0][1][1:]  # a page left out of the newest bundle
    else:
        kept["ids"][0][1] = "0" * 40
    (cache / "page_keys.json").write_bytes(orjson.dumps(stored))
    with pytest.raises(KeyMismatch):
        pipeline.build(site, out, TODAY, cache_dir=cache)
