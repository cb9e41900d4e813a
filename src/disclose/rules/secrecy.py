"""State secrets never reach a public build machine (涉密信息不上网).

Every text that could be published is searched by `scan.secrets`: front matter (every field,
nested, and the field names), the body with its link and image targets, file names, the text of
attachments, the annual reports' data files and the git change notes. A mark found anywhere
refuses the whole build, whether or not the item is public: the repository itself must not hold
state secrets.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from functools import lru_cache

from .. import attachment_text, history
from ..catalogue import Catalogue
from ..config import SiteConfig
from ..model import Item, Source
from ..scan import SEPARATORS, front_matter_texts, in_texts, is_secret_word, normalize, secrets
from .attachments import attachment_key, attachment_path
from .registry import Finding, rule

REMOVE = "涉密信息不得进入本仓库，整站拒绝构建；请从仓库（含历史）删除并报告保密部门"
REMOVE_EN = "state secrets must not be in this repository; the whole build is refused; remove it from the repository and its history and report it"


_NOTES: tuple[weakref.ref, history.Notes] | None = None


def notes_of(site: Catalogue) -> history.Notes:
    """The history's public notes, read once per check (S305 and I905 both scan them)."""
    global _NOTES
    if _NOTES is None or _NOTES[0]() is not site:
        _NOTES = (weakref.ref(site), history.public_notes(site.root))
    return _NOTES[1]


def is_classification_key(name: object) -> bool:
    """`classification`, or the Chinese 密级 / 密級 in any spacing or width."""
    return _is_classification_key(str(name))


@lru_cache(maxsize=1024)
def _is_classification_key(name: str) -> bool:
    folded = SEPARATORS.sub("", normalize(name)).lower()
    return folded in ("classification", "密级")


@rule(
    "S301",
    "source",
    "Classified item (密级) in the repository",
    "含密级标注的信息",
    "保守国家秘密法 第三十一条、第三十五条; 涉密信息不上网",
    {
        "content/policies/secret.md": "---\ntitle: 某方案\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕7号\nclassification: 机密\n---\n正文。\n",
        "content/policies/secret-zh.md": "---\ntitle: 某方案\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕17号\n密级: 秘密\n---\n正文。\n",
    },
)
def classified(source: Source, ctx: SiteConfig) -> Iterator[Finding]:
    """An item marked 绝密, 机密 or 秘密 is a state secret: the build refuses the whole site.

    The mark may be `classification:` or the Chinese field name `密级:` (`密級:`), in any
    characters (機密, 祕密, 絕密), widths or spacing. A public build machine is a 非涉密 system;
    保密法 第三十一条 forbids storing or processing state secrets on it. Remove the file from the
    repository (and its history) and report it to the 保密 office; do not merely mark it withheld.
    """
    for key, value in source.meta.items():
        if is_classification_key(key) and isinstance(value, str) and is_secret_word(value):
            yield Finding(
                f"标注密级“{value}”：{REMOVE}",
                f"marked as state secret ({value}): {REMOVE_EN}",
                key=str(key),
            )


def _secret_finding(
    where: str, mark: str, key: str | None = None, line: int | None = None, at: Source | Item | None = None
) -> Finding:
    return Finding(
        f"{where}含密级标志“{mark}”：{REMOVE}",
        f"secrecy mark '{mark}' in {where}: {REMOVE_EN}",
        key=key,
        line=line,
        at=at,
    )


