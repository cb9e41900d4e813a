"""Stage 2, validate: run the rule catalogue over the sources and the typed items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .build_cache import CachedSource, config_key
from .catalogue import Catalogue
from .config import SiteConfig
from .fields import to_item
from .model import Problem, Source
from .rules import all_rules


def validate(
    root: Path,
    config: SiteConfig,
    today: date,
    sources: list[Source],
    reports: dict[int, Source] | None = None,
    cached: dict[str, CachedSource] | None = None,
    unreadable: frozenset[str] = frozenset(),
) -> tuple[Catalogue, list[Problem]]:
    """All problems of all rules; the catalogue holds the items whose schema passed.

    The per-file rules and typing of a source taken from `cached` unchanged are not run again
    under the same configuration: their results are kept in the cache entry.
    """
    rules = [rule for rule in all_rules() if rule.scope == "source"]
    key = config_key(config)
    problems: list[Problem] = []
    typed = []
    rejected = []
    for source in sources:
        entry = cached.get(source.path) if cached is not None else None
        if entry is None or entry.source is not source or entry.checked_for != key:
            found = [p for rule in rules for p in rule.problems(source, rule.check(source, config))]
            failed = any(p.severity == "error" and p.code.startswith("F") for p in found)
            item = None if failed else to_item(source, config.kinds)
            if entry is not None and entry.source is source:
                entry.checked_for, entry.problems, entry.item = key, found, item
        else:
            found, item = entry.problems, entry.item
        problems.extend(found)
        if item is not None:
            typed.append(item)
        else:
            rejected.append(source)
    catalogue = Catalogue.of(root, config, today, typed, reports, rejected, unreadable)
    for rule in all_rules():
        if rule.scope == "item":
            check = rule.check
            for item in catalogue.items:
                # most items break no rule: turn findings into problems only when there are some
                for finding in check(item, catalogue):
                    problems.extend(rule.problems(item, [finding]))
        elif rule.scope == "site":
            problems.extend(rule.problems(None, rule.check(catalogue)))
    return catalogue, problems
