"""--out never destroys what the build did not create; faults and concurrent builds leave the
output as it was; external processes are bounded in time."""

from __future__ import annotations

import datetime
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from disclose import pipeline

from .conftest import TODAY, run, snapshot, write


def build(site, out, *extra):
    return run("build", "--site", str(site), "--out", str(out), "--today", TODAY, *extra)


def tree(folder: Path) -> dict[str, bytes]:
    return snapshot(folder)


def _permissions_bind() -> bool:
    """False where this process ignores file permissions (root with CAP_DAC_OVERRIDE)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        try:
            Path(folder, "probe").write_text("x")
        except PermissionError:
            return True
        finally:
            os.chmod(folder, 0o755)
        return False


permissions = pytest.mark.skipif(not _permissions_bind(), reason="this process ignores file permissions")


@pytest.mark.parametrize(
    "where",
    [
        "content",  # the output replaces the content
        "content/policies",  # a folder holding content
        "content/new",  # inside content
        "templates",
        "templates/out",
        "reports",
        "site.yaml",
        ".git/out",
        ".",  # the site itself
        "..",  # a folder holding the site
    ],
)
def test_out_overlapping_the_sites_inputs_is_refused(site, where):
    (site / "templates").mkdir()
    write(site, "templates/item.html", "{{ item.title }}")
    write(site, "reports/2023.yaml", "a: 1\n")
    (site / ".git").mkdir()
    before = tree(site)
    result = build(site, site / where, "--no-cache")
    assert result.exit_code == 2, result.output
    assert "--out" in result.output and "Traceback" not in result.output
    assert tree(site) == before


def test_out_into_a_subfolder_holding_content_keeps_the_content(site):
    """The reported loss: --out pointing at a folder of content/ replaced it with the site."""
    before = tree(site / "content")
    assert build(site, site / "content/policies").exit_code == 2
    assert tree(site / "content") == before


def test_out_and_cache_may_not_overlap(site, tmp_path):
    out = tmp_path / "out"
    result = build(site, out, "--cache", str(out / ".cache"))
    assert result.exit_code == 2 and "缓存" in result.output
    assert not out.exists()
    assert build(site, tmp_path / "cache/out", "--cache", str(tmp_path / "cache")).exit_code == 2
    assert build(site, out, "--cache", str(tmp_path / "cache")).exit_code == 0


def test_symlinked_out_is_refused_and_deletes_nothing_outside(site, tmp_path):
    """The reported loss: --out a symbolic link deleted files outside the site."""
    precious = tmp_path / "precious"
    write(precious, "keep.txt", "mine")
    write(precious, "pagefind/bundles.json", "{}")  # looks like an output, still not ours to replace
    link = tmp_path / "public"
    link.symlink_to(precious, target_is_directory=True)
    cache = tmp_path / "cache"
    for _ in range(3):  # the spare would have been the link the second time round
        result = build(site, link, "--cache", str(cache))
        assert result.exit_code == 2, result.output
        assert "符号链接" in result.output
    assert (precious / "keep.txt").read_text() == "mine"
    assert link.is_symlink()


def test_a_spare_that_is_a_link_deletes_nothing_outside(site, tmp_path):
    """The cache's spare output is replaced and pruned by the build: a link there is dropped,
    never followed."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    precious = tmp_path / "precious"
    write(precious, "keep.txt", "mine")
    write(precious, "index.html", "mine too")
    discard_spare = cache / "spare"
    import shutil

    shutil.rmtree(discard_spare)
    discard_spare.symlink_to(precious, target_is_directory=True)
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    assert tree(precious) == {"keep.txt": b"mine", "index.html": b"mine too"}


