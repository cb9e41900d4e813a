"""个人信息: nothing public carries an ID number or a mobile number.

Every text a public item publishes is searched by `scan.personal`: the file name, every
front-matter value (nested, lists) and field name, the body with its link and image targets, the
attachments' names and text, the annual reports' data files and the git change notes, with the
numbers in any disguise (grouped with spaces or dashes, full-width, +86 / 0086, split by markup,
glued to letters). Masked numbers (138****1234, 35*************123) pass.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from .. import attachment_text, history
from ..catalogue import Catalogue
from ..model import Item, Source
from ..scan import Hit, allowed, front_matter_texts, in_texts, is_id_number, personal
from ..visibility import is_public
from .attachments import attachment_key, attachment_path
from .registry import Finding, rule
from .secrecy import notes_of

__all__ = ["is_id_number"]

HOW = {
    "id": ("居民身份证号码", "an ID number", "请删除或打码（如 35*************123）"),
    "mobile": ("手机号码", "a mobile number", "请删除或打码（如 138****1234），官方号码可加入 site.yaml 的 pii_allow"),
}


# Source -> its hits, computed once for both rules and kept while the source lives (under
# `serve`, an unchanged file's source is reused from build to build).
_HITS: dict[int, tuple[weakref.ref, list[tuple[Hit, str | None, int | None]]]] = {}


def _item_hits(item: Item) -> list[tuple[Hit, str | None, int | None]]:
    """(hit, field key, file line) for every number in the texts an item publishes."""
    source = item.source
    entry = _HITS.get(id(source))
    if entry is not None and entry[0]() is source:
        return entry[1]
    hits: list[tuple[Hit, str | None, int | None]] = [(hit, None, 1) for hit in personal(item.path)]
    hits += [(hit, key, None) for key, hit in in_texts(personal, front_matter_texts(source.meta))]
    hits += [(hit, None, source.body_line + hit.line) for hit in personal(item.body)]
    key = id(source)
    _HITS[key] = (weakref.ref(source, lambda _: _HITS.pop(key, None)), hits)
    return hits


def _finding(
    hit: Hit, where: str = "", key: str | None = None, line: int | None = None, at: Source | Item | None = None
) -> Finding:
    what_zh, what_en, how = HOW[hit.kind]
    return Finding(
        f"{where}含{what_zh} {hit.shown}；{how}",
        f"{where and 'the ' + where + ' '}contains {what_en} {hit.shown}; remove or mask it",
        key=key,
        line=line,
        at=at,
    )


def _item_rule(item: Item, site: Catalogue, kind: str) -> Iterator[Finding]:
    if not is_public(item, site.today):
        return
    for hit, key, line in _item_hits(item):
        if hit.kind == kind and not allowed(hit, site.config.pii_allow):
            yield _finding(hit, "文件名" if line == 1 and key is None else "", key=key, line=line)


@rule(
    "I901",
    "item",
    "Resident ID number in a public item",
    "公开信息含居民身份证号码",
    "个人信息保护法 第二十五条; 条例 第十五条; domain.md §7",
    {
        "content/responses/id.md": "---\ntitle: 答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-9\nreceived: 2024-02-01\n---\n申请人身份证号 110105 19491231 002X。\n"
    },
    reads="public",
)
def no_id_numbers(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A valid 18-digit 居民身份证号码 (check digit and birth date verified) must not be published,
    in the file name, any front-matter field, the text or a link target.

    Remove it or mask it (35*************123, keeping the first 2 and last 3).
    """
    yield from _item_rule(item, site, "id")


@rule(
    "I902",
    "item",
    "Mobile number in a public item",
    "公开信息含手机号码",
    "个人信息保护法 第二十五条; 永安 脱敏格式 138****1234 (domain.md §7.3)",
    {
        "content/responses/tel.md": "---\ntitle: 答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-10\nreceived: 2024-02-01\n---\n联系电话 +86 138-0013-8000。\n"
    },
    reads="public",
)
def no_mobile_numbers(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A mainland mobile number identifies a person; mask it as 138****1234.

    Official numbers (a hotline's mobile, say) go in `pii_allow` in site.yaml. Office landlines
    (0575-85123456) are not mobile numbers and pass.
    """
    yield from _item_rule(item, site, "mobile")


@rule(
    "I903",
    "item",
    "Personal information in an attachment",
    "附件含个人信息",
    "个人信息保护法 第二十五条; 条例 第十五条",
    {
        "content/decisions/att-pii.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/名单.csv]\n---\n正文。\n",
        "content/decisions/files/名单.csv": "姓名,电话\n张三,１３８００１３８０００\n",
    },
    reads="files",
)
def attachment_personal_info(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A public item's attachments are published as they are: an ID number or a mobile number in
    an attachment's text (PDF, DOCX, XLSX, OFD, plain text) is found like one in the item.
    """
    if not is_public(item, site.today):
        return
    for index, name in enumerate(item.get("attachments") or ()):
        key = attachment_key(item, index)  # its name is a front-matter value: I901/I902 scan it
        scanned = attachment_text.scan(site.root, attachment_path(item, name))
        for hit in scanned.personal:
            if not allowed(hit, site.config.pii_allow):
                yield _finding(hit, f"附件 {name} {scanned.where(hit.line)}", key=key)


@rule(
    "I904",
    "site",
    "Personal information in an annual-report data file",
    "年度报告数据文件含个人信息",
    "个人信息保护法 第二十五条; 国办公开办函〔2021〕30号",
    {"reports/2024.yaml": "overview: 本年度……联系人 13800138000\nlicensing: 1\n"},
)
def report_personal_info(site: Catalogue) -> Iterator[Finding]:
    """The annual report is published: its prose (overview, problems, other) must not carry an
    ID number or a mobile number either.
    """
    for source in site.reports.values():
        for key, hit in in_texts(personal, front_matter_texts(source.meta)):
            if not allowed(hit, site.config.pii_allow):
                yield _finding(hit, f"字段 {key.split('.', 1)[0]} ", key=key, at=source)


@rule(
    "I905",
    "site",
    "Personal information in a git change note",
    "修订说明含个人信息",
    "个人信息保护法 第二十五条; 修订记录 (公开说明)",
    {"git commit": "更新联系方式\n\n公开说明：联系人电话 13800138000\n"},
)
def note_personal_info(site: Catalogue) -> Iterator[Finding]:
    """A commit's public note (`公开说明：…`) is published in the 修订记录 of the items it
    touched: it must not carry an ID number or a mobile number. The finding names the commit;
    rewrite its message (`git rebase -i`, reword) before the history is published.
    """
    for note in notes_of(site).notes:
        for hit in personal(note.text):
            if not allowed(hit, site.config.pii_allow):
                yield _finding(hit, f"提交 {note.sha[:10]} 的公开说明", at=history.stand_in(note.path))
