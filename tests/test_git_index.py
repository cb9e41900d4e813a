"""git_index reads git's index file itself: it must vouch for exactly what `git ls-files
--modified` vouches for (or less), in every index version, and step aside for an index it cannot
read as git does."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from disclose import git_index
from disclose.load import _walk

from .conftest import copy_sample, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BODY = "content/policies/shaoxing-2022-work-rules.md"


def committed(folder: Path) -> Path:
    """The sample site in a repository of its own, committed, with files older than its index."""
    copy_sample(folder)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "发布")
    time.sleep(0.01)
    git(folder, "update-index", "--really-refresh")  # the index written after every file
    return folder


def by_git(site: Path) -> dict[str, str]:
    """What `git ls-files --modified` vouches for (the reference)."""
    paths = list(_walk(site)[0])
    return git_index.unchanged(site, paths)


def by_index(site: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What the index file vouches for, with `git ls-files` made to fail if it is asked."""
    walked = _walk(site)[0]
    real = git_index.run_git

    def no_ls_files(where: Path, *args: str, **kwargs: object) -> bytes | None:
        assert args[0] != "ls-files", "the index file should have been read"
        return real(where, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(git_index, "run_git", no_ls_files)
    try:
        return git_index.unchanged(site, list(walked), walked)
    finally:
        monkeypatch.setattr(git_index, "run_git", real)


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_every_index_version_vouches_as_git_does(tmp_path, monkeypatch, version):
    site = committed(tmp_path / "site")
    git(site, "update-index", "--index-version", version)
    if version == "3":  # extended flags: a file git skips is not vouched for
        git(site, "update-index", "--skip-worktree", "content/decisions/2025-changwu-12.md")
    expected = by_git(site)
    assert len(expected) == len(_walk(site)[0]) - (version == "3")
    assert by_index(site, monkeypatch) == expected


def test_edits_git_would_see_are_not_vouched_for(tmp_path, monkeypatch):
    """An edit of the same size with the old modification time put back (only the change time
    tells, and within the second: git compares whole seconds where it is built without USE_NSEC,
    so `git ls-files` may miss it), a file git is told to assume unchanged, and a new file: none
    is vouched for."""
    site = committed(tmp_path / "site")
    path = site / BODY
    before = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace("第一条".encode(), "第二条".encode(), 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assumed = "content/decisions/2025-changwu-12.md"
    git(site, "update-index", "--assume-unchanged", assumed)
    (site / "content/decisions/new.md").write_text("---\ntitle: 新\n---\n", encoding="utf-8")
    found = by_index(site, monkeypatch)
    assert found.items() <= by_git(site).items()
    assert BODY not in found and assumed not in found and "content/decisions/new.md" not in found
    assert len(found) == len(_walk(site)[0]) - 3


def test_files_as_new_as_the_index_are_not_vouched_for(tmp_path, monkeypatch):
    """Git's racily clean files: an entry not older than the index file may have changed in the
    same tick as it was recorded, so it is not trusted on its stat."""
    site = copy_sample(tmp_path / "site")
    old = time.time_ns() - 100 * 10**9
    for path in (site / "content").rglob("*.md"):
        os.utime(path, ns=(old, old))
    os.utime(site / BODY, ns=(old + 10**9, old + 10**9))
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "发布")
    assert len(by_index(site, monkeypatch)) == len(_walk(site)[0])
    os.utime(site / ".git/index", ns=(old + 10**9, old + 10**9))  # as if written in the tick of BODY's change
    found = by_index(site, monkeypatch)
    assert BODY not in found and len(found) == len(_walk(site)[0]) - 1


def test_a_site_in_a_folder_of_the_repository(tmp_path, monkeypatch):
    """The index names files from the top of the work tree: the site's own prefix is cut."""
    top = tmp_path / "repo"
    copy_sample(top / "www" / "site")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "发布")
    time.sleep(0.01)
    git(top, "update-index", "--really-refresh")
    site = top / "www" / "site"
    found = by_index(site, monkeypatch)
    assert found == by_git(site) and BODY in found


def test_a_conflicted_file_is_not_vouched_for(tmp_path, monkeypatch):
    site = committed(tmp_path / "site")
    git(site, "checkout", "-qb", "other")
    (site / BODY).write_text((site / BODY).read_text(encoding="utf-8") + "\n甲\n", encoding="utf-8")
    git(site, "commit", "-qam", "甲")
    git(site, "checkout", "-q", "-")
    (site / BODY).write_text((site / BODY).read_text(encoding="utf-8") + "\n乙\n", encoding="utf-8")
    git(site, "commit", "-qam", "乙")
    with pytest.raises(subprocess.CalledProcessError):
        git(site, "merge", "-q", "other")
    found = by_index(site, monkeypatch)
    assert BODY not in found and found == by_git(site) and found


def test_an_index_not_read_as_git_would_is_left_to_git(tmp_path, monkeypatch):
    """A damaged index (its checksum no longer matches) and a split index (entries in another
    file) are not parsed: `git ls-files` answers."""
    site = committed(tmp_path / "site")
    walked = _walk(site)[0]
    index = site / ".git/index"
    data = bytearray(index.read_bytes())
    data[200] ^= 1
    index.write_bytes(bytes(data))
    assert git_index._from_index(site, set(walked), walked) is None
    git(site, "read-tree", "HEAD")  # a sound index again
    git(site, "update-index", "--split-index")
    assert (site / ".git").glob("sharedindex.*")
    assert git_index._from_index(site, set(walked), walked) is None
    assert by_git(site)  # which git answers


def test_the_file_read_from_the_index_is_the_one_parsed(tmp_path):
    """A build of a fresh clone takes the index's word: it is what a cold build makes."""
    from datetime import date

    from disclose import pipeline

    from .test_cache import assert_same_as_cold

    origin = committed(tmp_path / "origin")
    site, out, cache = tmp_path / "site", tmp_path / "out", tmp_path / "cache"
    git(tmp_path, "clone", "-q", str(origin), str(site))
    pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    path = origin / BODY
    path.write_text(path.read_text(encoding="utf-8").replace("第一条", "第一条（修订）", 1), encoding="utf-8")
    git(origin, "commit", "-qam", "修订")
    shutil.rmtree(site)
    git(tmp_path, "clone", "-q", str(origin), str(site))
    pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    assert_same_as_cold(site, out, tmp_path / "cold")
