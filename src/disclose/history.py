"""修订记录 from git: when each item changed, with the public change note a commit gives.

A commit gives a note with a line `公开说明：…` (or `Change-note: …`) in its message. A revision
is listed only if the item was public in that version (not withheld, on request, a draft or
embargoed at the commit's date); a note is shown only when every content file the commit touched
was public then, so no note can speak of something that is not public.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

NOTE = re.compile(r"^(?:公开说明|Change-note)\s*[:：]\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Revision:
    day: date
    note: str | None


def _git(site: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(site), *args],
            input=stdin,
            capture_output=True,
            check=False,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _public_version(text: bytes, day: date) -> bool:
    """Whether a file's content, as of `day`, describes a public item."""
    try:
        raw = text.decode("utf-8-sig")
        if not raw.startswith("---"):
            return False
        front = raw.split("\n---", 1)[0].removeprefix("---")
        meta = yaml.load(front, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (UnicodeDecodeError, yaml.YAMLError):
        return False
    if not isinstance(meta, dict):
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


def _blobs(site: Path, specs: list[str]) -> list[bytes | None]:
    """Contents of `commit:path` specs through one `git cat-file --batch` process."""
    out = _git(site, "cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
    if out is None:
        return [None] * len(specs)
    found: list[bytes | None] = []
    pos = 0
    for _ in specs:
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


def read_history(site: Path) -> dict[str, tuple[Revision, ...]]:
    """Site-relative content path -> its public revisions, newest first. Empty outside git."""
    prefix = _git(site, "rev-parse", "--show-prefix")
    if prefix is None:
        return {}
    prefix_text = prefix.decode().strip()
    log = _git(
        site,
        "log",
        "--no-renames",
        "--format=%x1e%H%x1f%cs%x1f%B%x1f",
        "--name-only",
        "--",
        "content",
    )
    if not log:
        return {}
    commits = []
    for record in log.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, day, message, names = record.split("\x1f", 3)
        paths = [n.strip().removeprefix(prefix_text) for n in names.split("\n") if n.strip()]
        paths = [p for p in paths if p.startswith("content/") and p.endswith(".md")]
        note = NOTE.search(message)
        commits.append((sha, date.fromisoformat(day), note.group(1).strip() if note else None, paths))
    specs = [f"{sha}:{prefix_text}{path}" for sha, _, _, paths in commits for path in paths]
    contents = iter(_blobs(site, specs))
    history: dict[str, list[Revision]] = defaultdict(list)
    for _, day, note, paths in commits:
        public = {
            path: (blob is not None and _public_version(blob, day))
            for path, blob in zip(paths, [next(contents) for _ in paths], strict=True)
        }
        all_public = all(public.values())
        for path, ok in public.items():
            if ok:
                history[path].append(Revision(day, note if all_public else None))
    return {path: tuple(revs) for path, revs in history.items()}
