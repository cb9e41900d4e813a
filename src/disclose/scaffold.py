"""`disclose new`: a new content file with the right front matter, so editors start valid."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .catalogue import Catalogue
from .identifiers import normalize_doc_no
from .model import Item
from .schema import KIND_FOLDER, fields_for

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


def required_fields(kind: str) -> list[str]:
    """Fields `disclose new` must have, in the contract's order."""
    return [s.name for s in fields_for(kind).values() if s.required]


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


def front_matter(kind: str, values: dict[str, Any]) -> str:
    """YAML front matter with the contract's field order; dates stay ISO."""
    order = list(fields_for(kind))
    ordered = {k: values[k] for k in order if values.get(k) not in (None, "")}
    if "doc_no" in ordered:
        ordered["doc_no"] = normalize_doc_no(ordered["doc_no"])
    text = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{text}---\n"


def file_name(site: Path, kind: str, values: dict[str, Any], name: str | None) -> Path:
    folder = site / "content" / KIND_FOLDER[kind]
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


def write_new(site: Path, kind: str, values: dict[str, Any], name: str | None) -> Path:
    path = file_name(site, kind, values, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front_matter(kind, values) + BODY.get(kind, OTHER_BODY), encoding="utf-8")
    return path