@rule(
    "S302",
    "source",
    "Secrecy mark (密级★期限) in the text",
    "正文含密级标志",
    "GB/T 9704-2012 7.2.2; 保守国家秘密法 第二十二条",
    {
        "content/policies/marked.md": "---\ntitle: 某通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕8号\n---\n**機 密**☆1年\n\n正文。\n",
        "content/policies/marked-field.md": "---\ntitle: 某通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕18号\nsummary: '&#26426;&#23494;＊5年'\n---\n正文。\n",
    },
)
def secrecy_mark(source: Source, ctx: SiteConfig) -> Iterator[Finding]:
    """A `机密★1年`-style mark anywhere in the file means the document was classified.

    Searched: the file name, every front-matter value and field name, the body and its link and
    image targets; in any disguise (markup, HTML entities, full-width or traditional characters,
    ☆ ＊ * for ★, spaces inside). A 密级 word standing alone on a line or as a whole value
    (机密, 【秘密】) counts too; 商业秘密 or 保守国家秘密法 in prose does not. Whatever its front
    matter says, the build refuses the site until the file is removed or the document is formally
    declassified and the mark taken out.
    """
    for hit in secrets(source.path):
        yield _secret_finding("文件名", hit.shown)
    texts = [(k, t) for k, t in front_matter_texts(source.meta) if not is_classification_key(k.split(".", 1)[0])]
    for key, hit in in_texts(secrets, texts):  # S301 speaks of the classification field
        yield _secret_finding(f"字段 {key.split('.', 1)[0]} ", hit.shown, key=key)
    for hit in secrets(source.body):
        yield _secret_finding("正文", hit.shown, line=source.body_line + hit.line)


@rule(
    "S303",
    "item",
    "Secrecy mark in an attachment",
    "附件含密级标志",
    "GB/T 9704-2012 7.2.2; 保守国家秘密法 第三十一条",
    {
        "content/decisions/att-secret.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/att-secret.txt]\n---\n正文。\n",
        "content/decisions/files/att-secret.txt": "某方案\n\n秘密★5年\n",
    },
    reads="files",
)
def attachment_secrecy_mark(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An attachment whose text carries a 密级 mark (in any of the disguises S302 knows)
    is a classified document: the build refuses the site, whether or not the item is public.

    The text of PDF, DOCX, XLSX, OFD, plain-text, CSV and Markdown attachments is read
    (`disclose rules A803` lists what cannot be read).
    """
    for index, name in enumerate(item.get("attachments") or ()):
        key = attachment_key(item, index)  # its name is a front-matter value: S302 scans it
        scanned = attachment_text.scan(site.root, attachment_path(item, name))
        for hit in scanned.secrets:
            yield _secret_finding(f"附件 {name} {scanned.where(hit.line)}", hit.shown, key=key)


@rule(
    "S304",
    "site",
    "Secrecy mark in an annual-report data file",
    "年度报告数据文件含密级标志",
    "保守国家秘密法 第三十一条; 国办公开办函〔2021〕30号",
    {"reports/2024.yaml": "overview: 本年度……\nproblems: 某专项工作（秘密★5年）\nlicensing: 1\n"},
)
def report_secrecy_mark(site: Catalogue) -> Iterator[Finding]:
    """The prose of the annual report (overview, problems, other) and every other value of
    `reports/YEAR.yaml` is published: a 密级 mark there refuses the build like one in an item.
    """
    for source in site.reports.values():
        for key, hit in in_texts(secrets, front_matter_texts(source.meta)):
            yield _secret_finding(f"字段 {key.split('.', 1)[0]} ", hit.shown, key=key, at=source)


@rule(
    "S305",
    "site",
    "Secrecy mark in a git change note",
    "修订说明含密级标志",
    "保守国家秘密法 第三十一条; 修订记录 (公开说明)",
    {"git commit": "调整附件\n\n公开说明：删去机密★1年字样\n"},
)
def note_secrecy_mark(site: Catalogue) -> Iterator[Finding]:
    """A commit's public note (`公开说明：…`) is shown in the 修订记录 of the items it touched;
    a 密级 mark in it means classified text entered the repository's history. The finding names
    the commit: rewrite its message (or the history) and report it to the 保密 office.

    A git command that does not answer in time is reported here too: the notes were not checked.
    """
    notes = notes_of(site)
    if notes.error:
        yield Finding(notes.error_zh, notes.error, at=history.stand_in(notes.where))
    for note in notes.notes:
        for hit in secrets(note.text):
            yield Finding(
                f"提交 {note.sha[:10]} 的公开说明含密级标志“{hit.shown}”：{REMOVE}（改写该提交说明）",
                f"the public note of commit {note.sha[:10]} carries a secrecy mark '{hit.shown}': {REMOVE_EN}",
                at=history.stand_in(note.path),
            )