def test_a_folder_disclose_did_not_write_is_not_replaced(site, tmp_path):
    documents = tmp_path / "documents"
    write(documents, "letter.txt", "mine")
    result = build(site, documents)
    assert result.exit_code == 2 and "不是 disclose 生成的网站" in result.output
    assert (documents / "letter.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(site, empty).exit_code == 0  # an empty folder is fine
    assert build(site, empty).exit_code == 0  # and so is our own output


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@permissions
def test_read_only_output_gives_a_clear_line_and_leaves_nothing_behind(site, tmp_path):
    out = tmp_path / "out"
    assert build(site, out, "--no-cache").exit_code == 0
    before = tree(out)
    out.chmod(0o555)
    try:
        for _ in range(2):
            result = build(site, out, "--no-cache")
            assert result.exit_code == 2, result.output
            assert "不可写" in result.output
            assert _leftovers(tmp_path) == []
    finally:
        out.chmod(0o755)
    assert tree(out) == before
    assert build(site, out, "--no-cache").exit_code == 0


@permissions
def test_read_only_folders_inside_the_output_never_stop_a_later_build(site, tmp_path):
    """The reported fault: a read-only output left a swap folder that failed every later build."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    (out / "policies").chmod(0o555)
    (out / "assets").chmod(0o555)
    try:
        for _ in range(4):  # the read-only folders go through the swap, the spare, the staging folder
            result = build(site, out, "--cache", str(cache))
            assert result.exit_code == 0, result.output
            assert _leftovers(tmp_path) == []
    finally:
        for folder in (tmp_path, cache):
            for path in folder.rglob("*"):
                if path.is_dir() and not path.is_symlink():
                    path.chmod(0o755)
    cold = tmp_path / "cold"
    assert build(site, cold, "--no-cache").exit_code == 0
    assert tree(out) == tree(cold)


def test_leftovers_of_a_killed_build_are_removed(site, tmp_path):
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    before = tree(out)
    # what a build killed at various points leaves beside the output
    write(tmp_path, ".out.disclose-new-4242/policies/rules/index.html", "half")
    write(tmp_path, ".out.disclose-new-4242-1/index.html", "half")
    write(tmp_path, ".out.disclose-new-4242.index-2024-abc/000000.html", "linked page")
    write(tmp_path, ".out.disclose-old/index.html", "previous")
    (tmp_path / ".out.disclose-new-4242/policies").chmod(0o555)
    assert build(site, out).exit_code == 0
    assert _leftovers(tmp_path) == []
    assert tree(out) == before


def test_what_an_editor_keeps_beside_the_output_is_never_touched(site, tmp_path):
    """Files and folders beside --out whose names merely start like the build's own (a backup
    `.out.old`, notes `.out.new-notes.txt`, a lock file of another tool) survive every build."""
    kept = {
        ".out.lock": "another tool's lock",
        ".out.new-notes.txt": "notes",
        ".out.older.txt": "older",
        ".out.newsletter/a": "letter",
        ".out.old/userfile": "backup",
        ".out.disclose-old-backup/x": "mine",
    }
    for rel, text in kept.items():
        write(tmp_path, rel, text)
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    assert build(site, out).exit_code == 0
    for rel, text in kept.items():
        assert (tmp_path / rel).read_text(encoding="utf-8") == text, rel
    assert not (out / "userfile").exists()


def test_output_caught_mid_swap_is_put_back(site, tmp_path):
    """Killed between moving the old output aside and moving the new one in (where the system
    cannot exchange folders in one step): the old output comes back before anything else."""
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    before = tree(out)
    out.rename(tmp_path / ".out.disclose-old")
    write(site, "content/decisions/bad.md", "---\ntitle: x\n---\n")  # this build fails
    assert build(site, out).exit_code == 1
    assert tree(out) == before  # what a failed build leaves: the previous output, whole


def test_swap_replaces_the_output_in_one_step(site, tmp_path, monkeypatch):
    """The output folder never goes missing during the swap (renameat2 exchange on Linux)."""
    from disclose import output

    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    seen = []
    real_replace = os.replace

    def watching(src, dst, *args, **kwargs):
        seen.append(out.exists())
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(output.os, "replace", watching)
    write(site, "content/decisions/new.md", "---\ntitle: 新决定\nissuer: y\npublished: 2024-03-01\n---\n")
    assert build(site, out).exit_code == 0
    assert all(seen)
    assert (out / "decisions/new/index.html").is_file()


def test_a_second_build_of_the_same_output_is_refused(site, tmp_path):
    """Two builds of one site at once without the cache: the output folder is locked."""
    from disclose.output import locked

    out = tmp_path / "out"
    assert build(site, out, "--no-cache").exit_code == 0
    before = tree(out)
    with locked(out):
        result = build(site, out, "--no-cache")
    assert result.exit_code == 2
    assert "另一个构建正在写输出目录" in result.output
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # the lock file is gone too


def test_two_processes_building_at_once(site, tmp_path):
    """Real concurrency: of two builds started together, each either succeeds or is refused with
    exit status 2, and the output is complete."""
    import subprocess

    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    command = [sys.executable, "-m", "disclose.cli", "build", "--site", str(site), "--out", str(out)]
    command += ["--today", TODAY, "--no-cache"]
    processes = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    codes = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    assert sorted(code for code, _ in codes) in ([0, 0], [0, 2]), codes
    assert all("另一个构建正在写输出目录" in err for code, err in codes if code == 2)
    assert (out / "index.html").is_file() and (out / "pagefind/bundles.json").is_file()
    cold = tmp_path / "cold"
    assert build(site, cold, "--no-cache").exit_code == 0
    assert tree(out) == tree(cold)


def _hanging_pagefind(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for Pagefind that starts a child and hangs; both write their pid."""
    pids = tmp_path / "pids"
    pids.mkdir()
    script = tmp_path / "pagefind"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pids}/child\necho $$ > {pids}/parent\nwait\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


