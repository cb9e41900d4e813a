"""kill -9 at any point of a large build leaves the old output whole, and the next build writes
exactly what a cold build writes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import snapshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-22"
DOCUMENTS = 2000


def command(site: Path, out: Path, *extra: str) -> list[str]:
    base = [sys.executable, "-m", "disclose.cli", "build", "--site", str(site), "--out", str(out), "--today", TODAY]
    return base + list(extra)


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CI": "1"}


def finish(site: Path, out: Path, *extra: str) -> None:
    result = subprocess.run(command(site, out, *extra), env=environment(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


def _staged_index(out: Path) -> bool:
    return any(out.parent.glob(f".{out.name}.disclose-new*/pagefind/bundles.json"))


def kill_when(site: Path, out: Path, cache: Path, ready) -> tuple[str, bool]:
    """Start a build, wait until `ready(stderr so far, seconds)` holds, then kill -9 it. Returns
    its stderr and whether it was killed (not finished first)."""
    log = out.parent / "build.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            command(site, out, "--cache", str(cache)),
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
        started = time.monotonic()
        try:
            while process.poll() is None and time.monotonic() < started + 300:
                if ready(log.read_text(encoding="utf-8", errors="replace"), time.monotonic() - started):
                    break
                time.sleep(0.01)
            killed = process.poll() is None
            if killed:
                os.kill(process.pid, signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    log.unlink()
    return text, killed


def kill_at(site: Path, out: Path, cache: Path, ready, attempts: int = 5) -> str:
    """`kill_when`, again from the same output and cache when a busy machine let the build finish
    before the test saw its moment."""
    saved = out.parent / "saved"
    for _ in range(attempts):
        shutil.copytree(out, saved / "out", symlinks=True)
        shutil.copytree(cache, saved / "cache", symlinks=True)
        log, killed = kill_when(site, out, cache, ready)
        if not killed:
            for folder in (out, cache):
                shutil.rmtree(folder)
                (saved / folder.name).rename(folder)
        shutil.rmtree(saved)
        if killed:
            return log
    raise AssertionError(f"the build always finished before the point to kill it at: {log}")


def test_kill_9_at_every_stage_keeps_the_old_output(tmp_path):
    site, out, cache = tmp_path / "site", tmp_path / "out", tmp_path / "cache"
    subprocess.run([sys.executable, str(ROOT / "bench/generate.py"), str(DOCUMENTS), str(site)], check=True)
    finish(site, out, "--cache", str(cache))
    old = snapshot(out)

    # edits, so that every killed build was writing something new
    first = sorted((site / "content/decisions").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("title: ", "title: 修订：", 1), encoding="utf-8")
    (site / "content/decisions/added.md").write_text(
        "---\ntitle: 新增的决定事项\nissuer: 示例市人民政府\npublished: 2026-01-05\n---\n新增正文。\n", encoding="utf-8"
    )
    points = {
        "load": lambda log, seconds: seconds > 0.45,  # importing, reading and checking the sources
        "render": lambda log, seconds: "生成页面" in log,
        "index": lambda log, seconds: "建立搜索索引" in log,
        "swap": lambda log, seconds: _staged_index(out),  # everything staged: the egress check, then the swap
    }
    (cache / "sources.pickle").unlink()  # every source is parsed again: a load stage long enough to hit
    for name, ready in points.items():
        log = kill_at(site, out, cache, ready)
        if name == "load":
            assert "建立搜索索引" not in log, "killed too late for the load stage"
        assert snapshot(out) == old, f"the output changed after a kill during {name}"

    finish(site, out, "--cache", str(cache))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "out", "site"]  # nothing left beside it
    cold = tmp_path / "cold"
    finish(site, cold, "--no-cache")
    after, expected = snapshot(out), snapshot(cold)
    assert after.keys() == expected.keys()
    assert [key for key in after if after[key] != expected[key]] == []
    assert after != old
