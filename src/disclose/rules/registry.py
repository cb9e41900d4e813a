"""The rule catalogue: every disclosure rule is a small function with a code, a title,
an explanation (its docstring) with the legal source, and an example that breaks it.

Three scopes, run in this order: `source` rules see one file's raw front matter
(so they run even when the schema fails), `item` rules see one typed item and the
whole catalogue, `site` rules see the catalogue once.

An `item` rule also says what it reads (`reads`), so what it found can be kept with the cached
file and not looked for again while those inputs stay the same (see `validate`):

- `catalogue` (the default): its own item and other items, but of the other files only what is
  not the text of their body (front matter, paths, the lines of their keys), whether each is an
  item, failed the schema or could not be read, and which items are public on the build date (and
  nothing else of the date); site.yaml. Kept while none of these changes (`validate.others_key`)
  and its own item's file has the same bytes;
- `anything`: anything else (another item's body, files): run on every build;
- `item`: only its own item and site.yaml (`site.config`);
- `public`: those, and whether its item is public on the build date (`is_public(item, site.today)`),
  nothing else of the date;
- `files`: those, and its item's attachment files (their bytes, and whether each path under
  content/ is a file, a folder, a symbolic link or nothing), read through `site.root`;
- `today`: its own item, site.yaml and the build date.

An item rule that finds nothing in items of other kinds, or in items without certain fields, may
say so (`kinds`, `fields`): it is then not called for those items at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..model import Item, Problem, Source


@dataclass(frozen=True)
class Finding:
    """What a rule function yields; the runner turns it into a Problem with the rule's code."""

    zh: str
    en: str
    key: str | None = None  # the field whose line is reported
    line: int | None = None  # an explicit file line (for body text)
    at: Source | Item | None = None  # the file to name, when not the item being checked


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    title_zh: str
    source: str
    scope: str  # source | item | site
    check: Callable[..., Iterable[Finding]]
    example: dict[str, str] = field(default_factory=dict)
    severity: str = "error"
    doc: str = ""  # for checks made while reading files, which are not rule functions
    reads: str = "catalogue"  # what an item rule reads: catalogue | anything | item | public | files | today
    kinds: tuple[str, ...] = ()  # an item rule finds nothing in items of other kinds
    fields: tuple[str, ...] = ()  # an item rule finds nothing in items where none of these is set

    def applies(self, item: Item) -> bool:
        """Whether the rule can find anything in `item` (see `kinds`, `fields`)."""
        if self.kinds and item.kind not in self.kinds:
            return False
        return not self.fields or any(item.get(name) for name in self.fields)

    @property
    def explanation(self) -> str:
        return inspect.cleandoc(self.doc or self.check.__doc__ or "")

    def problems(self, subject: Source | Item | None, findings: Iterable[Finding]) -> list[Problem]:
        out = []
        for found in findings:
            where = found.at or subject
            assert where is not None, f"{self.code} must say which file"
            source = where.source if isinstance(where, Item) else where
            line = found.line or (source.line(found.key) if found.key else 1)
            out.append(Problem(source.path, line, self.code, found.zh, found.en, self.severity))
        return out


REGISTRY: dict[str, Rule] = {}
READS = ("catalogue", "anything", "item", "public", "files", "today")


def rule(
    code: str,
    scope: str,
    title: str,
    title_zh: str,
    source: str,
    example: dict[str, str],
    severity: str = "error",
    reads: str = "catalogue",
    kinds: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register a rule function under `code`; `reads`, `kinds` and `fields` say what an item rule
    reads and where it can find anything (see above)."""
    assert reads in READS, f"{code}: reads is one of {READS}"
    assert scope == "item" or (reads == "catalogue" and not kinds and not fields), f"{code}: only for item rules"

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        assert code not in REGISTRY, f"duplicate rule code {code}"
        REGISTRY[code] = Rule(
            code, title, title_zh, source, scope, func, example, severity, reads=reads, kinds=kinds, fields=fields
        )
        return func

    return register


def _reported_while_reading(source: object, ctx: object) -> Iterable[Finding]:
    """Format problems are found by the reader (frontmatter.py, config.py), not by a rule."""
    return ()


def format_code(code: str, title: str, title_zh: str, source: str, doc: str, example: dict[str, str]) -> None:
    """Catalogue a problem the file reader reports, so `disclose rules` explains it too."""
    assert code not in REGISTRY, f"duplicate rule code {code}"
    REGISTRY[code] = Rule(code, title, title_zh, source, "format", _reported_while_reading, example, doc=doc)
