"""Stage 1, load: every Markdown file under content/ becomes a Source (or problems)."""

from __future__ import annotations

from pathlib import Path

from .frontmatter import load_source
from .model import Problem, Source


def content_files(root: Path) -> list[str]:
    """Site-relative paths of the content files, sorted; hidden files and folders skipped."""
    content = root / "content"
    if not content.is_dir():
        return []
    found = []
    for path in content.rglob("*.md"):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in rel.split("/")) or not path.is_file():
            continue
        found.append(rel)
    return sorted(found)


def load(root: Path) -> tuple[list[Source], list[Problem]]:
    """Read every content file; one bad file never stops the others from being checked."""
    sources: list[Source] = []
    problems: list[Problem] = []
    for rel in content_files(root):
        source, found = load_source(root, rel)
        problems.extend(found)
        if source is not None:
            sources.append(source)
    return sources, problems
