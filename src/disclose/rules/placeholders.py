"""Unfinished content: a scaffold's placeholder text, or a 图解 without its picture, is never published."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..catalogue import Catalogue
from ..model import Item
from ..scaffold import PLACEHOLDERS
from .registry import Finding, rule

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MARK = "在此"  # every placeholder starts with it: one substring test spares the rest on finished text


def _placeholder_in(text: str) -> str | None:
    if MARK not in text:
        return None
    return next((p for p in PLACEHOLDERS if p in text), None)


def _marked(value: object) -> str | None:
    """The placeholder in a front-matter value (text, or a list of texts), if any."""
    if type(value) is str:
        return _placeholder_in(value)
    if type(value) is list:
        return next((found for part in value if (found := _marked(part))), None)
    return None


@rule(
    "F120",
    "item",
    "Placeholder text from disclose new left in",
    "仍有 disclose new 写入的占位文字",
    "条例 第六条 (准确); content-model.md (disclose new)",
    {
        "content/policies/unedited.md": "---\ntitle: 关于某事项的通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕12号\n---\n在此填写文件正文。\n"
    },
    reads="item",
)
def no_placeholder(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`disclose new` writes sentences for the editor to replace (在此填写文件正文。 and the like).

    Left in, they pass every other rule and would be published as the government's
    word. Each one still in the body or in a front-matter value is an error on its
    line. A draft (`draft: true`) may keep them: it is not published.
    """
    if item.draft:
        return
    for key, value in item.source.meta.items():
        if type(value) is str and MARK not in value:
            continue  # most values: one substring test, no call
        found = _marked(value)
        if found:
            yield Finding(
                f"字段 {key} 仍是 disclose new 写入的占位文字“{found}”：请改为正式内容",
                f"field {key} still holds the placeholder '{found}' written by disclose new: replace it",
                key=str(key),
            )
    body = item.body
    if MARK not in body:
        return
    for placeholder in PLACEHOLDERS:
        start = body.find(placeholder)
        while start != -1:
            yield Finding(
                f"正文仍是 disclose new 写入的占位文字“{placeholder}”：请替换为正式内容后再发布",
                f"the text still holds the placeholder '{placeholder}' written by disclose new: replace it",
                line=item.source.body_line + body.count("\n", 0, start),
            )
            start = body.find(placeholder, start + len(placeholder))


@rule(
    "P420",
    "item",
    "Graphic interpretation without an image",
    "图解（一图读懂）没有图片",
    "国办发〔2016〕80号 (图片图表、音频视频等多种形式解读); 条例 第六条",
    {
        "content/interpretations/nopicture.md": "---\ntitle: 一图读懂《某通知》\nissuer: 示例市人民政府\n"
        "published: 2024-06-01\ninterprets: 示政发〔2024〕1号\nform: graphic\n---\n要点如下。\n"
    },
    reads="item",
)
def graphic_has_image(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An interpretation with `form: graphic` (图解, 一图读懂) promises a picture.

    Published without one, the page tells citizens to read a graphic that is not there.
    List the image under `attachments:` (PNG, JPEG, GIF, SVG or WebP), or choose the
    form the text really has (`text` or `qa`).
    """
    if item.kind != "interpretation" or item.get("form") != "graphic" or item.draft:
        return
    names = item.get("attachments") or ()
    if not any(posixpath.splitext(name)[1].lower() in IMAGE_TYPES for name in names):
        yield Finding(
            "解读形式为图解（form: graphic），但附件中没有图片：请在 attachments 中列出图片文件"
            "（png、jpg、gif、svg、webp），或把 form 改为 text 或 qa",
            "form is graphic but no image is attached: list the image under attachments "
            "(png, jpg, gif, svg, webp), or set form to text or qa",
            key="form",
        )


# Fields a sample value may stand in for: those a real document states and a reader could take as fact.
SAMPLE_ABLE = ("doc_no", "index_no", "written", "published", "effective", "expires", "issuer")


@rule(
    "F121",
    "item",
    "sample_fields names a field that cannot be marked or is not set",
    "样例字段所列字段无效或未填写",
    "条例 第六条 (准确); content-model.md",
    {
        "content/policies/sample.md": "---\ntitle: 关于某事项的通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕13号\nsample_fields: [effective]\n---\n正文。\n"
    },
    reads="item",
)
def sample_fields_exist(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`sample_fields` marks values that are examples, not facts (a sample site's unknown 文号).

    The item page marks them 样例 and open data and JSON-LD leave them out, so each
    name must be one of the fields a document states (doc_no, index_no, written,
    published, effective, expires, issuer) and be filled in: a mark on nothing
    hides a mistake.
    """
    for name in item.get("sample_fields") or ():
        if name not in SAMPLE_ABLE:
            yield Finding(
                f"sample_fields 中的 {name} 不能标为样例（可用 {'、'.join(SAMPLE_ABLE)}）",
                f"sample_fields: {name} cannot be marked as a sample (use {', '.join(SAMPLE_ABLE)})",
                key="sample_fields",
            )
        elif item.get(name) is None:
            yield Finding(
                f"sample_fields 列出了 {name}，但该字段未填写",
                f"sample_fields names {name}, which is not set",
                key="sample_fields",
            )
