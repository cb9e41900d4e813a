"""A rebuild as CI runs it (`.github/workflows/publish.yml`): a fresh clone of the site and the
output and build cache restored by `actions/cache`, which archives with `tar --posix -cf` and
extracts with `tar -xf` (GNU tar): every file keeps its modification time but has a new inode and
status-change time. Such a build must reuse what it can without reading it again, and still write
exactly what a cold build writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from disclose import output, pipeline
from disclose.file_digests import RACY_NS

from .conftest import copy_sample, git, snapshot
from .test_cache import _add, _body, aged, assert_same_as_cold, codes, edit, same_as_uncached, small_bundles

DAY = date(2026, 11, 22)

needs_tar = pytest.mark.skipif(shutil.which("tar") is None, reason="GNU tar restores CI's cache")


def restore_as_actions_cache(*folders: Path) -> None:
    """Archive `folders` (siblings) and extract them over their removed selves, with the very
    commands `actions/cache` runs (compression aside)."""
    workspace = folders[0].parent
    archive, manifest = workspace / "cache.tar", workspace / "manifest.txt"
    manifest.write_text("".join(f"{folder.name}\n" for folder in folders), encoding="utf-8")
    subprocess.run(
        ["tar", "--posix", "-cf", str(archive), "-P", "-C", str(workspace), "--files-from", str(manifest)], check=True
    )
    for folder in folders:
        shutil.rmtree(folder)
    subprocess.run(["tar", "-xf", str(archive), "-P", "-C", str(workspace)], check=True)
    archive.unlink()
    manifest.unlink()


def settled(*folders: Path) -> None:
    """Wait until every file under `folders` was last modified more than RACY_NS ago, as the files
    of a cache saved by an earlier CI run always were."""
    newest = max(p.stat().st_mtime_ns for folder in folders for p in folder.rglob("*"))
    time.sleep(max(0.0, (newest + RACY_NS - time.time_ns()) / 1e9 + 0.05))


def hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose content the output verification hashes from now on."""
    hashed: list[str] = []
    real = output.sha1_of

    def counted(path: Path) -> str:
        hashed.append(str(path))
        return real(path)

    monkeypatch.setattr(output, "sha1_of", counted)
    return hashed


