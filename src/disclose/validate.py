"""Stage 2, validate: run the rule catalogue over the sources and the typed items."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from . import attachment_text, git_index
from .build_cache import CachedSource, Files, OthersFound, config_key, file_digest
from .catalogue import Catalogue
from .config import SiteConfig
from .fields import to_item
from .file_digests import Stamp as Stat
from .file_digests import stamp as stat_key
from .model import Item, Problem, Source
from .output import digest
from .page_keys import KeyMismatch, verifying
from .rules import Rule, all_rules
from .rules.attachments import attachment_path
from .visibility import is_public

OWN = ("item", "public", "files")  # what the rules kept under `own_key` read (see rules.registry)


def validate(
    root: Path,
    config: SiteConfig,
    today: date,
    sources: list[Source],
    reports: dict[int, Source] | None = None,
    cached: dict[str, CachedSource] | None = None,
    unreadable: frozenset[str] = frozenset(),
    files: Files | None = None,
    others: OthersFound | None = None,
) -> tuple[Catalogue, list[Problem]]:
    """All problems of all rules; the catalogue holds the items whose schema passed.

    The per-file rules and typing of a source taken from `cached` unchanged are not run again
    under the same configuration: their results are kept in the cache entry. So are the findings
    of the item rules that read only their own item (`Rule.reads`), under a key of everything
    they read: the configuration, whether the item is public, its attachment files (`files`
    remembers their digests by stat, and by git blob id for git's index to vouch for them after a
    checkout: `_Attachments`), and for the rules that read it, the build date. The
    findings of the item rules that read other items are kept in `others` (see `others_key`).
    """
    files = files if files is not None else {}
    with attachment_text.proven(root, files):  # the attachment scans take the digests taken here
        return _validate(root, config, today, sources, reports, cached, unreadable, files, others)


def _validate(
    root: Path,
    config: SiteConfig,
    today: date,
    sources: list[Source],
    reports: dict[int, Source] | None,
    cached: dict[str, CachedSource] | None,
    unreadable: frozenset[str],
    files: Files,
    others: OthersFound | None,
) -> tuple[Catalogue, list[Problem]]:
    rules = [rule for rule in all_rules() if rule.scope == "source"]
    item_rules = [rule for rule in all_rules() if rule.scope == "item"]
    own_rules = [rule for rule in item_rules if rule.reads in OWN]
    dated_rules = [rule for rule in item_rules if rule.reads == "today"]
    key = config_key(config)
    dated = f"{key}/{today.isoformat()}"
    plain = {True: f"{key}/public", False: f"{key}/hidden"}  # own_key of an item without attachments
    state = _Attachments(root, files)
    keep = others is not None and cached is not None
    digests = others.digests if others is not None else {}
    problems: list[Problem] = []
    typed: list[Item] = []
    rejected: list[Source] = []
    entries: list[tuple[Item, CachedSource | None]] = []
    stale: list[tuple[Item, CachedSource | None, str | None]] = []  # (item, entry, own_key) to check below
    changed: list[tuple[Item, CachedSource | None]] = []  # items whose file is not the one `others` knows
    fronts: list[str] = []
    public: list[str] = []  # the ids of the items public on `today`, asked once of each item
    # One pass over the files for everything that needs no catalogue: at 10,000 files, each pass
    # over them all costs milliseconds in memory reads alone.
    for source in sources:
        entry = cached.get(source.path) if cached is not None else None
        if entry is not None and entry.source is not source:
            entry = None
        if entry is None or entry.checked_for != key:
            found: Sequence[Problem] = [p for rule in rules for p in rule.problems(source, rule.check(source, config))]
            failed = any(p.severity == "error" and p.code.startswith("F") for p in found)
            item = None if failed else to_item(source, config.kinds)
            if entry is not None:
                entry.checked_for, entry.problems, entry.item = key, found, item
                entry.own_for = entry.dated_for = ""
        else:
            found, item = entry.problems, entry.item
        problems.extend(found)
        if keep:
            fronts.append(source.front)
        if item is None:
            rejected.append(source)
            continue
        typed.append(item)
        entries.append((item, entry))
        shown = is_public(item, today)
        if shown:
            public.append(item.id)
        if entry is None:  # nothing to keep the findings in
            stale.append((item, None, None))
            changed.append((item, None))
            continue
        own = own_key(item, key, shown, state) if item.fields.get("attachments") else plain[shown]
        if own is None or entry.own_for != own or entry.dated_for != dated:
            stale.append((item, entry, own))
        else:
            problems.extend(entry.own)
            problems.extend(entry.dated)
        if keep and digests.get(source.path) != entry.digest:
            changed.append((item, entry))
    catalogue = Catalogue.of(root, config, today, typed, reports, rejected, unreadable, frozenset(public))
    for item, entry, own in stale:  # the own and dated rules of new or changed items (or dates)
        if entry is None:
            problems.extend(_run(own_rules, item, catalogue))
            problems.extend(_run(dated_rules, item, catalogue))
            continue
        if own is None or entry.own_for != own:
            entry.own_for, entry.own = own or "", _run(own_rules, item, catalogue)
        problems.extend(entry.own)
        if entry.dated_for != dated:
            entry.dated_for, entry.dated = dated, _run(dated_rules, item, catalogue)
        problems.extend(entry.dated)
    for rel in files.keys() - state.seen:  # forget attachments no item names any more
        del files[rel]
    cross = [rule for rule in item_rules if rule.reads == "catalogue"]
    every = [rule for rule in item_rules if rule.reads == "anything"]
    if others is None or not keep:
        problems.extend(p for found in _cross(cross + every, catalogue).values() for p in found)
    else:
        world = catalogue.keys["front"] = others_key(key, fronts, rejected, catalogue)
        problems.extend(_kept(cross, catalogue, entries, changed, world, others))
        problems.extend(p for found in _cross(every, catalogue).values() for p in found)
    for rule in all_rules():
        if rule.scope == "site":
            problems.extend(rule.problems(None, rule.check(catalogue)))
    return catalogue, problems


def others_key(config: str, fronts: list[str], rejected: list[Source], catalogue: Catalogue) -> str:
    """What the item rules that read other items (`Rule.reads` "catalogue") may read besides the
    item they check, whose own file is known by its digest: site.yaml (`config`, its key); every
    content file but the text of its body (`fronts`, each file's `Source.front`: path, front
    matter, the lines of its keys); which files failed the schema (`rejected`: the others are the
    items); the files that could not be read; and which items are public on the build date (told
    by those that are not). They read the date through nothing else (why an item is hidden follows
    from its fields once it is known to be hidden), nor the attachments or any other file, so
    their findings hold while this key is the same and the item's own file has the same bytes."""
    text = "\n".join(
        (
            config,
            "".join(fronts),
            "\0".join([source.path for source in rejected]),
            "\0".join(sorted(catalogue.unreadable)),
            "\0".join(catalogue.hidden_ids),
        )
    )
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _kept(
    rules: list[Rule],
    catalogue: Catalogue,
    entries: list[tuple[Item, CachedSource | None]],
    changed: list[tuple[Item, CachedSource | None]],
    world: str,
    others: OthersFound,
) -> list[Problem]:
    """The findings of `rules` (which read other items) in every item: those `others` keeps for a
    file with the same bytes under the same `others_key` (`world`), the others (`changed`: new
    bytes, or no cache entry) found now; `others` is updated to hold them all. Under
    `page_keys.verifying` everything is found again and compared."""
    if others.key != world:
        found = _cross(rules, catalogue)
        digests = {item.path: entry.digest for item, entry in entries if entry is not None}
        others.key, others.digests, others.found, others.changed = world, digests, found, True
    else:
        found, digests = others.found, others.digests
        if changed:
            for item, entry in changed:
                found.pop(item.path, None)
                if entry is not None:
                    digests[item.path] = entry.digest
                else:  # nothing keeps its findings: found again next time
                    digests.pop(item.path, None)
            found.update(_cross(rules, catalogue, [item for item, _ in changed]))
            others.changed = True
    if verifying():
        _verify(found, _cross(rules, catalogue))
    return [p for problems in found.values() for p in problems]


