"""Stage 7, write atomically: a staging folder beside --out, swapped in only when complete.

A failed build leaves the previous contents of --out exactly as they were.

Creating and deleting a folder for every page costs seconds on a large site (one `mkdir` and
one `rmdir` per page), far more than rendering the few pages an edit touches. So with a build
cache the folder replaced by a build is not deleted: it becomes the *spare*, and the build after
next starts from it, rewriting only the files whose content differs and deleting the ones no
longer produced. A manifest records every file's content id with its sha1, size, modification
time and inode; a spare file counts only while its stat, its size and restored modification time
(see `verified`), or failing that its content, still match, so a file changed by hand is never
trusted and a folder restored from CI's cache is, without reading it.

Listing every folder of the spare to find stray files cost more than the rest of the check, so a
folder's listing is remembered with its inode, modification and change times (`FOLDERS_FILES`, in
the build cache): adding, removing or renaming an entry moves a folder's change time, which no
tool can set back, so a folder whose stat is unchanged holds exactly the names it held. Only the
folders whose stat changed are listed again; every file is still checked by its stat.

That check still lstats every file (0.2 s at 10,000 documents, 0.5 s after a restore by CI, which
lists every folder again), so a build starts it in a forked child before it checks the site
(`SpareCheck`): the child checks the spare where it lies in the cache and hands back what it
found, and the build takes that when it needs the staging folder, or checks the spare itself
when the child's answer is missing or was made from another manifest.

--out is guarded before anything is written (`check_out`): it may not be, hold or sit inside the
site's inputs or the build cache, may not be a symbolic link, and an existing folder is replaced
only when disclose wrote it. One build at a time may write an output folder (`locked`). The
build deletes only inside folders it created (its staging and swap folders, named after --out);
what a killed build left of them is removed by the next one, never an obstacle.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import pickle
import re
import shutil
import signal
import stat as stat_module
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .file_digests import RACY_NS  # the tick of the coarsest file-system clock (FAT: 2 s)
from .forking import threads

if sys.platform != "win32":  # no fcntl on Windows: builds there take no lock
    import fcntl

# output path -> [content id, sha1 of the bytes, size, mtime_ns, inode]; a key ending in "/" is a
# folder written as one unit (a search bundle): its sha1 covers every file in it, its "size" is a
# digest of its files' names, sizes and times (`unit_stat`), its time and inode its UNIT_MARKER's.
Manifest = dict[str, list]
UNIT_MARKER = "pagefind-entry.json"

# folder ("" for the top, else its path ending in "/") -> (inode, mtime_ns, ctime_ns, device, names):
# the names a folder held when its stat was that (a folder's name ends in "/").
Folders = dict[str, tuple]
FOLDERS_FILES = {"out": "out-folders.pickle", "spare": "spare-folders.pickle"}  # in the build cache folder


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def sha1_of(path: Path) -> str:
    """The sha1 of a file, or of a unit folder's file names and contents."""
    if not path.is_dir():
        return digest(path.read_bytes())
    files: list[tuple[tuple[str, ...], str]] = []  # (path parts, as pathlib sorts them; full path)
    folders: list[tuple[tuple[str, ...], str]] = [((), os.fspath(path))]
    while folders:
        parts, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(((*parts, entry.name), entry.path))
                elif entry.is_file():
                    files.append(((*parts, entry.name), entry.path))
    hasher = hashlib.sha1()
    for parts, full in sorted(files):
        hasher.update("/".join(parts).encode() + b"\0")
        with open(full, "rb") as handle:
            hasher.update(handle.read())
    return hasher.hexdigest()


