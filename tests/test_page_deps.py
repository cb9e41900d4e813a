"""The render stage after one change: one listing of the site's files per build, the U001 check
taken from the cache while the output paths are those it last checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from disclose import pipeline
from disclose.build_cache import BuildCache

from .conftest import copy_sample, run, snapshot, write

TODAY = "2024-06-01"
DAY = date(2024, 6, 1)


def decision(title: str, day: str = "2024-03-01") -> str:
    return f"---\ntitle: {title}\nissuer: 示例市人民政府\npublished: {day}\n---\n{title}的正文。\n"


def build(site: Path, out: Path, cache: Path):
    return run("build", "--site", str(site), "--out", str(out), "--cache", str(cache), "--today", TODAY)


def u001(output: str) -> list[str]:
    return [line for line in output.splitlines() if " U001 " in line]


def test_the_u001_findings_are_kept_with_the_entries_they_were_found_in(site, tmp_path, monkeypatch):
    from disclose.page_keys import KeyMismatch

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
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")
    result = build(site, out, cache)
    assert result.exit_code == 1
    assert u001(result.output) == ["content/planted.md:1: U001 种下的"], result.output
    # Verifying (as every other test does), the kept findings are found again: the plant stops the build.
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    with pytest.raises(KeyMismatch):
        pipeline.build(site, out, DAY, cache_dir=cache)
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


# ---- Page dependencies (page_deps.py) -----------------------------------------------------------
# A rebuild computes the keys only of the pages whose inputs changed. Every test runs with
# DISCLOSE_VERIFY_KEYS (conftest): each key is computed anyway, and a page judged unchanged whose
# key moved stops the build, so each edit below proves what it reaches is found. The tests that
# count the keys computed turn it off.

SAMPLE_DAY = "2026-11-22"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def sample_build(site: Path, out: Path, cache: Path | None, today: str = SAMPLE_DAY) -> None:
    caching = ["--cache", str(cache)] if cache else ["--no-cache"]
    result = run("build", "--site", str(site), "--out", str(out), *caching, "--today", today)
    assert result.exit_code == 0, result.output


def same_as_cold(site: Path, out: Path, cold: Path, today: str = SAMPLE_DAY) -> None:
    sample_build(site, cold, None, today)
    after, expected = snapshot(out), snapshot(cold)
    assert after.keys() == expected.keys()
    assert [rel for rel in after if after[rel] != expected[rel]] == []


def primed(tmp_path: Path) -> tuple[Path, Path, Path]:
    site = copy_sample(tmp_path / "site")
    out, cache = tmp_path / "out", tmp_path / "cache"
    sample_build(site, out, cache)
    sample_build(site, out, cache)
    return site, out, cache


def computed_keys(monkeypatch) -> list[str]:
    """The item pages whose keys are computed from here on (their items' ids), and "other" for
    every other page or file whose key is."""
    from disclose.page_keys import Keys

    found: list[str] = []
    item, key = Keys.item, Keys.key

    def counted_item(self, it, topics):
        found.append(it.id)
        return item(self, it, topics)

    def counted_key(self, *parts):
        if parts[0] != b"item":
            found.append("other")
        return key(self, *parts)

    monkeypatch.setattr(Keys, "item", counted_item)
    monkeypatch.setattr(Keys, "key", counted_key)
    return found


def test_after_one_body_changed_one_key_is_computed(tmp_path, monkeypatch):
    site, out, cache = primed(tmp_path)
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")
    found = computed_keys(monkeypatch)
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "第一条", "第一条（修订）")
    sample_build(site, out, cache)
    assert found == ["policies/shaoxing-2022-work-rules"]
    found.clear()
    sample_build(site, out, cache)  # nothing changed: no key at all
    assert found == []
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    same_as_cold(site, out, tmp_path / "cold")


def test_a_title_changed_reaches_the_pages_that_show_it(tmp_path, monkeypatch):
    """A card changed: its interpretation's page, every list, feed and report are computed again;
    the pages that show nothing of it are not."""
    site, out, cache = primed(tmp_path)
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")
    found = computed_keys(monkeypatch)
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "title: ", "title: （修订）")
    sample_build(site, out, cache)
    items = [f for f in found if f != "other"]
    assert "policies/shaoxing-2022-work-rules" in items and "interpretations/shaoxing-2022-work-rules-jd" in items
    assert "other" in found
    assert len(items) < len(list((site / "content").rglob("*.md"))) / 2
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    same_as_cold(site, out, tmp_path / "cold")


def test_a_history_that_changed_alone(tmp_path):
    """An edit is built, then committed: the file is as it was, its 修订记录 is not."""
    from .conftest import git

    site = copy_sample(tmp_path / "site")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "初始", date="2026-11-01")
    out, cache = tmp_path / "out", tmp_path / "cache"
    sample_build(site, out, cache)
    sample_build(site, out, cache)
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "第一条", "第一条（修订）")
    sample_build(site, out, cache)
    git(site, "commit", "-qam", "修订\n\n公开说明：修订第一条。", date="2026-11-20")
    sample_build(site, out, cache)
    same_as_cold(site, out, tmp_path / "cold")
    assert "修订第一条" in (out / "policies/shaoxing-2022-work-rules/index.html").read_text(encoding="utf-8")


def test_a_feedback_page_added_reaches_the_decisions_that_name_the_consultation(tmp_path):
    """The 目录 row of a major decision shows its consultation's feedback page (a lifecycle row)."""
    site, out, cache = primed(tmp_path)
    write(
        site,
        "content/pages/2026-library-feedback.md",
        "---\ntitle: 《公共图书馆服务规范》征求意见采纳情况\nissuer: 政务公开示例市文化广电旅游局\n"
        "published: 2026-11-20\norder: 11\n---\n采纳情况。\n",
    )
    edit(
        site / "content/consultations/2026-library.md",
        "topics: [文化]",
        "feedback: pages/2026-library-feedback\ntopics: [文化]",
    )
    sample_build(site, out, cache)
    same_as_cold(site, out, tmp_path / "cold1")
    edit(site / "content/pages/2026-library-feedback.md", "征求意见采纳情况", "意见采纳情况")  # the page's card alone
    sample_build(site, out, cache)
    same_as_cold(site, out, tmp_path / "cold2")


def test_a_series_of_kinds_of_edits_with_the_date_moving(tmp_path):
    """Each build's record is the next one's starting point: bodies, titles, a new document with
    a topic, a deletion, attachments and the date, one after another."""
    site, out, cache = primed(tmp_path)
    steps = [
        (lambda: edit(site / "content/policies/shaoxing-2022-work-rules.md", "第一条", "第一条（一）"), SAMPLE_DAY),
        (
            lambda: edit(site / "content/decisions/2025-changwu-12.md", "title: 市政府第12次", "title: 市府第12次"),
            SAMPLE_DAY,
        ),
        (
            lambda: write(
                site,
                "content/decisions/2026-new.md",
                "---\ntitle: 新增决定事项\nissuer: 政务公开示例市人民政府\npublished: 2026-11-21\n"
                "topics: [综合政务]\n---\n新增的会议决定事项，见[工作规则](../policies/shaoxing-2022-work-rules.md)。\n",
            ),
            SAMPLE_DAY,
        ),
        (lambda: None, "2026-12-20"),  # only the date
        (
            lambda: edit(site / "content/policies/shaoxing-2022-work-rules.md", "第一条（一）", "第一条（二）"),
            "2026-12-20",
        ),
        (lambda: (site / "content/decisions/2026-new.md").unlink(), "2026-12-20"),
        (lambda: None, "2026-12-21"),
    ]
    for number, (change, day) in enumerate(steps):
        change()
        sample_build(site, out, cache, day)
        same_as_cold(site, out, tmp_path / f"cold{number}", day)


@pytest.mark.parametrize(
    "part, value",
    [("relations", []), ("heads", [["测试"]]), ("reads", {"policies/x": [1]}), ("ids", [[1]]), ("cards", "zz")],
)
def test_a_damaged_record_is_not_trusted(tmp_path, part, value):
    """Set aside, not a traceback: every key is computed, as without a record."""
    site, out, cache = primed(tmp_path)
    stored = orjson.loads((cache / "page_keys.json").read_bytes())
    stored["pages"]["\0deps"][part] = value
    (cache / "page_keys.json").write_bytes(orjson.dumps(stored))
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "title: ", "title: （修订）")
    sample_build(site, out, cache)
    same_as_cold(site, out, tmp_path / "cold")


