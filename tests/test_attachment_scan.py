"""Attachments are scanned like items: real PDF, DOCX, XLSX and OFD files made here, and the files
whose text cannot be read (damaged, encrypted, scanned pages, unknown types) are reported."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from disclose import attachment_text, pipeline
from disclose.cli import build_date

from .conftest import TODAY, write

DECISION = """---
title: 某决定
issuer: 示例市人民政府
published: 2024-03-01
{extra}attachments: [{names}]
---
正文。
"""


def _pdf(path: Path, *pages: str, encrypt: str | None = None) -> Path:
    """A real PDF with Chinese text (reportlab's built-in CID font, which pypdf reads back)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path.parent.mkdir(parents=True, exist_ok=True)
    page = canvas.Canvas(str(path), encrypt=encrypt)
    for text in pages:
        page.setFont("STSong-Light", 12)
        if text:
            page.drawString(72, 720, text)
        else:
            page.rect(72, 600, 200, 100, fill=1)  # a scanned page: a picture, no text
        page.showPage()
    page.save()
    return path


def _docx(path: Path, body: str, header: str = "", table: str = "") -> Path:
    import docx

    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_paragraph(body)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if table:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table
    document.save(str(path))
    return path


def _zip(path: Path, files: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def _xlsx(path: Path, cells: list[str]) -> Path:
    shared = "".join(f"<si><t>{c}</t></si>" for c in cells)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rows = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" t="s"><v>{i}</v></c></row>' for i in range(len(cells)))
    return _zip(
        path,
        {
            "xl/sharedStrings.xml": f"<sst {ns}>{shared}</sst>",
            "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{rows}</sheetData></worksheet>",
        },
    )


def _ofd(path: Path, text: str) -> Path:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    return _zip(
        path,
        {
            "OFD.xml": f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
            "Doc_0/Pages/Page_0/Content.xml": f"<ofd:Page {ns}><ofd:Content><ofd:Layer><ofd:TextObject>"
            f"<ofd:TextCode X='0' Y='0'>{text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>",
        },
    )


def _check(site: Path, names: str, extra: str = "") -> list:
    write(site, "content/decisions/att.md", DECISION.format(names=names, extra=extra))
    return pipeline.check(site, build_date(TODAY)).problems


def _codes(problems) -> list[tuple[str, str]]:
    return [(p.code, p.zh) for p in problems]


FILES = "content/decisions/files"


@pytest.mark.parametrize(
    ("make", "code", "shown"),
    [
        (lambda d: _pdf(d / "a.pdf", "某方案", "机密★1年"), "S303", "第2页"),
        (lambda d: _pdf(d / "a.pdf", "联系人 138 0013 8000"), "I903", "138****8000"),
        (lambda d: _docx(d / "a.docx", "正文", header="秘密☆5年"), "S303", "秘密★"),
        (lambda d: _docx(d / "a.docx", "正文", table="身份证 110105 19491231 002X"), "I903", "11*************02X"),
        (lambda d: _xlsx(d / "a.xlsx", ["姓名", "＋86 13800138000"]), "I903", "138****8000"),
        (lambda d: _ofd(d / "a.ofd", "絕密★長期"), "S303", "绝密★"),
        (lambda d: write(d.parents[2], f"{FILES}/a.csv", "电话\n138-0013-8000\n"), "I903", "138****8000"),
        (lambda d: write(d.parents[2], f"{FILES}/a.txt", "# 附件\n\n**机 密**＊1年\n"), "S303", "机密"),
        (lambda d: write(d.parents[2], "content/decisions/.files/a.md", "机密★1年\n"), "S303", "机密★"),
    ],
    ids=["pdf-secret", "pdf-mobile", "docx-header", "docx-table-id", "xlsx", "ofd", "csv", "txt-markup", "md-hidden"],
)
def test_attachment_text_is_scanned(site, make, code, shown):
    path = make(site / FILES)
    problems = _check(site, path.relative_to(site / "content/decisions").as_posix())
    hits = [p for p in problems if p.code == code]
    assert hits and shown in hits[0].zh, _codes(problems)
    assert hits[0].path == "content/decisions/att.md" and hits[0].line == 5


def test_clean_attachments_pass(site):
    _pdf(site / FILES / "ok.pdf", "示例市人民政府关于某事项的通知", "办公室电话 0575-85123456")
    _docx(site / FILES / "ok.docx", "涉及商业秘密的部分已删除", header="示政发〔2024〕13号")
    _xlsx(site / FILES / "ok.xlsx", ["2024-03-01", "138****8000"])
    _ofd(site / FILES / "ok.ofd", "保守国家秘密法")
    assert _check(site, "files/ok.pdf, files/ok.docx, files/ok.xlsx, files/ok.ofd") == []


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("broken.pdf", lambda p: write(p.parents[3], f"{FILES}/broken.pdf", b"%PDF-1.4\n garbage"), "损坏"),
        ("locked.pdf", lambda p: _pdf(p, "机密★1年", encrypt="secret"), "加密"),
        ("scan.pdf", lambda p: _pdf(p, ""), "没有可读取的文字"),
        ("old.doc", lambda p: write(p.parents[3], f"{FILES}/old.doc", b"\xd0\xcf\x11\xe0 binary"), ".doc"),
        ("a.zip", lambda p: _zip(p, {"x.txt": "机密★1年"}), ".zip"),
        ("fake.docx", lambda p: write(p.parents[3], f"{FILES}/fake.docx", b"not a zip"), "DOCX"),
        ("empty.ofd", lambda p: _zip(p, {"OFD.xml": "<OFD/>"}), "OFD"),
        ("bin.txt", lambda p: write(p.parents[3], f"{FILES}/bin.txt", b"\x00\x01\x02 binary"), "二进制"),
    ],
)
def test_unreadable_attachment_is_reported(site, name, make, reason):
    make(site / FILES / name)
    problems = _check(site, f"files/{name}")
    hits = [p for p in problems if p.code == "A803"]
    assert len(hits) == 1 and reason in hits[0].zh and name in hits[0].zh, _codes(problems)


