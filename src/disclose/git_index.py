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
  limit, is checked on the file's current size.

Without git, outside a work tree, or on any git error or timeout, nothing is vouched for and every
file whose stat changed is read and hashed as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from .history import GitError, in_repository, run_git

PLAIN = (b"100644", b"100755")  # a regular file (not a link, not a submodule)
CONVERTING = ("filter", "ident", "working-tree-encoding")  # what changes the bytes beyond line endings
HARMLESS = (b"unspecified", b"unset")


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (`git hash-object`)."""
    hasher = hashlib.sha1(b"blob %d\0" % len(data))
    hasher.update(data)
    return hasher.hexdigest()


def unchanged(site: Path, paths: Iterable[str]) -> dict[str, str]:
    """Site-relative path -> index blob id, for each of `paths` (under content/) whose work-tree
    bytes git vouches are its index blob's (see the module's docstring); {} without git."""
    wanted = set(paths)
    if not wanted or not in_repository(site):
        return {}
    try:
        listed = run_git(site, "ls-files", "-z", "--stage", "--cached", "--modified", "-t", "-v", "--", "content")
        blobs = _clean(listed or b"", wanted)
        if not blobs:
            return {}
        names = [path.encode("utf-8", "surrogateescape") for path in blobs]
        attributes = run_git(site, "check-attr", "-z", "--stdin", *CONVERTING, stdin=b"\0".join(names) + b"\0")
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
