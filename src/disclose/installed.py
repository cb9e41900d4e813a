"""The installed versions of the packages whose version the build cache is keyed on, found the
way `importlib.metadata` finds them but without importing it (0.03–0.1 s a process, more than
the rest of this lookup): one listing of each folder on `sys.path`, in order, where the first
folder holding a `<name>-<version>.dist-info` of a package decides its version.

`importlib.metadata` names a distribution folder by the part of its name before the first `-`
(PEP 503-normalized), searches the path entries in order and takes the first match; so does
this. Where the two could differ it does not guess: a zip file or `.egg` on the path, another
finder of distributions on `sys.meta_path`, or a package whose first folder carries no version
(`<name>.egg-info`) is asked of `importlib.metadata` itself. Two folders of one package in one
directory (a stale one left behind) give both versions, so either changing changes the answer.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from importlib.machinery import PathFinder

UNKNOWN = "unknown"  # not installed
_SUFFIXES = (".dist-info", ".egg-info")


def normalize(name: str) -> str:
    """A distribution's name as `importlib.metadata` matches it (PEP 503, `-` as `_`)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _plain_path() -> bool:
    """Whether every distribution `importlib.metadata` could find lies in a folder of `sys.path`."""
    others = [f for f in sys.meta_path if f is not PathFinder and hasattr(f, "find_distributions")]
    return not others


def _listed(entry: str) -> list[str] | None:
    """The names in the path entry `entry` ([] when it is missing), or None when it is something
    this module does not read (a zip file, an egg)."""
    folder = entry or "."
    if folder.lower().endswith(".egg"):
        return None if os.path.exists(folder) else []
    try:
        return os.listdir(folder)
    except NotADirectoryError:
        return None
    except OSError:  # missing or unreadable: importlib.metadata skips it too
        return []


def found(names: Iterable[str]) -> dict[str, str | None]:
    """Each of `names` (normalized) -> its version as the first dist-info folder on `sys.path`
    names it, UNKNOWN when none does, or None when this module cannot tell (ask importlib)."""
    wanted = {normalize(name) for name in names}
    result: dict[str, str | None] = {}
    if not _plain_path():
        return dict.fromkeys(wanted)
    for entry in sys.path:
        if not wanted - result.keys():
            break
        children = _listed(entry)
        if children is None:  # importlib.metadata may find any package there: it answers the rest
            result.update(dict.fromkeys(wanted - result.keys()))
            break
        here: dict[str, list[str | None]] = {}
        for child in children:
            low = child.lower()
            if not low.endswith(_SUFFIXES):
                continue
            stem = child.rpartition(".")[0]
            name, _, version = stem.partition("-")
            key = normalize(name)
            if key in wanted and key not in result:
                here.setdefault(key, []).append(version if version and low.endswith(".dist-info") else None)
        for key, versions in here.items():
            result[key] = None if None in versions else "|".join(sorted(v for v in versions if v))
    for key in wanted - result.keys():
        result[key] = UNKNOWN
    return result


def versions(names: Iterable[str]) -> dict[str, str]:
    """Each of `names` -> its installed version (UNKNOWN when not installed), read from the
    dist-info folders' names, or from `importlib.metadata` where they cannot tell."""
    names = list(names)
    seen = found(names)
    answers: dict[str, str] = {}
    for name in names:
        version = seen[normalize(name)]
        answers[name] = version if version is not None else _metadata_version(name)
    return answers


def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version  # imported only when needed

    try:
        return version(name)
    except PackageNotFoundError:
        return UNKNOWN
