"""The 修订记录 read from new commits only (history.py): what a build keeps of the history and
extends with the commits made since must be exactly what a fresh read of every commit gives,
through renames, deletions, merges, clock skew and rewritten histories, with real git."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from disclose import history
from disclose.page_keys import VERIFY, KeyMismatch

from .conftest import git

PUBLIC = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: 2024-03-01\n{extra}---\n{body}\n"
WITHHELD = "disclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2024-03-04}\n"


def put(repo: Path, rel: str, title: str, extra: str = "", body: str = "正文。") -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PUBLIC.format(title=title, extra=extra, body=body), encoding="utf-8")


def commit(repo: Path, message: str, day: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, "--allow-empty", date=day)


def run(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "x"}
    env |= {"GIT_COMMITTER_EMAIL": "x@x", "GIT_COMMITTER_DATE": "2024-04-05T12:00:00+08:00"}
    return (
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
        .stdout.decode()
        .strip()
    )


def head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True
    ).stdout.decode()


class Reads:
    """Counts the full reads (every commit) and the git commands started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(VERIFY, "0")  # verifying reads every commit again: these count the reads
        self.full = self.in_build = 0
        self.git: list[tuple[str, ...]] = []
        commits, run_git = history.commits, history.run_git

        def counting_commits(site: Path, at: str = "HEAD") -> list[history.Commit]:
            self.full += 1
            return commits(site, at)

        def counting_git(site: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
            self.git.append(args)
            return run_git(site, *args, stdin=stdin)

        monkeypatch.setattr(history, "commits", counting_commits)
        monkeypatch.setattr(history, "run_git", counting_git)

    def reset(self) -> None:
        self.full = 0
        self.git.clear()


def fresh(site: Path) -> tuple[list, history.Notes]:
    """What a process that never read this history before finds, without a cache."""
    history.forget()
    found = history.read_history(site)
    history.forget()
    notes = history.public_notes(site)
    history.forget()
    return list(found.items()), notes


def as_built(site: Path, cache: Path) -> tuple[list, history.Notes]:
    """What a build in a new process finds with the cache folder: the notes' scan within the
    check's session, then the revisions."""
    history.forget()
    with history.session(cache):
        notes = history.public_notes(site)
    found = history.read_history(site, cache)
    return list(found.items()), notes


def same(site: Path, cache: Path, reads: Reads | None = None) -> tuple[list, history.Notes]:
    """The build's reading equals a fresh one; `reads` counts the build's full reads (`in_build`)."""
    if reads is not None:
        reads.reset()
    built = as_built(site, cache)
    if reads is not None:
        reads.in_build = reads.full
    assert built == fresh(site)  # the same paths in the same order, the same revisions and notes
    return built


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with the site in a subfolder (`site/`) and a content/ folder outside it."""
    root = tmp_path / "repo"
    site = root / "site"
    put(site, "content/policies/a.md", "甲")
    put(site, "content/policies/b.md", "乙")
    put(site, "content/policies/c.md", "丙", extra=WITHHELD)
    put(root, "content/outside.md", "站外")
    git(root, "init", "-q", "--initial-branch=main")
    commit(root, "导入\n\n公开说明：首次导入", "2024-03-01")
    history.forget()
    return site, tmp_path / "cache"


def two_files(site: Path) -> None:
    put(site, "content/policies/a.md", "甲", extra=WITHHELD, body="又改。")
    put(site, "content/policies/b2.md", "乙", body="再改。")


def test_new_commits_extend_the_kept_history_exactly(repo, monkeypatch):
    site, cache = repo
    root = site.parent
    reads = Reads(monkeypatch)
    same(site, cache)
    steps = [
        (
            "a.md 修订\n\n公开说明：修改第一条",
            lambda: put(site, "content/policies/a.md", "甲", body="改。"),
            "2024-03-05",
        ),
        (
            "改名\n\n公开说明：调整文件名",
            lambda: git(root, "mv", "site/content/policies/b.md", "site/content/policies/b2.md"),
            "2024-03-06",
        ),
        ("删除", lambda: (site / "content/policies/c.md").unlink(), "2024-03-07"),
        ("说明文件", lambda: (root / "README").write_text("x\n", encoding="utf-8"), "2024-03-08"),
        ("站外\n\n公开说明：站外的说明", lambda: put(root, "content/outside.md", "站外", body="改。"), "2024-03-09"),
        (
            "草稿\n\n公开说明：草稿说明",
            lambda: put(site, "content/policies/a.md", "甲", extra="draft: true\n"),
            "2024-03-10",
        ),
        ("公开\n\n公开说明：正式公开", lambda: put(site, "content/policies/a.md", "甲", body="定稿。"), "2024-03-11"),
        ("时钟\n\n公开说明：时钟偏差", lambda: put(site, "content/policies/b2.md", "乙", body="早。"), "2024-03-02"),
        ("新名\n\n公开说明：新文件", lambda: put(site, "content/policies/工作 规则\n二.md", "丁"), "2024-03-12"),
        (
            "不公开的一版\n\n公开说明：密",
            lambda: put(site, "content/policies/a.md", "甲", extra=WITHHELD),
            "2024-03-13",
        ),
        ("两个文件\n\n公开说明：一公开一不公开", lambda: two_files(site), "2024-03-14"),
    ]
    for message, change, day in steps:
        change()
        commit(root, message, day)
        built = same(site, cache, reads)
        assert reads.in_build == 0, message  # the build read only the new commit
    found = dict(built[0])
    assert [r.note for r in found["content/policies/b2.md"]][:2] == [
        None,
        "时钟偏差",
    ]  # a.md's version then was not public
    assert "content/policies/c.md" not in found and "content/policies/b.md" in found  # c.md: never public
    assert not any(n.text == "站外的说明" for n in built[1].notes)  # a commit outside the site
    assert "content/outside.md" not in found and "content/工作 规则\n二.md" not in found
    assert "content/policies/工作 规则\n二.md" in found


def test_one_new_commit_costs_two_git_commands_and_one_more(repo, monkeypatch):
    """rev-parse and a log of the new commit in the check; a rev-parse in the build (what the
    check read is remembered); no log of every commit. The new version is read from the work
    tree, where it is; a `git cat-file` reads it when the file there is another."""
    site, cache = repo
    as_built(site, cache)
    put(site, "content/policies/a.md", "甲", body="改。")
    commit(site.parent, "修订\n\n公开说明：修订", "2024-04-01")
    reads = Reads(monkeypatch)
    as_built(site, cache)
    assert [args[args.index("log") if "log" in args else 0] for args in reads.git] == ["rev-parse", "log", "rev-parse"]
    assert reads.full == 0
    reads.reset()
    as_built(site, cache)  # nothing new: one rev-parse for each
    assert [args[0] for args in reads.git] == ["rev-parse", "rev-parse"]
    put(site, "content/policies/a.md", "甲", extra=WITHHELD)
    commit(site.parent, "不公开\n\n公开说明：不公开", "2024-04-02")
    put(site, "content/policies/a.md", "甲", body="未提交的修改。")  # the work tree is not the commit
    reads.reset()
    built = same(site, cache, reads)
    assert reads.in_build == 0 and any(args[0] == "cat-file" for args in reads.git)
    assert [r.note for r in dict(built[0])["content/policies/a.md"]] == ["修订", None]  # withheld: not listed


def test_a_merge_reads_every_commit_again(repo, monkeypatch):
    site, cache = repo
    root = site.parent
    same(site, cache)
    git(root, "checkout", "-qb", "side")
    put(site, "content/policies/b.md", "乙", body="支线。")
    commit(root, "支线\n\n公开说明：支线修改", "2024-03-02")  # older than the main line's commits
    git(root, "checkout", "-q", "main")
    put(site, "content/policies/a.md", "甲", body="主线。")
    commit(root, "主线\n\n公开说明：主线修改", "2024-04-01")
    same(site, cache)
    reads = Reads(monkeypatch)
    git(root, "merge", "-q", "--no-ff", "side", "-m", "合并\n\n公开说明：合并", date="2024-04-02")
    built = same(site, cache, reads)
    assert reads.in_build == 1
    assert [r.note for r in dict(built[0])["content/policies/b.md"]][0] == "支线修改"
    # A merge whose content is one parent's: git follows that parent only.
    git(root, "checkout", "-qb", "undo", "HEAD~1")
    put(site, "content/policies/a.md", "甲", body="又改。")
    commit(root, "又改", "2024-04-03")
    put(site, "content/policies/a.md", "甲", body="主线。")
    commit(root, "改回", "2024-04-04")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "undo", "-m", "合并回", date="2024-04-05")
    same(site, cache, reads)
    assert reads.in_build == 1
    put(site, "content/policies/a.md", "甲", body="合并后。")
    commit(root, "合并后\n\n公开说明：合并后修改", "2024-04-06")
    same(site, cache, reads)
    assert reads.in_build == 0  # a line of commits after a merge extends the history read at the merge
    # A merge of an older commit whose tree it takes (`git merge -s ours` from the other side, made
    # by hand here): git follows that parent only, and the commit after it is no longer shown.
    older = run(root, "rev-parse", "HEAD~1")
    merge = run(root, "commit-tree", f"{older}^{{tree}}", "-p", "HEAD", "-p", older, "-m", "回到旧版")
    git(root, "reset", "-q", "--hard", merge)
    built = same(site, cache, reads)
    assert reads.in_build == 1
    assert "合并后修改" not in {n.text for n in built[1].notes}


@pytest.mark.parametrize("how", ["amend", "reset", "rebase"])
def test_a_rewritten_history_is_read_again(repo, monkeypatch, how):
    site, cache = repo
    root = site.parent
    put(site, "content/policies/a.md", "甲", body="一。")
    commit(root, "一\n\n公开说明：第一次", "2024-03-02")
    put(site, "content/policies/a.md", "甲", body="二。")
    commit(root, "二\n\n公开说明：第二次", "2024-03-03")
    same(site, cache)
    if how == "amend":
        git(root, "commit", "-q", "--amend", "-m", "二\n\n公开说明：改写的说明", date="2024-03-03")
    elif how == "reset":
        git(root, "reset", "-q", "--hard", "HEAD~1")  # back to an ancestor: nothing new, yet not the same
    else:
        git(root, "reset", "-q", "--hard", "HEAD~2")
        put(site, "content/policies/b.md", "乙", body="另一条线。")
        commit(root, "另\n\n公开说明：另一条线", "2024-03-04")
        git(root, "cherry-pick", "ORIG_HEAD~1", date="2024-03-05")
    reads = Reads(monkeypatch)
    built = same(site, cache, reads)
    assert reads.in_build == 1
    notes = {n.text for n in built[1].notes}
    assert "第二次" not in notes and ("改写的说明" in notes) == (how == "amend")


def test_a_fresh_clone_uses_the_kept_history(repo, tmp_path, monkeypatch):
    """What CI does: the repository cloned afresh (one new commit), the cache restored."""
    site, cache = repo
    root = site.parent
    same(site, cache)
    put(site, "content/policies/a.md", "甲", body="改。")
    commit(root, "修订\n\n公开说明：修订", "2024-04-01")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(root), str(clone)], check=True)
    reads = Reads(monkeypatch)
    built = same(clone / "site", cache, reads)
    assert reads.in_build == 0
    assert [r.note for r in dict(built[0])["content/policies/a.md"]] == [
        "修订",
        None,
    ]  # c.md, withheld, came with the first


def test_a_shallow_clone_is_read_as_it_is(repo, tmp_path, monkeypatch):
    """A shallow clone's history ends where the fetch stopped: what was kept of the full
    history (at the very same commit) is not what a read there gives."""
    site, cache = repo
    root = site.parent
    put(site, "content/policies/a.md", "甲", body="改。")
    commit(root, "修订\n\n公开说明：修订", "2024-04-01")
    same(site, cache)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(clone)], check=True)
    built = same(clone / "site", cache)
    assert [r.note for r in dict(built[0])["content/policies/a.md"]] == [None]  # one commit: every file, c.md too
    assert len(dict(same(site, cache)[0])["content/policies/a.md"]) == 2  # the full one again


def test_replace_refs_are_read_as_git_shows_them(repo):
    site, cache = repo
    root = site.parent
    put(site, "content/policies/a.md", "甲", body="改。")
    commit(root, "修订\n\n公开说明：修订", "2024-04-01")
    same(site, cache)
    tree = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD^{tree}"], capture_output=True, check=True)
    parent = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD~1"], capture_output=True, check=True)
    other = subprocess.run(
        ["git", "-C", str(root), "commit-tree", tree.stdout.decode().strip(), "-p", parent.stdout.decode().strip()],
        input="替换\n\n公开说明：替换的说明".encode(),
        capture_output=True,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "x",
            "GIT_AUTHOR_EMAIL": "x@x",
            "GIT_COMMITTER_NAME": "x",
            "GIT_COMMITTER_EMAIL": "x@x",
        },
    )
    remembered = history.read_history(site, cache)  # this process remembers the history at HEAD
    git(root, "replace", head(root).strip(), other.stdout.decode().strip())
    assert list(history.read_history(site, cache).items()) == fresh(site)[0] != list(remembered.items())
    built = same(site, cache)
    assert "替换的说明" in {n.text for n in built[1].notes}


def test_a_damaged_or_foreign_kept_history_is_read_again(repo, monkeypatch):
    site, cache = repo
    same(site, cache)
    kept = cache / history.HEAD_STORE
    assert kept.is_file()
    reads = Reads(monkeypatch)
    for damage in (b"garbage", kept.read_bytes()[:-20]):
        kept.write_bytes(damage)
        same(site, cache, reads)
        assert reads.in_build == 1
    # Kept for a site in another folder of the repository: its paths are not this site's.
    history.forget()
    other = site.parent / "other"
    put(other, "content/policies/x.md", "戊")
    commit(site.parent, "另一个站点", "2024-04-01")
    same(other, cache)
    same(site, cache, reads)
    assert reads.in_build == 1


def test_a_history_read_without_the_cache_is_kept_when_a_build_asks(repo):
    site, cache = repo
    history.read_history(site)
    history.read_history(site, cache)  # the same commit: remembered, and now kept in the cache
    assert (cache / history.HEAD_STORE).is_file()


def test_no_repository_and_no_commit(tmp_path):
    put(tmp_path, "content/policies/a.md", "甲")
    cache = tmp_path / "cache"
    assert history.read_history(tmp_path, cache) == {}
    git(tmp_path, "init", "-q")
    assert history.read_history(tmp_path, cache) == {} and history.public_notes(tmp_path) == history.Notes()
    assert not (cache / history.HEAD_STORE).exists()


@pytest.mark.parametrize(
    "setting",
    [
        ("i18n.logOutputEncoding", "GB18030"),
        ("diff.orderFile", "order.txt"),
        ("log.showRoot", "false"),
        ("diff.relative", "true"),
        ("color.ui", "always"),
        ("log.follow", "true"),
    ],
)
def test_settings_that_change_what_git_log_prints_change_nothing(repo, setting):
    """A history kept from an earlier read holds only if a read now prints the same: the settings
    that change `git log`'s output are overridden on its command line."""
    site, cache = repo
    root = site.parent
    put(site, "content/policies/b.md", "乙", body="改。")
    put(site, "content/policies/a.md", "甲", body="改。")
    commit(root, "两条\n\n公开说明：两条修订", "2024-04-01")
    before = same(site, cache)
    (root / "order.txt").write_text("site/content/policies/b.md\n", encoding="utf-8")
    git(root, "config", *setting)
    assert same(site, cache) == before


def test_verifying_stops_on_a_kept_history_that_is_not_a_fresh_read(repo, monkeypatch):
    site, cache = repo
    monkeypatch.setenv(VERIFY, "1")
    same(site, cache)
    put(site, "content/policies/a.md", "甲", body="改。")
    commit(site.parent, "修订\n\n公开说明：修订", "2024-04-01")
    real = history._extended
    monkeypatch.setattr(history, "_extended", lambda *args: replace(real(*args), notes=()))
    history.forget()
    with pytest.raises(KeyMismatch):
        history.read_history(site, cache)
