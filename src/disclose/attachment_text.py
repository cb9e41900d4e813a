"""The text of an attachment, for the secrecy and personal-information scans.

An attachment is published as it is, so what it says must pass the same scan as an item's
text. Read here: PDF (pypdf: every page and the document information), DOCX (python-docx: every
XML part of the document, so headers, footers, footnotes, comments and text boxes too, and the
core properties), XLSX and OFD (standard-library zip and XML: shared strings, cell values and
inline strings; OFD's `TextCode` elements), and plain text (txt, csv, md, markdown, svg; UTF-8,
else GB 18030). Images cannot be read without OCR: they are `kind == "image"` and reported as a
warning. Anything else (doc, xls, wps, zip, an encrypted or corrupt PDF, a PDF of scanned pages
with no text layer) is unreadable, with the reason, and the rules report it.

Only the scan's findings are kept, not the text, by the file's content digest (and its type):
with a build cache they persist in `attachments.pickle` there, and the digest is taken again
only when the file's stat changed (`file_digests` says what is trusted), so a rebuild reads no
attachment that did not change and imports pypdf and python-docx only when one must be read.
While the rules run (`session`), each attachment is looked at once, however many rules ask.
"""

from __future__ import annotations

import io
import logging
import os
import stat as stat_module
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .file_digests import FileDigests, Stamp, code_key, load_store, save_store, stamp
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


def _pdf(data: bytes) -> tuple[str, tuple[int, ...]]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported here, not logged
    try:
        reader = PdfReader(io.BytesIO(data))
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
    from xml.etree import ElementTree  # imported when an attachment is read: most builds read none

    out: list[str] = []
    for _, elem in ElementTree.iterparse(io.BytesIO(data), events=("end",)):
        name = elem.tag.rsplit("}", 1)[-1]
        if name in text_tags and elem.text:
            out.append(elem.text)
        elif name in break_tags:
            out.append("\n")
        elem.clear()
    return "".join(out)


