"""The text of an attachment, for the secrecy and personal-information scans.

An attachment is published as it is, so what it says must pass the same scan as an item's
text. Read here: PDF (pypdf: every page and the document information), DOCX (python-docx: every
XML part of the document, so headers, footers, footnotes, comments and text boxes too, and the
core properties), XLSX and OFD (standard-library zip and XML: shared strings, cell values and
inline strings; OFD's `TextCode` elements), and plain text (txt, csv, md, markdown, svg; UTF-8,
else GB 18030). Images cannot be read without OCR: they are `kind == "image"` and reported as a
warning. Anything else (doc, xls, wps, zip, an encrypted or corrupt PDF, a PDF of scanned pages
with no text layer) is unreadable, with the reason, and the rules report it.

Reading is memoised by the file's path, size, modification time and inode, and only the scan's
hits are kept, not the text, so a site's attachments are read once per process.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .scan import Hit, personal, secrets

TEXT_TYPES = {".txt", ".csv", ".md", ".markdown", ".svg"}
IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
READABLE_TYPES = {".pdf", ".docx", ".xlsx", ".ofd"} | TEXT_TYPES
MAX_XML_PART = 50 * 1024 * 1024  # bytes of one unpacked XML part: beyond that a zip bomb, not a document


class Unreadable(Exception):
    """Why an attachment's text cannot be read; `zh` and `en` are shown to the editor."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Scanned:
    """What the scan found in one attachment, or why it could not look."""

    kind: str  # text | image | unreadable | absent
    secrets: list[Hit] = field(default_factory=list)
    personal: list[Hit] = field(default_factory=list)
    reason_zh: str = ""
    reason_en: str = ""
    pages: tuple[int, ...] = ()  # first line of each PDF page, to name the page of a hit

    def where(self, line: int) -> str:
        """第N页 for a PDF, 第N行 otherwise."""
        if self.pages:
            return f"第{sum(1 for start in self.pages if start <= line)}页"
        return f"第{line + 1}行"


