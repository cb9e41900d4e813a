"""The egress check: an independent last look at the staged output for text of non-public items."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from disclose import egress, pipeline

from .conftest import TODAY, run, snapshot, write

SECRET_TITLE = "关于调整城区停车收费标准的内部请示"
SECRET_BODY = "拟将城区核心区路内停车收费标准上调至每小时八元，请予审定。"
WITHHELD = f"""---
title: {SECRET_TITLE}
issuer: 示例市发展和改革委员会
published: 2024-03-05
disclosure: withheld
basis: process-info
review: {{by: 市政府办公室, date: 2024-03-04}}
---
{SECRET_BODY}

另附测算说明。
"""


def build(site, out, *extra):
    return run("build", "--site", str(site), "--out", str(out), "--today", TODAY, *extra)


def _leaky_gate(monkeypatch):
    """Break the gate on purpose: `decide` (what the pipeline calls) lets everything through."""
    from disclose import gate

    real = gate.decide

    def decide(catalogue, history=None):
        monkeypatch.setattr(gate, "is_public", lambda item, today: True)
        try:
            return real(catalogue, history)
        finally:
            monkeypatch.setattr(gate, "is_public", is_public)

    is_public = gate.is_public
    monkeypatch.setattr(pipeline, "decide", decide)


def test_a_broken_gate_is_stopped_by_the_egress_check(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build(site, out, "--no-cache").exit_code == 0
    before = snapshot(out)
    write(site, "content/decisions/parking.md", WITHHELD)
    _leaky_gate(monkeypatch)
    result = build(site, out, "--no-cache")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if " X001 " in line]
    assert lines, result.output
    assert all(line.startswith("content/decisions/parking.md:1: X001 ") for line in lines)
    named = {line.split("输出文件 ", 1)[1].split(" ", 1)[0] for line in lines}
    assert "decisions/parking/index.html" in named  # its own page
    assert any(name.startswith("pagefind/") for name in named)  # the search index, decompressed
    assert {"catalog.json", "feed.xml", "sitemap.xml"} & named
    assert snapshot(out) == before  # the old output stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_the_egress_check_also_guards_an_incremental_build(site, tmp_path, monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    assert build(site, out, "--cache", str(cache)).exit_code == 0  # with a spare from now on
    before = snapshot(out)
    write(site, "content/decisions/parking.md", WITHHELD)
    _leaky_gate(monkeypatch)
    result = build(site, out, "--cache", str(cache))
    assert result.exit_code == 1 and " X001 " in result.output
    assert snapshot(out) == before
    monkeypatch.undo()
    assert build(site, out, "--cache", str(cache)).exit_code == 0  # the cache survived the stop
    cold = tmp_path / "cold"
    assert build(site, cold, "--no-cache").exit_code == 0
    assert snapshot(out) == snapshot(cold)


def test_a_leak_into_search_fragments_alone_is_found(site, tmp_path, monkeypatch):
    """Only the gzip-compressed, word-segmented Pagefind files hold it."""
    write(site, "content/decisions/parking.md", WITHHELD)
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    needles = egress.collect(site, date(2024, 6, 1))
    assert {n.text for n in needles.needles} >= {SECRET_TITLE, SECRET_BODY}
    bundle = next((out / "pagefind").glob("*/fragment"))
    fragment = next(bundle.iterdir())
    segmented = "\u200b".join(SECRET_BODY)  # as Pagefind writes segmented text
    fragment.write_bytes(gzip.compress(b"pagefind_dcd" + f'{{"content":"{segmented}"}}'.encode()))
    hits = egress.scan(out, [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()], needles)
    assert [(n.path, rel) for n, rel in hits] == [
        ("content/decisions/parking.md", fragment.relative_to(out).as_posix())
    ]


def test_needles_are_distinctive_and_not_public_anyway(site):
    shared = "第一条 为规范工作，制定本规则。"  # in the public policy's body
    write(
        site,
        "content/decisions/draft.md",
        f"---\ntitle: 工作规则\nissuer: 示例市人民政府\npublished: 2024-03-01\ndraft: true\n---\n{shared}\n\n短句。\n\n"
        "这是一段只在草稿里出现的足够长的句子，用来检查。\n",
    )
    texts = {n.text for n in egress.collect(site, date(2024, 6, 1)).needles}
    assert texts == {"这是一段只在草稿里出现的足够长的句子，用来检查。"}  # title too short, the rest public


@pytest.mark.parametrize(
    "front, why",
    [
        ("disclosure: on-request\nbasis: on-request-only\nreview: {by: 办公室, date: 2024-03-01}", "on-request"),
        ("draft: true", "draft"),
        ("published: 2099-01-01", "embargoed"),
    ],
)
def test_every_kind_of_non_public_item_is_looked_for(site, front, why):
    published = "" if "published" in front else "published: 2024-03-01\n"
    write(
        site,
        "content/decisions/hidden.md",
        f"---\ntitle: {SECRET_TITLE}\nissuer: 示例市人民政府\n{published}{front}\n---\n{SECRET_BODY}\n",
    )
    needles = egress.collect(site, date(2024, 6, 1)).needles
    assert {(n.text, n.why) for n in needles} >= {(SECRET_TITLE, why), (SECRET_BODY, why)}


def test_doc_no_and_index_no_are_looked_for_in_every_form(site):
    write(
        site,
        "content/policies/secret.md",
        "---\ntitle: 短标题\nissuer: 示例市人民政府\npublished: 2024-03-01\ndoc_no: 示政发[2024]9号\n"
        "index_no: 11330600MB0000000X/2024-00009\ndisclosure: withheld\nbasis: process-info\n"
        "review: {by: 办公室, date: 2024-03-01}\n---\n",
    )
    texts = {n.text for n in egress.collect(site, date(2024, 6, 1)).needles}
    assert {"示政发[2024]9号", "示政发〔2024〕9号", "11330600MB0000000X/2024-00009"} <= texts


def test_the_check_reads_the_sources_itself():
    """It must not lean on the gate's data structures."""
    source = Path(egress.__file__).read_text(encoding="utf-8")
    for name in ("gate", "catalogue", "visibility", "Publication", "Catalogue", "fields", "load"):
        assert f"from .{name} import" not in source and f"import {name}" not in source


