"""Attachments after a fresh clone (CI): git's index vouches for their bytes, so a rebuild reads
none that the build cache hashed before (`validate._Attachments`, `build_cache.file_digest`), and
still reads every one git does not vouch for: edited after the clone (with or without telling
git), or one git is told not to look at, or whose bytes git converts."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from disclose import pipeline, validate

from .conftest import copy_sample, git, write
from .test_cache import aged, assert_same_as_cold, checked, codes

DAY = date(2026, 11, 22)
BODY = "content/policies/shaoxing-2022-work-rules.md"
PUBLIC = [f"content/decisions/files/plan-{n:02}.txt" for n in range(12)]
HIDDEN = [f"content/decisions/files/draft-{n:02}.txt" for n in range(8)]
EDITED = PUBLIC[3]
MASKED, PLAIN = "联系人张三，电话139****0000。\n", "联系人张三，电话13900000000。\n"  # the same size


# ---- which files the build opens --------------------------------------------------------------

_WATCHED: list[tuple[str, list[str]]] = []  # (folder, the paths opened under it) while watched


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        for folder, opened in _WATCHED:
            if path.startswith(folder):
                opened.append(Path(path).relative_to(folder).as_posix())


sys.addaudithook(_audit)  # every open in this process, however made (open, io.open, Path.read_bytes)


@contextmanager
def attachments_opened(site: Path) -> Iterator[list[str]]:
    """The site's attachment files (anything under content/ but its .md files) opened meanwhile,
    as content/... paths."""
    opened: list[str] = []
    watch = (os.path.abspath(site) + os.sep, opened)
    _WATCHED.append(watch)
    try:
        yield opened
    finally:
        _WATCHED.remove(watch)
        opened[:] = [rel for rel in opened if rel.startswith("content/") and not rel.endswith(".md")]


# ---- a site in a repository, and CI's fresh clone of it ----------------------------------------


def repository(tmp_path: Path) -> Path:
    """The sample site with a public and a withheld item of many attachments, committed."""
    origin = copy_sample(tmp_path / "origin")
    names = lambda rels: ", ".join(rel.removeprefix("content/decisions/") for rel in rels)  # noqa: E731
    write(
        origin,
        "content/decisions/2026-plans.md",
        "---\ntitle: 关于实施方案的决定\nissuer: 政务公开示例市人民政府\npublished: 2026-11-18\n"
        f"topics: [城乡建设]\nattachments: [{names(PUBLIC)}]\n---\n实施方案见附件。\n",
    )
    write(
        origin,
        "content/decisions/2026-drafts.md",
        "---\ntitle: 关于征求意见稿的决定\nissuer: 政务公开示例市人民政府\npublished: 2026-11-18\n"
        "disclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2026-02-05}\n"
        f"topics: [城乡建设]\nattachments: [{names(HIDDEN)}]\n---\n征求意见稿见附件。\n",
    )
    for n, rel in enumerate(PUBLIC + HIDDEN):
        write(origin, rel, f"附件{n:02}。\n" + MASKED)
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "发布")
    return origin


def clone(origin: Path, site: Path, *options: str) -> Path:
    """What `actions/checkout` leaves: a fresh clone, every file new, older than RACY_NS as the
    files of a checkout are by the time a build hashes them."""
    import shutil

    shutil.rmtree(site, ignore_errors=True)
    git(origin.parent, "clone", "-q", *options, str(origin), str(site))
    aged(*(path for path in (site / "content").rglob("*") if path.is_file()))
    return site


def commit_body_edit(origin: Path) -> None:
    path = origin / BODY
    path.write_text(path.read_text(encoding="utf-8").replace("第一条", "第一条（修订）", 1), encoding="utf-8")
    git(origin, "commit", "-qam", "修订")


def same_size_edit(path: Path, old: str, new: str) -> bytes:
    """Rewrite the file with `old` replaced by `new` (as many bytes), its modification time kept."""
    before, data = path.stat(), path.read_bytes()
    changed = data.replace(old.encode(), new.encode(), 1)
    assert changed != data and len(changed) == len(data)
    path.write_bytes(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return changed


def published(out: Path, rel: str) -> bytes:
    return (out / "attachments" / rel.removeprefix("content/")).read_bytes()


# ---- the tests ----------------------------------------------------------------------------------


def test_a_fresh_clone_reads_no_attachment(tmp_path, monkeypatch):
    """CI's rebuild after a commit: every attachment has a new stat, git's index vouches for all of
    them, none is opened (not by the rules, nor to copy it), and the output is a cold build's. The
    new stats are kept: the next build does not even ask git."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    with attachments_opened(site) as opened:
        pipeline.build(site, out, DAY, cache_dir=cache)
    assert sorted(set(opened)) == sorted(PUBLIC + HIDDEN)  # the first build reads them all
    commit_body_edit(origin)
    clone(origin, site)
    with attachments_opened(site) as opened:
        pipeline.build(site, out, DAY, cache_dir=cache)
    assert opened == []
    assert all(published(out, rel) == (site / rel).read_bytes() for rel in PUBLIC)
    assert not (out / "attachments/decisions/files/draft-00.txt").exists()
    assert_same_as_cold(site, out, tmp_path / "cold")

    def not_asked(*args: object) -> dict[str, str]:
        raise AssertionError("git's index asked about attachments whose stat was kept")

    monkeypatch.setattr(validate.git_index, "unchanged", not_asked)
    with attachments_opened(site) as opened:
        pipeline.build(site, out, DAY, cache_dir=cache)
    assert opened == []


