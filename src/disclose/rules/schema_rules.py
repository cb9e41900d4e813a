"""Field rules: the front matter must be exactly the editors' contract."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..config import SiteConfig
from ..fields import BadValue, convert, kind_of
from ..model import Source
from .registry import Finding, rule

POLICY_OK = """---
title: 示例政策
issuer: 示例市人民政府
published: 2024-03-01
doc_no: 示政发〔2024〕1号
{extra}---
正文。
"""


@rule(
    "F101",
    "source",
    "Unknown front-matter field",
    "未知的元数据字段",
    "条例 第十三条; 国办发〔2016〕80号 (公开属性随公文报批)",
    {
        "content/decisions/typo.md": "---\ntitle: 会议决定\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndisclosre: withheld\n---\n正文。\n"
    },
)
def unknown_field(source: Source, ctx: SiteConfig) -> Iterator[Finding]:
    """A field the contract does not name is an error, with the nearest real name.

    A misspelt `disclosure` (say `disclosre: withheld`) would otherwise be
    ignored and the item published by default: the one mistake a disclosure
    office cannot undo. So every unknown key stops the build.
    """
    kinds = ctx.kinds
    kind = kind_of(source, kinds)
    known = kinds.fields_for(kind) if kind is not None and kind in kinds else {}
    for key in source.meta:
        name = str(key)
        if name in known:
            continue
        pool = list(known) or kinds.field_names
        close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        if name in kinds.field_names:
            yield Finding(
                f"字段 {name} 不适用于类别 {kind}；请删除或更正类别",
                f"field {name} does not apply to kind {kind}; remove it or fix the kind",
                key=name,
            )
        elif close:
            yield Finding(
                f"未知字段 {name}，是否应为 {close[0]}？",
                f"unknown field {name}; did you mean {close[0]}?",
                key=name,
            )
        else:
            yield Finding(
                f"未知字段 {name}；可用字段见 `disclose rules F101` 与编辑手册",
                f"unknown field {name}; see the editors' guide for the fields",
                key=name,
            )


@rule(
    "F102",
    "source",
    "Required field missing",
    "缺少必填字段",
    "content-model.md; 政府信息公开目录 核心元数据 (domain.md §5.4)",
    {
        "content/policies/untitled.md": "---\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "doc_no: 示政发〔2024〕9号\n---\n正文。\n"
    },
)
def required_field(source: Source, ctx: SiteConfig) -> Iterator[Finding]:
    """Every kind has fields without which the catalogue entry is incomplete.

    信息名称、发布机构、发布日期 are the core of the 政府信息公开目录 (条例 第十二条);
    a policy needs its 文号, a response its 申请编号 and 收到申请日期.
    """
    kinds = ctx.kinds
    kind = kind_of(source, kinds)
    if kind is None or kind not in kinds:
        return
    for spec in kinds.fields_for(kind).values():
        if spec.required and source.meta.get(spec.name) in (None, ""):
            yield Finding(
                f"缺少必填字段 {spec.name}（{spec.label}）",
                f"required field {spec.name} ({spec.label}) is missing",
                key=spec.name if spec.name in source.meta else None,
            )


@rule(
    "F103",
    "source",
    "Field value has the wrong form",
    "字段取值不符合要求",
    "content-model.md",
    {"content/policies/baddate.md": POLICY_OK.format(extra="written: 2024年3月1日\n")},
)
def field_value(source: Source, ctx: SiteConfig) -> Iterator[Finding]:
    """Each field has a type (date, true/false, list, code from a fixed list).

    Dates are ISO (YYYY-MM-DD) so embargoes, deadlines and validity can be computed;
    codes come from fixed lists so the annual report can count them.
    """
    kinds = ctx.kinds
    kind = kind_of(source, kinds)
    if kind is None or kind not in kinds:
        return
    specs = kinds.fields_for(kind)
    for key, value in source.meta.items():
        spec = specs.get(str(key))
        if spec is None:
            continue
        if value is None:
            yield Finding(
                f"字段 {key} 为空；请填写取值或删除该行",
                f"field {key} is empty; give a value or remove the line",
                key=str(key),
            )
            continue
        try:
            convert(spec, value)
        except BadValue as bad:
            yield Finding(f"字段 {key}（{spec.label}）{bad.zh}", f"field {key}: {bad.en}", key=str(key))


@rule(
    "F104",
    "source",
    "Kind cannot be determined",
    "无法确定信息类别",
    "content-model.md (kind)",
    {"content/misc/note.md": "---\ntitle: 说明\n---\n正文。\n"},
)
def known_kind(source: Source, ctx: SiteConfig) -> Iterator[Finding]:
    """Without a kind the build cannot know which fields and rules apply.

    Put the file under a kind's folder (policies/, interpretations/, responses/,
    decisions/, suggestions/, consultations/, pages/, concern-responses/, press-conferences/,
    or a category's folder, content/<id>/, when site.yaml declares categories) or give `kind:`.
    """
    if "kind" in source.meta:
        return  # a bad declared kind is a value problem (F103)
    if kind_of(source, ctx.kinds) is None:
        folders = "、".join(f"{kind.folder}/" for kind in ctx.kinds)
        yield Finding(
            f"无法确定类别：请放入 {folders} 之一，或写明 kind",
            "cannot tell the kind: put the file in a kind's folder or set kind",
        )
