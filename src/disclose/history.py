"""修订记录 from git: when each item changed, with the public change note a commit gives.

A commit gives a note with a line `公开说明：…` (or `Change-note: …`) in its message. A revision
is listed only if the item was public in that version (not withheld, on request, a draft or
embargoed at the commit's date); a note is shown only when every content file the commit touched
was public then, so no note can speak of something that is not public.

A build reads the history once, for the notes' scan and the 修订记录 (`session`), and keeps it
with the commit it was read at; the next build reads only the commits made since when they extend
that commit in a line (`commits_since`), and every commit otherwise (`_read`).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from .file_digests import code_key, load_store, save_store
from .frontmatter import parse_yaml
from .model import Source

NOTE = re.compile(r"^(?:公开说明|Change-note)\s*[:：]\s*(.+)$", re.MULTILINE)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1, or SHA-256 repositories
GIT_SECONDS = 120  # one git command; a repository that takes longer is reported, not waited on


@dataclass(frozen=True)
class Revision:
    day: date
    note: str | None


@dataclass(frozen=True)
class Commit:
    """One commit that touched content/: its public note and the blobs of the files it left."""

    sha: str
    parents: tuple[str, ...]
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


# Every `git log` here prints the same, whatever the user's or the repository's settings say:
# full ids, no rename pairs, paths relative to the site (content/…), git's own path order, messages
# in UTF-8, the root commit's files, no signatures or colours (a setting can change each of these,
# and a history kept from an earlier read must read as a fresh one would).
LOG = (
    *("-c", "log.showRoot=true", "-c", "log.follow=false", "-c", "log.showSignature=false"),
    *("log", "-z", "--raw", "--relative", "--no-renames", "--no-abbrev", "-O/dev/null", "--no-color"),
    *("--encoding=UTF-8", "--format=%H%x00%P%x00%cs%x00%B"),
)


def parse_log(log: bytes) -> list[Commit]:
    """The commits `git log` printed with LOG, in its order.

    Paths come NUL-separated and unquoted (`-z`), so files with Chinese names, spaces or newlines
    in their names get their history, and no byte of a commit message (control characters
    included) can break the parsing: git refuses NUL in messages.
    """
    tokens = log.split(b"\0")
    found: list[Commit] = []
    pos = 0
    while pos + 3 < len(tokens):
        sha, parents, day, message = tokens[pos : pos + 4]
        pos += 4
        files: list[tuple[str, str | None]] = []
        while pos < len(tokens) and tokens[pos].lstrip(b"\n").startswith(b":"):
            fields = tokens[pos].lstrip(b"\n").split()
            path = tokens[pos + 1].decode("utf-8", "surrogateescape") if pos + 1 < len(tokens) else ""
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
        day_of = date.fromisoformat(day.decode())
        found.append(Commit(sha.decode(), tuple(parents.decode().split()), day_of, text or None, tuple(files)))
    return found


def commits(site: Path, head: str = "HEAD") -> list[Commit]:
    """Commits touching content/ reachable from `head`, newest first, with their public notes;
    [] outside git."""
    return parse_log(run_git(site, *LOG, head, "--", "content") or b"")


def commits_since(site: Path, last: str, head: str) -> list[Commit] | None:
    """The commits after `last` up to `head`, newest first, when they are one line of commits
    with one parent each, the oldest a child of `last`; None otherwise (a merge, a rewritten
    history, an unknown `last`). Only then is the history at `head` these commits (those that
    touch content/, the others touch no file it lists) followed by the history at `last`: git
    walks a line of single commits the same way whatever comes before, and reaching `last` it
    goes on as a walk from `last` would. A merge could make git simplify the history past it
    differently (`git log -- content` follows only the parent a merge is the same as)."""
    out = run_git(site, *LOG, head, f"^{last}", "--")
    if out is None:
        return None
    found = parse_log(out)
    expected = head
    for commit in found:
        if commit.sha != expected or len(commit.parents) != 1:
            return None
        expected = commit.parents[0]
    return found if expected == last else None


def in_repository(site: Path) -> bool:
    """Whether git could find a repository here: a `.git` in the folder or above, or GIT_DIR set.
    Spares starting git (tens of milliseconds) for a site that is not under version control."""
    if os.environ.get("GIT_DIR"):
        return True
    return any((folder / ".git").exists() for folder in (site.absolute(), *site.absolute().parents))


def public_notes(site: Path) -> Notes:
    """Every public note of the history with a file its commit touched, for the scans. Within a
    build's `session` the history is read once, for these and for the 修订记录."""
    if not in_repository(site):
        return Notes()
    try:
        state = _read(site, _FOLDER, judge=False)
    except GitError as err:
        return Notes(
            error=f"{err}; the change notes (修订记录) were not checked",
            error_zh=f"git 命令在 {GIT_SECONDS} 秒内没有完成，无法检查修订说明；请检查仓库后重试",
        )
    return Notes(state.notes) if state is not None else Notes()


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
HEAD_STORE = "history-head.pickle"  # in the build cache: the history as read at a commit (`_State`)


