"""A persistent build cache (a folder CI can restore between runs): parsed sources by content
hash, and, from the previous build, a fingerprint of what each page shows and of the pages each
search bundle indexes.

All are exact: a source is reused only for the same bytes, a page only when its template set and
context are the same (it is then hard-linked from the previous output), a search bundle only for
byte-identical pages and the same disclose and Pagefind versions, so an incremental build writes
exactly what a cold build would.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import __version__

FORMAT = 1


def _engine_key() -> str:
    """What makes cached results valid: the cache format, disclose's and Pagefind's versions."""
    try:
        pagefind = version("pagefind-bin-extended")
    except PackageNotFoundError:  # pragma: no cover
        pagefind = "unknown"
    return f"{FORMAT}/{__version__}/{pagefind}"


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass
class BuildCache:
    """The cache folder's contents, read at the start of a build and written at the end."""

    folder: Path | None
    sources: dict[str, tuple[str, object]] = field(default_factory=dict)  # rel -> (sha1 of bytes, Source)
    bundles: dict[str, str] = field(default_factory=dict)  # bundle name -> fingerprint of its pages
    pages: dict[str, str] = field(default_factory=dict)  # output path -> fingerprint of what it shows
    out: str = ""  # the output folder the previous build was written to

    @classmethod
    def open(cls, folder: Path | None) -> BuildCache:
        cache = cls(folder)
        if folder is None:
            return cache
        try:
            state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
            if state.get("engine") == _engine_key():
                cache.bundles, cache.out = state.get("bundles", {}), state.get("out", "")
                cache.pages = state.get("pages", {})
                with (folder / "sources.pickle").open("rb") as handle:
                    cache.sources = pickle.load(handle)
        except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            cache.sources, cache.bundles, cache.pages, cache.out = {}, {}, {}, ""  # damaged = empty
        return cache

    def save(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "sources.pickle.tmp").open("wb") as handle:
            pickle.dump(self.sources, handle, protocol=pickle.HIGHEST_PROTOCOL)
        (self.folder / "sources.pickle.tmp").replace(self.folder / "sources.pickle")
        state = {"engine": _engine_key(), "out": self.out, "bundles": self.bundles, "pages": self.pages}
        (self.folder / "state.json").write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")

    def previous_out(self) -> Path | None:
        """The previous build's output folder, while it still exists."""
        return Path(self.out) if self.out and Path(self.out).is_dir() else None

    def previous_bundle(self, name: str, fingerprint: str) -> Path | None:
        """The previous build's bundle folder, if it indexed exactly the same pages."""
        if not self.out or self.bundles.get(name) != fingerprint:
            return None
        folder = Path(self.out) / "pagefind" / name
        return folder if (folder / "pagefind-entry.json").is_file() else None


def bundle_fingerprint(staging: Path, paths: list[str]) -> str:
    """What a bundle's index depends on: the indexed pages' paths and bytes."""
    hasher = hashlib.sha1(_engine_key().encode())
    for rel in paths:
        hasher.update(rel.encode() + b"\0" + digest((staging / rel).read_bytes()).encode())
    return hasher.hexdigest()