def test_an_incremental_build_scans_only_what_changed(tmp_path, monkeypatch):
    from .conftest import copy_sample

    site = copy_sample(tmp_path / "site")
    out, cache = tmp_path / "out", tmp_path / "cache"
    scanned: list[str] = []
    real = egress.scan

    def counting(root, rels, needles):
        rels = list(rels)
        scanned.extend(rels)
        return real(root, rels, needles)

    monkeypatch.setattr(egress, "scan", counting)
    for _ in range(3):  # cold, then with the previous output, then with the spare as well
        scanned.clear()
        assert pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache).errors == []
    everything = len(snapshot(out))
    assert len(scanned) <= 2 < everything  # nothing rewritten: only bundles.json and the like
    path = site / "content/policies/shaoxing-2022-work-rules.md"
    path.write_text(path.read_text(encoding="utf-8").replace("第一条", "第一条（修订）", 1), encoding="utf-8")
    scanned.clear()
    assert pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache).errors == []
    assert "policies/shaoxing-2022-work-rules/index.html" in scanned
    assert len(set(scanned)) < everything / 2


# -- the check's cache (egress.pickle in the build cache) ---------------------------------------

QUIET_BODY = "内部。\n"  # no sentence long enough to look for: only the title is a needle


def _trust_at_once(monkeypatch):
    """A file's stat is trusted from the build that hashed it on (normally only once it is two
    seconds old), so these tests exercise the shortcut rather than the re-hash."""
    from disclose import file_digests

    monkeypatch.setattr(file_digests, "RACY_NS", 0)