@dataclass(frozen=True)
class _Where:
    """The commit the history is read at; `prefix` (the site's folder in the work tree) names the
    paths' base. `extendable`: whether a history read at an earlier commit may be extended to it
    (`commits_since`); never in a shallow clone (its history ends where the fetch stopped, and a
    later fetch may deepen it) nor when replace refs or grafts may rewrite what the history was."""

    prefix: str
    head: str
    extendable: bool


def _where(site: Path) -> _Where | None:
    """Where the site's repository stands, from one `git rev-parse`; None outside git or before
    the first commit."""
    out = run_git(site, "rev-parse", "--show-prefix", "--is-shallow-repository", "--git-common-dir", "HEAD")
    if out is None:
        return None
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    head = lines[-2] if len(lines) > 1 else ""
    if not SHA.fullmatch(head.encode()):
        return None
    if len(lines) != 5:  # a newline in a folder's name: which line is which is not certain
        return _Where(out.decode("utf-8", "surrogateescape"), head, False)
    prefix, shallow, common = lines[:3]
    return _Where(prefix, head, shallow == "false" and not _rewritten(site / common))


def _rewritten(git_dir: Path) -> bool:
    """Whether the repository may show a history other than its commits' own: replace refs
    (`git replace`), grafts, the variables that turn them on or off, or a ref store this does not
    read (reftable). Any doubt counts as yes."""
    if any(os.environ.get(name) for name in ("GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS", "GIT_GRAFT_FILE")):
        return True
    try:
        if (git_dir / "info" / "grafts").exists() or (git_dir / "reftable").exists():
            return True
        with os.scandir(git_dir / "refs" / "replace") as entries:
            if any(True for _ in entries):
                return True
    except FileNotFoundError:
        pass
    except OSError:
        return True
    try:
        return b" refs/replace/" in (git_dir / "packed-refs").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True


@dataclass(frozen=True)
class _State:
    """The history as read at commit `head`: its public notes, and the public revisions of each
    content path (None when only the notes were asked for: judging every version costs seconds)."""

    head: str
    notes: tuple[Note, ...]
    revisions: dict[str, tuple[Revision, ...]] | None


_MEMO: dict[tuple[str, str], tuple[_State, Path | None]] = {}  # (site, prefix) -> last state, its folder
_FOLDER: Path | None = None  # the build cache folder during a build's `session`


@contextmanager
def session(folder: Path | None) -> Iterator[None]:
    """While a build's rules run: the notes are read with the build cache `folder`, and with them
    the revisions the build asks for next (`read_history`), so one read serves both."""
    global _FOLDER
    outer, _FOLDER = _FOLDER, folder
    try:
        yield
    finally:
        _FOLDER = outer


def forget() -> None:
    """Drop what this process remembers of histories read (tests compare with fresh reads)."""
    _MEMO.clear()


@cache
def _key(kind: str) -> str:
    return code_key(kind, modules=("history.py", "frontmatter.py"), packages=("yaml",))


def _notes(found: list[Commit]) -> tuple[Note, ...]:
    return tuple(Note(c.sha, c.files[0][0], c.note) for c in found if c.note and c.files)


def _judge(
    site: Path, found: list[Commit], known: dict[tuple[str, str], bool]
) -> tuple[dict[str, list[Revision]], dict[tuple[str, str], bool]]:
    """The public revisions of each path the commits touched, newest first, and whether each
    (blob, day) read was public; `known` gives answers found before (only the other blobs are
    read, all through one `git cat-file`)."""
    wanted = {
        blob: path
        for commit in found
        for path, blob in commit.files
        if blob is not None and (blob, commit.day.isoformat()) not in known
    }
    contents = _contents(site, wanted)
    revisions: dict[str, list[Revision]] = {}
    seen: dict[tuple[str, str], bool] = {}
    for commit in found:
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
        # One object for the commit's revision of every path (the kept history shares them).
        revision = Revision(commit.day, commit.note if all(public.values()) else None)
        for path, ok in public.items():
            if ok:
                revisions.setdefault(path, []).append(revision)
    return revisions, seen


WORK_TREE_BLOBS = 64  # at most this many versions are looked for in the work tree before asking git


def _contents(site: Path, wanted: dict[str, str]) -> dict[str, bytes | None]:
    """The bytes of each blob (a path that had it as key), from the work tree when the file there
    is that blob, which spares starting `git cat-file` for the commits just made; from git for
    the others (all of them when there are many: old versions are seldom in the work tree)."""
    contents: dict[str, bytes | None] = {}
    if len(wanted) <= WORK_TREE_BLOBS:
        for blob, path in wanted.items():
            if (data := _work_tree_blob(site / path, blob)) is not None:
                contents[blob] = data
    missing = sorted(wanted.keys() - contents.keys())
    if missing:
        contents.update(zip(missing, _blobs(site, missing), strict=True))
    return contents


