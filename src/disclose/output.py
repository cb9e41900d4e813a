"""Stage 7, write atomically: a staging folder beside --out, swapped in only when complete.

A failed build leaves the previous contents of --out exactly as they were.

Creating and deleting a folder for every page costs seconds on a large site (one `mkdir` and
one `rmdir` per page), far more than rendering the few pages an edit touches. So with a build
cache the folder replaced by a build is not deleted: it becomes the *spare*, and the build after
next starts from it, rewriting only the files whose content differs and deleting the ones no
longer produced. A manifest records every file's content id with its sha1, size, modification
time and inode; a spare file counts only while its stat, or failing that its content, still
matches, so a file changed by hand is never trusted and a folder restored from CI's cache is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# output path -> [content id, sha1 of the bytes, size, mtime_ns, inode]; a key ending in "/" is a
# folder written as one unit (a search bundle): its sha1 covers every file in it and its stat is
# that of its UNIT_MARKER.
Manifest = dict[str, list]
UNIT_MARKER = "pagefind-entry.json"


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def sha1_of(path: Path) -> str:
    """The sha1 of a file, or of a unit folder's file names and contents."""
    if not path.is_dir():
        return digest(path.read_bytes())
    hasher = hashlib.sha1()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        hasher.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    return hasher.hexdigest()


def verified(path: str | Path, record: list, unit: bool = False, stat: os.stat_result | None = None) -> list | None:
    """The record of the file or unit folder at `path`, with its current stat, if its content is
    what the manifest `record` says. The stat (given, or read here) answers at once when it
    matches; after a copy or a restore from CI's cache (new inodes and times) the content does."""
    if stat is None:
        try:
            stat = os.stat(os.path.join(path, UNIT_MARKER) if unit else path)
        except OSError:
            return None
    now = [record[0], record[1], stat.st_size, stat.st_mtime_ns, stat.st_ino]
    if now[2:] == record[2:]:
        return record
    if not unit and stat.st_size != record[2]:
        return None
    return now if sha1_of(Path(path)) == record[1] else None


@dataclass
class Staging:
    """The folder a build writes into, and what it already holds (from the spare)."""

    root: Path
    present: Manifest = field(default_factory=dict)  # what is there and verified
    written: Manifest = field(default_factory=dict)  # this build's; records may lack their stat yet

    def holds(self, rel: str, content_id: str) -> bool:
        """True if `rel` already has this content; it is then kept as it is."""
        record = self.present.get(rel)
        if record is not None and record[0] == content_id:
            self.written[rel] = record
            return True
        return False

    def clear(self, rel: str, content_id: str, record: list | None = None) -> Path:
        """Make room for new content at `rel`; returns its path. `record` is the manifest record
        of what will be there when known (a hard link to a recorded file). Files are never
        written in place: a spare file may be a hard link shared with the live output."""
        self.written[rel] = record or [content_id, None]
        target = self.root / rel.rstrip("/")
        if rel in self.present:
            _remove(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, rel: str, content_id: str, data: bytes, sha1: str | None = None) -> None:
        self.clear(rel, content_id, [content_id, sha1 or digest(data)]).write_bytes(data)

    def put(self, rel: str, data: bytes) -> None:
        """Bytes whose content id is their own sha1 (anything but a rendered page)."""
        sha1 = digest(data)
        if not self.holds(rel, sha1):
            self.write(rel, sha1, data, sha1)

    def prune(self) -> None:
        """Delete what the spare held that this build does not produce, and emptied folders."""
        for rel in self.present.keys() - self.written.keys():
            path = self.root / rel.rstrip("/")
            _remove(path)
            _remove_empty(self.root, path.parent)

    def manifest(self) -> Manifest:
        """Every file's record; only files new in the staging folder need a stat."""
        manifest = {}
        for rel, record in self.written.items():
            if len(record) < 5:
                path = self.root / rel.rstrip("/")
                stat = (path / UNIT_MARKER if rel.endswith("/") else path).stat()
                record = [record[0], record[1] or sha1_of(path), stat.st_size, stat.st_mtime_ns, stat.st_ino]
            manifest[rel] = record
        return manifest


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _verified(root: Path, manifest: Manifest) -> Manifest:
    """What in the spare `root` is as the manifest says; anything else there is deleted, with
    the folders that leaves empty."""
    present: Manifest = {}
    touched: set[str] = set()
    folders = [""]
    while folders:
        folder = folders.pop()
        with os.scandir(root / folder) as entries:
            for entry in entries:
                rel = folder + entry.name
                if entry.is_dir(follow_symlinks=False):
                    unit = manifest.get(rel + "/")
                    if unit is None:
                        folders.append(rel + "/")
                    elif now := verified(entry.path, unit, unit=True):
                        present[rel + "/"] = now
                    else:
                        shutil.rmtree(entry.path)
                        touched.add(folder)
                    continue
                record = manifest.get(rel)
                if record is not None and (now := verified(entry.path, record, stat=entry.stat(follow_symlinks=False))):
                    present[rel] = now
                else:
                    os.unlink(entry.path)
                    touched.add(folder)
    for folder in sorted(touched, key=len, reverse=True):
        _remove_empty(root, root / folder)
    return present


def _remove_empty(root: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to `root` while they are empty."""
    for path in (folder, *folder.parents):
        if path == root or not path.is_dir() or any(path.iterdir()):
            return
        path.rmdir()


def _staging(out: Path, spare: Path | None, spare_manifest: Manifest) -> Staging:
    staging = out.parent / f".{out.name}.new"
    if staging.exists():  # left by a build that was killed
        shutil.rmtree(staging)
    if spare is not None and spare.is_dir():
        if spare_manifest:
            try:
                os.replace(spare, staging)
            except OSError:  # the cache is on another file system
                pass
            else:
                return Staging(staging, _verified(staging, spare_manifest))
        shutil.rmtree(spare)
    staging.mkdir(parents=True)
    return Staging(staging)


def _retire(old: Path, spare: Path | None) -> None:
    """Keep the replaced output as the next spare, or delete it."""
    if spare is not None:
        try:
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, spare)
            return
        except OSError:
            pass
    shutil.rmtree(old, ignore_errors=True)


def write_atomically(
    out: Path,
    fill: Callable[[Staging], None],
    spare: Path | None = None,
    spare_manifest: Manifest | None = None,
) -> tuple[Manifest, bool]:
    """Let `fill` write the whole site into a staging folder, then replace `out` with it.

    With `spare` (a folder in the build cache), the staging folder starts as that spare and the
    replaced output becomes the new spare. Returns the new output's manifest, and whether the
    replaced output was kept as the spare.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _staging(out, spare, spare_manifest or {})
    old = out.parent / f".{out.name}.old"
    try:
        fill(staging)
        staging.prune()
        manifest = staging.manifest()
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            os.replace(out, old)
        os.replace(staging.root, out)
    except BaseException:
        shutil.rmtree(staging.root, ignore_errors=True)
        if old.exists() and not out.exists():
            os.replace(old, out)
        raise
    kept = False
    if old.exists():
        _retire(old, spare)
        kept = spare is not None and spare.is_dir()
    return manifest, kept
