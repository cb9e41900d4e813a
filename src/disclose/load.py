"""Stage 1, load: every Markdown file under content/ becomes a Source (or problems)."""

from __future__ import annotations

import os
import stat
import time
from functools import partial
from pathlib import Path

from . import git_index
from .build_cache import CachedSource, trusted
from .dates import FIRST_YEAR, LAST_YEAR
from .file_digests import Stamp as Stat
from .file_digests import stamp as stat_key
from .forking import fork_context
from .frontmatter import MAX_BYTES, load_source, parse_yaml, read_text
from .git_index import blob_id
from .markdown import limit_breach
from .model import UNPRINTABLE, Problem, Source

PARALLEL_FROM = 1000  # files to parse before forking workers pays
# Asking git costs a stat of every file (about 0.1 s at 10,000), reading one about 65 us: git is
# asked when at least this many cached files, and this share of all, have a stat that changed.
GIT_FROM, GIT_SHARE = 200, 0.1


def content_files(root: Path) -> list[str]:
    """Site-relative paths of the content files, sorted; hidden files and folders skipped."""
    return scan_content(root)[0]


def scan_content(root: Path) -> tuple[list[str], list[Problem]]:
    """The content files, and a problem for every path under content/ that must not be read:
    a symbolic link (a file or folder linked in from elsewhere, which would be published or
    silently dropped) and a Markdown file whose name holds control characters."""
    found, problems = _walk(root)
    return sorted(found), problems


def _walk(root: Path) -> tuple[dict[str, os.stat_result], list[Problem]]:
    """`scan_content`, with each file's stat as the walk found it (one `lstat` a file, through
    `os.scandir`, which knows folders and links from the directory listing)."""
    found: dict[str, os.stat_result] = {}
    problems: list[Problem] = []
    folders = [("content", os.path.join(root, "content"))]
    while folders:
        rel, folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:  # as os.walk: a folder that cannot be listed is passed over
            continue
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()  # a link to a folder too, as os.walk lists it
            except OSError:
                is_dir = False
            if is_dir:
                if name.startswith("."):
                    continue
                if entry.is_symlink():
                    problems.append(_symlink(f"{rel}/{name}", folder=True))
                else:
                    folders.append((f"{rel}/{name}", entry.path))
                continue
            if not name.endswith(".md") or name.startswith("."):
                continue
            status = entry.stat(follow_symlinks=False)
            mode = status.st_mode
            path = f"{rel}/{name}"
            if stat.S_ISLNK(mode):
                problems.append(_symlink(path, folder=False))
            elif not stat.S_ISREG(mode):
                continue
            elif UNPRINTABLE.search(path):
                problems.append(
                    Problem(
                        path,
                        1,
                        "E014",
                        "文件名或文件夹名含有换行、控制字符或无法识别的字节；请重命名（只用文字、数字、- 和 _）",
                        "the file or folder name holds a newline, control character or undecodable byte; "
                        "rename it (letters, digits, - and _)",
                    )
                )
            else:
                found[path] = status
    return found, sorted(problems)


def _symlink(path: str, folder: bool) -> Problem:
    what_zh, what_en = ("文件夹", "folder") if folder else ("文件", "file")
    return Problem(
        path,
        1,
        "E013",
        f"该{what_zh}是符号链接（快捷方式），不会被读取；请把真实{what_zh}放到 content/ 下，不要链接",
        f"this {what_en} is a symbolic link and is not read; put the real {what_en} under content/ instead",
    )


def load(
    root: Path, cache: dict[str, CachedSource] | None = None, workers: int = 1
) -> tuple[list[Source], list[Problem]]:
    """Read every content file; one bad file never stops the others from being checked.

    `cache` maps a path to its parsed source from an earlier build; an unchanged file (the same
    bytes) is not parsed again, and the mapping is updated in place. A file whose stat is the
    one the cache recorded (see `build_cache.trusted`) is not even read; nor, when many stats
    changed (a fresh checkout in CI), is a file git vouches holds the bytes the cache parsed
    (`git_index`). Any other is read and its bytes compared by their git blob id, so a cache
    restored elsewhere still serves. Many files to parse are parsed on `workers` cores.
    """
    walked, refused = _walk(root)
    files = sorted(walked)
    digests: dict[str, tuple[str, Stat | None]] = {}
    kept: dict[str, Source] = {}
    if cache is not None:
        read_at = time.time_ns()
        known = cache.get
        missed: list[tuple[str, os.stat_result, CachedSource | None]] = []
        for rel in files:
            hit, status = known(rel), walked[rel]
            if hit is not None and hit.stat == stat_key(status):  # None (not trusted) never equals
                kept[rel] = hit.source
            else:
                missed.append((rel, status, hit))
        cached = [rel for rel, _, hit in missed if hit is not None]
        asking = len(cached) >= max(GIT_FROM, len(files) * GIT_SHARE)  # a checkout, a clone, a restore
        vouched = git_index.unchanged(root, cached, walked) if asking else {}
        for rel, status, hit in missed:
            if status.st_size > MAX_BYTES:
                continue  # parsing reports it
            if hit is not None and vouched.get(rel) == hit.digest:
                hit.stat = trusted(status, read_at)
                kept[rel] = hit.source
                continue
            with open(os.path.join(root, rel), "rb") as handle:  # a plain string: runs for every file
                digests[rel] = key, now = blob_id(handle.read()), trusted(status, read_at)
            if hit is not None and hit.digest == key:
                hit.stat = now
                kept[rel] = hit.source
    pending = [rel for rel in files if rel not in kept]
    parsed = dict(zip(pending, _parse(root, pending, workers), strict=True))
    sources: list[Source] = []
    problems = list(refused)
    for rel in files:
        source = kept.get(rel)
        if source is None:
            source, found = parsed[rel]
            problems.extend(found)
            if cache is not None and source is not None and not found and rel in digests:
                cache[rel] = CachedSource(digests[rel][0], source, stat=digests[rel][1])
        if source is not None:
            sources.append(source)
    if cache is not None:
        for rel in cache.keys() - walked.keys():
            del cache[rel]
    return sources, problems


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
        if path.is_symlink():
            problems.append(_symlink(rel, folder=False))
            continue
        if path.stem.isdigit() and len(path.stem) == 4 and not FIRST_YEAR <= int(path.stem) <= LAST_YEAR:
            problems.append(
                Problem(
                    rel,
                    1,
                    "Y701",
                    f"年度报告年份应在 {FIRST_YEAR}–{LAST_YEAR} 之间；请核对文件名",
                    f"an annual report's year is between {FIRST_YEAR} and {LAST_YEAR}; check the file name",
                )
            )
            continue
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
                found = _prose_limits(rel, data or {}, lines)
            if not found:
                reports[int(path.stem)] = Source(rel, f"reports/{path.stem}", data or {}, lines, "", 1)
        problems.extend(found)
    return reports, problems


def _prose_limits(rel: str, data: dict, lines: dict[str, int]) -> list[Problem]:
    """The report's prose parts are rendered as Markdown: the same render limits as a body."""
    found = []
    for key, value in data.items():
        breach = limit_breach(value) if isinstance(value, str) else None
        if breach:
            line, code, zh, en = breach
            found.append(Problem(rel, lines.get(str(key), 1) + 1 + line, code, zh, en))
    return found
