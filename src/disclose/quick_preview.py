"""`disclose serve`'s quick preview of the common edit: the body of one document changed.

A full rebuild validates, decides and lists the whole site (about 2 s at 10,000 documents); an
editor who saves a sentence wants to see it at once. When every change the watcher reports is to
the text of documents the last good build published, and nothing the gate decides from changed,
the pages of those documents are rendered alone, checked, and shown before the full rebuild
(which follows as always, and replaces them with everything else it writes).

Shown only when all of these hold, else nothing is shown and the full rebuild is the only path:

- the last build succeeded (no errors), for the same build date, and its state is at hand;
- every changed path is a regular `content/**/*.md` file that build read and published, or a
  file under content/ that is gone again and that no build reads (an editor's temporary file: vim
  creates and deletes `4913` beside the file it saves, other editors save through a renamed copy);
- the file reads and parses without a problem, and its front matter is exactly as before (the same
  values of the same types in the same order, on the same lines), so the item's kind, fields,
  disclosure, dates and relations, everything the gate decides from, are the same: only its body
  differs; the link and image targets of the body are the same too;
- the per-file rules and every item rule (those reading only the item, the date, its attachment
  files, and the cross-item rules, against the last catalogue with the new item in place of the
  old) find no error in it. The site rules read no body (they read front matter, the annual-report
  data files and commit notes), so their findings cannot change;
- the page contains none of the egress check's needles of the last build (collected again from
  the files on disk while its search index was built, and used only when their digest is the one
  that build checked its output for).

What is trusted: the watcher, to report every file changed since the last build read them (that
build started after the changes it was told of, so it read what was on disk then): the last
build's catalogue and publication stand for everything but the edited bodies, and its needles
for the non-public files, none of which changed. Its git history too (a commit changes no watched
file; the notes were checked by that build). The last build's needles are at least as strict as
those a full build would take for the new text: a needle is dropped when public text holds it, so
a withheld sentence copied into the body is a needle here but not for the full build; the other
way round, a text the old body held and the new one does not is a needle for the full build only,
and it can reach the page only through parts the last build served already (front matter, links,
revision notes). The page is rendered exactly as the full build renders it (`render.item_page`);
listings, search and feeds wait for the full rebuild.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable
from concurrent.futures import Future
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
from .pipeline import Report
from .render import attachment_sizes, item_page, template_dirs
from .rules import all_rules
from .rules.attachments import attachment_path
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
    needles: egress.Needles  # what its output was checked for
    cache_folder: Path | None  # the build cache's folder (compiled templates)


def collect_later(site: Path, today: date, cache_folder: Path | None) -> Future[egress.Needles]:
    """The egress check's needles, collected from the files on disk in a thread of their own (0.1 s
    at 10,000 documents: started when a build's pages are checked, they are ready when it ends)."""
    future: Future[egress.Needles] = Future()

    def collect() -> None:
        try:
            future.set_result(egress.collect(site, today, template_dirs(site), cache_folder))
        except BaseException as err:  # noqa: BLE001 - handed to whoever asks for the result
            future.set_exception(err)

    threading.Thread(target=collect, daemon=True).start()
    return future


def base_of(
    site: Path, today: date, report: Report, cache_folder: Path | None, later: Future[egress.Needles] | None = None
) -> Base | None:
    """The state a quick preview starts from after the build of `report`, or None when that build
    failed or the needles (`later`, else collected now) are not those it checked its output for
    (a file changed meanwhile: the watcher reports it next)."""
    if report.errors or report.catalogue is None or report.publication is None:
        return None
    needles = later.result() if later is not None else egress.collect(site, today, template_dirs(site), cache_folder)
    if needles.digest != report.egress:
        return None
    return Base(site, today, report.catalogue, report.publication, needles, cache_folder)


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
    try:
        shown = [item for rel in changed if not _passing(base, rel) and (item := _edited(base, rel)) is not None]
    except _Doubt:
        return None
    if not shown:
        return {}
    dirs = tuple(template_dirs(base.site))
    written: dict[str, Path] = {}
    for item in shown:
        pub = base.publication
        sizes = attachment_sizes(base.site, replace(pub, attachments={item.id: pub.attachments.get(item.id, ())}))
        page = item_page(pub, dirs, item, sizes, base.cache_folder)
        rel = item_path(item)
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.render(page.resolve()))
        written[rel] = target
    if egress.scan(folder, list(written), base.needles):
        return None
    return written


class _Doubt(Exception):
    """The quick path may not be taken."""


def _passing(base: Base, rel: str) -> bool:
    """Whether `rel` is a file under content/ that is gone again and that no build reads: no
    document (a .md file, hidden ones included: the egress check reads those), no folder of the
    last build's documents or attachments, no attachment (compared without letter case)."""
    if not rel.startswith("content/") or rel.endswith(".md") or os.path.lexists(base.site / rel):
        return False
    folded = rel.casefold()
    for item in base.catalogue.items:
        names = [item.path, *(attachment_path(item, str(name)) for name in item.get("attachments") or ())]
        if any((name := path.casefold()) == folded or name.startswith(folded + "/") for path in names):
            return False
    return True


def _edited(base: Base, rel: str) -> Item | None:
    """The public item of the changed file `rel` with its new body, as the page shows it; None
    when its text is what the last build published. Raises _Doubt when in any doubt."""
    catalogue, pub = base.catalogue, base.publication
    if not (rel.startswith("content/") and rel.endswith(".md")):
        raise _Doubt
    old = catalogue.by_id.get(rel.removeprefix("content/").removesuffix(".md"))
    if old is None or old.path != rel or old.id not in pub.by_id:
        raise _Doubt  # not read, not typed or not public in the last build
    try:
        mode = os.lstat(base.site / rel).st_mode
    except OSError:
        raise _Doubt from None
    if not stat.S_ISREG(mode):  # a link is refused by load (E013)
        raise _Doubt
    source, problems = load_source(base.site, rel)
    if source is None or problems:
        raise _Doubt
    before = old.source
    if repr((source.meta, source.lines, source.body_line)) != repr((before.meta, before.lines, before.body_line)):
        raise _Doubt  # the front matter changed (repr tells 1 from True and 1.0, and keeps the order)
    if source.body == before.body:
        return None
    if [href for href, _ in body_links(source.body)] != [href for href, _ in catalogue.links(old)]:
        raise _Doubt
    item = to_item(source, catalogue.config.kinds)
    if item.kind != old.kind or repr(item.fields) != repr(old.fields):
        raise _Doubt
    if any(p.severity == "error" for p in _problems(catalogue, source, item, old)):
        raise _Doubt
    return replace(pub.by_id[old.id], source=source)  # as decided (`gate._current`), new body


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

    firsts = {
        name: {value: new if item is old else item for value, item in values.items()}
        for name, values in catalogue.firsts.items()
    }
    return replace(
        catalogue,
        items=swap(catalogue.items),
        by_id={**catalogue.by_id, new.id: new},
        by_doc_no=firsts.get("doc_no", {value: new if i is old else i for value, i in catalogue.by_doc_no.items()}),
        by_kind={**catalogue.by_kind, old.kind: swap(catalogue.by_kind.get(old.kind, ()))},
        repeats={name: swap(items) for name, items in catalogue.repeats.items()},
        firsts=firsts,
        _links={},
        _hidden=catalogue._hidden,  # the non-public items' files: front matter only, unchanged
    )
