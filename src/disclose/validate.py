"""Stage 2, validate: run the rule catalogue over the sources and the typed items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .catalogue import Catalogue
from .config import SiteConfig
from .fields import to_item
from .model import Problem, Source
from .rules import all_rules


def validate(
    root: Path, config: SiteConfig, today: date, sources: list[Source], reports: dict[int, Source] | None = None
) -> tuple[Catalogue, list[Problem]]:
    """All problems of all rules; the catalogue holds the items whose schema passed."""
    rules = all_rules()
    problems: list[Problem] = []
    typed = []
    for source in sources:
        found = []
        for rule in rules:
            if rule.scope == "source":
                found.extend(rule.problems(source, rule.check(source, config)))
        problems.extend(found)
        if not any(p.severity == "error" and p.code.startswith("F") for p in found):
            typed.append(to_item(source))
    catalogue = Catalogue.of(root, config, today, typed, reports)
    for rule in rules:
        if rule.scope == "item":
            for item in catalogue.items:
                problems.extend(rule.problems(item, rule.check(item, catalogue)))
        elif rule.scope == "site":
            problems.extend(rule.problems(None, rule.check(catalogue)))
    return catalogue, problems