def _rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """Edit in place (same inode), same byte size, the modification time set back: only the
    change time tells."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_a_withheld_title_edited_after_a_build_is_still_caught(site, tmp_path, monkeypatch):
    """The cache keeps what the check read from each file; an edit that keeps the file's size,
    inode and modification time must still be read again, and the new title looked for."""
    _trust_at_once(monkeypatch)
    out, cache = tmp_path / "out", tmp_path / "cache"
    old_title, new_title = "关于调整城区停车收费标准的内部请示", "关于调整城区公交运营补贴的内部请示"
    parking = write(site, "content/decisions/parking.md", WITHHELD.replace(SECRET_BODY, QUIET_BODY))
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    assert (cache / egress.STORE_FILE).is_file()
    _rewrite_keeping_size_and_mtime(parking, old_title, new_title)
    _leaky_gate(monkeypatch)
    result = build(site, out, "--cache", str(cache))
    assert result.exit_code == 1, result.output
    caught = [line for line in result.output.splitlines() if " X001 " in line]
    assert caught and all(f"“{new_title}”" in line for line in caught), result.output
    assert any("decisions/parking/index.html" in line for line in caught)


def _needles(needles: egress.Needles) -> tuple[str, list[tuple[str, str, str, str]]]:
    return needles.digest, sorted((n.text, n.path, n.why, n.field) for n in needles.needles)


def _withheld_title_and_public_holder_edits(site: Path, policy: Path, same: Callable[[], egress.Needles]) -> None:
    """The withheld decision's title edited; its secret sentence put in a public policy (no longer
    looked for), that policy deleted (looked for again) and put back: `same` checks each step."""
    (site / "content/decisions/parking.md").write_text(WITHHELD.replace("内部请示", "内部报告"), encoding="utf-8")
    assert SECRET_TITLE.replace("内部请示", "内部报告") in {n.text for n in same().needles}
    policy.write_text(policy.read_text(encoding="utf-8") + f"\n{SECRET_BODY}\n", encoding="utf-8")  # now public text
    assert SECRET_BODY not in {n.text for n in same().needles}
    saved = policy.read_bytes()
    policy.unlink()
    assert SECRET_BODY in {n.text for n in same().needles}  # its one public holder deleted
    policy.write_bytes(saved)
    assert SECRET_BODY not in {n.text for n in same().needles}


def test_the_cached_needles_are_those_read_afresh_after_every_edit(site, tmp_path, monkeypatch):
    """After each edit (withholding, editing a withheld item, quoting it in a public one, an
    embargo passing, publishing, deleting) the needles from the cache equal a fresh read."""
    _trust_at_once(monkeypatch)
    cache = tmp_path / "cache"
    hidden = "这是一段只在内部请示里出现的足够长的句子，用来检查缓存。"
    policy = next((site / "content").rglob("*.md"))
    write(site, "content/decisions/parking.md", WITHHELD)
    write(
        site,
        "content/decisions/later.md",
        f"---\ntitle: 关于明年城区道路养护计划的通知\nissuer: 示例市人民政府\npublished: 2024-05-20\n---\n{hidden}\n",
    )

    def same(today: date = date(2024, 6, 1)) -> egress.Needles:
        cached = egress.collect(site, today, (), cache)
        assert _needles(cached) == _needles(egress.collect(site, today))
        return cached

    first = same()
    assert {n.text for n in first.needles} >= {SECRET_TITLE, SECRET_BODY}
    embargoed = same(date(2024, 5, 1))  # the same files, not public yet on that day: read for their text
    assert hidden in {n.text for n in embargoed.needles}
    same()
    _withheld_title_and_public_holder_edits(site, policy, same)
    later = site / "content/decisions/later.md"
    later.write_text(later.read_text(encoding="utf-8").replace("published:", "draft: true\npublished:"), "utf-8")
    assert hidden in {n.text for n in same().needles}
    (site / "content/decisions/parking.md").unlink()
    assert not {n for n in same().needles if n.path.endswith("parking.md")}


def test_a_damaged_egress_cache_is_ignored(site, tmp_path):
    cache = tmp_path / "cache"
    write(site, "content/decisions/parking.md", WITHHELD)
    cache.mkdir()
    (cache / egress.STORE_FILE).write_bytes(b"\x80\x05not a pickle")
    assert _needles(egress.collect(site, date(2024, 6, 1), (), cache)) == _needles(
        egress.collect(site, date(2024, 6, 1))
    )


# -- the cache with the build's blob ids (what `pipeline` passes as `vouched`) ------------------


def _blob_ids(site: Path) -> dict[str, str]:
    """What a build vouches for: every content file it read, by the git blob id of its bytes."""
    from disclose.git_index import blob_id

    files = sorted((site / "content").rglob("*.md"))
    return {p.relative_to(site).as_posix(): blob_id(p.read_bytes()) for p in files if not p.name.startswith(".")}


class _Reads:
    """Counts the content files egress reads and the front matter it parses."""

    def __init__(self, monkeypatch) -> None:
        self.read: list[str] = []
        self.parsed = 0
        real_read, real_parse = egress.read_file, egress._parse

        def read_file(path):
            if "/content/" in str(path):
                self.read.append(Path(path).name)
            return real_read(path)

        def parse(data):
            self.parsed += 1
            return real_parse(data)

        monkeypatch.setattr(egress, "read_file", read_file)
        monkeypatch.setattr(egress, "_parse", parse)

    def clear(self) -> None:
        self.read.clear()
        self.parsed = 0


def test_needles_kept_by_blob_id_are_those_read_afresh(site, tmp_path, monkeypatch):
    """With the build's blob ids, after every kind of edit the needles and their digest equal a
    fresh read without the cache; nothing is read when nothing changed, and one edited file is all
    that is read and parsed after it."""
    _trust_at_once(monkeypatch)
    cache = tmp_path / "cache"
    write(site, "templates/extra.html", "<p>页脚</p>\n")
    templates = site / "templates"
    hidden = "这是一段只在内部请示里出现的足够长的句子，用来检查缓存。"
    write(site, "content/decisions/parking.md", WITHHELD)
    write(
        site,
        "content/decisions/later.md",
        f"---\ntitle: 关于明年城区道路养护计划的通知\nissuer: 示例市人民政府\npublished: 2024-05-20\n---\n{hidden}\n",
    )
    policy = site / "content/policies/rules.md"
    reads = _Reads(monkeypatch)

    def same(today: date = date(2024, 6, 1), vouched: dict | None = None) -> egress.Needles:
        reads.clear()
        cached = egress.collect(site, today, (templates,), cache, _blob_ids(site) if vouched is None else vouched)
        counted = list(reads.read), reads.parsed
        assert _needles(cached) == _needles(egress.collect(site, today, (templates,)))
        reads.read[:], reads.parsed = counted
        return cached

    first = same()
    assert {n.text for n in first.needles} >= {SECRET_TITLE, SECRET_BODY}
    same()
    assert reads.read == [] and reads.parsed == 0  # nothing changed: nothing read
    state = (cache / egress.STATE_FILE).stat()
    for path in [*(site / "content").rglob("*.md"), site / "site.yaml"]:  # a fresh clone: new stats, the same bytes
        path.write_bytes(path.read_bytes())
    same()
    assert reads.read == [] and reads.parsed == 0  # the build's blob ids stand for the bytes
    assert (cache / egress.STATE_FILE).stat().st_mtime_ns == state.st_mtime_ns  # nothing recomputed
    assert hidden in {n.text for n in same(date(2024, 5, 1)).needles}  # not public yet on that day
    same(date(2024, 5, 19))
    assert reads.read == [] and reads.parsed == 0  # no visibility changed: nothing read
    same(date(2024, 5, 25))
    assert reads.read == ["later.md"]  # public from that day: its text is looked at, no other file's
    policy.write_text(policy.read_text(encoding="utf-8") + "\n新增的一段公开正文，内容足够长以便成为句子。\n", "utf-8")
    same()
    assert reads.read == [policy.name] and reads.parsed == 1  # one public body edited: that file alone
    parking = site / "content/decisions/parking.md"
    _withheld_title_and_public_holder_edits(site, policy, same)
    later = site / "content/decisions/later.md"
    later.write_text(
        later.read_text(encoding="utf-8").replace("published:", "disclosure: withheld\npublished:"), "utf-8"
    )
    assert hidden in {n.text for n in same().needles}  # turned withheld
    later.rename(site / "content/policies/renamed.md")  # renamed into another folder
    assert {n.path for n in same().needles if n.text == hidden} == {"content/policies/renamed.md"}
    write(site, "templates/extra.html", f"<p>{hidden}</p>\n")  # a template now prints it
    assert hidden not in {n.text for n in same().needles}
    reported = SECRET_TITLE.replace("内部请示", "内部报告")
    (site / "site.yaml").write_text((site / "site.yaml").read_text("utf-8") + f"# {reported}\n", "utf-8")
    assert reported not in {n.text for n in same().needles}  # site.yaml prints it
    hidden_file = f"---\ntitle: 隐藏文件里的一个足够长的标题\n---\n{hidden}\n"
    write(site, "content/decisions/.draft.md", hidden_file)  # no build reads it: egress reads it itself
    same()
    parking.unlink()
    assert not {n for n in same().needles if n.path.endswith("parking.md")}
    write(site, "content/decisions/parking.md", WITHHELD)
    assert SECRET_TITLE in {n.text for n in same(vouched={}).needles}  # vouched for nothing: read


def test_a_build_vouches_for_every_content_file_and_egress_reads_none(site, tmp_path, monkeypatch):
    """The blob ids the pipeline passes are those of the files' bytes, so a rebuild with nothing
    changed reads no content file for the egress check."""
    write(site, "content/decisions/parking.md", WITHHELD)
    cache, out = tmp_path / "cache", tmp_path / "out"
    passed: list = []
    real = egress.collect

    def collect(*args):
        passed.append(args[4])
        return real(*args)

    monkeypatch.setattr(egress, "collect", collect)
    assert pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache).errors == []
    assert passed[-1] == _blob_ids(site)
    reads = _Reads(monkeypatch)
    assert pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache).errors == []
    assert reads.read == [] and reads.parsed == 0


def test_needles_kept_through_random_edits_are_those_read_afresh(site, tmp_path, monkeypatch):
    """A seeded series of edits, each followed by a collect with and without the cache (some with
    the build's blob ids, some without, the date moving both ways): always the same needles."""
    import random

    _trust_at_once(monkeypatch)
    cache = tmp_path / "cache"
    pick = random.Random(12)
    sentences = [f"第{n}条这是一句足够长的句子用来测试缓存是否与重读一致。" for n in range(40)]
    titles = [f"关于第{n}号城区道路养护事项的内部请示文件" for n in range(12)]
    heads = ["", "", "disclosure: withheld\n", "draft: true\n", "disclosure: on-request\n", "disclosure: public\n"]

    def document() -> str:
        day = f"2024-0{pick.randint(1, 9)}-1{pick.randint(0, 9)}"
        body = "\n\n".join(pick.sample(sentences, pick.randint(0, 3)))
        return f"---\ntitle: {pick.choice(titles)}\n{pick.choice(heads)}published: {day}\n---\n{body}\n"

    today = date(2024, 6, 1)
    for step in range(60):
        docs = sorted((site / "content/decisions").glob("*.md")) if (site / "content/decisions").is_dir() else []
        action = pick.choice(["add", "add", "edit", "edit", "delete", "rename", "date"])
        if action == "add" or not docs:
            write(site, f"content/decisions/d{step}.md", document())
        elif action == "edit":
            pick.choice(docs).write_text(document(), encoding="utf-8")
        elif action == "delete":
            pick.choice(docs).unlink()
        elif action == "rename":
            pick.choice(docs).rename(site / f"content/decisions/r{step}.md")
        if action == "date":
            today = date(2024, pick.randint(1, 9), pick.randint(1, 28))
        vouched = _blob_ids(site) if pick.random() < 0.7 else None
        cached = egress.collect(site, today, (), cache, vouched)
        assert _needles(cached) == _needles(egress.collect(site, today)), (step, action)


def test_a_lost_egress_state_is_read_again(site, tmp_path):
    """The summary kept without the state it was made with (a cache partly restored or written)."""
    cache = tmp_path / "cache"
    parking = write(site, "content/decisions/parking.md", WITHHELD)
    (site / "site.yaml").write_text((site / "site.yaml").read_text("utf-8") + f"# {SECRET_TITLE}\n", "utf-8")
    egress.collect(site, date(2024, 6, 1), (), cache)
    parking.unlink()
    (cache / egress.STATE_FILE).unlink()
    assert _needles(egress.collect(site, date(2024, 6, 1), (), cache)) == _needles(
        egress.collect(site, date(2024, 6, 1))
    )
    write(site, "content/decisions/parking.md", WITHHELD)
    (cache / egress.STATE_FILE).write_bytes(b"\x80\x05not a pickle")
    assert _needles(egress.collect(site, date(2024, 6, 1), (), cache)) == _needles(
        egress.collect(site, date(2024, 6, 1))
    )