def unit_stat(path: str | Path) -> tuple[str, os.stat_result]:
    """What stands for a unit folder's size in its record: a digest of the name, size and
    modification time of every file in it, so that a file added, removed or written anew there
    (the spare is the live output a deploy step may have changed) is not trusted on the stat of
    its marker; and the marker's stat (its inode and time). Stat calls only, no file is read."""
    marker = os.stat(os.path.join(path, UNIT_MARKER))
    hasher = hashlib.sha1()
    found: list[tuple[str, int, int]] = []
    folders = [("", os.fspath(path))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    status = entry.stat(follow_symlinks=False)
                    found.append((prefix + entry.name, status.st_size, status.st_mtime_ns))
    for name, size, mtime in sorted(found):
        hasher.update(f"{name}\0{size}\0{mtime}\0".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest(), marker


def verified(path: str | Path, record: list, unit: bool = False, stat: os.stat_result | None = None) -> list | None:
    """The record of the file or unit folder at `path`, with its current stat, if its content is
    what the manifest `record` says (for a unit folder, the stat is its UNIT_MARKER's).

    Three answers, cheapest first:

    - the stat is the recorded one (size, modification time, inode): the file the build left;
    - size and modification time are the recorded ones, the inode is not, and the status changed
      at least RACY_NS after the modification time: the build's file put back by a tool that
      keeps modification times (a restore of CI's cache: `tar -x`, as `actions/cache` does; `cp
      -p`, `rsync -t`). This is rsync's quick check and make's rule: a write moves the
      modification time to the present, so an edited file never shows the recorded one (what a
      tool copies it from keeps its own), and the status-change condition refuses a file written
      anew in the same tick of a coarse file-system clock as the build's (its status and
      modification times are then that one tick). The output, the spare and the cache that
      records them are the build's own folders: only a deliberate `touch -d`/`os.utime` to the
      recorded nanosecond after a same-size edit could pass, as it could pass a check of the
      inode too for an edit in place. A unit folder's size is `unit_stat`'s digest of its files'
      names, sizes and times, its time and inode its marker's.
    - otherwise the sha1 of the content (the whole folder's for a unit) decides.

    What this trusts is only whether a reused file is the build's own earlier output; the egress
    check still scans reused files whenever what it looks for changed (`pipeline`).
    """
    size: str | int
    try:
        if unit:  # every file's size and time (a file added, removed or rewritten), the marker's stat
            size, stat = unit_stat(path)
        else:
            stat = stat or os.stat(path)
            size = stat.st_size
    except OSError:
        return None
    now = [record[0], record[1], size, stat.st_mtime_ns, stat.st_ino]
    if now[2:] == record[2:]:
        return record
    if now[2:4] == record[2:4] and stat.st_ctime_ns - stat.st_mtime_ns >= RACY_NS:
        return now
    if not unit and stat.st_size != record[2]:
        return None
    return now if sha1_of(Path(path)) == record[1] else None


@dataclass
class Staging:
    """The folder a build writes into, and what it already holds (from the spare)."""

    root: Path
    present: Manifest = field(default_factory=dict)  # what is there and verified
    written: Manifest = field(default_factory=dict)  # this build's; records may lack their stat yet
    folders: Folders = field(default_factory=dict)  # listings of the folders as verified, unchanged since

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

    def unchanged_folders(self) -> Folders:
        """The listings of `folders` that no file written or deleted since has changed. (One
        missed here costs a listing next time, never a stray file: its change time moved.)"""
        changed: set[str] = set()
        present = self.present
        moved = [rel for rel, record in self.written.items() if present.get(rel) != record]
        for rel in [*moved, *(present.keys() - self.written.keys())]:
            folder = rel.rstrip("/")
            while folder:  # its folder changed, and each folder above it made or emptied
                folder = folder.rpartition("/")[0]
                key = folder + "/" if folder else ""
                changed.add(key)
                if key in self.folders:
                    break
        return {folder: listing for folder, listing in self.folders.items() if folder not in changed}

    def manifest(self) -> Manifest:
        """Every file's record; only files new in the staging folder need a stat."""
        manifest = {}
        for rel, record in self.written.items():
            if len(record) < 5:
                path = self.root / rel.rstrip("/")
                size: str | int
                if rel.endswith("/"):
                    size, stat = unit_stat(path)
                else:
                    stat = path.stat()
                    size = stat.st_size
                record = [record[0], record[1] or sha1_of(path), size, stat.st_mtime_ns, stat.st_ino]
            manifest[rel] = record
        return manifest


class OutputError(Exception):
    """--out cannot be used safely (a usage error: exit status 2)."""


OUTPUT_MARK = "pagefind/bundles.json"  # every output disclose writes has it
INPUTS = ("content", "templates", "reports", "site.yaml", ".git")


def _absolute(path: Path) -> Path:
    """`path` made absolute with its parent folders' links resolved (not its own last part)."""
    path = path.absolute()
    return path.parent.resolve() / path.name


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def _apart_from_inputs(site: Path, path: Path, option: str) -> None:
    """Refuse a folder the build writes and deletes in (--out, --cache) when it is, holds or sits
    inside the site folder's inputs (a cache may sit in the site folder, as .disclose-cache/ does)."""
    target, site_abs = _absolute(path), site.resolve()
    if target == site_abs or site_abs.is_relative_to(target):
        raise OutputError(f"{option} {path} 会覆盖站点目录本身；请指定单独的目录，如 public/")
    for name in INPUTS:
        given = site / name
        for place in {_absolute(given), given.resolve()}:
            if _overlap(target, place):
                raise OutputError(f"{option} {path} 与站点的输入 {name} 重叠，构建会毁掉它；请指定单独的目录")


def check_out(site: Path, out: Path, cache: Path | None = None) -> None:
    """Refuse an --out the build could not replace without destroying something else."""
    if out.is_symlink():
        raise OutputError(
            f"--out {out} 是符号链接（指向 {os.readlink(out)}）；为免删除站点以外的文件，请直接指定实际目录"
        )
    target = _absolute(out)
    _apart_from_inputs(site, out, "--out")
    if cache is not None:
        _apart_from_inputs(site, cache, "--cache")
        for place in (cache, *cache.parents):
            if place.exists() and not place.is_dir():
                raise OutputError(f"--cache {cache}：{place} 不是目录；请指定一个目录")
        cache_abs = _absolute(cache)
        if _overlap(target, cache_abs) or _overlap(target, cache.resolve()):
            raise OutputError(f"--out {out} 与构建缓存 {cache} 重叠；请把两者分开（缓存不能放在输出目录里）")
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputError(f"--out {out} 已存在且不是目录；请指定一个目录")
        if not (target / OUTPUT_MARK).is_file() and any(target.iterdir()):
            raise OutputError(
                f"--out {out} 已存在、不是空目录，也不是 disclose 生成的网站；为免误删其中的文件，请指定新目录或空目录"
            )
        if not os.access(target, os.W_OK | os.X_OK):
            raise OutputError(f"--out {out} 不可写；请修改目录权限或指定其他输出目录")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"无法在 {parent} 中写入（--out {out}）；请修改目录权限或指定其他输出目录")


class OutputBusy(RuntimeError):
    """Another build is writing the same output folder."""


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """One build at a time per output folder: a lock file beside it, removed when done.

    The lock is taken on an open file; the path is checked to still name that file afterwards,
    so a build that opened a lock file just as its holder removed it does not run beside a third.
    """
    target = _absolute(out)
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = beside(target, "lock")
    handle = lock.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(str(out)) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            raise OutputBusy(str(out))
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
    finally:
        handle.close()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _writable(path: str) -> None:
    try:
        mode = os.lstat(path).st_mode
        if stat_module.S_ISDIR(mode):
            os.chmod(path, mode | stat_module.S_IRWXU)
    except OSError:
        pass


def _retry(func: Callable, path: str, _exc: object) -> None:
    """rmtree's error handler: a folder we created may have been made read-only; make it and
    its parent writable again and try once more."""
    _writable(os.path.dirname(path))
    _writable(path)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def discard(path: Path) -> bool:
    """Delete a folder this build (or a killed one) created, read-only parts included; never
    raises. Returns whether it is gone."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        try:
            path.unlink()
        except OSError:
            return False
        return True
    if not path.exists():
        return True
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=_retry)
    else:  # Python 3.11
        shutil.rmtree(path, onerror=_retry)
    return not path.exists() and not path.is_symlink()


def beside(out: Path, role: str) -> Path:
    """A file or folder of the build's own beside `out` (its lock, staging, swap): named so that
    nothing an editor keeps there (`.public.old`, `.public.new-notes`) is ever taken for one."""
    return out.parent / f".{out.name}.disclose-{role}"


def staging_name(out: Path) -> str:
    """The staging folder this process gives `out` first, absolute: a name to give what a build
    starts before the folder exists, so that `_stop_orphans` finds it."""
    return str(beside(_absolute(out), f"new-{os.getpid()}"))


def _swap_folders(out: Path) -> Iterator[Path]:
    """Staging, swap and indexing folders of `out` left by any build: exactly the names builds
    give them (staging `new-PID[-N]`, its indexing folders `….index-…`, the swapped-out `old`)."""
    own = re.compile(rf"\.{re.escape(out.name)}\.disclose-(?:new-\d+(?:-\d+)?(?:\.index-.+)?|old)")
    if out.parent.is_dir():
        yield from (path for path in out.parent.iterdir() if own.fullmatch(path.name))


def _stop_orphans(out: Path) -> None:
    """Kill what a killed build started and left running on its staging folder (Pagefind runs in
    its own process group, so it outlives the build): any process whose command line names a
    staging folder of `out`, other than this process's children. Linux only (/proc); elsewhere
    such a run ends by itself."""
    marker = os.fsencode(str(beside(out, "new-")))
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "cmdline").read_bytes():
                continue
            if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == os.getpid():
                continue  # this build's own child (its warm Pagefind service), not a killed build's
            pid = int(entry.name)
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            continue


def recover(out: Path) -> None:
    """Undo what a killed build left beside `out`: stop what it left running, put back an output
    caught mid-swap, then delete the staging and swap folders. Call while holding `locked(out)`.

    Without such folders nothing is left running either (what a killed build starts runs in
    one of them, and the recovery that deleted them stopped it first), so /proc is not read."""
    out = _absolute(out)
    if not any(_swap_folders(out)):
        return
    _stop_orphans(out)
    old = beside(out, "old")
    if not out.exists() and not out.is_symlink() and old.is_dir() and not old.is_symlink():
        os.replace(old, out)
    for leftover in sorted(_swap_folders(out)):
        discard(leftover)


def _may_write(stat: os.stat_result, path: str) -> bool:
    """Whether this process may write in the folder `path` (`stat` is its lstat): the owner's
    write bit answers without a system call; otherwise ask."""
    if stat.st_uid == _EUID and stat.st_mode & stat_module.S_IWUSR:
        return True
    return os.access(path, os.W_OK)


_EUID = os.geteuid() if hasattr(os, "geteuid") else -1


def _verified(root: Path, manifest: Manifest, known: Folders | None = None) -> tuple[Manifest, Folders]:
    """What in the spare `root` is as the manifest says; anything else there is deleted, with
    the folders that leaves empty. A folder whose stat is that of its listing in `known` is not
    listed again. Returns the verified records and the listings of the folders left unchanged."""
    known = known or {}
    present: Manifest = {}
    listings: Folders = {}
    touched: set[str] = set()
    base = os.fspath(root)
    alike: dict[tuple, tuple] = {}
    recent = time.time_ns() - RACY_NS
    folders = [""]
    while folders:  # paths are joined by hand: os.path.join cost as much as the stat calls
        folder = folders.pop()
        where = f"{base}/{folder[:-1]}" if folder else base
        stat = os.lstat(where)
        if not stat_module.S_ISDIR(stat.st_mode):  # a link put in its place: never followed
            raise NotADirectoryError(errno.ENOTDIR, "not a folder in the spare output", where)
        if not _may_write(stat, where):
            raise PermissionError(errno.EACCES, "read-only folder in the spare output", where)
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_dev)
        listing = known.get(folder)
        if listing is not None and listing[:4] == signature:
            names = listing[4]
        else:
            with os.scandir(where) as entries:
                names = tuple(sorted(e.name + "/" if e.is_dir(follow_symlinks=False) else e.name for e in entries))
            names = alike.setdefault(names, names)  # one object per distinct listing: a smaller file
        prefix = where + "/"
        for name in names:
            rel = folder + name
            if name.endswith("/"):
                path = prefix + name[:-1]
                unit = manifest.get(rel)
                if unit is None:
                    folders.append(rel)
                elif now := verified(path, unit, unit=True):
                    present[rel] = now
                else:
                    shutil.rmtree(path)
                    touched.add(folder)
                continue
            path = prefix + name
            record = manifest.get(rel)
            try:
                now = verified(path, record, stat=os.lstat(path)) if record is not None else None
            except OSError:  # gone since it was listed
                touched.add(folder)
                continue
            if now:
                present[rel] = now
            else:
                os.unlink(path)
                touched.add(folder)
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < recent:
            listings[folder] = (*signature, names)
    for folder in sorted(touched, key=len, reverse=True):
        _remove_empty(root, root / folder)
        while True:  # it and the folders above it (one may have been removed) have changed
            listings.pop(folder, None)
            if not folder:
                break
            folder = folder.rstrip("/").rpartition("/")[0]
            folder = folder + "/" if folder else ""
    return present, listings


# How the child tells each record of the manifest (in its order): absent, as recorded, as
# recorded but for its inode (the number then given is the inode), or another record (sent whole).
_ABSENT, _SAME, _OTHER = -1, 0, -2


def spare_changes(manifest: Manifest, spare: Manifest) -> dict[str, list | None]:
    """The spare's manifest as its differences from the output's (`spare_of` puts it together):
    a file the output holds and the spare does not is None. Most files of both are the same hard
    link with one record, so the state file holds the records once (at 100,000 documents it was
    two manifests of 20 MB each, read by the build and by the spare's check, written every build)."""
    changes: dict[str, list | None] = {rel: None for rel in manifest if rel not in spare}
    changes.update((rel, record) for rel, record in spare.items() if manifest.get(rel) != record)
    return changes


def spare_of(state: dict) -> Manifest:
    """The spare's manifest as the cache's state file records it: in full (`spare_manifest`), or
    as its differences from the output's (`spare_changes`). Both the build and the spare's check
    put it together here, so the records come in one order for both (`SpareCheck.result`)."""
    full = state.get("spare_manifest")
    if isinstance(full, dict):
        return full
    changes, base = state.get("spare_changes"), state.get("manifest")
    if not isinstance(changes, dict) or not isinstance(base, dict):
        return {}
    spare = {rel: changes.get(rel, record) for rel, record in base.items()}
    spare.update((rel, record) for rel, record in changes.items() if rel not in base)
    return {rel: record for rel, record in spare.items() if record is not None}


def _state_stamp(status: os.stat_result) -> tuple[int, int, int, int, int]:
    """What identifies one version of the cache's state file: it is only ever replaced whole."""
    return (status.st_ino, status.st_dev, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class SpareCheck:
    """`_verified` run on the spare in a forked child, while the build reads and checks the site
    (0.2–0.5 s at 10,000 documents off the build's critical path).

    The child reads the spare's manifest from the cache's state file itself (the build has not
    opened its cache yet), checks the spare where it lies, deleting what does not match, and
    sends back which records hold and the folder listings. `result` takes that only when the
    state file is the very version the build read its own manifest from (its stat the same
    before the fork, in the child and at the end: the file is only ever replaced whole) and the
    manifest has as many records; otherwise the build checks the spare itself, as without a
    child. Deleting is all the child does, in the build's own folder while the build holds the
    cache's lock, and the child dies with the build (`PR_SET_PDEATHSIG`); it is killed and
    reaped when the build ends before taking its answer (`close`)."""

    def __init__(self, pid: int, answer: int, state: Path, stamp: tuple) -> None:
        self.pid, self.answer, self.state, self.stamp = pid, answer, state, stamp
        self.done = False

    @classmethod
    def start(cls, spare: Path, state: Path) -> SpareCheck | None:
        """Fork the child, when there is a spare to check, a core for it and no other thread
        (see `forking`); None otherwise."""
        if not hasattr(os, "fork") or _workers() < 2 or threads() > 1:
            return None
        try:
            if not stat_module.S_ISDIR(os.lstat(spare).st_mode):
                return None
            stamp = _state_stamp(os.stat(state))
            answer = _answer_file()
        except OSError:
            return None
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no room for a process: the build checks the spare itself
            os.close(answer)
            return None
        if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
            status = 1
            try:
                _die_with(parent)
                view = memoryview(_check_spare(spare, state))
                while view:
                    view = view[os.write(answer, view) :]
                status = 0
            finally:  # any failure: no answer, the build checks the spare itself
                os._exit(status)
        return cls(pid, answer, state, stamp)

    def result(self, manifest: Manifest) -> tuple[Manifest, Folders] | None:
        """Wait for the child; what it verified of `manifest` (the build's record of the spare)
        and the listings of the folders it left unchanged, or None (check the spare here)."""
        try:
            _, status = os.waitpid(self.pid, 0)
            self.done = True  # reaped
            data = os.pread(self.answer, os.fstat(self.answer).st_size, 0) if status == 0 else b""
            stamp, count, codes, others, listings = pickle.loads(data)  # noqa: S301 - our child's
            now = _state_stamp(os.stat(self.state))
        except Exception:  # noqa: BLE001 - no answer, or an unreadable one
            return None
        finally:
            self.close()
        if stamp != self.stamp or now != self.stamp or count != len(manifest):
            return None
        present: Manifest = {}
        for (rel, record), code in zip(manifest.items(), array("q", codes), strict=True):
            if code == _SAME:
                present[rel] = record
            elif code > 0:
                present[rel] = [*record[:4], code]
            elif code == _OTHER:
                present[rel] = others[rel]
        return present, listings

    def close(self) -> None:
        """Stop the child if it still runs, and reap it."""
        with contextlib.suppress(OSError):
            os.close(self.answer)
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)


def _answer_file() -> int:
    """A file without a name for the child's answer: written whole, then read once it exits (a
    pipe would have it wait on the build for every 64 KB)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("disclose-spare-check", os.MFD_CLOEXEC)
    with tempfile.TemporaryFile() as handle:
        return os.dup(handle.fileno())


def _die_with(parent: int) -> None:  # pragma: no cover - runs in the child
    """Have the kernel kill this child when the build that forked it dies (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(AttributeError, OSError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that took effect
        os._exit(1)


def _check_spare(spare: Path, state: Path) -> bytes:  # pragma: no cover - runs in the child
    """The child's work (`SpareCheck`): the answer, pickled."""
    with open(state, "rb") as handle:
        stamp = _state_stamp(os.fstat(handle.fileno()))
        manifest = spare_of(orjson.loads(handle.read()))
    if not isinstance(manifest, dict) or not manifest:
        return b""
    present, listings = _verified(spare, manifest, _load_listings(spare))
    codes = array("q")
    others: Manifest = {}
    for rel, record in manifest.items():
        now = present.get(rel)
        if now is None:
            codes.append(_ABSENT)
        elif now == record:
            codes.append(_SAME)
        elif now[:4] == record[:4] and isinstance(now[4], int) and now[4] > 0:
            codes.append(now[4])
        else:
            codes.append(_OTHER)
            others[rel] = now
    return pickle.dumps((stamp, len(manifest), codes.tobytes(), others, listings), protocol=pickle.HIGHEST_PROTOCOL)


def _remove_empty(root: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to `root` while they are empty."""
    for path in (folder, *folder.parents):
        if path == root or not path.is_dir() or any(path.iterdir()):
            return
        path.rmdir()


def _fresh(out: Path) -> Path:
    """A staging path beside `out` that no other build uses (leftovers are the next one's to delete)."""
    number = 0
    while True:
        path = beside(out, f"new-{os.getpid()}{f'-{number}' if number else ''}")
        if not path.exists() and not path.is_symlink():
            return path
        number += 1


def _staging(out: Path, spare: Path | None, spare_manifest: Manifest, early: SpareCheck | None = None) -> Staging:
    """The staging folder: the spare when there is one, its content checked (by `early` when
    that answers), else a new folder."""
    checked = early.result(spare_manifest) if early is not None else None  # the child is done with the spare
    staging = _fresh(out)
    if spare is not None and (spare.exists() or spare.is_symlink()):
        if spare_manifest and spare.is_dir() and not spare.is_symlink():
            try:
                os.replace(spare, staging)
            except OSError:  # the cache is on another file system
                pass
            else:
                if checked is not None:
                    return Staging(staging, checked[0], folders=checked[1])
                try:
                    present, listings = _verified(staging, spare_manifest, _load_listings(spare))
                    return Staging(staging, present, folders=listings)
                except OSError:  # parts of it made read-only: start afresh
                    discard(staging)
        discard(spare)
    staging.mkdir()
    return Staging(staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so `b` never goes
    missing; False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _swap(staging: Path, out: Path) -> Path | None:
    """Put `staging` in place of `out`; returns where the replaced output now is (or None)."""
    if not out.exists():
        os.replace(staging, out)
        return None
    if _exchange(staging, out):
        return staging
    old = beside(out, "old")
    discard(old)
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(old, out)
        raise
    return old


def _retire(old: Path, spare: Path | None) -> bool:
    """Keep the replaced output as the next spare, or delete it. Returns whether it was kept."""
    if spare is not None:
        try:
            discard(spare)
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, spare)
            return True
        except OSError:
            pass
    discard(old)
    return False


def write_atomically(
    out: Path,
    fill: Callable[[Staging], None],
    spare: Path | None = None,
    spare_manifest: Manifest | None = None,
    early: SpareCheck | None = None,
) -> tuple[Manifest, bool]:
    """Let `fill` write the whole site into a staging folder, then replace `out` with it.

    With `spare` (a folder in the build cache), the staging folder starts as that spare and the
    replaced output becomes the new spare; `early` is the spare's check if started (`SpareCheck`).
    Returns the new output's manifest, and whether the replaced output was kept as the spare.
    Call while holding `locked(out)`.
    """
    out = _absolute(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = _staging(out, spare, spare_manifest or {}, early)
    try:
        fill(staging)
        staging.prune()
        manifest = staging.manifest()
        unchanged = staging.unchanged_folders()
        old = _swap(staging.root, out)
    except BaseException:
        discard(staging.root)
        raise
    kept = _retire(old, spare) if old is not None else False
    _keep_listings(spare, unchanged, kept)
    return manifest, kept


def _listings(spare: Path | None, role: str) -> Path | None:
    return spare.parent / FOLDERS_FILES[role] if spare is not None else None


def _load_listings(spare: Path | None) -> Folders:
    """The folder listings of the spare output. Each is trusted only while its folder's stat is
    unchanged, so a stale or mixed-up file (a killed build) costs listings, never a stray file."""
    path = _listings(spare, "spare")
    if path is None:
        return {}
    try:
        listings = pickle.loads(path.read_bytes())  # noqa: S301 - the cache's own file
    except Exception:  # noqa: BLE001 - absent or damaged: list every folder
        return {}
    return listings if isinstance(listings, dict) else {}


def _keep_listings(spare: Path | None, unchanged: Folders, kept: bool) -> None:
    """The listings of the new output; those of the replaced one go with it to the spare."""
    out, spare_file = _listings(spare, "out"), _listings(spare, "spare")
    if out is None or spare_file is None:
        return
    with contextlib.suppress(OSError):  # a missing file costs listings next time, nothing else
        if kept and out.exists():
            os.replace(out, spare_file)
        else:
            spare_file.unlink(missing_ok=True)
        temporary = out.with_name(out.name + ".tmp")
        temporary.write_bytes(pickle.dumps(unchanged, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, out)