def test_a_hung_pagefind_is_stopped_with_its_children(site, tmp_path, monkeypatch):
    from disclose import search_index

    out = tmp_path / "out"
    assert build(site, out, "--no-cache").exit_code == 0
    before = tree(out)
    script, pids = _hanging_pagefind(tmp_path)
    monkeypatch.setattr(search_index, "pagefind_executable", lambda: script)
    monkeypatch.setenv("DISCLOSE_PAGEFIND_TIMEOUT", "1")
    write(site, "content/decisions/new.md", "---\ntitle: 新决定\nissuer: y\npublished: 2024-03-01\n---\n")
    started = time.monotonic()
    with pytest.raises(search_index.SearchIndexError, match="超过 1 秒仍未完成，已终止"):
        pipeline.build(site, out, datetime.date(2024, 6, 1))
    assert time.monotonic() - started < 60
    for name in ("parent", "child"):
        pid = int((pids / name).read_text())
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid), f"{name} Pagefind process {pid} still running"
    assert tree(out) == before
    assert _leftovers(tmp_path) == []


def test_cache_is_keyed_on_the_renderers_versions(monkeypatch, tmp_path):
    """Another version of any engine installed ahead on the path (its dist-info folder) changes the key."""
    from disclose import build_cache

    build_cache._engine_key.cache_clear()
    key = build_cache._engine_key()
    for package in build_cache.ENGINES:
        ahead = tmp_path / package
        (ahead / f"{package.replace('-', '_')}-0.0.dist-info").mkdir(parents=True)
        monkeypatch.setattr(sys, "path", [str(ahead), *sys.path])
        build_cache._engine_key.cache_clear()
        assert build_cache._engine_key() != key, package
        assert f"{package}=0.0" in build_cache._engine_key()
        monkeypatch.undo()
    build_cache._engine_key.cache_clear()
    assert build_cache._engine_key() == key


@pytest.mark.parametrize("place", ["content", "reports", ".", "content/policies", "site.yaml", "templates"])
def test_cache_may_not_be_or_sit_in_the_sites_inputs(site, tmp_path, place):
    (site / "templates").mkdir(exist_ok=True)
    before = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    result = run(
        "build", "--site", str(site), "--out", str(tmp_path / "out"), "--cache", str(site / place), "--today", TODAY
    )
    assert result.exit_code == 2, result.output
    assert "--cache" in result.output
    assert {p.relative_to(site).as_posix() for p in site.rglob("*")} == before


def test_cache_that_is_a_file_is_a_usage_error(site, tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for cache in (tmp_path / "afile", tmp_path / "afile/sub"):
        result = run(
            "build", "--site", str(site), "--out", str(tmp_path / "out"), "--cache", str(cache), "--today", TODAY
        )
        assert result.exit_code == 2, result.output


@pytest.mark.parametrize("early", [True, False], ids=["in a child", "in the build"])
def test_a_stray_file_in_a_remembered_spare_folder_is_deleted(site, tmp_path, monkeypatch, early):
    """The spare's folders are not listed again while their stat matches the listing kept in the
    cache; a file added by hand (the folder's modification time set back) moves the folder's
    change time, so the folder is listed and the file deleted, never published. So whether the
    spare is checked in a child beside the build's checks (output.SpareCheck) or by the build."""
    from disclose import output

    monkeypatch.setattr(output, "RACY_NS", 0)  # remember listings at once, so the shortcut is taken
    if not early:
        monkeypatch.setattr(output.SpareCheck, "start", staticmethod(lambda spare, state: None))
    log = tmp_path / "remembered"  # a file: the check may run in a forked child
    real = output._verified

    def verified(root, manifest, known=None):
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{len(known or {})}\n")
        return real(root, manifest, known)

    monkeypatch.setattr(output, "_verified", verified)
    out, cache = tmp_path / "out", tmp_path / "cache"
    for _ in range(3):
        assert build(site, out, "--cache", str(cache)).exit_code == 0
    page = next(out.glob("policies/*/index.html"))
    folder = page.parent
    before = folder.stat()
    (folder / "stray.html").write_text("not from the build", encoding="utf-8")
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert folder.stat().st_mtime_ns == before.st_mtime_ns
    assert build(site, out, "--cache", str(cache)).exit_code == 0  # out becomes the spare
    assert build(site, out, "--cache", str(cache)).exit_code == 0  # and the staging folder
    assert int(log.read_text(encoding="utf-8").split()[-1]) > 0  # the spare's listings were there to trust
    relative = folder.relative_to(out)
    assert not (out / relative / "stray.html").exists()
    cold = tmp_path / "cold"
    assert build(site, cold, "--no-cache").exit_code == 0
    assert tree(out) == tree(cold)


def test_rmtree_retry_makes_a_read_only_folder_writable_and_deletes_it(tmp_path):
    """rmtree's error handler (`output._retry`) is called with a path; it once shared its helper's
    name with the spare check's writability test, which took a stat as well, and raised instead."""
    from disclose import output

    folder = tmp_path / "leftover" / "locked"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text("x", encoding="utf-8")
    folder.chmod(0o500)
    output._retry(os.rmdir, str(folder), None)
    assert not folder.exists()
