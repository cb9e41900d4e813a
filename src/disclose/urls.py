"""Where each thing lives: URL paths under the site's base path, and output files.

An output path is the file name as written to disk (an item's id as its editor named the file,
Chinese and spaces included); a URL is the same path percent-encoded (RFC 3986), so pages, the
sitemap, feeds, open data and the search index all print one form, and a server maps it back to
the file. Two things may not share an output path: `clashes` finds them, counting paths that
differ only in letter case or Unicode normalization as one, as case-insensitive file systems and
many servers do.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from .model import Item
from .schema import KIND_FOLDER

# Folders the site fills itself as a whole: nothing else may put a file inside them.
SITE_FOLDERS = ("assets/", "pagefind/", "attachments/")
SITE = "site"  # the owner of what the site itself generates (listings, search, feeds, assets)


def encode(path: str) -> str:
    """A site-relative path as it appears in a URL: percent-encoded, slashes kept."""
    return quote(path, safe="/")


def item_path(item: Item) -> str:
    """Output file of an item's page: policies/a/index.html."""
    return f"{item.id}/index.html"


def item_url(base: str, item: Item) -> str:
    return f"{base}{encode(item.id)}/"


def list_url(base: str, kind: str, page: int = 1) -> str:
    folder = encode(KIND_FOLDER[kind])
    return f"{base}{folder}/" if page == 1 else f"{base}{folder}/page/{page}/"


def attachment_output(rel: str) -> str:
    """content/policies/files/a.pdf -> attachments/policies/files/a.pdf."""
    return "attachments/" + rel.removeprefix("content/")


def attachment_url(base: str, rel: str) -> str:
    return base + encode(attachment_output(rel))


def output_key(path: str) -> str:
    """What makes two output paths the same file on a case-insensitive file system or server."""
    return unicodedata.normalize("NFC", path).casefold()


def clashes(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(output path, owner, other owner) for each output path claimed by two owners.

    `entries` are (output path, owner) pairs: an owner is a content file (an item's `.md`, an
    attachment) or `SITE`; one owner may claim a path more than once. Paths
    equal up to case and Unicode normalization clash, and so does a file where another entry
    needs a folder (an item page under a file's name, or inside a folder the site fills itself).
    """
    found: list[tuple[str, str, str]] = []
    files: dict[str, tuple[str, str]] = {}  # key -> (path, owner)
    for path, owner in entries:
        key = output_key(path)
        held = files.get(key)
        if held is None:
            files[key] = (path, owner)
        elif held[1] != owner:
            found.append((path, owner, held[1]))
    folders: dict[str, tuple[str, str]] = {}
    for key, (path, owner) in files.items():
        parts = key.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), (path, owner))
    for key, (_path, owner) in files.items():
        if key in folders and folders[key][1] != owner:
            found.append((folders[key][0], folders[key][1], owner))
    for key, (path, owner) in files.items():
        if owner.endswith(".md") and key.split("/", 1)[0] + "/" in SITE_FOLDERS:
            found.append((path, owner, SITE))
    return found
