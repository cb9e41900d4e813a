"""The copies of pages Pagefind indexes: each bundle's pages under a language of their own.

Pagefind writes one index per language, so a run over several bundles gives each bundle's pages
the language `zh-<bundle>` (in a copy: the output keeps its own) and each index is moved into its
bundle's folder (search_index). The copies are named by bundle and number, the number being the
page's place in the bundle's list (search_index.plan): Pagefind numbers pages in the order it walks
their folder, and an address is a copy's name, so the names and the order they are made in decide
the index, never the pages' own paths.
"""

from __future__ import annotations

import re
from pathlib import Path

SCRATCH = Path("/dev/shm")  # memory: a file made there costs a tenth of one on a disk
SCRATCH_PREFIX = "disclose-index-"  # then the build's process id: a stopped build's copies are found by it
PAGE_ROOM = 64 * 1024  # what the scratch folder must have free for each page, to be used


def language(name: str) -> str:
    """The language a bundle's pages are given for Pagefind: one index per language."""
    return f"zh-{name}"


_HTML_TAG = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_LANG = re.compile(rb"""\slang\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)""", re.IGNORECASE)


def relabelled(page: bytes, lang: str) -> bytes:
    """The page with `lang` as the language of its <html> element (Pagefind reads it there)."""
    found = _HTML_TAG.search(page)
    if found is None:
        return f'<html lang="{lang}">'.encode() + page
    tag = _LANG.sub(b"", found.group())
    tag = tag[:5] + f' lang="{lang}"'.encode() + tag[5:]
    return page[: found.start()] + tag + page[found.end() :]


def copy_name(bundle: str, number: int) -> str:
    """The file name of the copy of a bundle's `number`th page."""
    return f"{bundle}-{number:05d}.html"
