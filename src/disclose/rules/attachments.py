"""附件: files that exist inside content/, published only with public items."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from .registry import Finding, rule


def attachment_path(item: Item, name: str) -> str:
    """The site-relative path of an attachment named relative to the item's file."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(item.path), name))


def _key(item: Item, index: int) -> str:
    key = f"attachments.{index}"
    return key if key in item.source.lines else "attachments"


@rule(
    "A801",
    "item",
    "Attachment file missing",
    "附件文件不存在",
    "条例 第二十四条 (下载)",
    {
        "content/decisions/att.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/missing.pdf]\n---\n正文。\n"
    },
)
def attachment_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Every listed attachment is a file in the repository, so citizens can download it."""
    for index, name in enumerate(item.get("attachments") or ()):
        rel = attachment_path(item, name)
        if rel.startswith("content/") and not (site.root / rel).is_file():
            yield Finding(
                f"附件 {name} 不存在（{rel}）",
                f"attachment {name} not found ({rel})",
                key=_key(item, index),
            )


@rule(
    "A802",
    "item",
    "Attachment outside content/",
    "附件不在 content/ 目录内",
    "content-model.md (attachments)",
    {
        "content/decisions/escape.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [../../site.yaml]\n---\n正文。\n"
    },
)
def attachment_inside(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Attachments stay inside content/: a path that climbs out could publish any file
    of the repository (settings, drafts, keys).
    """
    if not item.get("attachments"):
        return
    content = (site.root / "content").resolve()
    for index, name in enumerate(item.get("attachments") or ()):
        rel = attachment_path(item, name)
        inside = rel.startswith("content/") and (site.root / rel).resolve().is_relative_to(content)
        if not inside:
            yield Finding(
                f"附件 {name} 不在 content/ 目录内；请把文件放在 content/ 下",
                f"attachment {name} is outside content/; move it under content/",
                key=_key(item, index),
            )