def _pdf(path: Path) -> tuple[str, tuple[int, ...]]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported here, not logged
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF 已加密，无法读取其中文字", "the PDF is encrypted and cannot be read")
        texts, starts, line = [], [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            starts.append(line)
            texts.append(text)
            line += text.count("\n") + 1
        info: Mapping[object, object] = reader.metadata or {}
        meta = [str(v) for v in info.values() if isinstance(v, str)]
    except Unreadable:
        raise
    except Exception as err:  # noqa: BLE001 - any failure of a third-party parser on hostile input
        raise Unreadable(f"PDF 文件损坏或格式不对（{type(err).__name__}）", f"the PDF is damaged ({err})") from None
    if not "".join(texts).strip():
        raise Unreadable(
            "PDF 中没有可读取的文字（可能是扫描图片）；请提供带文字层的 PDF",
            "the PDF holds no text (scanned pages?); provide a PDF with a text layer",
        )
    return "\n".join(texts) + "\n" + "\n".join(meta), tuple(starts)


def _xml_text(data: bytes, text_tags: tuple[str, ...], break_tags: tuple[str, ...]) -> str:
    """The text of the elements named `text_tags` (local names), a line break after each of
    `break_tags`."""
    out: list[str] = []
    for _, elem in ElementTree.iterparse(io.BytesIO(data), events=("end",)):
        name = elem.tag.rsplit("}", 1)[-1]
        if name in text_tags and elem.text:
            out.append(elem.text)
        elif name in break_tags:
            out.append("\n")
        elem.clear()
    return "".join(out)


def _docx(path: Path) -> str:
    import docx

    try:
        document = docx.Document(str(path))
        parts = [
            part.blob
            for part in document.part.package.iter_parts()
            if part.partname.startswith("/word/") and part.partname.endswith(".xml")
        ]
        props = document.core_properties
        meta = [props.title, props.subject, props.author, props.keywords, props.comments, props.last_modified_by]
        text = "\n".join(_xml_text(blob, ("t", "delText", "instrText"), ("p", "br", "tab")) for blob in parts)
    except Exception as err:  # noqa: BLE001 - any failure of a third-party parser on hostile input
        raise Unreadable(f"DOCX 文件损坏或格式不对（{type(err).__name__}）", f"the DOCX is damaged ({err})") from None
    return text + "\n" + "\n".join(m for m in meta if m)


def _zip_xml(path: Path, wanted: Callable[[str], bool], text_tags: tuple[str, ...], label: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info for info in archive.infolist() if wanted(info.filename)]
            if any(info.file_size > MAX_XML_PART for info in names):
                raise Unreadable(f"{label} 文件内容过大，无法检查", f"the {label} file unpacks too large to check")
            texts = [_xml_text(archive.read(info), text_tags, ("row", "si", "TextObject")) for info in names]
    except Unreadable:
        raise
    except Exception as err:  # noqa: BLE001 - zip and XML errors of a hostile file
        raise Unreadable(
            f"{label} 文件损坏或格式不对（{type(err).__name__}）", f"the {label} is damaged ({err})"
        ) from None
    return "\n".join(texts)


def _xlsx(path: Path) -> str:
    return _zip_xml(
        path,
        lambda n: n.endswith(".xml") and (n.startswith("xl/") or n.startswith("docProps/")),
        ("t", "v", "title", "subject", "creator", "keywords", "description", "lastModifiedBy"),
        "XLSX",
    )


def _ofd(path: Path) -> str:
    text = _zip_xml(
        path, lambda n: n.lower().endswith(".xml"), ("TextCode", "Title", "Author", "Subject", "Keywords"), "OFD"
    )
    if not text.strip():
        raise Unreadable("OFD 中没有可读取的文字；请提供带文字的版式文件或 PDF", "the OFD holds no text")
    return text


def _plain(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise Unreadable("文本文件中含二进制内容，无法读取", "the text file holds binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def read_text(path: Path) -> tuple[str, tuple[int, ...]]:
    """An attachment's text (and a PDF's page starts), or Unreadable with the reason."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf(path)
    if suffix == ".docx":
        return _docx(path), ()
    if suffix == ".xlsx":
        return _xlsx(path), ()
    if suffix == ".ofd":
        return _ofd(path), ()
    if suffix in TEXT_TYPES:
        return _plain(path), ()
    raise Unreadable(
        f"无法读取 {suffix or '无扩展名'} 文件中的文字；请转为 PDF（带文字层）、DOCX、XLSX、OFD 或纯文本",
        f"cannot read the text of a {suffix or 'suffix-less'} file; "
        "convert it to PDF (with text), DOCX, XLSX, OFD or plain text",
    )


_MEMO: dict[tuple[str, int, int, int], Scanned] = {}


def scan(root: Path, rel: str) -> Scanned:
    """Secrecy marks and personal information in the attachment `rel` (site-relative).

    Only a regular file inside content/ reached through no symbolic link is read; anything else
    is `absent` here and reported by the attachment rules.
    """
    path = root / rel
    content = root / "content"
    try:
        if not rel.startswith("content/") or _through_link(content, path):
            return Scanned("absent")
        stat = os.stat(path, follow_symlinks=False)
    except OSError:
        return Scanned("absent")
    if not path.is_file():
        return Scanned("absent")
    key = (str(path.absolute()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _MEMO:
        _MEMO[key] = _scan(path)
    return _MEMO[key]


def _scan(path: Path) -> Scanned:
    if path.suffix.lower() in IMAGE_TYPES:
        return Scanned("image")
    try:
        text, pages = read_text(path)
    except Unreadable as why:
        return Scanned("unreadable", reason_zh=why.zh, reason_en=why.en)
    except OSError as err:
        return Scanned(
            "unreadable", reason_zh=f"无法读取文件（{err.strerror}）", reason_en=f"cannot read the file ({err})"
        )
    return Scanned("text", secrets(text), personal(text), pages=pages)


def _through_link(content: Path, path: Path) -> bool:
    """Whether `path`, or a folder between content/ and it, is a symbolic link."""
    if content.is_symlink():
        return True
    try:
        parts = path.relative_to(content).parts
    except ValueError:
        return True
    here = content
    for part in parts:
        here = here / part
        if here.is_symlink():
            return True
    return False


def through_link(root: Path, rel: str) -> bool:
    """Whether the attachment `rel` is a symbolic link or sits in a linked folder under content/."""
    return _through_link(root / "content", root / rel)
