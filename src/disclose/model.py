"""The values that flow through the pipeline: problems, sources and typed items."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import attrgetter
from typing import Any

# Characters that would split a problem line or reorder what the terminal shows: C0 and C1 controls,
# DEL, the line and paragraph separators, bidirectional controls, and undecodable file-name bytes.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\udc80-\udcff]")


def printable(text: str) -> str:
    """`text` with every unprintable character written as an escape (\\n, \\x1b, \\u202e), on one line."""
    if not UNPRINTABLE.search(text):
        return text
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule at one place; sortable so reports are stable."""

    path: str
    line: int
    code: str
    zh: str
    en: str
    severity: str = "error"

    def format(self, lang: str = "zh") -> str:
        message = self.en if lang == "en" else self.zh
        return printable(f"{self.path}:{self.line}: {self.code} {message}")


@dataclass(frozen=True)
class Source:
    """A content file as read from disk: raw front matter, the lines of its keys, the body."""

    path: str  # relative to the site folder, POSIX separators: content/policies/a.md
    id: str  # path under content/ without .md: policies/a
    meta: Mapping[str, Any]
    lines: Mapping[str, int]  # "key" or "review.by" -> 1-based line in the file
    body: str
    body_line: int  # file line of the body's first line

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @cached_property
    def front(self) -> str:
        """A digest of all of the file but its body's text: its path, front matter, the lines of its
        keys and where the body starts. What the rules that read other items may read of it (see
        `validate.others_key`); computed once, and kept with the source in the build cache."""
        whole = repr((self.path, self.id, self.meta, self.lines, self.body_line))
        return hashlib.sha1(whole.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Review:
    """保密审查 record: who reviewed, when, and when to re-assess (条例 第十八条)."""

    by: str
    date: datetime.date  # the module's name: inside this class `date` is the field
    next: datetime.date | None = None


@dataclass(frozen=True)
class Update:
    """One dated update of a 回应关切 or 新闻发布 page: information corrected or added in place."""

    at: date
    text: str


@dataclass(frozen=True)
class Item:
    """A source whose front matter passed the schema: values typed and identifiers normalized."""

    source: Source
    kind: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    # Read hundreds of thousands of times a build (rules, the gate, listings): C-level getters.
    id = property(attrgetter("source.id"), doc="The source's id: policies/a.")
    path = property(attrgetter("source.path"), doc="The source's site-relative path.")
    body = property(attrgetter("source.body"), doc="The Markdown body.")

    @property
    def title(self) -> str:
        return self.fields["title"]

    @property
    def published(self) -> date | None:
        return self.fields.get("published")

    @property
    def disclosure(self) -> str:
        return self.fields.get("disclosure", "public")

    @property
    def draft(self) -> bool:
        return bool(self.fields.get("draft", False))

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    def stated(self, key: str, default: Any = None) -> Any:
        """The value of `key` as a fact: `default` when the item marks it as a sample (sample_fields)."""
        return default if key in self.fields.get("sample_fields", ()) else self.fields.get(key, default)

    def line(self, key: str) -> int:
        return self.source.line(key)


@dataclass(frozen=True)
class ResponseFacts:
    """What the annual report needs of a response record: codes and dates, no title, no text."""

    received: date
    replied: date | None
    extended: bool
    paused_days: int
    applicant_type: str | None
    outcome: str | None
    basis: str | None
    reason: str | None


@dataclass(frozen=True)
class WithheldFacts:
    """What the compliance page may know of a non-public item: a date and codes, never a title."""

    published: date | None
    disclosure: str
    basis: str | None
    review_next: date | None
