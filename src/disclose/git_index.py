"""Which content files git vouches for, so a fresh checkout is not read again (CI).

A fresh clone gives every file a new inode and new times, so no stat recorded in the build cache
matches and every content file would be read and hashed again. Git already knows what each
tracked file holds: its index records a blob id per file, and `git ls-files -m` lists the tracked
files whose work-tree content differs from the index (git compares stats it recorded itself when
it wrote the file, and reads the file when they do not settle it, racily clean files included).
The source cache records each file's git blob id, computed from the very bytes it parsed
(`blob_id`), so a tracked file that git does not list as modified and whose index blob id is the
recorded one holds those bytes: its cached parse is kept without reading it.

What is trusted, and why it is safe:

- git's own view of the work tree, as `git status` shows it: the index and git's stat checks.
  Files git is told to skip (`assume-unchanged`, `skip-worktree`), conflicted files and anything
  but a plain file (links, submodules) are not vouched for; they are read as before.
- that the work-tree bytes are the blob's. Git converts between the two only through attributes
  (`filter`, `ident`, `working-tree-encoding`: asked of git for each file with `git check-attr`,
  which reads every attributes file there is: .gitattributes anywhere, info/attributes, the user's
  and the system's) and through line-ending conversion (`core.autocrlf`, `text`, `eol`). A file
  with a converting attribute is read as before. Line endings are not checked: reading a source
  turns CRLF and CR into LF before anything is parsed (`frontmatter.decode`), so bytes that
  differ only in line endings give the same source; the one other use of the bytes, the size
  limit, is checked on the file's current size. Attachments are published byte for byte, so for
  them (`exact`) a file git may convert line endings of is not vouched for either: one with a
  `text`, `eol` or `crlf` attribute (unless unset, as `binary` does), or any under core.autocrlf.

How git's view is read: git's index file itself, when the caller has the files' stats (`load`
has them from its walk). Each index entry records the stat git took of the file when it last
knew its bytes to be the entry's blob (writing or hashing it), and `git status` trusts a file
whose stat is still that one. So does `_from_index`, never further than git: every recorded
field must match (change and modification times to the nanosecond, where git built without
USE_NSEC compares whole seconds; device, inode, owner, group, size), the entry must be a plain
file at stage 0 with no flag telling git to skip it, and it must be older than the index file
itself (git's "racily clean" rule: a file changed in the same tick as the index was written could
keep its stat; git empties the recorded size of such an entry when it writes the index again).
An index git could read differently (split or sparse, another hash, a checksum that does not
match, anything not understood) is not parsed: `git ls-files --modified` answers instead, as it
does without stats. That costs a second stat of every file, in git, and its output read back (a
tenth of a second at 10,000 files).

Without git, outside a work tree, or on any git error or timeout, nothing is vouched for and every
file whose stat changed is read and hashed as before.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path

from .history import GitError, in_repository, run_git

PLAIN = (b"100644", b"100755")  # a regular file (not a link, not a submodule)
MODES = (0o100644, 0o100755)  # the same, as the index records it
ENTRY = struct.Struct(">10I20sH")  # ctime s, ns, mtime s, ns, dev, ino, mode, uid, gid, size, blob id, flags
WORD = 0xFFFFFFFF  # the index keeps the low 32 bits of each stat field
STAGE, ASSUMED, EXTENDED, NAME = 0x3000, 0x8000, 0x4000, 0xFFF  # entry flags
SKIPPED = 0x4000 | 0x2000  # extended flags: skip-worktree, intent-to-add
EMPTY = bytes.fromhex("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")  # the empty blob's id
FOREIGN = (b"link", b"sdir")  # split index, sparse index: the entries are not all in this file
CONVERTING = ("filter", "ident", "working-tree-encoding")  # what changes the bytes beyond line endings
LINE_ENDINGS = ("text", "eol", "crlf")  # what may convert line endings (with core.autocrlf, below)
HARMLESS = (b"unspecified", b"unset")
NO = (b"", b"false", b"no", b"off", b"0")  # core.autocrlf values that convert nothing


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (`git hash-object`)."""
    hasher = hashlib.sha1(b"blob %d\0" % len(data))
    hasher.update(data)
    return hasher.hexdigest()


def unchanged(
    site: Path, paths: Iterable[str], stats: Mapping[str, os.stat_result] | None = None, exact: bool = False
) -> dict[str, str]:
    """Site-relative path -> index blob id, for each of `paths` (under content/) whose work-tree
    bytes git vouches are its index blob's (see the module's docstring); {} without git. With
    `stats` (each path's lstat, taken now) git's index is read directly. With `exact` (files whose
    bytes are used as they are: attachments) a file git may convert line endings of is refused
    too: any `text`, `eol` or `crlf` attribute but unset, or all of them under core.autocrlf."""
    wanted = set(paths)
    if not wanted or not in_repository(site):
        return {}
    try:
        if exact and (run_git(site, "config", "--get", "core.autocrlf") or b"").strip().lower() not in NO:
            return {}
        blobs = _from_index(site, wanted, stats) if stats is not None else None
        if blobs is None:
            listed = run_git(site, "ls-files", "-z", "--stage", "--cached", "--modified", "-t", "-v", "--", "content")
            blobs = _clean(listed or b"", wanted)
        if not blobs:
            return {}
        names = [path.encode("utf-8", "surrogateescape") for path in blobs]
        asked = CONVERTING + LINE_ENDINGS if exact else CONVERTING
        attributes = run_git(site, "check-attr", "-z", "--stdin", *asked, stdin=b"\0".join(names) + b"\0")
    except GitError:
        return {}
    if attributes is None:
        return {}
    fields = attributes.split(b"\0")
    for at in range(0, len(fields) - 2, 3):
        if fields[at + 2] not in HARMLESS:
            blobs.pop(fields[at].decode("utf-8", "surrogateescape"), None)
    return blobs


