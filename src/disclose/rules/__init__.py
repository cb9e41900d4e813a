"""The rule catalogue; importing this package registers every rule."""

from . import (  # noqa: F401  (imported to register their rules)
    attachments,
    dates,
    disclosure,
    formats,
    identifiers,
    index_numbers,
    output_paths,
    pairing,
    personal_info,
    placeholders,
    references,
    reports,
    responses,
    schema_rules,
    secrecy,
    site_identity,
    timeliness,
)
from .registry import REGISTRY, Finding, Rule, rule

__all__ = ["REGISTRY", "Finding", "Rule", "rule", "all_rules"]


def all_rules() -> list[Rule]:
    """Every rule, ordered by code."""
    return [REGISTRY[code] for code in sorted(REGISTRY)]
