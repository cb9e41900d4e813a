"""`disclose new`: a new content file with the right front matter, so editors start valid."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .catalogue import Catalogue
from .fields import BadValue, convert
from .identifiers import normalize_doc_no
from .model import Item
from .schema import FieldSpec, Kinds

BODY = {
    "policy": "在此填写文件正文。\n",
    "interpretation": "## 一、背景依据\n\n在此说明出台背景和依据。\n\n## 二、主要内容\n\n在此解读主要内容。\n\n"
    "## 三、新旧变化\n\n在此说明与原政策相比的变化。\n",
    "response": "## 申请内容\n\n在此填写申请内容（不写申请人姓名、证件号码和联系方式）。\n\n"
    "## 答复\n\n在此填写答复。\n",
}
OTHER_BODY = "在此填写正文。\n"

# Every sentence `disclose new` writes for the editor to replace: rule F120 refuses any of them
# left in a file, so a scaffold cannot be published unedited. Derived from the texts above so a
# new placeholder is covered the day it is written.
PLACEHOLDERS: tuple[str, ...] = tuple(
    sorted({m for text in (*BODY.values(), OTHER_BODY) for m in re.findall(r"在此[^。\n]*。", text)})
)


class ScaffoldError(Exception):
    """Something the editor must supply or change before a file can be written."""


def required_fields(kinds: Kinds, kind: str) -> list[str]:
    """Fields `disclose new` must have, in the contract's order."""
    return [s.name for s in kinds.fields_for(kind).values() if s.required]


HINTS = {
    "text": "文字",
    "int": "整数",
    "number": "数字",
    "date": "日期 YYYY-MM-DD",
    "bool": "true 或 false",
    "texts": "列表，如 [甲, 乙]",
    "ref": "另一条信息的 id 或文号",
    "refs": "列表，每项为另一条信息的 id 或文号",
    "updates": "列表，每项 {at: YYYY-MM-DD, text: 更新内容}",
}


def hint(spec: FieldSpec) -> str:
    """What a field takes, in the editor's words: 类型：预算、决算、调整; 预决算年度（整数）."""
    if spec.type == "choice":
        return f"{spec.label}：{'、'.join(spec.choices)} 之一"
    return f"{spec.label}（{HINTS.get(spec.type, '文字')}）"


def typed_value(spec: FieldSpec, text: str) -> Any:
    """A value typed on the command line (--field, or a prompt) as the field's type, checked."""
    text = text.strip()
    value: Any = text
    try:
        if spec.type == "date":
            value = date.fromisoformat(text)
        elif spec.type == "int":
            value = int(text)
        elif spec.type == "number":
            value = float(text) if any(c in text for c in ".eE") else int(text)
        elif spec.type == "bool":
            value = {"true": True, "false": False, "是": True, "否": False}[text.lower()]
        elif spec.type in ("texts", "refs"):
            value = [part.strip() for part in re.split(r"[、,，]", text) if part.strip()]
        value = convert(spec, value)
    except (ValueError, KeyError):
        raise ScaffoldError(f"{spec.name}（{hint(spec)}）不能取“{text}”") from None
    except BadValue as bad:
        raise ScaffoldError(f"{spec.name}（{spec.label}）{bad.zh}") from None
    return list(value) if isinstance(value, tuple) else value


def interpretation_defaults(policy: Item) -> dict[str, Any]:
    """谁起草谁解读, 同步发布: prefill from the policy it interprets."""
    return {
        "title": f"《{policy.title}》政策解读",
        "issuer": policy.get("drafter") or policy.get("issuer"),
        "published": policy.published,
        "interprets": policy.get("doc_no") or policy.id,
    }


def find_policy(catalogue: Catalogue, ref: str) -> Item:
    policy = catalogue.resolve(ref)
    if policy is None or policy.kind != "policy":
        raise ScaffoldError(f"找不到文号或 id 为“{ref}”的政策文件")
    return policy


def front_matter(kinds: Kinds, kind: str, values: dict[str, Any]) -> str:
    """YAML front matter with the contract's field order; dates stay ISO. The kind's own fields not
    given follow as comments saying what each takes, for the editor to fill in or leave out."""
    order = list(kinds.fields_for(kind))
    ordered = {k: values[k] for k in order if values.get(k) not in (None, "")}
    if "doc_no" in ordered:
        ordered["doc_no"] = normalize_doc_no(ordered["doc_no"])
    text = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=False)
    rest = [spec for spec in kinds[kind].fields if spec.name not in ordered]
    if rest:
        width = max(len(spec.name) for spec in rest) + 2
        text += "# 本类信息的其他字段，需要时去掉行首的 # 并填写：\n"
        text += "".join(f"# {spec.name + ':':<{width}}# {hint(spec)}\n" for spec in rest)
    return f"---\n{text}---\n"


def file_name(site: Path, kinds: Kinds, kind: str, values: dict[str, Any], name: str | None) -> Path:
    folder = site / "content" / kinds.folder(kind)
    if name:
        stem = name.removesuffix(".md")
    else:
        day = values.get("published") or values.get("received") or date.today()
        stem, n = f"{day}", 1
        while (folder / f"{stem}.md").exists():
            n += 1
            stem = f"{day}-{n}"
    path = folder / f"{stem}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(site).as_posix()} 已存在；请用 --name 另取文件名")
    return path


def write_new(site: Path, kinds: Kinds, kind: str, values: dict[str, Any], name: str | None) -> Path:
    path = file_name(site, kinds, kind, values, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front_matter(kinds, kind, values) + BODY.get(kind, OTHER_BODY), encoding="utf-8")
    return path