def _docx(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
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


def _zip_xml(data: bytes, wanted: Callable[[str], bool], text_tags: tuple[str, ...], label: str) -> str:
    import zipfile  # imported when an attachment is read: most builds read none

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
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


def _xlsx(data: bytes) -> str:
    return _zip_xml(
        data,
        lambda n: n.endswith(".xml") and (n.startswith("xl/") or n.startswith("docProps/")),
        ("t", "v", "title", "subject", "creator", "keywords", "description", "lastModifiedBy"),
        "XLSX",
    )


def _ofd(data: bytes) -> str:
    text = _zip_xml(
        data, lambda n: n.lower().endswith(".xml"), ("TextCode", "Title", "Author", "Subject", "Keywords"), "OFD"
    )
    if not text.strip():
        raise Unreadable("OFD 中没有可读取的文字；请提供带文字的版式文件或 PDF", "the OFD holds no text")
    return text


def _plain(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise Unreadable("文本文件中含二进制内容，无法读取", "the text file holds binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def read_text(path: Path, data: bytes | None = None) -> tuple[str, tuple[int, ...]]:
    """An attachment's text (and a PDF's page starts), or Unreadable with the reason; `data` are
    its bytes when already read."""
    suffix = path.suffix.lower()
    if suffix not in READABLE_TYPES:
        raise _unknown(suffix)
    if data is None:
        data = path.read_bytes()
    if suffix == ".pdf":
        return _pdf(data)
    if suffix == ".docx":
        return _docx(data), ()
    if suffix == ".xlsx":
        return _xlsx(data), ()
    if suffix == ".ofd":
        return _ofd(data), ()
    return _plain(data), ()


def _unknown(suffix: str) -> Unreadable:
    return Unreadable(
        f"无法读取 {suffix or '无扩展名'} 文件中的文字；请转为 PDF（带文字层）、DOCX、XLSX、OFD 或纯文本",
        f"cannot read the text of a {suffix or 'suffix-less'} file; "
        "convert it to PDF (with text), DOCX, XLSX, OFD or plain text",
    )


STORE_FILE = "attachments.pickle"  # in the build cache folder
_FORMAT = "attachments/1"

Frozen = tuple  # a Scanned as plain tuples, as the store keeps it


def _freeze(found: Scanned) -> Frozen:
    def hits(items: list[Hit]) -> tuple:
        return tuple((h.kind, h.shown, h.digits, h.line) for h in items)

    return (found.kind, hits(found.secrets), hits(found.personal), found.reason_zh, found.reason_en, found.pages)


def _thaw(frozen: Frozen) -> Scanned:
    kind, secret_hits, personal_hits, reason_zh, reason_en, pages = frozen
    return Scanned(
        kind, [Hit(*h) for h in secret_hits], [Hit(*h) for h in personal_hits], reason_zh, reason_en, tuple(pages)
    )


@dataclass
class _Store:
    """What the scan found, by the file's type and content digest, and the digests by stat."""

    digests: FileDigests
    found: dict[tuple[str, str], Frozen]
    used: dict[tuple[str, str], Frozen] = field(default_factory=dict)  # looked up or added in this run


@dataclass
class _Session:
    store: _Store
    looked: dict[tuple[Path, str], Scanned] = field(default_factory=dict)  # (root, rel) -> found
    linked: dict[str, bool] = field(default_factory=dict)  # folder -> it or a folder above is a link


_DEFAULT = _Store(FileDigests(accumulate=True), {})  # without a build cache: for this process
_SESSION: _Session | None = None
_PROVEN: tuple[str, Mapping[str, tuple[Stamp, str, str]]] | None = None  # see `proven`


@cache
def _key() -> str:
    """Per process: the code and readers this process runs are what its findings come from."""
    return code_key(_FORMAT, modules=("attachment_text.py", "scan.py", "file_digests.py"), packages=("pypdf", "docx"))


@contextmanager
def session(folder: Path | None) -> Iterator[None]:
    """While the rules run: each attachment is looked at once, however many rules ask, and what
    earlier builds found is taken from the build cache `folder` by the file's digest (and saved
    there after). Without a folder, what this process found before is used."""
    global _SESSION
    path = folder / STORE_FILE if folder is not None else None
    key = ""
    if path is None:
        store = _DEFAULT
    else:
        key = _key()
        data = load_store(path, key)
        store = _Store(FileDigests(data.get("digests")), data.get("found", {}))
    loaded, outer = set(store.found), _SESSION
    _SESSION = _Session(store)
    try:
        yield
    finally:
        _SESSION = outer
    if path is not None and (store.used.keys() != loaded or store.digests.seen != store.digests.known):
        with suppress(OSError):  # a cache that cannot be written costs time next build, not correctness
            save_store(path, key, {"digests": store.digests.seen, "found": store.used})


@contextmanager
def proven(root: Path, files: Mapping[str, tuple[Stamp, str, str]]) -> Iterator[None]:
    """While the rules run: the attachments' digests this build took or git vouched for
    (`build_cache.file_digest`: path -> (stat, sha1, blob id), the stat only when it proves the
    bytes), so a file whose stat changed since this store last saw it (a fresh checkout) is not
    read again for findings kept under the same digest."""
    global _PROVEN
    outer, _PROVEN = _PROVEN, (os.path.abspath(root), files)
    try:
        yield
    finally:
        _PROVEN = outer


def _proven(base: str, rel: str, stat: os.stat_result) -> str | None:
    """The sha1 `proven` holds for the file at this very stat."""
    if _PROVEN is None or _PROVEN[0] != base:
        return None
    known = _PROVEN[1].get(rel)
    return known[1] if known is not None and known[0] == stamp(stat) else None


def scan(root: Path, rel: str) -> Scanned:
    """Secrecy marks and personal information in the attachment `rel` (site-relative).

    Only a regular file inside content/ reached through no symbolic link is read; anything else
    is `absent` here and reported by the attachment rules.
    """
    current = _SESSION
    if current is None:
        return _look(root, rel, _DEFAULT, {})
    found = current.looked.get((root, rel))
    if found is None:
        found = current.looked[root, rel] = _look(root, rel, current.store, current.linked)
    return found


def _look(root: Path, rel: str, store: _Store, linked: dict[str, bool]) -> Scanned:
    base = os.fspath(root)
    if not os.path.isabs(base):
        base = os.path.abspath(base)
    name = os.path.join(base, *rel.split("/"))
    try:
        if not rel.startswith("content/") or _linked_folder(os.path.join(base, "content"), name, linked):
            return Scanned("absent")
        stat = os.lstat(name)
    except OSError:
        return Scanned("absent")
    if not stat_module.S_ISREG(stat.st_mode):  # a symbolic link, a folder, a device
        return Scanned("absent")
    suffix = _suffix(rel)
    if suffix in IMAGE_TYPES:
        return Scanned("image")
    if suffix not in READABLE_TYPES:
        why = _unknown(suffix)
        return Scanned("unreadable", reason_zh=why.zh, reason_en=why.en)
    sha1, data = store.digests.lookup(name, stat), None
    if sha1 is None and (sha1 := _proven(base, rel, stat)) is not None and (suffix, sha1) in store.found:
        store.digests.keep(name, stat, sha1)
    if sha1 is None or (suffix, sha1) not in store.found:
        try:
            sha1, data, stat = store.digests.read(name)
        except OSError as err:
            return Scanned(
                "unreadable", reason_zh=f"无法读取文件（{err.strerror}）", reason_en=f"cannot read the file ({err})"
            )
        if not stat_module.S_ISREG(stat.st_mode):  # replaced by something else since
            return Scanned("absent")
    key = (suffix, sha1)
    frozen = store.found.get(key)
    if frozen is None:
        assert data is not None
        frozen = store.found[key] = _freeze(_scan(Path(name), data))
    store.used[key] = frozen
    return _thaw(frozen)


def _suffix(rel: str) -> str:
    """The file's suffix, lower case, as pathlib has it ("" for ".name" and "name.")."""
    last = rel.rpartition("/")[2]
    dot = last.rfind(".")
    return last[dot:].lower() if 0 < dot < len(last) - 1 else ""


def _scan(path: Path, data: bytes) -> Scanned:
    try:
        text, pages = read_text(path, data)
    except Unreadable as why:
        return Scanned("unreadable", reason_zh=why.zh, reason_en=why.en)
    return Scanned("text", secrets(text), personal(text), pages=pages)


def _linked_folder(content: str, path: str, linked: dict[str, bool]) -> bool:
    """Whether a folder between content/ and the file `path` is a symbolic link (or `path` is
    outside content/), remembered in `linked` for the rest of the run."""
    folder = os.path.dirname(path)
    known = linked.get(folder)
    if known is None:
        if folder == content:
            known = os.path.islink(content)
        elif not folder.startswith(content + os.sep):
            known = True
        else:
            known = _linked_folder(content, folder, linked) or os.path.islink(folder)
        linked[folder] = known
    return known


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
