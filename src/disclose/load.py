"""Stage 1, load: every Markdown file under content/ becomes a Source (or problems)."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from .build_cache import CachedSource, digest
from .forking import fork_context
from .frontmatter import MAX_BYTES, load_source, parse_yaml, read_text
from .model import Problem, Source

PARALLEL_FROM = 1000  # files to parse before forking workers pays


def content_files(root: Path) -> list[str]:
    """Site-relative paths of the content files, sorted; hidden files and folders skipped."""
    content = root / "content"
    found = []
    for folder, dirs, files in os.walk(content):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        found += [
            f"{rel}/{name}"
            for name in files
            if name.endswith(".md") and not name.startswith(".") and os.path.isfile(os.path.join(folder, name))
        ]
    return sorted(found)


def load(
    root: Path, cache: dict[str, CachedSource] | None = None, workers: int = 1
) -> tuple[list[Source], list[Problem]]:
    """Read every content file; one bad file never stops the others from being checked.

    `cache` maps a path to its parsed source from an earlier build; an unchanged file (the same
    bytes) is not parsed again, and the mapping is updated in place. Many files to parse are
    parsed on `workers` cores.
    """
    files = content_files(root)
    digests: dict[str, str] = {}
    loaded: dict[str, tuple[Source | None, list[Problem]]] = {}
    for rel in files if cache is not None else ():
        path = os.path.join(root, rel)  # a plain string: this runs for every file of every build
        if os.stat(path).st_size <= MAX_BYTES:
            with open(path, "rb") as handle:
                digests[rel] = key = digest(handle.read())
            hit = cache.get(rel)
            if hit is not None and hit.digest == key:
                loaded[rel] = (hit.source, [])
    pending = [rel for rel in files if rel not in loaded]
    for rel, (source, found) in zip(pending, _parse(root, pending, workers), strict=True):
        loaded[rel] = (source, found)
        if cache is not None and source is not None and not found and rel in digests:
            cache[rel] = CachedSource(digests[rel], source)
    if cache is not None:
        for rel in set(cache) - set(files):
            del cache[rel]
    sources = [loaded[rel][0] for rel in files if loaded[rel][0] is not None]
    return sources, [problem for rel in files for problem in loaded[rel][1]]


def _parse(root: Path, rels: list[str], workers: int) -> list[tuple[Source | None, list[Problem]]]:
    """Parse files, over forked worker processes when there are many: parsing YAML is most of the
    time a first build spends reading."""
    context = fork_context(workers, len(rels), PARALLEL_FROM)
    if context is not None:
        with context.Pool(workers) as pool:
            return pool.map(partial(load_source, root), rels, chunksize=200)
    return [load_source(root, rel) for rel in rels]


def load_reports(root: Path) -> tuple[dict[int, Source], list[Problem]]:
    """The editors' yearly data files for the annual report: reports/YEAR.yaml."""
    reports: dict[int, Source] = {}
    problems: list[Problem] = []
    folder = root / "reports"
    if not folder.is_dir():
        return reports, problems
    for path in sorted(folder.glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        if not (path.stem.isdigit() and len(path.stem) == 4):
            problems.append(
                Problem(
                    rel,
                    1,
                    "Y701",
                    "年度报告数据文件应命名为 年份.yaml，如 reports/2026.yaml",
                    "an annual-report data file is named YEAR.yaml",
                )
            )
            continue
        text, found = read_text(root, rel)
        if text is not None:
            data, lines, found = parse_yaml(text, rel, 1)
            if not found and not isinstance(data, dict | None):
                found = [Problem(rel, 1, "Y701", "数据文件应为“键: 值”形式", "the data file must be key: value lines")]
            if not found:
                reports[int(path.stem)] = Source(rel, f"reports/{path.stem}", data or {}, lines, "", 1)
        problems.extend(found)
    return reports, problems