def built_twice(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A site with several search bundles, built twice (an output and a spare, both recorded)."""
    site = copy_sample(tmp_path / "site")
    small_bundles(site)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert len(pipeline.build(site, out, DAY, cache_dir=cache).reindexed) > 1
    pipeline.build(site, out, DAY, cache_dir=cache)
    return site, out, cache


# ---- the output and the spare: trusted by size and restored modification time ---------------


@needs_tar
def test_an_output_restored_by_tar_is_reused_without_hashing(tmp_path, monkeypatch):
    """After `actions/cache` restored them, the spare's files and the previous output's (pages and
    search bundles) are known by size and modification time: none is read to be verified."""
    site, out, cache = built_twice(tmp_path)
    settled(out, cache)
    restore_as_actions_cache(out, cache)
    hashed = hashing(monkeypatch)
    assert pipeline.build(site, out, DAY, cache_dir=cache).reindexed == []
    assert hashed == []
    _body(site)
    assert len(pipeline.build(site, out, DAY, cache_dir=cache).reindexed) == 1
    assert_same_as_cold(site, out, tmp_path / "cold")


@needs_tar
def test_a_restored_output_changed_by_hand_is_rewritten(tmp_path):
    """A page edited by hand (the same size, so only its modification time tells) before the cache
    was saved is rewritten after the restore, from the output and from the spare alike."""
    site, out, cache = built_twice(tmp_path)
    page = out / "index.html"
    data = page.read_bytes()
    changed = data.replace(b"<title>", b"<title>X", 1)[: len(data)]
    assert changed != data and len(changed) == len(data)
    page.write_bytes(changed)
    settled(out, cache)
    restore_as_actions_cache(out, cache)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert_same_as_cold(site, out, tmp_path / "cold1")
    pipeline.build(site, out, DAY, cache_dir=cache)  # starts from the spare: the output edited by hand
    assert_same_as_cold(site, out, tmp_path / "cold2")
    assert snapshot(out)["index.html"] == data


def _recorded(path: Path) -> list:
    status = path.stat()
    return ["id", output.digest(path.read_bytes()), status.st_size, status.st_mtime_ns, status.st_ino]


def test_a_copy_with_its_modification_time_is_trusted_without_reading(tmp_path, monkeypatch):
    """The rule itself: a new inode whose size and modification time are the recorded ones, put
    there well after that time (by a tool that keeps times), is the recorded file."""
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>built</p>")
    old = time.time_ns() - 10 * RACY_NS
    os.utime(path, ns=(old, old))
    record = _recorded(path)
    shutil.copy2(path, tmp_path / "copy")
    os.replace(tmp_path / "copy", path)
    hashed = hashing(monkeypatch)
    now = output.verified(path, record)
    assert now is not None and now[4] == path.stat().st_ino != record[4]
    assert hashed == []


def test_a_file_replaced_in_the_same_tick_is_read(tmp_path, monkeypatch):
    """A same-size file written anew right after the recorded one, with the recorded modification
    time (what a write within one tick of a coarse file-system clock leaves), is not trusted on its
    times: its status changed with its content. Its content decides."""
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>built</p>")
    record = _recorded(path)
    (tmp_path / "new").write_bytes(b"<p>hand!</p>")
    os.replace(tmp_path / "new", path)
    os.utime(path, ns=(record[3], record[3]))
    hashed = hashing(monkeypatch)
    assert output.verified(path, record) is None
    assert hashed == [str(path)]
    path.write_bytes(b"<p>built</p>")
    os.utime(path, ns=(record[3], record[3]))
    assert output.verified(path, record) is not None  # the same bytes after all: by content


# ---- sources: a fresh clone is identified through git's index, not read ---------------------

BODY = "content/policies/shaoxing-2022-work-rules.md"


def reads(monkeypatch: pytest.MonkeyPatch, site: Path) -> tuple[list[str], list[str]]:
    """The content files `load` opens to hash, and those it parses, from now on; git is asked
    whenever any cached file's stat changed (not only past GIT_FROM of them)."""
    from disclose import load

    opened: list[str] = []
    parsed: list[str] = []
    real_parse = load._parse

    def counted_open(path: str, *args: object, **kwargs: object):  # noqa: ANN202 - open's own type
        opened.append(Path(path).relative_to(site).as_posix())
        return open(path, *args, **kwargs)  # noqa: SIM115 - the caller closes it

    def counted_parse(root: Path, rels: list[str], workers: int):  # noqa: ANN202
        parsed.extend(rels)
        return real_parse(root, rels, workers)

    monkeypatch.setattr(load, "open", counted_open, raising=False)
    monkeypatch.setattr(load, "_parse", counted_parse)
    monkeypatch.setattr(load, "GIT_FROM", 1)
    return opened, parsed


def repository(tmp_path: Path, extra: str = "") -> Path:
    """The sample site committed to a repository of its own (`origin`)."""
    origin = copy_sample(tmp_path / "origin")
    if extra:
        path = origin / BODY
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "发布")
    return origin


def clone(origin: Path, site: Path, *options: str) -> Path:
    """A fresh clone of `origin` at `site` (what `actions/checkout` leaves): every file new."""
    shutil.rmtree(site, ignore_errors=True)
    git(origin.parent, "clone", "-q", *options, str(origin), str(site))
    return site


def commit_edit(origin: Path, rel: str, old: str, new: str) -> None:
    path = origin / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(origin, "commit", "-qam", "修订")