def test_unreadable_attachment_of_a_withheld_item_is_not_reported(site):
    write(site, f"{FILES}/old.doc", b"\xd0\xcf\x11\xe0 binary")
    extra = "disclosure: withheld\nbasis: internal-affairs\nreview: {by: 办公室, date: 2024-02-01}\n"
    assert "A803" not in {p.code for p in _check(site, "files/old.doc", extra)}


def test_image_is_a_warning_and_its_name_is_scanned(site):
    write(site, f"{FILES}/图解.png", b"\x89PNG\r\n\x1a\n")
    write(site, f"{FILES}/机密★1年.png", b"\x89PNG\r\n\x1a\n")
    problems = _check(site, "files/图解.png, files/机密★1年.png")
    assert [(p.code, p.severity) for p in problems if p.code == "A804"] == [("A804", "warning")] * 2
    assert [(p.code, p.line) for p in problems if p.severity == "error"] == [("S302", 5)]


def test_secrecy_mark_in_an_attachment_of_a_withheld_item_still_refuses(site):
    write(site, f"{FILES}/plan.txt", "秘密★5年\n")
    extra = "disclosure: withheld\nbasis: internal-affairs\nreview: {by: 办公室, date: 2024-02-01}\n"
    assert "S303" in {p.code for p in _check(site, "files/plan.txt", extra)}


def test_mobile_in_attachment_file_name(site):
    write(site, f"{FILES}/张三13800138000.txt", "无\n")
    problems = _check(site, "files/张三13800138000.txt")
    assert [(p.code, p.line) for p in problems] == [("I902", 5)]


def test_attachment_that_is_a_non_public_item_is_refused(site):
    write(
        site,
        "content/decisions/hidden.md",
        "---\ntitle: 内部事项qzx\nissuer: 示例市人民政府\npublished: 2024-03-01\ndisclosure: withheld\n"
        "basis: internal-affairs\nreview: {by: 办公室, date: 2024-02-01}\n---\n内部。\n",
    )
    problems = _check(site, "hidden.md")
    hits = [p for p in problems if p.code == "A805"]
    assert len(hits) == 1 and "不予公开" in hits[0].zh, _codes(problems)
    result = pipeline.build(site, site.parent / "out", build_date(TODAY))
    assert result.errors and not (site.parent / "out").exists()