def _clean(listed: bytes, wanted: set[str]) -> dict[str, str]:
    """The files of `git ls-files -z -s -c -m -t -v` output (paths relative to the site) tagged
    only `H`: cached, a plain file at stage 0, not modified (`C`), not conflicted (`M`), not
    skip-worktree (`S`) nor assume-unchanged (a lowercase tag)."""
    blobs: dict[str, str] = {}
    refused: set[str] = set()
    for record in listed.split(b"\0"):
        head, tab, name = record.partition(b"\t")
        if not tab:
            continue
        path = name.decode("utf-8", "surrogateescape")
        if path not in wanted:
            continue
        parts = head.split(b" ")
        if len(parts) == 4 and parts[0] == b"H" and parts[1] in PLAIN and parts[3] == b"0" and path not in blobs:
            blobs[path] = parts[2].decode("ascii")
        else:
            refused.add(path)
    for path in refused:
        blobs.pop(path, None)
    return blobs


def _from_index(site: Path, wanted: set[str], stats: Mapping[str, os.stat_result]) -> dict[str, str] | None:
    """What `git ls-files --modified` would vouch for among `wanted`, from git's index file and
    the files' `stats` (see the module's docstring); None when the index is not one this reads."""
    where = run_git(
        site, "rev-parse", "--is-inside-work-tree", "--show-object-format", "--git-path", "index", "--show-prefix"
    )
    lines = (where or b"").split(b"\n")
    if len(lines) < 4 or lines[0] != b"true" or lines[1] != b"sha1" or not lines[2]:
        return None
    prefix = lines[3].decode("utf-8", "surrogateescape")
    try:
        with open(os.path.join(site, lines[2].decode("utf-8", "surrogateescape")), "rb") as handle:
            written = os.fstat(handle.fileno())
            data = handle.read()
    except OSError:
        return None
    try:
        return _entries(data, written.st_mtime_ns, prefix, wanted, stats)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError):
        return None


def _entries(
    data: bytes, written: int, prefix: str, wanted: set[str], stats: Mapping[str, os.stat_result]
) -> dict[str, str] | None:
    """Parse an index file (versions 2 to 4, gitformat-index(5)): the blob id of each wanted path
    (`prefix` + path) whose entry git would trust for the file's stat now; `written` is the index
    file's modification time (ns)."""
    if len(data) < 32 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4) or data[-20:] not in (hashlib.sha1(data[:-20]).digest(), bytes(20)):
        return None  # another format, or not the bytes git wrote (all zeros: index.skipHash)
    blobs: dict[str, str] = {}
    refused: set[str] = set()
    unpack, end, second = ENTRY.unpack_from, len(data) - 20, 10**9
    top, cut = prefix.encode("utf-8", "surrogateescape"), len(prefix.encode("utf-8", "surrogateescape"))
    at, name, start = 12, b"", 0
    for _ in range(count):
        flags = data[at + 60] << 8 | data[at + 61]
        start, extended = at + 62, 0
        if flags & EXTENDED:
            if version < 3:
                return None
            extended, start = data[start] << 8 | data[start + 1], start + 2
        if version == 4:  # the name is the previous one, cut by a varint, and a NUL-ended suffix
            byte = data[start]
            drop, start = byte & 0x7F, start + 1
            while byte & 0x80:
                byte = data[start]
                drop, start = ((drop + 1) << 7) | (byte & 0x7F), start + 1
            stop = data.index(b"\0", start)
            if drop > len(name):
                return None
            name, following = name[: len(name) - drop] + data[start:stop], stop + 1
        else:
            stop = data.index(b"\0", start) if flags & NAME == NAME else start + (flags & NAME)
            name, following = data[start:stop], at + ((stop - at + 8) & ~7)  # NUL-padded to 8 bytes
        if following > end:
            return None
        path = name[cut:].decode("utf-8", "surrogateescape") if name.startswith(top) else ""
        if path in wanted:
            status = stats.get(path)
            ctime_s, ctime_ns, mtime_s, mtime_ns, dev, ino, mode, uid, gid, size, blob, _ = unpack(data, at)
            if flags & (STAGE | ASSUMED) or extended & SKIPPED or mode not in MODES or status is None:
                refused.add(path)
            elif (
                mtime_s * second + mtime_ns < written  # else racily clean: git itself would read the file
                and mtime_s * second + mtime_ns == status.st_mtime_ns
                and ctime_s * second + ctime_ns == status.st_ctime_ns
                and size == status.st_size & WORD
                and (size or blob == EMPTY)  # else an entry git emptied as racily clean: it reads the file
                and ino == status.st_ino & WORD
                and dev == status.st_dev & WORD
                and uid == status.st_uid & WORD
                and gid == status.st_gid & WORD
            ):
                if path in blobs:
                    refused.add(path)
                blobs[path] = blob.hex()
        at = following
    while at < end:  # the extensions: refuse the index if some of its entries live elsewhere
        signature, length = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "big")
        if signature in FOREIGN:
            return None
        at += 8 + length
    if at != end:
        return None
    for path in refused:
        blobs.pop(path, None)
    return blobs
