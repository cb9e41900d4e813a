"""附件: files that exist inside content/, published only with public items, whose text the
secrecy and personal-information scans can read (S303, I903)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from .. import attachment_text
from ..catalogue import Catalogue
from ..model import Item
from ..visibility import is_public, why_not_public
from .registry import Finding, rule


def attachment_path(item: Item, name: str) -> str:
    """The site-relative path of an attachment named relative to the item's file."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(item.path), name))


def is_content_file(rel: str) -> bool:
    """Whether the build reads `rel` as an item: a .md file under content/, in no hidden folder."""
    parts = rel.split("/")
    return parts[0] == "content" and rel.endswith(".md") and not any(p.startswith(".") for p in parts[1:])


def attachment_key(item: Item, index: int) -> str:
    """The front-matter key whose line names the attachment: `attachments.2`, else `attachments`."""
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
    reads="files",
)
def attachment_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Every listed attachment is a file in the repository, so citizens can download it."""
    for index, name in enumerate(item.get("attachments") or ()):
        rel = attachment_path(item, name)
        if rel.startswith("content/") and not (site.root / rel).is_file():
            yield Finding(
                f"附件 {name} 不存在（{rel}）",
                f"attachment {name} not found ({rel})",
                key=attachment_key(item, index),
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
    reads="files",
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
                key=attachment_key(item, index),
            )


@rule(
    "A803",
    "item",
    "Attachment text cannot be read",
    "无法读取附件中的文字",
    "保守国家秘密法 第三十一条; 个人信息保护法 第二十五条 (公开前审查)",
    {
        "content/decisions/att-broken.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/att-broken.pdf, files/att-old.doc]\n---\n正文。\n",
        "content/decisions/files/att-broken.pdf": "%PDF-1.4 not really a PDF\n",
        "content/decisions/files/att-old.doc": "binary",
    },
    reads="files",
)
def attachment_readable(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A public item's attachment is published as it is, so its text must be checked for 密级
    marks and personal information before it goes out; a file whose text cannot be read is not
    waved through.

    Read: PDF with a text layer, DOCX, XLSX, OFD, and plain text (txt, csv, md, svg). Not read:
    encrypted or damaged PDFs, PDFs of scanned pages, old Office formats (doc, xls, wps),
    archives and unknown types: convert them to one of the readable formats. Images are A804.
    """
    if not is_public(item, site.today):
        return
    for index, name in enumerate(item.get("attachments") or ()):
        scanned = attachment_text.scan(site.root, attachment_path(item, name))
        if scanned.kind == "unreadable":
            yield Finding(
                f"附件 {name}：{scanned.reason_zh}；无法检查其中的密级标志和个人信息",
                f"attachment {name}: {scanned.reason_en}; it cannot be checked for secrecy marks or personal information",
                key=attachment_key(item, index),
            )


@rule(
    "A804",
    "item",
    "Image attachment cannot be checked",
    "图片附件无法自动检查",
    "保守国家秘密法 第三十一条; 个人信息保护法 第二十五条 (公开前审查)",
    {
        "content/interpretations/graphic.md": "---\ntitle: 图解\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "interprets: 示政发〔2024〕1号\nattachments: [files/graphic.png]\n---\n正文。\n",
        "content/interpretations/files/graphic.png": "PNG",
    },
    severity="warning",
    reads="files",
)
def attachment_image(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An image (a 图解, a photo) is published without its text being read: no OCR is run.

    A warning, not an error, because 图解 are images by nature: whoever publishes it checks by
    eye that it shows no 密级 mark, ID number or mobile number. Its file name is still scanned.
    """
    if not is_public(item, site.today):
        return
    for index, name in enumerate(item.get("attachments") or ()):
        if attachment_text.scan(site.root, attachment_path(item, name)).kind == "image":
            yield Finding(
                f"图片附件 {name} 中的文字无法自动检查：请人工确认其中没有密级标志、身份证号码、手机号码",
                f"image attachment {name} cannot be checked automatically: make sure by eye it shows "
                "no secrecy mark, ID number or mobile number",
                key=attachment_key(item, index),
            )


@rule(
    "A805",
    "item",
    "Attachment is a content file",
    "附件是一条信息的源文件",
    "条例 第十三条 (不公开的信息不得发布); content-model.md (attachments)",
    {
        "content/decisions/leak.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [hidden.md]\n---\n正文。\n",
        "content/decisions/hidden.md": "---\ntitle: 内部事项\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nbasis: internal-affairs\nreview: {by: 办公室, date: 2024-02-01}\n---\n内部。\n",
    },
    fields=("attachments",),
)
def attachment_not_content(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A `.md` file under content/ is an item with its own 公开属性; attached, its source (front
    matter and text) would be copied out whether or not it is public. Link to it instead.
    """
    for index, name in enumerate(item.get("attachments") or ()):
        rel = attachment_path(item, name)
        if not is_content_file(rel):
            continue
        target = site.by_id.get(rel.removeprefix("content/")[:-3])
        hidden = why_not_public(target, site.today) if target is not None else None
        state = f"（该信息{hidden}）" if hidden else ""
        yield Finding(
            f"附件 {name} 是一条信息的源文件{state}，不能作为附件发布；请改为在正文中链接该信息",
            f"attachment {name} is a content file{' that is not public' if hidden else ''}; link to the item instead",
            key=attachment_key(item, index),
        )


@rule(
    "A806",
    "item",
    "Attachment is a symbolic link",
    "附件是符号链接",
    "content-model.md (attachments)",
    {
        "content/decisions/att-link.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/att-link.txt]\n---\n正文。\n",
        "content/decisions/files/att-link.txt": "@symlink ../../policies/rules.md",
    },
    reads="files",
)
def attachment_not_linked(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An attachment must be a file of its own: a symbolic link (or a file in a linked folder)
    can point at any file, inside content/ or not, and publish what was never meant to be.
    """
    for index, name in enumerate(item.get("attachments") or ()):
        rel = attachment_path(item, name)
        if rel.startswith("content/") and attachment_text.through_link(site.root, rel):
            yield Finding(
                f"附件 {name} 是符号链接（或位于链接的目录中）；请把文件本身放在 content/ 下",
                f"attachment {name} is a symbolic link (or inside a linked folder); put the file itself under content/",
                key=attachment_key(item, index),
            )