def _verify(kept: dict[str, list[Problem]], fresh: dict[str, list[Problem]]) -> None:
    """Stop the build when what was kept differs from what the rules find now: `others_key`
    misses something a rule reads."""
    for path in kept.keys() | fresh.keys():
        if sorted(kept.get(path, ())) != sorted(fresh.get(path, ())):
            raise KeyMismatch(
                f"{path}: 所依据的内容未变而检查结果变了 / kept findings differ from what the rules find now"
            )


def _cross(rules: list[Rule], catalogue: Catalogue, items: list[Item] | None = None) -> dict[str, list[Problem]]:
    """The findings of `rules` in `items` (all the items when None), by the path of the item checked."""
    found: dict[str, list[Problem]] = {}
    if items is None:
        having = _having(catalogue, {name for rule in rules if not rule.kinds for name in rule.fields})
        candidates = [(rule, _candidates(rule, catalogue, having)) for rule in rules]
    else:
        candidates = [(rule, [item for item in items if rule.applies(item)]) for rule in rules]
    for rule, among in candidates:
        check = rule.check
        for item in among:
            # most items break no rule: turn findings into problems only when there are some
            for finding in check(item, catalogue):
                found.setdefault(item.path, []).extend(rule.problems(item, [finding]))
    return found


def _having(catalogue: Catalogue, names: set[str]) -> dict[str, list[Item]]:
    """The items in which each field of `names` is set, found in one pass."""
    having: dict[str, list[Item]] = {name: [] for name in names}
    for item in catalogue.items:
        fields = item.fields
        for name in names:
            if fields.get(name):
                having[name].append(item)
    return having


