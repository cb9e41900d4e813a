"""Shared fixtures: a minimal valid site to break, the sample site, and a CLI runner."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclose.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2024-06-01"

# A page whose key (page_keys) did not change is resolved anyway and must show what it showed:
# an input missing from a key stops the build (KeyMismatch) instead of leaving a stale page.
os.environ.setdefault("DISCLOSE_VERIFY_KEYS", "1")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the minimal valid site (one policy, its interpretation)."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


def copy_sample(target: Path) -> Path:
    """Copy the repository's sample site (site.yaml, content/, reports/) to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    for folder in ("content", "reports"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample site."""
    return copy_sample(tmp_path / "sample")


def write(site: Path, rel: str, text: str | bytes) -> Path:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))  # lone surrogates = raw bytes
    return path


def git(repo: Path, *args: str, date: str | None = None) -> None:
    """Run real git in `repo` as an editor; `date` (YYYY-MM-DD) dates the commit, China time."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "编辑",
        "GIT_AUTHOR_EMAIL": "e@example.gov.cn",
        "GIT_COMMITTER_NAME": "编辑",
        "GIT_COMMITTER_EMAIL": "e@example.gov.cn",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T10:00:00+08:00"
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def run(*args: str):
    """Run the CLI in-process; returns click's Result (exit_code, output)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, for byte-for-byte comparisons of outputs."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def all_bytes(folder: Path):
    """(path, bytes) of every file under folder: as stored, gzip decompressed, and with the
    zero-width spaces removed that Pagefind puts between the Chinese words it segments."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield path, data
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
            yield path, data
        yield path, data.replace("\u200b".encode(), b"")
