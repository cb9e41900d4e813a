"""The cache's state file records the spare's manifest as its differences from the output's, and
the build and the spare's check put it together alike (`output.spare_changes`, `spare_of`)."""

from __future__ import annotations

from datetime import date

import orjson

from disclose import pipeline
from disclose.build_cache import BuildCache
from disclose.output import spare_changes, spare_of

from .conftest import copy_sample
from .test_cache import _body, assert_same_as_cold


def test_the_spare_is_put_together_from_its_differences():
    manifest = {"a.html": ["1", "s1", 1, 10, 100], "b.html": ["2", "s2", 2, 20, 200], "c/": ["3", "s3", "x", 30, 300]}
    spare = {"a.html": ["1", "s1", 1, 10, 100], "b.html": ["9", "s9", 9, 90, 900], "d.html": ["4", "s4", 4, 40, 400]}
    changes = spare_changes(manifest, spare)
    assert changes == {"c/": None, "b.html": spare["b.html"], "d.html": spare["d.html"]}
    state = orjson.loads(orjson.dumps({"manifest": manifest, "spare_changes": changes}))
    assert spare_of(state) == spare
    assert list(spare_of(state)) == list(spare_of(state))  # one order for the build and the check
    assert spare_of({"spare_manifest": spare}) == spare  # a state file in full still reads
    assert spare_of({"spare_changes": changes}) == {}  # no output manifest: no spare


def test_the_state_file_holds_each_record_once(tmp_path):
    site = copy_sample(tmp_path / "site")
    out, cache = tmp_path / "out", tmp_path / "cache"
    today = date(2026, 11, 22)
    pipeline.build(site, out, today, cache_dir=cache)
    pipeline.build(site, out, today, cache_dir=cache)
    _body(site)
    pipeline.build(site, out, today, cache_dir=cache)
    state = orjson.loads((cache / "state.json").read_bytes())
    assert "spare_manifest" not in state
    assert 0 < len(state["spare_changes"]) < len(state["manifest"]) / 2  # what was written anew
    opened = BuildCache.open(cache)
    assert opened.spare_manifest == spare_of(state) and len(opened.spare_manifest) > len(state["spare_changes"])
    _body(site)  # the next build starts from the spare recorded so
    pipeline.build(site, out, today, cache_dir=cache)
    assert_same_as_cold(site, out, tmp_path / "cold")
