"""All typed items of a site, with look-ups by id and by 文号; what the rules see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .config import SiteConfig
from .identifiers import normalize_doc_no
from .model import Item, Source


@dataclass(frozen=True)
class Catalogue:
    """Every item that passed the schema, public or not. Only validation reads this."""

    root: Path
    config: SiteConfig
    today: date
    items: tuple[Item, ...]
    by_id: Mapping[str, Item]
    by_doc_no: Mapping[str, Item]
    reports: Mapping[int, Source]  # reports/YEAR.yaml: the annual report's data files

    @classmethod
    def of(
        cls, root: Path, config: SiteConfig, today: date, items: list[Item], reports: Mapping[int, Source] | None = None
    ) -> Catalogue:
        ordered = tuple(sorted(items, key=lambda i: i.id))
        by_doc_no: dict[str, Item] = {}
        for item in ordered:
            if item.get("doc_no"):
                by_doc_no.setdefault(item.get("doc_no"), item)
        return cls(root, config, today, ordered, {i.id: i for i in ordered}, by_doc_no, dict(reports or {}))

    def resolve(self, ref: str) -> Item | None:
        """An item named by id (policies/a) or by 文号, in any bracket form."""
        ref = str(ref).strip().removesuffix(".md").removeprefix("content/").strip("/")
        return self.by_id.get(ref) or self.by_doc_no.get(normalize_doc_no(ref))

    def of_kind(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]
