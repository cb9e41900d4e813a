"""修订记录 from git: when each item changed, with the public change note a commit gives.

A commit gives a note with a line `公开说明：…` (or `Change-note: …`) in its message. A revision
is listed only if the item was public in that version (not withheld, on request, a draft or
embargoed at the commit's date); a note is shown only when every content file the commit touched
was public then, so no note can speak of something that is not public.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .file_digests import code_key, load_store, save_store
from .frontmatter import parse_yaml
from .model import Source

NOTE = re.compile(r"^(?:公开说明|Change-note)\s*[:：]\s*(.+)$", re.MULTILINE)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
SHA = re.compile(rb"[0-9a-f]{40}")
GIT_SECONDS = 120  # one git command; a repository that takes longer is reported, not waited on


@dataclass(frozen=True)
class Revision:
    day: date
    note: str | None


@dataclass(frozen=True)
class Commit:
    """One commit that touched content/: its public note and the blobs of the files it left."""

    sha: str
    day: date
    note: str | None
    files: tuple[tuple[str, str | None], ...]  # (site-relative .md path, blob id, None if deleted)


@dataclass(frozen=True)
class Note:
    sha: str
    path: str  # a content file the commit touched, to name in the problem line
    text: str


@dataclass(frozen=True)
class Notes:
    """The public notes of the history, or why git could not give them."""

    notes: tuple[Note, ...] = ()
    error: str = ""
    error_zh: str = ""
    where: str = "content"


class GitError(Exception):
    """A git command that did not finish in time."""


def run_git(site: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """A git command's output; None when git is missing, fails or this is no repository.

    Bounded in time: a command still running after GIT_SECONDS raises GitError.
    """
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=false", "-C", str(site), *args],
            input=stdin,
            capture_output=True,
            check=False,
            timeout=GIT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within {GIT_SECONDS} s") from None
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def clean_note(text: str) -> str:
    """A note as it may be published: control and invisible characters removed."""
    return CONTROL.sub("", text).strip()


def commits(site: Path) -> list[Commit]:
    """Commits touching content/, newest first, with their public notes; [] outside git.

    Paths come NUL-separated and unquoted (`-z`, `core.quotepath=false`), so files with Chinese
    names, spaces or newlines in their names get their history, and no byte of a commit message
    (control characters included) can break the parsing: git refuses NUL in messages.
    """
    prefix = run_git(site, "rev-parse", "--show-prefix")
    if prefix is None:
        return []
    prefix_text = prefix.decode("utf-8", "surrogateescape").strip()
    log = run_git(
        site, "log", "--no-renames", "-z", "--raw", "--no-abbrev", "--format=%H%x00%cs%x00%B", "--", "content"
    )
    if not log:
        return []
    tokens = log.split(b"\0")
    found: list[Commit] = []
    pos = 0
    while pos + 2 < len(tokens):
        sha, day, message = tokens[pos : pos + 3]
        pos += 3
        files: list[tuple[str, str | None]] = []
        while pos < len(tokens) and tokens[pos].lstrip(b"\n").startswith(b":"):
            fields = tokens[pos].lstrip(b"\n").split()
            path = tokens[pos + 1].decode("utf-8", "surrogateescape").removeprefix(prefix_text)
            pos += 2
            if path.startswith("content/") and path.endswith(".md"):
                blob = fields[3].decode() if len(fields) > 3 and fields[3].strip(b"0") else None
                files.append((path, blob))
        while pos < len(tokens) and not SHA.fullmatch(tokens[pos].lstrip(b"\n")):
            pos += 1  # a record this parser does not know: skip to the next commit
        if pos < len(tokens):
            tokens[pos] = tokens[pos].lstrip(b"\n")
        note = NOTE.search(message.decode("utf-8", "replace"))
        text = clean_note(note.group(1)) if note else ""
        found.append(Commit(sha.decode(), date.fromisoformat(day.decode()), text or None, tuple(files)))
    return found


def in_repository(site: Path) -> bool:
    """Whether git could find a repository here: a `.git` in the folder or above, or GIT_DIR set.
    Spares starting git (tens of milliseconds) for a site that is not under version control."""
    if os.environ.get("GIT_DIR"):
        return True
    return any((folder / ".git").exists() for folder in (site.absolute(), *site.absolute().parents))


def public_notes(site: Path) -> Notes:
    """Every public note of the history with a file its commit touched, for the scans."""
    if not in_repository(site):
        return Notes()
    try:
        history = commits(site)
    except GitError as err:
        return Notes(
            error=f"{err}; the change notes (修订记录) were not checked",
            error_zh=f"git 命令在 {GIT_SECONDS} 秒内没有完成，无法检查修订说明；请检查仓库后重试",
        )
    return Notes(tuple(Note(c.sha, c.files[0][0], c.note) for c in history if c.note and c.files))


def stand_in(path: str) -> Source:
    """A source to name in a problem line for a file that may no longer exist."""
    return Source(path, path.removeprefix("content/").removesuffix(".md"), {}, {}, "", 1)


def _public_version(text: bytes, day: date) -> bool:
    """Whether a file's content, as of `day`, describes a public item."""
    try:
        raw = text.decode("utf-8-sig")
        if not raw.startswith("---"):
            return False
        front = raw.split("\n---", 1)[0].removeprefix("---")
    except UnicodeDecodeError:
        return False
    # The same strict reading as the build's: an old revision with a duplicate key, a tag or
    # hostile nesting counts as not public rather than being read loosely (or crashing libyaml).
    meta, _, problems = parse_yaml(front, "history", 2)
    if problems or not isinstance(meta, dict):
        return False
    published = meta.get("published")
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published)
        except ValueError:
            return False
    return (
        meta.get("disclosure", "public") == "public"
        and meta.get("draft") is not True
        and (not isinstance(published, date) or published <= day)
    )


