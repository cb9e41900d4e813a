"""After the pages are written, Pagefind starts first and the rest of the build runs beside it:
the assets and attachments are copied and the egress check reads the sources while Pagefind
indexes; a failure meanwhile stops Pagefind and leaves nothing behind. An attachment whose bytes
the build cache knows by its stat is kept or hard-linked, not read and written again, and only
while that stat is unchanged."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from disclose import build_cache, pipeline, search_index
from disclose.output import Staging
from disclose.search_index import CORE, build_index

from .conftest import snapshot, write
from .test_safe_output import _alive

TODAY = date(2024, 6, 1)
ATTACHED = (
    "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n{extra}"
    "attachments: [files/名单.txt]\n---\n正文。\n"
)
WITHHELD = "disclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2024-03-02}\n"


def assert_same_as_cold(site: Path, out: Path, cold: Path) -> None:
    assert not pipeline.build(site, cold, TODAY).errors
    assert snapshot(out) == snapshot(cold)


def test_pagefind_runs_while_the_assets_and_attachments_are_copied(site, tmp_path, monkeypatch):
    """The copying and the egress check's reading of the sources no longer wait for the index."""
    write(site, "content/decisions/d.md", ATTACHED.format(extra=""))
    write(site, "content/decisions/files/名单.txt", "姓名\n张三\n")
    seen: list[list[int]] = []
    copy = pipeline._copy_assets

    def spied(*args):
        seen.append([process.pid for process in search_index._RUNNING])
        return copy(*args)

    monkeypatch.setattr(pipeline, "_copy_assets", spied)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not pipeline.build(site, out, TODAY, cache_dir=cache).errors
    page = site / "content/policies/rules.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n第九条 本规则自公布之日起施行。\n", encoding="utf-8")
    report = pipeline.build(site, out, TODAY, cache_dir=cache)
    assert not report.errors and report.reindexed and CORE not in report.reindexed
    assert len(seen) == 2 and all(seen)  # a Pagefind run was under way each time
    assert (out / "attachments/decisions/files/名单.txt").read_text(encoding="utf-8") == "姓名\n张三\n"
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_a_failure_beside_pagefind_stops_it_and_leaves_nothing(tmp_path):
    """What goes wrong while Pagefind runs (here the caller's own work) kills the run at once;
    no work folder is left beside the staging folder."""
    root = tmp_path / ".out.disclose-new-1"
    pages = [f"p/{n}/index.html" for n in range(30)]
    for number, rel in enumerate(pages):
        write(root, rel, f'<html lang="zh"><body><main data-pagefind-body><p>第{number}页</p></main></body></html>')
    staging = Staging(root)
    running: list[int] = []

    def meanwhile() -> None:
        running.extend(process.pid for process in search_index._RUNNING)
        raise RuntimeError("the copying failed")

    with pytest.raises(RuntimeError, match="the copying failed"):
        build_index(staging, {"2024-a": pages}, {CORE: "c", "2024-a": "a"}, workers=1, meanwhile=meanwhile)
    assert running and not any(_alive(pid) for pid in running)
    assert not search_index._RUNNING
    assert sorted(path.name for path in tmp_path.iterdir()) == [root.name]
    assert not (root / "pagefind").exists()


def test_a_run_asked_to_stop_is_never_started(tmp_path):
    stop = search_index.threading.Event()
    search_index.stop_all(stop)
    with pytest.raises(search_index.Stopped):
        search_index.run_bounded(["sleep", "30"], 60, "sleep", stop=stop)
    assert not search_index._RUNNING


def _attachment(out: Path) -> Path:
    return out / "attachments/decisions/files/名单.txt"


def test_an_attachment_known_by_its_stat_is_linked_not_copied_and_only_while_unchanged(site, tmp_path, monkeypatch):
    """An unchanged attachment is hard-linked from the previous output (the same file), the
    build reading none of its bytes; one changed in place under the same size and modification
    time is copied anew (its change time moved); a withheld item's is not published."""
    monkeypatch.setattr(build_cache, "RACY_NS", 0)  # trust a stat at once (see file_digests)
    write(site, "content/decisions/d.md", ATTACHED.format(extra=""))
    listed = write(site, "content/decisions/files/名单.txt", "姓名\n张三\n")
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not pipeline.build(site, out, TODAY, cache_dir=cache).errors
    first = _attachment(out).stat()
    read: list[str] = []
    real = Path.read_bytes

    def reading(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", reading)
    assert not pipeline.build(site, out, TODAY, cache_dir=cache).errors
    monkeypatch.setattr(Path, "read_bytes", real)
    assert _attachment(out).stat().st_ino == first.st_ino  # the previous output's file, linked
    assert listed.name not in read
    before = listed.stat()
    listed.write_text("姓名\n李四\n", encoding="utf-8")  # the same size
    os.utime(listed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not pipeline.build(site, out, TODAY, cache_dir=cache).errors
    assert _attachment(out).read_text(encoding="utf-8") == "姓名\n李四\n"
    assert_same_as_cold(site, out, tmp_path / "cold")
    write(site, "content/decisions/d.md", ATTACHED.format(extra=WITHHELD))
    report = pipeline.build(site, out, TODAY, cache_dir=cache)
    assert not report.errors, report.errors
    assert not _attachment(out).exists()
    assert not any("李四".encode() in data for data in snapshot(out).values())