# ---- the listing recalled (render.recalled) ------------------------------------------------------
# With the decision kept (gate.recall) and the same annual-report data, the files of the last
# listing are listed again without making them; each is made when its key or content is asked for.


def test_after_a_body_edit_the_listing_is_recalled_and_the_output_is_a_cold_builds(tmp_path, monkeypatch):
    site, out, cache = primed(tmp_path)
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")
    listed = []
    render_site = pipeline.render_site
    monkeypatch.setattr(pipeline, "render_site", lambda *a, **k: listed.append(1) or render_site(*a, **k))
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "第一条", "第一条（修订）")
    sample_build(site, out, cache)
    assert listed == []  # nothing listed afresh: the page of the edited item was made alone
    same_as_cold(site, out, tmp_path / "cold")
    listed.clear()
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "title: ", "title: （修订）")
    sample_build(site, out, cache)  # front matter: decided and listed afresh
    assert listed == [1]
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "1")
    same_as_cold(site, out, tmp_path / "cold2")


def test_a_recalled_listing_is_checked_while_verifying(tmp_path, monkeypatch):
    """A kept outline that differs from the listing is used as it is when trusted (a file it
    lacks is not written), and stops the build under DISCLOSE_VERIFY_KEYS."""
    from disclose.page_keys import KeyMismatch

    site, out, cache = primed(tmp_path)
    stored = orjson.loads((cache / "page_keys.json").read_bytes())
    outline = stored["pages"][pipeline.DECISION]["listing"][1]
    assert ["404.html", "page"] in outline and ["sitemap.xml", "product"] in outline
    outline.remove(["404.html", "page"])
    (cache / "page_keys.json").write_bytes(orjson.dumps(stored))
    with pytest.raises(KeyMismatch):
        pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")
    pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    assert not (out / "404.html").exists()
