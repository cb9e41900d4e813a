"""Stage 7, write atomically: a new folder beside --out, swapped in only when complete.

A failed build leaves the previous contents of --out exactly as they were.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def write_atomically(out: Path, fill: Callable[[Path], None]) -> None:
    """Let `fill` write the whole site into a staging folder, then replace `out` with it."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _fresh(out.parent / f".{out.name}.new")
    old = out.parent / f".{out.name}.old"
    try:
        fill(staging)
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not out.exists():
            os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