def _blobs(site: Path, blobs: list[str]) -> list[bytes | None]:
    """Contents of blobs through one `git cat-file --batch` process."""
    out = run_git(site, "cat-file", "--batch", stdin="".join(b + "\n" for b in blobs).encode())
    if out is None:
        return [None] * len(blobs)
    found: list[bytes | None] = []
    pos = 0
    for _ in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            found.append(None)
            continue
        size = int(header[2])
        found.append(out[pos : pos + size])
        pos += size + 1
    return found


STORE = "history.pickle"  # in the build cache: (blob id, commit day) -> whether that version is public


def read_history(site: Path, cache_folder: Path | None = None) -> dict[str, tuple[Revision, ...]]:
    """Site-relative content path -> its public revisions, newest first. Empty outside git, or
    when git does not answer in time (the check has then reported it: S305).

    Whether a version was public is a function of its blob (git's content id) and its commit's
    day, so with `cache_folder` the answers are kept there (`history.pickle`, under a key of this
    module's and the front-matter parser's code) and a rebuild reads and parses only the blobs of
    new commits: at 10,000 documents parsing every version cost seconds a build."""
    key = code_key("history", modules=("history.py", "frontmatter.py"), packages=("yaml",))
    store = cache_folder / STORE if cache_folder is not None else None
    known: dict[tuple[str, str], bool] = load_store(store, key)
    try:
        history = commits(site)
        wanted = sorted(
            {
                blob
                for commit in history
                for _, blob in commit.files
                if blob is not None and (blob, commit.day.isoformat()) not in known
            }
        )
        contents = dict(zip(wanted, _blobs(site, wanted), strict=True))
    except GitError:
        return {}
    revisions: dict[str, list[Revision]] = defaultdict(list)
    seen: dict[tuple[str, str], bool] = {}
    for commit in history:
        day = commit.day.isoformat()
        public = {}
        for path, blob in commit.files:
            if blob is None:
                public[path] = False
                continue
            answer = known.get((blob, day))
            if answer is None:
                text = contents.get(blob)
                answer = text is not None and _public_version(text, commit.day)
            seen[(blob, day)] = answer
            public[path] = answer
        all_public = all(public.values())
        for path, ok in public.items():
            if ok:
                revisions[path].append(Revision(commit.day, commit.note if all_public else None))
    if store is not None and seen != known:
        save_store(store, key, seen)
    return {path: tuple(revs) for path, revs in revisions.items()}
