"""Content digests of input files, remembered with each file's stat so an unchanged file is not
read again; and the small persistent stores in the build cache that keep, by those digests, what
the attachment scan and the egress check found in a file.

What is trusted: a file whose size, modification time, change time and inode are all what they
were when its digest was taken still holds those bytes. The change time (ctime) is the strong
part: a tool can set a file's modification time back (`touch -d`, `os.utime`), never its change
time, and every write, rename into place or utime moves it. A digest taken of a file changed less
than RACY_NS before is not kept: a second write within the file system's timestamp granularity
could leave all four as they were (git's "racily clean" files), so such a file is hashed again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import time
from pathlib import Path

RACY_NS = 2_000_000_000  # coarser than any file system's timestamps (FAT: 2 s)

Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def stamp(stat: os.stat_result) -> Stamp:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


UNTRUSTED: Stamp = (-1, 0, 0, 0, 0)  # matches no file: hash it again next time


def trusted(stat: os.stat_result) -> Stamp:
    """The stamp to keep for a file hashed now: UNTRUSTED when it changed too recently."""
    now = stamp(stat)
    return now if time.time_ns() - max(now[1], now[2]) > RACY_NS else UNTRUSTED


def read_file(path: str) -> tuple[str, bytes, os.stat_result]:
    """A file's digest, bytes and stat (taken before the bytes, so a write while reading leaves a
    stamp that no longer matches)."""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        data = handle.read()
    return hashlib.sha1(data).hexdigest(), data, stat


class FileDigests:
    """path -> (stamp, sha1) of the files hashed before (`known`); `seen` holds those asked about
    in this run whose stamp may be trusted next time, which is what is kept. With `accumulate`
    (a store that lives only in this process) the two are one."""

    def __init__(self, known: dict[str, tuple[Stamp, str]] | None = None, accumulate: bool = False) -> None:
        self.known = known if known is not None else {}
        self.seen: dict[str, tuple[Stamp, str]] = self.known if accumulate else {}

    def lookup(self, path: str, stat: os.stat_result) -> str | None:
        """The digest of the file at `path` if its stat is what it was when it was hashed."""
        entry = self.known.get(path)
        if entry is not None and tuple(entry[0]) == stamp(stat):
            self.seen[path] = entry
            return entry[1]
        return None

    def keep(self, path: str, stat: os.stat_result, sha1: str) -> None:
        """Keep `sha1` for the file at this stat, learnt without reading it (see `attachment_text.proven`)."""
        now = trusted(stat)
        if now is not UNTRUSTED:
            self.seen[path] = (now, sha1)

    def read(self, path: str) -> tuple[str, bytes, os.stat_result]:
        """Read the file (see `read_file`), and keep its digest when its stamp may be trusted."""
        sha1, data, stat = read_file(path)
        now = trusted(stat)
        if now is not UNTRUSTED:
            self.seen[path] = (now, sha1)
        return sha1, data, stat


def code_key(*parts: str, modules: tuple[str, ...] = (), packages: tuple[str, ...] = ()) -> str:
    """What makes a store's results valid: its format `parts`, Python's version (Unicode tables),
    the source of disclose's `modules` that produce them, and the installed `packages` (by their
    files' stat: a reinstall or upgrade changes it)."""
    hasher = hashlib.sha1("\0".join((*parts, sys.version)).encode())
    here = Path(__file__).parent
    for module in modules:
        hasher.update((here / module).read_bytes())
    for package in packages:
        spec = None
        try:
            spec = importlib.util.find_spec(package)
            stat = os.stat(spec.origin) if spec is not None and spec.origin else None
        except (ImportError, ValueError, OSError):
            stat = None
        hasher.update(f"{package}={stat and (spec.origin, stat.st_size, stat.st_mtime_ns)}".encode())  # type: ignore[union-attr]
    return hasher.hexdigest()


def load_store(path: Path | None, key: str) -> dict:
    """A store written by `save_store` with the same key; empty when absent, damaged or stale."""
    if path is None:
        return {}
    try:
        stored = pickle.loads(path.read_bytes())  # noqa: S301 - the build cache is the build's own
    except Exception:  # noqa: BLE001 - a damaged or foreign file is an empty store
        return {}
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("data"), dict):
        return {}
    return stored["data"]


def save_store(path: Path, key: str, data: dict) -> None:
    """Write a store (plain tuples, dicts, strings and numbers) in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(pickle.dumps({"key": key, "data": data}, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(path)