@pytest.mark.parametrize("told_git", [False, True], ids=["edited", "edited-and-update-index"])
def test_an_attachment_edited_after_the_clone_is_read(tmp_path, told_git):
    """The same size and modification time, after the clone: git's index does not vouch for the
    old bytes (its stat no longer matches the entry, or the entry now holds the new blob), so the
    file is read and its new bytes are the ones published; the others are still not read."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    clone(origin, site)
    new = same_size_edit(site / EDITED, "附件03", "附件93")
    if told_git:
        git(site, "update-index", "--", EDITED)
    aged(site / EDITED)  # its new stat old enough to be kept: nothing but the digest tells the bytes apart
    with attachments_opened(site) as opened:
        pipeline.build(site, out, DAY, cache_dir=cache)
    assert set(opened) == {EDITED}
    assert published(out, EDITED) == new
    assert_same_as_cold(site, out, tmp_path / "cold")


@pytest.mark.parametrize("told_git", [False, True], ids=["edited", "edited-and-update-index"])
def test_the_attachment_rules_see_the_new_bytes(tmp_path, monkeypatch, told_git):
    """A phone number unmasked after the clone, in as many bytes: I903 finds it, as without a cache."""
    origin = repository(tmp_path)
    site, cache = clone(origin, tmp_path / "site"), tmp_path / "cache"
    assert checked(site, cache, DAY.isoformat()) == checked(site, None, DAY.isoformat())
    clone(origin, site)
    same_size_edit(site / EDITED, MASKED, PLAIN)
    if told_git:
        git(site, "update-index", "--", EDITED)
    with attachments_opened(site) as opened:
        found = checked(site, cache, DAY.isoformat())
    assert EDITED in opened and PUBLIC[0] not in opened
    assert "I903" in codes(found)
    assert found == checked(site, None, DAY.isoformat())


@pytest.mark.parametrize("how", ["assume-unchanged", "skip-worktree", "untracked"])
def test_an_attachment_git_does_not_check_is_read(tmp_path, how):
    """Git is told not to look at the file, or no longer tracks it: it vouches for nothing, even
    for an edit it would not notice, and the new bytes are published."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    clone(origin, site)
    if how == "untracked":
        git(site, "rm", "-q", "--cached", "--", EDITED)
    else:
        git(site, "update-index", f"--{how}", "--", EDITED)
    new = same_size_edit(site / EDITED, "附件03", "附件93")
    aged(site / EDITED)
    with attachments_opened(site) as opened:
        pipeline.build(site, out, DAY, cache_dir=cache)
    assert set(opened) == {EDITED}
    assert published(out, EDITED) == new


@pytest.mark.parametrize("how", ["ident", "eol=crlf", "core.autocrlf"])
def test_an_attachment_git_converts_is_read(tmp_path, how):
    """Git may check a file out as other bytes than its blob's: an attribute (`ident`, `eol`), or
    core.autocrlf. Then its word is not taken for the bytes: the clone below holds CRLF where the
    cached digests are of LF, and the index blobs are the same, yet what is published is a cold
    build's."""
    origin = repository(tmp_path)
    site, out, cache = clone(origin, tmp_path / "site"), tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, DAY, cache_dir=cache)
    if how == "core.autocrlf":
        clone(origin, site, "--config", "core.autocrlf=true")
    else:
        write(origin, ".gitattributes", f"/content/decisions/files/*.txt {how}\n")
        git(origin, "add", "-A")
        git(origin, "commit", "-qm", "属性")
        clone(origin, site)
    with attachments_opened(site) as opened:
        pipeline.build(site, out, DAY, cache_dir=cache)
    assert set(opened) == set(PUBLIC + HIDDEN)
    assert_same_as_cold(site, out, tmp_path / "cold")
    if how != "ident":
        assert published(out, EDITED).endswith(b"\r\n")
