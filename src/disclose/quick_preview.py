"""`disclose serve`'s quick preview of the common edit: the body of one document changed.

A full rebuild validates, decides and lists the whole site (about 2 s at 10,000 documents); an
editor who saves a sentence wants to see it at once. When every change the watcher reports is to
the text of documents the last good build published, and nothing the gate decides from changed,
the pages of those documents are rendered alone, checked, and shown before the full rebuild
(which follows as always, and replaces them with everything else it writes).

Shown only when all of these hold, else nothing is shown and the full rebuild is the only path:

- the last build succeeded (no errors), for the same build date, and its state is at hand;
- every changed path is a regular `content/**/*.md` file that build read and published;
- the file reads and parses without a problem, and its front matter is exactly as before (the same
  values of the same types in the same order, on the same lines), so the item's kind, fields,
  disclosure, dates and relations, everything the gate decides from, are the same: only its body
  differs; the link and image targets of the body are the same too;
- the per-file rules and every item rule (those reading only the item, the date, its attachment
  files, and the cross-item rules, against the last catalogue with the new item in place of the
  old) find no error in it. The site rules read no body (they read front matter, the annual-report
  data files and commit notes), so their findings cannot change;
- the egress check's needles, collected again from the files on disk, are exactly the last
  build's (an edit that copies a withheld item's sentence into a public body changes them: no
  quick page), the page contains none of them, and the file did not change while this ran.

What is trusted: the last build's catalogue and publication for everything but the edited bodies
(their inputs did not change: no other file changed), and its git history (a commit changes no
watched file; its notes were checked by that build). The page is rendered exactly as the full
build renders it (`render.item_page`); only listings, search and feeds wait for the full rebuild.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from . import egress
from .catalogue import Catalogue
from .fields import to_item
from .frontmatter import load_source
from .gate import Publication
from .markdown import body_links
from .model import Item, Problem, Source
from .output import digest
from .render import item_page, template_dirs
from .rules import all_rules
from .urls import item_path
from .validate import OWN

MAX_FILES = 8  # more documents changed at once (a checkout, a script): the full rebuild shows them


@dataclass(frozen=True)
class Base:
    """The last good build, as far as a quick preview needs it."""

    site: Path
    today: date
    catalogue: Catalogue
    publication: Publication
    egress: str  # digest of the needles its output was checked for
    cache_folder: Path | None  # the build cache's folder (the egress store and compiled templates)


def site_paths(site: Path, changed: Iterable[str]) -> list[str] | None:
    """The site-relative paths of the changed files the watcher reported, or None when one lies
    outside the site folder."""
    root = os.path.abspath(site)
    found = []
    for path in changed:
        full = os.path.abspath(path)
        if os.path.commonpath([root, full]) != root:
            return None
        found.append(Path(os.path.relpath(full, root)).as_posix())
    return sorted(set(found))


def pages(base: Base, today: date, changed: list[str], folder: Path) -> dict[str, Path] | None:
    """The quick pages for the changed files `changed` (site-relative), written under `folder`
    and checked: output path -> file. None when any doubt remains (see the module's docstring);
    an empty mapping when the files' text is what the last build published."""
    if today != base.today or not changed or len(changed) > MAX_FILES:
        return None
    read: dict[str, str] = {}  # path -> digest of the bytes the page was made from
    shown: dict[str, Item] = {}
    for rel in changed:
        found = _edited(base, rel)
        if found is None:
            return None
        sha1, item = found
        read[rel] = sha1
        if item is not None:
            shown[rel] = item
    if not shown:
        return {}
    dirs = tuple(template_dirs(base.site))
    written: dict[str, Path] = {}
    for item in shown.values():
        page = item_page(base.publication, dirs, item, base.site, base.cache_folder)
        rel = item_path(item)
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.render(page.resolve()))
        written[rel] = target
    needles = egress.collect(base.site, base.today, dirs, base.cache_folder)
    if needles.digest != base.egress or egress.scan(folder, list(written), needles):
        return None
    if any(_digest(base.site, rel) != sha1 for rel, sha1 in read.items()):
        return None  # changed again meanwhile: the needles may not be those of this text
    return written


def _digest(site: Path, rel: str) -> str | None:
    try:
        return digest((site / rel).read_bytes())
    except OSError:
        return None


def _edited(base: Base, rel: str) -> tuple[str, Item | None] | None:
    """(digest of the file, the public item with its new body, or None when its text is
    unchanged) for one changed file; None when it may not take the quick path."""
    catalogue, pub = base.catalogue, base.publication
    if not (rel.startswith("content/") and rel.endswith(".md")):
        return None
    old = catalogue.by_id.get(rel.removeprefix("content/").removesuffix(".md"))
    if old is None or old.path != rel or old.id not in pub.by_id:
        return None  # not read, not typed or not public in the last build
    try:
        if not stat.S_ISREG(os.lstat(base.site / rel).st_mode):  # a link is refused by load (E013)
            return None
    except OSError:
        return None
    sha1 = _digest(base.site, rel)
    source, problems = load_source(base.site, rel)
    if sha1 is None or source is None or problems:
        return None
    before = old.source
    if repr((source.meta, source.lines, source.body_line)) != repr((before.meta, before.lines, before.body_line)):
        return None  # the front matter changed (repr tells 1 from True and 1.0, and keeps the order)
    if source.body == before.body:
        return sha1, None
    if [href for href, _ in body_links(source.body)] != [href for href, _ in catalogue.links(old)]:
        return None
    item = to_item(source, catalogue.config.kinds)
    if item.kind != old.kind or repr(item.fields) != repr(old.fields):
        return None
    if any(p.severity == "error" for p in _problems(catalogue, source, item, old)):
        return None
    return sha1, replace(pub.by_id[old.id], source=source)  # as decided (`gate._current`), new body


def _problems(catalogue: Catalogue, source: Source, item: Item, old: Item) -> list[Problem]:
    """What `validate` finds in the changed file: its per-file rules and its item rules, the
    cross-item ones against the catalogue with `item` in place of `old`."""
    found: list[Problem] = []
    rules = all_rules()
    for rule in rules:
        if rule.scope == "source":
            found += rule.problems(source, rule.check(source, catalogue.config))
    if found:
        return found
    site = _swapped(catalogue, old, item)
    for rule in rules:
        if rule.scope != "item":
            continue
        if rule.reads in OWN or rule.reads == "today" or rule.applies(item):  # as `validate` chooses
            found += rule.problems(item, rule.check(item, site))
    return found


def _swapped(catalogue: Catalogue, old: Item, new: Item) -> Catalogue:
    """`catalogue` with `new` in place of `old` (same id, kind and fields: only the body differs),
    and the links of its text parsed anew."""

    def swap(items: Iterable[Item]) -> tuple[Item, ...]:
        return tuple(new if i is old else i for i in items)

    def swap_values(mapping: Mapping[str, tuple[Item, ...]]) -> dict[str, tuple[Item, ...]]:
        return {key: swap(items) if any(i is old for i in items) else items for key, items in mapping.items()}

    return replace(
        catalogue,
        items=swap(catalogue.items),
        by_id={**catalogue.by_id, new.id: new},
        by_doc_no={key: new if i is old else i for key, i in catalogue.by_doc_no.items()},
        by_kind=swap_values(catalogue.by_kind),
        interpretations=swap_values(catalogue.interpretations),
        _links={},
        _hidden=catalogue._hidden,  # the non-public items' files: front matter only, unchanged
    )