def _candidates(rule: Rule, catalogue: Catalogue, having: dict[str, list[Item]]) -> Iterable[Item]:
    """The items `rule` can find anything in (`Rule.kinds`, `Rule.fields`), each once."""
    if rule.kinds:
        return [item for kind in rule.kinds for item in catalogue.of_kind(kind) if rule.applies(item)]
    if len(rule.fields) == 1:
        return having[rule.fields[0]]
    if rule.fields:
        named = {id(item) for name in rule.fields for item in having[name]}
        return [item for item in catalogue.items if id(item) in named]
    return catalogue.items


def _run(rules: Iterable[Rule], item: Item, catalogue: Catalogue) -> list[Problem]:
    found: list[Problem] = []
    for rule in rules:
        for finding in rule.check(item, catalogue):
            found.extend(rule.problems(item, [finding]))
    return found


def own_key(item: Item, config: str, is_public: bool, attachments: _Attachments) -> str | None:
    """What the `item`, `public` and `files` rules of an item (whose source is unchanged) read
    besides it: the configuration's key, whether it is public today (`is_public`), and the state
    of its attachment files; None when that cannot be told without running them (a symbolic link)."""
    public = "public" if is_public else "hidden"
    names = item.fields.get("attachments") or ()
    if not names:
        return f"{config}/{public}"
    states = []
    for name in names:
        state = attachments.state(attachment_path(item, str(name)))
        if state is None:
            return None
        states.append(state)
    return f"{config}/{public}/{digest(chr(0).join(states).encode())}"


GIT_FROM = 16  # attachments whose stat changed from which git's index is asked (fewer are read)


class _Attachments:
    """The state of attachment paths as the `files` rules see them, each looked up once a build.

    After a fresh checkout (CI) every attachment has a new stat: git's index is then asked once
    about all those `files` records (`_vouch`), and one it vouches holds the bytes hashed before
    (the same blob id) is not read again (`build_cache.file_digest`)."""

    def __init__(self, root: Path, files: Files) -> None:
        self.root, self.files = root, files
        self.seen: set[str] = set()
        self._folders: dict[str, str | None] = {}
        self._vouched: dict[str, tuple[Stat, str]] | None = None  # path -> (stat git judged, blob id)
        self._asked_at = 0

    def state(self, rel: str) -> str | None:
        """`rel` with what the rules can learn of it: outside content/; missing; not a file;
        a file and its bytes' sha1. None when a symbolic link is on its way (A802 and A806 then
        depend on where it points: those items are checked on every build)."""
        if not rel.startswith("content/"):
            return f"{rel}\0outside"
        folder, _, name = rel.rpartition("/")
        where = self._folder(folder)
        if where != "folder":
            return where and f"{rel}\0{where}"
        try:
            status = os.lstat(os.path.join(self.root, rel))
        except OSError:
            return f"{rel}\0missing"
        if stat.S_ISLNK(status.st_mode):
            return None
        if not stat.S_ISREG(status.st_mode):
            return f"{rel}\0other"
        self.seen.add(rel)
        known, blob = self.files.get(rel), None
        if known is not None and known[0] != stat_key(status):
            if self._vouched is None:
                self._vouched = self._vouch()
            judged = self._vouched.get(rel)
            if judged is not None and judged[0] == stat_key(status):
                blob = judged[1]
        try:
            return f"{rel}\0file\0{file_digest(self.files, self.root, rel, status, blob, self._asked_at)}"
        except OSError:
            return None

    def _vouch(self) -> dict[str, tuple[Stat, str]]:
        """Path -> (stat, blob id) of the recorded attachments whose stat changed and whose bytes
        git's index vouches are that blob at that stat (`git_index.unchanged`); asked once, for
        all of them, and only when they are many (a checkout): a few are cheaper to read."""
        self._asked_at = time.time_ns()  # before the stats: what they prove is no newer than this
        changed: dict[str, os.stat_result] = {}
        for rel, known in self.files.items():
            try:
                status = os.lstat(os.path.join(self.root, rel))
            except OSError:
                continue
            if stat.S_ISREG(status.st_mode) and known[0] != stat_key(status):
                changed[rel] = status
        if len(changed) < GIT_FROM:
            return {}
        blobs = git_index.unchanged(self.root, changed, changed, exact=True)
        return {rel: (stat_key(changed[rel]), blob) for rel, blob in blobs.items()}

    def _folder(self, folder: str) -> str | None:
        """ "folder" when `folder` (content/…) and every folder above it up to content/ is a real
        folder; "missing" or "other" when one is not there or no folder; None for a link."""
        if folder not in self._folders:
            above = folder.rpartition("/")[0]
            where = self._folder(above) if "/" in folder else "folder"
            if where == "folder":
                try:
                    mode = os.lstat(os.path.join(self.root, folder)).st_mode
                    where = None if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode) else "other"
                except OSError:
                    where = "missing"
            self._folders[folder] = where
        return self._folders[folder]
