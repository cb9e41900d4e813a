"""The spare output checked in a forked child while the build checks the site (`output.SpareCheck`):
its answer is taken only for the manifest it was made from, it never trusts what differs from
that manifest, never follows a link, and never outlives the build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from disclose import output

from .conftest import TODAY, run, snapshot, write

forks = pytest.mark.skipif(
    not hasattr(os, "fork") or output._workers() < 2,
    reason="the spare is checked in a child only with fork and 2 cores",
)


def build(site: Path, out: Path, *extra: str):
    return run("build", "--site", str(site), "--out", str(out), "--today", TODAY, *extra)


def _record(path: Path, content_id: str) -> list:
    status = path.stat()
    return [content_id, output.sha1_of(path), status.st_size, status.st_mtime_ns, status.st_ino]


def _spare(tmp_path: Path) -> tuple[Path, Path, dict[str, list]]:
    """A cache folder with a spare of three files and the state file recording them."""
    cache = tmp_path / "cache"
    spare = cache / "spare"
    manifest = {}
    for rel in ("index.html", "a/index.html", "b/index.html"):
        write(spare, rel, f"page {rel}")
        manifest[rel] = _record(spare / rel, f"id-{rel}")
    state = cache / "state.json"
    state.write_bytes(orjson.dumps({"spare_manifest": manifest}))
    return spare, state, manifest


@forks
def test_the_childs_answer_is_what_a_check_here_finds(tmp_path):
    spare, state, manifest = _spare(tmp_path)
    (spare / "a/index.html").write_text("withheld text", encoding="utf-8")  # differs from its record
    write(spare, "stray/page.html", "not from the build")
    copy = spare / "b/index.html"  # put back as a restore does: a new inode, the same bytes and time
    shutil.copy2(copy, tmp_path / "b")
    os.replace(tmp_path / "b", copy)
    early = output.SpareCheck.start(spare, state)
    assert early is not None
    present, listings = early.result(manifest)  # type: ignore[misc]
    assert set(present) == {"index.html", "b/index.html"}
    assert present["index.html"] is manifest["index.html"]
    assert present["b/index.html"] == [*manifest["b/index.html"][:4], copy.stat().st_ino]
    assert not (spare / "a/index.html").exists() and not (spare / "stray").exists()
    assert set(listings) <= {"", "a/", "b/"}
    assert output._verified(spare, manifest) == (present, listings)  # nothing left to delete: the same answer


@forks
def test_an_answer_from_another_manifest_is_not_taken(tmp_path):
    spare, state, manifest = _spare(tmp_path)
    early = output.SpareCheck.start(spare, state)
    assert early is not None
    state.write_bytes(orjson.dumps({"spare_manifest": manifest}))  # replaced meanwhile: another version
    assert early.result(manifest) is None
    state.write_bytes(orjson.dumps({"spare_manifest": manifest}))
    early = output.SpareCheck.start(spare, state)
    assert early is not None
    assert early.result({**manifest, "c/index.html": manifest["index.html"]}) is None  # not its manifest


def test_a_spare_that_is_a_link_is_never_followed(tmp_path):
    spare, state, manifest = _spare(tmp_path)
    precious = tmp_path / "precious"
    write(precious, "keep.txt", "mine")
    shutil.rmtree(spare)
    spare.symlink_to(precious, target_is_directory=True)
    assert output.SpareCheck.start(spare, state) is None
    with pytest.raises(NotADirectoryError):  # and the check itself refuses it
        output._verified(spare, manifest)
    assert snapshot(precious) == {"keep.txt": b"mine"}


@forks
def test_a_build_takes_the_childs_answer_and_trusts_nothing_changed(site, tmp_path, monkeypatch):
    """The build checks the spare in its child (the check runs in another process) and the
    output is a cold build's, after a page of the spare was changed and a file added to it."""
    calls = tmp_path / "calls"
    real = output._verified

    def verified(root, manifest, known=None):
        with calls.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return real(root, manifest, known)

    monkeypatch.setattr(output, "_verified", verified)
    out, cache = tmp_path / "out", tmp_path / "cache"
    for _ in range(2):
        assert build(site, out, "--cache", str(cache)).exit_code == 0
    page = cache / "spare" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"withheld text</body>"))
    write(cache / "spare", "policies/stray.html", "not from the build")
    calls.unlink(missing_ok=True)
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    checked = calls.read_text(encoding="utf-8").split()
    assert checked and all(int(pid) != os.getpid() for pid in checked)  # in the child, none here
    cold = tmp_path / "cold"
    assert build(site, cold, "--no-cache").exit_code == 0
    assert snapshot(out) == snapshot(cold)


@forks
def test_a_failed_build_leaves_no_child_behind(site, tmp_path, monkeypatch):
    started: list[output.SpareCheck] = []
    real = output.SpareCheck.start

    def start(spare, state):
        early = real(spare, state)
        started.append(early)
        return early

    monkeypatch.setattr(output.SpareCheck, "start", staticmethod(start))
    out, cache = tmp_path / "out", tmp_path / "cache"
    for _ in range(2):
        assert build(site, out, "--cache", str(cache)).exit_code == 0
    write(site, "content/policies/broken.md", "---\ntitle: [\n---\n")  # a content error: no output written
    assert build(site, out, "--cache", str(cache)).exit_code == 1
    assert started and started[-1] is not None
    with pytest.raises(ChildProcessError):  # reaped, not left running or a zombie
        os.waitpid(started[-1].pid, os.WNOHANG)


@forks
def test_no_room_for_a_child_leaves_the_check_to_the_build(site, tmp_path, monkeypatch):
    def fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    out, cache = tmp_path / "out", tmp_path / "cache"
    for _ in range(2):
        assert build(site, out, "--cache", str(cache)).exit_code == 0
    monkeypatch.setattr(os, "fork", fork)
    assert output.SpareCheck.start(cache / "spare", cache / "state.json") is None
    assert build(site, out, "--cache", str(cache)).exit_code == 0
    cold = tmp_path / "cold"
    assert build(site, cold, "--no-cache").exit_code == 0
    assert snapshot(out) == snapshot(cold)
