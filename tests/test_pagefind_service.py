"""The warm Pagefind service writes what the command line writes, and fails as loudly."""

from __future__ import annotations

import datetime
import json
import stat
import subprocess
import time
from pathlib import Path

import pytest

from disclose.pagefind_bundle import stabilize
from disclose.pagefind_service import Service, ServiceError, ServiceTimeout
from disclose.search_index import pagefind_executable

PAGE = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head><body>'
    '<main data-pagefind-body><h1>{title}</h1><p data-pagefind-filter="年份">{year}</p>'
    "<p>{text}</p></main></body></html>"
)


def _pages(folder: Path) -> None:
    """Pages of two bundles, each under a language of its own (as search_index hands them over)."""
    folder.mkdir()
    for number in range(12):
        lang = "zh-a" if number % 2 else "zh-b"
        title = f"关于第{number}项政府信息公开工作的通知"
        text = "依申请公开答复与政策解读同步发布。" * (number + 1)
        (folder / f"p{number:03d}.html").write_text(
            PAGE.format(lang=lang, title=title, year=2020 + number % 3, text=text), encoding="utf-8"
        )


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_service_writes_what_the_command_line_writes(tmp_path):
    _pages(tmp_path / "pages")
    cli, service_out = tmp_path / "cli", tmp_path / "service"
    subprocess.run(
        [str(pagefind_executable()), "--site", str(tmp_path / "pages"), "--output-path", str(cli), "--silent"],
        check=True,
        capture_output=True,
    )
    service = Service(pagefind_executable(), "pagefind")
    try:
        assert service.index(tmp_path / "pages", service_out, 60) == 12
    finally:
        service.process.kill()
        service.process.wait()
    for folder in (cli, service_out):
        stabilize(folder)  # Pagefind's own filter order varies from run to run, either way
    written, expected = _tree(service_out), _tree(cli)
    entry = "pagefind-entry.json"  # its languages come in any order, either way; search_index reads it
    assert json.loads(written.pop(entry)) == json.loads(expected.pop(entry))
    assert written == expected
    assert any(name.startswith("index/zh-a_") for name in _tree(cli))


def _stand_in(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "pagefind"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_service_that_never_answers_times_out(tmp_path):
    service = Service(_stand_in(tmp_path, "sleep 300"), "pagefind")
    started = time.monotonic()
    try:
        with pytest.raises(ServiceTimeout):
            service.index(tmp_path, tmp_path / "out", 0.5)
        assert time.monotonic() - started < 30
    finally:
        service.process.kill()
        service.process.wait()


def test_a_service_that_exits_is_an_error(tmp_path):
    service = Service(_stand_in(tmp_path, "exit 3"), "pagefind")
    service.process.wait()
    with pytest.raises(ServiceError):
        service.index(tmp_path, tmp_path / "out", 30)


def test_a_service_answering_an_error_is_an_error(tmp_path):
    answer = "eyJtZXNzYWdlX2lkIjogMywgInBheWxvYWQiOiB7InR5cGUiOiAiRXJyb3IiLCAibWVzc2FnZSI6ICJiYWQifX0="
    # {"message_id": 3, "payload": {"type": "Error", "message": "bad"}}: the answer to NewIndex
    service = Service(_stand_in(tmp_path, f"printf '{answer},'; sleep 300"), "pagefind")
    try:
        with pytest.raises(ServiceError, match="bad"):
            service.index(tmp_path, tmp_path / "out", 30)
    finally:
        service.process.kill()
        service.process.wait()


def test_the_service_ends_when_its_build_does(tmp_path):
    """A build that dies closes the service's stdin: the service exits, nothing is left running."""
    service = Service(pagefind_executable(), "pagefind")
    assert service.process.stdin is not None
    service.process.stdin.close()
    assert service.process.wait(timeout=30) == 0


def test_the_name_is_the_services_command_line(tmp_path):
    """What output._stop_orphans reads to find a killed build's Pagefind."""
    service = Service(pagefind_executable(), "pagefind /somewhere/.out.disclose-new-1")
    try:
        deadline = time.monotonic() + 30
        while not (cmdline := Path(f"/proc/{service.process.pid}/cmdline").read_bytes()):  # before exec
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert b"/somewhere/.out.disclose-new-1" in cmdline
    finally:
        service.process.kill()
        service.process.wait()


def test_a_rebuild_indexes_the_changed_bundle_with_the_warm_service(sample, tmp_path, monkeypatch):
    """After one edit the changed bundle goes to the service started with the build, and the
    output is a cold build's."""
    from disclose import pipeline

    from .conftest import snapshot

    today = datetime.date(2026, 11, 22)
    out, cache, cold = tmp_path / "out", tmp_path / "cache", tmp_path / "cold"
    assert not pipeline.build(sample, out, today, cache_dir=cache).errors
    indexed: list[Path] = []
    real = Service.index
    monkeypatch.setattr(
        Service, "index", lambda self, source, out, limit: indexed.append(source) or real(self, source, out, limit)
    )
    edited = sorted(sample.glob("content/policies/*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n本段为重建时追加的正文。\n", encoding="utf-8")
    report = pipeline.build(sample, out, today, cache_dir=cache)
    assert not report.errors and report.reindexed
    assert len(indexed) == 1
    assert not pipeline.build(sample, cold, today).errors
    assert snapshot(out) == snapshot(cold)


def test_a_first_build_starts_no_service(sample, tmp_path, monkeypatch):
    """Without a previous build every bundle is indexed by `pagefind --site` runs: a service
    would load its dictionary for nothing. A rebuild from the cache starts one."""
    from disclose import pipeline, search_index

    started: list[Path] = []
    real = search_index.warm
    monkeypatch.setattr(search_index, "warm", lambda out: started.append(out) or real(out))
    today = datetime.date(2026, 11, 22)
    assert not pipeline.build(sample, tmp_path / "plain", today).errors
    assert not pipeline.build(sample, tmp_path / "out", today, cache_dir=tmp_path / "cache").errors
    assert started == []
    assert not pipeline.build(sample, tmp_path / "out", today, cache_dir=tmp_path / "cache").errors
    assert started == [tmp_path / "out"]
