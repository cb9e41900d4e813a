"""Stage 6, index: Pagefind's extended build (it segments Chinese) over the written pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pagefind_bin_extended

from .pagefind_bundle import stabilize


class IndexError_(RuntimeError):
    """Pagefind failed; the build stops and the previous output stays."""


def pagefind_executable() -> Path:
    return Path(pagefind_bin_extended.get_executable())


def build_index(folder: Path) -> None:
    """Index every page marked data-pagefind-body under `folder` into folder/pagefind/."""
    result = subprocess.run(
        [
            str(pagefind_executable()),
            "--site",
            str(folder),
            "--output-subdir",
            "pagefind",
            "--silent",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise IndexError_(f"Pagefind failed: {result.stderr.strip() or result.stdout.strip()}")
    stabilize(folder / "pagefind")
