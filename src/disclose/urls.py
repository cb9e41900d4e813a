"""Where each thing lives: URL paths under the site's base path, and output files."""

from __future__ import annotations

from .model import Item


def item_path(item: Item) -> str:
    """Output file of an item's page: policies/a/index.html."""
    return f"{item.id}/index.html"


def item_url(base: str, item: Item) -> str:
    return f"{base}{item.id}/"


def list_url(base: str, folder: str, page: int = 1) -> str:
    """A kind's listing, under its folder (the table of kinds gives the folder: Kinds.folder)."""
    return f"{base}{folder}/" if page == 1 else f"{base}{folder}/page/{page}/"


def attachment_output(rel: str) -> str:
    """content/policies/files/a.pdf -> attachments/policies/files/a.pdf."""
    return "attachments/" + rel.removeprefix("content/")


def attachment_url(base: str, rel: str) -> str:
    return base + attachment_output(rel)