def test_symlinked_attachment_is_refused_and_not_read(site, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("机密★1年", encoding="utf-8")
    (site / FILES).mkdir(parents=True)
    (site / FILES / "link.txt").symlink_to(site / "content/policies/rules.md")
    (site / FILES / "out.txt").symlink_to(outside)
    (site / "content/decisions/linked").symlink_to(site / FILES, target_is_directory=True)
    problems = _check(site, "files/link.txt, files/out.txt, linked/link.txt")
    # the linked folder itself is also refused as content (E013); its file, as an attachment (A806)
    assert sorted(p.code for p in problems) == ["A802", "A806", "A806", "A806", "E013"], _codes(problems)


def test_attachment_outside_content_is_refused(site):
    write(site, "notes/secret.txt", "内部")
    assert [p.code for p in _check(site, "../../notes/secret.txt")] == ["A802"]


# -- what the scan found, kept in the build cache (attachments.pickle) --------------------------


def _cached_check(site: Path, cache: Path) -> list[tuple[str, str]]:
    from disclose.build_cache import BuildCache

    return _codes(pipeline.check(site, build_date(TODAY), BuildCache.open(cache)).problems)


@pytest.mark.parametrize("how", ["in place", "by another file"])
def test_an_attachment_replaced_with_the_same_size_and_mtime_is_read_again(site, tmp_path, monkeypatch, how):
    """The scan's findings are kept by the file's digest, and the digest by its stat: size,
    modification time, change time, inode and device. A replacement that keeps the size and has
    its modification time set back still moves the change time (or the inode), so it is read."""
    from disclose import file_digests

    monkeypatch.setattr(file_digests, "RACY_NS", 0)  # trust a stat at once, so the shortcut is taken
    cache = tmp_path / "cache"
    clean, secret = "某方案\n\n正文内容一二三\n", "某方案\n\n机密★1年一二 2\n"
    assert len(clean.encode()) == len(secret.encode())
    path = write(site, f"{FILES}/plan.txt", clean)
    write(site, "content/decisions/att.md", DECISION.format(names="files/plan.txt", extra=""))
    assert _cached_check(site, cache) == []
    assert _cached_check(site, cache) == []  # from the cache now
    assert (cache / attachment_text.STORE_FILE).is_file()
    before = path.stat()
    if how == "in place":
        path.write_text(secret, encoding="utf-8")
    else:
        other = write(site, f"{FILES}/plan.new", secret)
        os.replace(other, path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert "S303" in {code for code, _ in _cached_check(site, cache)}


def test_a_rebuild_reads_no_unchanged_attachment_and_imports_no_pdf_reader(site, tmp_path):
    """The findings persist between processes; pypdf and python-docx are imported only when a
    file must be read."""
    import subprocess
    import sys

    cache = tmp_path / "cache"
    _pdf(site / FILES / "a.pdf", "联系人 138 0013 8000")
    _docx(site / FILES / "b.docx", "正文")
    write(site, "content/decisions/att.md", DECISION.format(names="files/a.pdf, files/b.docx", extra=""))
    first = _cached_check(site, cache)
    assert [code for code, _ in first] == ["I903"]
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from disclose import pipeline\n"
        "from disclose.build_cache import BuildCache\n"
        "from disclose.cli import build_date\n"
        f"report = pipeline.check(Path(sys.argv[1]), build_date('{TODAY}'), BuildCache.open(Path(sys.argv[2])))\n"
        "print(sorted(p.code for p in report.problems), 'pypdf' in sys.modules, 'docx' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(site), str(cache)], capture_output=True, text=True, check=True
    )
    assert run.stdout.split("\n")[0] == "['I903'] False False", run.stdout + run.stderr
    _pdf(site / FILES / "a.pdf", "联系人已删除")
    run = subprocess.run(
        [sys.executable, "-c", script, str(site), str(cache)], capture_output=True, text=True, check=True
    )
    assert run.stdout.split("\n")[0] == "[] True False", run.stdout + run.stderr


def test_the_same_bytes_under_another_type_are_judged_by_that_type(site, tmp_path):
    cache = tmp_path / "cache"
    write(site, f"{FILES}/a.txt", "正文\n")
    write(site, f"{FILES}/b.doc", "正文\n")
    assert [code for code, _ in _cached_check(site, cache) if code == "A803"] == []
    write(site, "content/decisions/att.md", DECISION.format(names="files/a.txt, files/b.doc", extra=""))
    assert [code for code, _ in _cached_check(site, cache) if code == "A803"] == ["A803"]
