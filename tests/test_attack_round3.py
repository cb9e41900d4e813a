"""Round 3 attacks on the speed shortcuts: what a rebuild reuses must never differ from a cold build.

The output a build replaces becomes the next build's spare, and its files are the live site's
own (hard links): whatever a deploy step or anyone else does to the live output is what the next
build finds in its spare.
"""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

from disclose.pipeline import build

from .conftest import copy_sample

DAY = date(2026, 11, 23)
WITHHELD = "本件为会议研究过程中的请示材料，属于过程性信息"  # content/decisions/2025-changwu-13-draft.md


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _bundle(out: Path) -> Path:
    return next(p for p in sorted((out / "pagefind").iterdir()) if (p / "pagefind-entry.json").is_file())


def _unzipped(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return data


def test_a_search_bundle_changed_in_the_live_output_is_not_reused(tmp_path: Path) -> None:
    """A file added to, removed from or rewritten in a search bundle of the live output (a deploy
    step, a hostile CI) was reused by the next build, trusted on its pagefind-entry.json alone:
    the rebuild kept a deleted fragment missing and republished an added file holding withheld
    text, which the egress check did not scan (it scans reused files only for new needles)."""
    site = copy_sample(tmp_path / "site")
    out, cold, cache = tmp_path / "out", tmp_path / "cold", tmp_path / "cache"
    build(site, out, DAY, cache_dir=cache)
    bundle = _bundle(out)
    fragments = sorted((bundle / "fragment").iterdir())
    fragments[0].unlink()
    (bundle / "fragment" / "extra.pf_fragment").write_bytes(gzip.compress(WITHHELD.encode()))
    rewritten = fragments[1]
    data = rewritten.read_bytes()
    rewritten.unlink()  # a tool that writes a new file in its place (sed -i, rsync)
    rewritten.write_bytes(gzip.compress(_unzipped(data) + WITHHELD.encode()))

    build(site, out, DAY, cache_dir=cache)
    build(site, cold, DAY)
    assert _files(out) == _files(cold)
    assert not [name for name, data in _files(out).items() if WITHHELD.encode() in _unzipped(data)]


def test_a_page_changed_in_the_live_output_is_not_reused(tmp_path: Path) -> None:
    """The same for a page (checked by its own stat, then its sha1)."""
    site = copy_sample(tmp_path / "site")
    out, cold, cache = tmp_path / "out", tmp_path / "cold", tmp_path / "cache"
    build(site, out, DAY, cache_dir=cache)
    page = out / "index.html"
    text = page.read_bytes()
    page.unlink()
    page.write_bytes(text.replace(b"</main>", WITHHELD.encode() + b"</main>"))
    (out / "extra.html").write_bytes(WITHHELD.encode())
    build(site, out, DAY, cache_dir=cache)
    build(site, cold, DAY)
    assert _files(out) == _files(cold)
    shutil.rmtree(cold)