def _work_tree_blob(path: Path, blob: str) -> bytes | None:
    """The file's bytes if they are the blob: git's id of a blob is the hash of a header and its
    bytes, so bytes with that hash are the blob's, whatever filters the checkout ran."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO put there must not block
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with open(handle, "rb", closefd=False) as file:
            data = file.read()
    except OSError:
        return None
    finally:
        os.close(handle)
    digest = hashlib.sha1 if len(blob) == 40 else hashlib.sha256
    return data if digest(b"blob %d\0" % len(data) + data).hexdigest() == blob else None


def _full(site: Path, where: _Where, folder: Path | None, judge: bool) -> _State:
    """The history read from every commit. Whether a version was public is a function of its
    blob (git's content id) and its commit's day, so with `folder` the answers are kept there
    (`history.pickle`) and only the blobs of commits not seen before are read and parsed."""
    found = commits(site, where.head)
    if not judge:
        return _State(where.head, _notes(found), None)
    store = folder / STORE if folder is not None else None
    known: dict[tuple[str, str], bool] = load_store(store, _key("history"))
    revisions, seen = _judge(site, found, known)
    if store is not None and seen != known:
        with suppress(OSError):  # a cache that cannot be written costs time next build, not correctness
            save_store(store, _key("history"), seen)
    shared: dict[tuple[Revision, ...], tuple[Revision, ...]] = {}
    kept = {path: shared.setdefault(revs := tuple(found_revs), revs) for path, found_revs in revisions.items()}
    return _State(where.head, _notes(found), kept)


def _extended(site: Path, base: _State, head: str, new: list[Commit]) -> _State:
    """`base` with the commits after it (`commits_since`): what a full read at `head` gives."""
    notes = _notes(new) + base.notes
    if base.revisions is None:  # (judged or not, a judged base stays judged: new commits cost little)
        return _State(head, notes, None)
    newer, _ = _judge(site, new, {})
    older = dict(base.revisions)
    revisions = {path: (*revs, *older.pop(path, ())) for path, revs in newer.items()}
    revisions.update(older)  # the paths in the order a full read meets them
    return _State(head, notes, revisions)


def _load(folder: Path, prefix: str) -> _State | None:
    """The history kept in `folder` for a site at `prefix`; None when absent, damaged or stale."""
    data = load_store(folder / HEAD_STORE, _key("history-head"))
    state = data.get("state")
    if (
        data.get("prefix") != prefix
        or not isinstance(state, _State)
        or not isinstance(state.head, str)
        or not SHA.fullmatch(state.head.encode())
        or not isinstance(state.notes, tuple)
        or not isinstance(state.revisions, dict)
    ):
        return None
    return state


def _read(site: Path, folder: Path | None, judge: bool) -> _State | None:
    """The history at the commit the site's repository stands at (None outside git). Read from
    new commits only when a history read before (this process's, or the one kept in `folder`)
    is at an earlier commit of the same line (`commits_since`); from every commit otherwise.
    With a `folder` the revisions are judged too, and the result is kept there."""
    where = _where(site)
    if where is None:
        return None
    judge = judge or folder is not None
    memo_key = (str(site.absolute()), where.prefix)
    memo, synced = _MEMO.get(memo_key, (None, None)) if where.extendable else (None, None)
    if memo is not None and (memo.revisions is None and judge):
        memo = None
    if memo is not None and memo.head == where.head and (folder is None or synced == folder):
        return memo
    kept = _load(folder, where.prefix) if folder is not None and where.extendable else None
    base = kept or memo
    state = None
    if base is not None:
        new = [] if base.head == where.head else commits_since(site, base.head, where.head)
        if new is not None:
            state = base if not new else _extended(site, base, where.head, new)
    if state is None:
        state = _full(site, where, folder, judge)
    else:
        _verify(site, where, state)
    if where.extendable:
        if folder is not None and state is not kept and state.revisions is not None:
            with suppress(OSError):
                save_store(folder / HEAD_STORE, _key("history-head"), {"prefix": where.prefix, "state": state})
        _MEMO[memo_key] = (state, folder)
    return state


def _verify(site: Path, where: _Where, state: _State) -> None:
    """Under `page_keys.verifying` (every test): stop when the history kept or extended is not
    what reading every commit gives now."""
    from .page_keys import KeyMismatch, verifying  # imported when used: page_keys imports the gate

    if not verifying():
        return
    again = _full(site, where, None, state.revisions is not None)
    if again != state or list(again.revisions or ()) != list(state.revisions or ()):
        raise KeyMismatch(f"{site}: 保留的修订记录与重新读取的不同 / the kept history differs from a fresh read")


def read_history(site: Path, cache_folder: Path | None = None) -> dict[str, tuple[Revision, ...]]:
    """Site-relative content path -> its public revisions, newest first. Empty outside git, or
    when git does not answer in time (the check has then reported it: S305).

    With `cache_folder` the history is kept there (`history-head.pickle`) with the commit it was
    read at, and the next build reads only the commits made since (`_read`); and whether each
    version was public is kept by blob and day (`history.pickle`) for when every commit is read
    again: at 10,000 documents parsing every version cost seconds a build."""
    if not in_repository(site):
        return {}
    try:
        state = _read(site, cache_folder, judge=True)
    except GitError:
        return {}
    return dict(state.revisions) if state is not None and state.revisions is not None else {}