def test_a_fresh_clone_reads_only_the_files_that_changed(tmp_path, monkeypatch):
    """CI's checkout: every stat is new, yet only the file the commit changed is read and parsed;
    the output is a cold build's."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    commit_edit(origin, BODY, "第一条", "第一条（修订）")
    clone(origin, site)
    opened, parsed = reads(monkeypatch, site)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert opened == [BODY] and parsed == [BODY]
    assert_same_as_cold(site, out, tmp_path / "cold")
    assert "第一条（修订）".encode() in snapshot(out)["policies/shaoxing-2022-work-rules/index.html"]


def test_uncommitted_untracked_and_assumed_unchanged_files_are_read(tmp_path, monkeypatch):
    """Git vouches only for tracked files it has checked: an edit not committed, a file not added
    and a file git is told not to look at (`assume-unchanged`) are read like any changed file."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    clone(origin, site)
    edited, assumed, added = BODY, "content/decisions/2025-changwu-12.md", "content/decisions/2026-new.md"
    for rel, old, new in (
        (edited, "第一条", "第一条（未提交）"),
        (assumed, "title: 市政府第12次", "title: 市人民政府第12次"),
    ):
        path = site / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    git(site, "update-index", "--assume-unchanged", assumed)
    _add(site)
    opened, parsed = reads(monkeypatch, site)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert sorted(opened) == sorted(parsed) == sorted([edited, assumed, added])
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_line_endings_converted_by_git_change_nothing(tmp_path, monkeypatch):
    """A checkout with `core.autocrlf=true` has CRLF where the blobs have LF. Reading turns CRLF
    into LF before parsing, so git's word for the blob holds for the source: nothing is read, and
    the output is a cold build's of the CRLF files."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    clone(origin, site, "--config", "core.autocrlf=true")
    assert b"\r\n" in (site / BODY).read_bytes()
    opened, parsed = reads(monkeypatch, site)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert opened == parsed == []
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_a_file_git_converts_is_read(tmp_path, monkeypatch):
    """An attribute that rewrites the bytes on checkout (here `ident`: `$Id$` becomes `$Id: <blob> $`)
    leaves the index blob as it was while the file differs: such a file is read, never taken on
    git's word."""
    origin = repository(tmp_path, extra="\n版本 $Id$\n")
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    (origin / ".gitattributes").write_text("*.md ident\n", encoding="utf-8")
    git(origin, "add", ".gitattributes")
    git(origin, "commit", "-qm", "ident")
    clone(origin, site)
    assert b"$Id: " in (site / BODY).read_bytes()
    opened, parsed = reads(monkeypatch, site)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert BODY in opened and BODY in parsed
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_without_git_every_changed_stat_is_read(tmp_path, monkeypatch):
    """Outside a repository (or where git fails) nothing is vouched for: a copy is read whole."""
    from disclose import git_index

    site, out, cache = copy_sample(tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    shutil.copytree(site, tmp_path / "copy")
    shutil.rmtree(site)
    os.replace(tmp_path / "copy", site)
    assert git_index.unchanged(site, [BODY]) == {}
    opened, parsed = reads(monkeypatch, site)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert len(opened) == len(list((site / "content").rglob("*.md"))) and parsed == []
    assert_same_as_cold(site, out, tmp_path / "cold")


# ---- what the build cache writes when only stats changed --------------------------------------


def test_a_fresh_clone_rewrites_no_parsed_source(tmp_path, monkeypatch):
    """Every stat of a fresh checkout is new but no source changed: the parsed sources are not
    written again (no `sources.pickle`, no delta), only the small stamps file; with it the next
    build knows every file by its stat, without git."""
    from disclose import git_index
    from disclose.build_cache import DELTA, SOURCES, STAMPS

    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    written = (cache / SOURCES).stat().st_mtime_ns, (cache / SOURCES).read_bytes()
    clone(origin, site)
    aged(*(site / "content").rglob("*"))  # stats old enough to be kept
    opened, _ = reads(monkeypatch, site)
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert opened == []  # git vouched for every file
    assert ((cache / SOURCES).stat().st_mtime_ns, (cache / SOURCES).read_bytes()) == written
    assert not (cache / DELTA).exists() and (cache / STAMPS).is_file()
    asked: list[object] = []
    monkeypatch.setattr(git_index, "unchanged", lambda *args: asked.append(args) or {})
    pipeline.build(site, out, DAY, cache_dir=cache)
    assert opened == [] and asked == []
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_a_stamp_is_applied_only_to_the_bytes_it_was_taken_of(site, tmp_path):
    """The stamps file and the sources may come from different builds (one stopped between the
    two writes, or files restored apart): a stat kept for other bytes than the cached source's is
    not applied, so the file is read again instead of being taken for the older bytes."""
    from disclose.build_cache import DELTA, SOURCES, BuildCache

    cache, policy = tmp_path / "cache", site / "content/policies/rules.md"
    aged(*(site / "content").rglob("*.md"))
    assert same_as_uncached(site, cache) == []
    older = {name: (cache / name).read_bytes() for name in (SOURCES, DELTA) if (cache / name).exists()}
    edit(policy, "为规范工作", "联系 13800138000")
    assert codes(same_as_uncached(site, cache)) == ["I902"]  # parsed; its stat too new to be kept
    aged(policy)
    assert codes(same_as_uncached(site, cache)) == ["I902"]  # read again: its stat kept, in the stamps
    assert "content/policies/rules.md" in BuildCache.open(cache).stamps
    (cache / DELTA).unlink(missing_ok=True)
    for name, data in older.items():  # the sources of before the edit, the stamps of after it
        (cache / name).write_bytes(data)
    assert codes(same_as_uncached(site, cache)) == ["I902"]
