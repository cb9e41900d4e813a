"""The render stage after one change: one listing of the site's files per build, the U001 check
taken from the cache while the output paths are those it last checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson

from disclose import pipeline
from disclose.build_cache import BuildCache

from .conftest import run, write

TODAY = "2024-06-01"
DAY = date(2024, 6, 1)


def decision(title: str, day: str = "2024-03-01") -> str:
    return f"---\ntitle: {title}\nissuer: 示例市人民政府\npublished: {day}\n---\n{title}的正文。\n"


def build(site: Path, out: Path, cache: Path):
    return run("build", "--site", str(site), "--out", str(out), "--cache", str(cache), "--today", TODAY)


def u001(output: str) -> list[str]:
    return [line for line in output.splitlines() if " U001 " in line]


def test_the_u001_findings_are_kept_with_the_entries_they_were_found_in(site, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(site, out, cache).exit_code == 0
    stored = orjson.loads((cache / "page_keys.json").read_bytes())
    digest, found = stored["pages"][pipeline.U001]
    assert found == []
    # The same entries next time: the findings come from the cache, not from comparing paths again
    # (a finding planted there shows; a real build never stores one it did not find).
    planted = ["content/planted.md", 1, "U001", "种下的", "planted", "error"]
    stored["pages"][pipeline.U001] = [digest, [planted]]
    (cache / "page_keys.json").write_bytes(orjson.dumps(stored))
    result = build(site, out, cache)
    assert result.exit_code == 1
    assert u001(result.output) == ["content/planted.md:1: U001 种下的"], result.output
    # Different entries (one more item): checked again, and the plant is gone.
    write(site, "content/decisions/d1.md", decision("第1次常务会议决定"))
    assert build(site, out, cache).exit_code == 0


def test_a_clash_found_from_the_cache_reads_as_the_check_reports_it(site, tmp_path):
    out, folder = tmp_path / "out", tmp_path / "cache"
    assert build(site, out, folder).exit_code == 0
    write(site, "content/decisions/Meeting-1.md", decision("第1次常务会议决定"))
    write(site, "content/decisions/meeting-1.md", decision("第1次常务会议纪要", "2024-03-02"))
    checked = u001(run("check", "--site", str(site), "--today", TODAY).output)
    assert len(checked) == 1
    cache = BuildCache.open(folder)  # kept open between builds, as `disclose serve` keeps it
    first = pipeline.build(site, out, DAY, cache=cache)
    assert cache.page_keys[pipeline.U001][1]  # found, and kept
    again = pipeline.build(site, out, DAY, cache=cache)  # the same entries: from the cache
    for report in (first, again):
        assert [p.format() for p in report.problems if p.code == "U001"] == checked
        assert report.errors
    (site / "content/decisions/meeting-1.md").unlink()
    assert not pipeline.build(site, out, DAY, cache=cache).errors
    assert cache.page_keys[pipeline.U001][1] == []


def test_a_build_lists_the_site_once(site, tmp_path, monkeypatch):
    from disclose import render

    calls = []
    listing = render.render_site

    def counted(*args, **kwargs):
        calls.append(args)
        return listing(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render_site", counted)
    assert not pipeline.build(site, tmp_path / "out", DAY, cache_dir=tmp_path / "cache").errors
    assert len(calls) == 1
    calls.clear()
    assert not pipeline.check(site, DAY).errors  # `disclose check` lists it for its U001 check
    assert len(calls) == 1
