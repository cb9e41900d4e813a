"""Categories of 法定主动公开内容 as data: site.yaml `categories` and the shipped `statutory` set.

A site lists the categories it must publish (条例 第二十条、第二十一条, its 基层政务公开标准目录)
with typed fields; each becomes an entry of the site's table of kinds (schema.Kinds), made by the
same function as the built-in kinds, so a category is listed, checked, fed and catalogued by the
same code. `categories: statutory` switches on the ready set in statutory.yaml, read by the same
code as a site's own entries.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from pathlib import Path
from typing import Any

from .frontmatter import parse_yaml
from .model import Problem
from .schema import BUILTIN_KINDS, COMMON_NAMES, FIELD_TYPES, FieldSpec, Kind, Kinds, make_kind

STATUTORY = "statutory"
STATUTORY_FILE = Path(__file__).with_name("statutory.yaml")
ENTRY_KEYS = ("id", "title", "basis", "fields")
FIELD_KEYS = ("type", "required", "label", "choices")
ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_ID = 40
# First folders of the output that are not a kind's: a category there would overwrite them.
RESERVED = frozenset(
    {
        "assets",
        "attachments",
        "browse",
        "compliance",
        "fdzdgknr",
        "normative",
        "pagefind",
        "reports",
        "search",
        "system",
    }
)
# site.yaml's names for field types -> the schema's (a list of texts is stored as `texts`)
STORED_TYPE = {"list": "texts"}


def _hint(name: str, pool: list[str] | tuple[str, ...]) -> tuple[str, str]:
    close = difflib.get_close_matches(name, list(pool), n=1, cutoff=0.6)
    return (f"，是否应为 {close[0]}？", f"; did you mean {close[0]}?") if close else ("", "")


class _Reader:
    """Reads category entries of one file (site.yaml or statutory.yaml), collecting problems."""

    def __init__(self, path: str, lines: dict[str, int]):
        self.path, self.lines = path, lines
        self.problems: list[Problem] = []

    def problem(self, key: str, code: str, zh: str, en: str) -> None:
        line = self.lines.get(key)
        while line is None and "." in key:
            key = key.rsplit(".", 1)[0]
            line = self.lines.get(key)
        self.problems.append(Problem(self.path, line or 1, code, zh, en))

    def entry(self, data: Any, at: str) -> Kind | None:
        """One category: {id, title, basis?, fields?} -> an entry of the table, or None with problems."""
        if not isinstance(data, dict):
            self.problem(
                at,
                "C140",
                "categories 的每一项应写成 {id: …, title: …}，或写 statutory",
                "each entry of categories must be {id: …, title: …}, or statutory",
            )
            return None
        before = len(self.problems)
        meant = set()  # keys a misspelt key was taken for: not reported missing as well
        for key in data:
            if key not in ENTRY_KEYS:
                zh, en = _hint(str(key), ENTRY_KEYS)
                meant |= set(difflib.get_close_matches(str(key), ENTRY_KEYS, n=1, cutoff=0.6))
                self.problem(
                    f"{at}.{key}",
                    "C140",
                    f"类别中未知的设置 {key}{zh}（可用 id、title、basis、fields）",
                    f"unknown key {key} in a category{en} (use id, title, basis, fields)",
                )
        cid, title, basis = data.get("id"), data.get("title"), data.get("basis", "")
        if (not isinstance(cid, str) or not ID.match(cid) or len(cid) > MAX_ID) and "id" not in meant:
            self.problem(
                f"{at}.id",
                "C140",
                f"类别的 id 应为小写英文字母、数字和连字符（如 budget、land-expropriation），而不是 {cid!r}",
                f"a category's id is lower-case letters, digits and hyphens (budget, land-expropriation), not {cid!r}",
            )
        if (not isinstance(title, str) or not title.strip()) and "title" not in meant:
            self.problem(
                f"{at}.title" if "title" in data else at,
                "C140",
                "类别须写明 title（栏目名称，如 财政预决算）",
                "a category needs its title (the column's name, such as 财政预决算)",
            )
        if not isinstance(basis, str):
            self.problem(
                f"{at}.basis", "C140", "basis（法定依据）应为一段文字", "basis (the legal source) must be text"
            )
        fields = self.fields(data.get("fields") or {}, f"{at}.fields")
        # Each isinstance below is implied by a problem recorded above; here for the type checker.
        if len(self.problems) > before or not (
            isinstance(cid, str) and isinstance(title, str) and isinstance(basis, str)
        ):
            return None
        return make_kind(cid, title.strip(), fields=fields, basis=basis.strip())

    def fields(self, data: Any, at: str) -> tuple[FieldSpec, ...]:
        if not isinstance(data, dict):
            self.problem(
                at,
                "C142",
                "fields 应写成“字段名: {type: …}”的列表",
                "fields must be `name: {type: …}` lines",
            )
            return ()
        found = []
        for name, spec in data.items():
            where = f"{at}.{name}"
            if not isinstance(name, str) or not FIELD_NAME.match(name):
                self.problem(
                    where,
                    "C142",
                    f"字段名 {name} 应为小写英文字母、数字和下划线（如 fiscal_year）",
                    f"field name {name} must be lower-case letters, digits and underscores (fiscal_year)",
                )
                continue
            if name in COMMON_NAMES:
                self.problem(
                    where,
                    "C142",
                    f"字段 {name} 是每类信息都有的通用字段，不能在类别中重新定义；请另取名称",
                    f"{name} is a common field of every kind and cannot be redefined; choose another name",
                )
                continue
            if (field := self.field(name, spec, where)) is not None:
                found.append(field)
        return tuple(found)

    def field(self, name: str, spec: Any, at: str) -> FieldSpec | None:
        if isinstance(spec, str):  # the short form `fiscal_year: int`
            spec = {"type": spec}
        if not isinstance(spec, dict):
            self.problem(at, "C142", f"字段 {name} 应写成 {{type: …}}", f"field {name} must be written as {{type: …}}")
            return None
        before = len(self.problems)
        for key in spec:
            if key not in FIELD_KEYS:
                zh, en = _hint(str(key), FIELD_KEYS)
                self.problem(
                    f"{at}.{key}",
                    "C142",
                    f"字段 {name} 中未知的设置 {key}{zh}（可用 type、required、label、choices）",
                    f"unknown key {key} in field {name}{en} (use type, required, label, choices)",
                )
        kind, required, label = spec.get("type"), spec.get("required", False), spec.get("label", name)
        choices = spec.get("choices")
        if kind not in FIELD_TYPES:
            zh, en = _hint(str(kind), FIELD_TYPES)
            self.problem(
                f"{at}.type" if "type" in spec else at,
                "C142",
                f"字段 {name} 的类型 {kind} 无效{zh}（可用 {'、'.join(FIELD_TYPES)}）",
                f"field {name} has no valid type ({kind}){en}; use one of {', '.join(FIELD_TYPES)}",
            )
        if not isinstance(required, bool):
            self.problem(f"{at}.required", "C142", "required 应为 true 或 false", "required must be true or false")
        if not isinstance(label, str) or not label.strip():
            self.problem(f"{at}.label", "C142", "label 应为一段文字", "label must be text")
        if kind == "choice" and (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str | int) and not isinstance(c, bool) and str(c).strip() for c in choices)
        ):
            self.problem(
                f"{at}.choices" if "choices" in spec else at,
                "C142",
                f"choice 类型的字段 {name} 须用 choices 列出可选值（如 [预算, 决算, 调整]）",
                f"choice field {name} must list its values in choices (such as [预算, 决算, 调整])",
            )
        elif choices is not None and kind != "choice":
            self.problem(
                f"{at}.choices",
                "C142",
                f"只有 choice 类型的字段才写 choices（字段 {name} 的类型是 {kind}）",
                f"only a choice field has choices (field {name} is {kind})",
            )
        # Both isinstance are implied by a problem recorded above; here for the type checker.
        if len(self.problems) > before or not (isinstance(kind, str) and isinstance(label, str)):
            return None
        label = label.strip()
        values = tuple(str(c).strip() for c in choices or ())
        return FieldSpec(name, label, STORED_TYPE.get(kind, kind), required, values, info=label)


@cache
def statutory() -> tuple[Kind, ...]:
    """The ready set for 条例 第二十条、第二十一条 (statutory.yaml), read as a site's entries are."""
    text = STATUTORY_FILE.read_text(encoding="utf-8")
    data, lines, problems = parse_yaml(text, STATUTORY_FILE.name, 1)
    reader = _Reader(STATUTORY_FILE.name, lines)
    kinds = tuple(k for i, e in enumerate(data["categories"]) if (k := reader.entry(e, f"categories.{i}")))
    problems += reader.problems
    assert not problems, f"statutory.yaml: {problems}"  # a test keeps the shipped set clean
    return kinds


def read_categories(value: Any, lines: dict[str, int], path: str = "site.yaml") -> tuple[Kinds, list[Problem]]:
    """The site's table of kinds: the built-in kinds, then the categories site.yaml declares."""
    reader = _Reader(path, lines)
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list):
        reader.problem(
            "categories",
            "C140",
            "categories 应为 statutory，或类别的列表（可含 statutory）",
            "categories must be statutory, or a list of categories (which may include statutory)",
        )
        return Kinds(), reader.problems
    declared: list[tuple[Kind, str]] = []
    for index, entry in enumerate(entries):
        at = "categories" if isinstance(value, str) else f"categories.{index}"
        if isinstance(entry, str):
            if entry == STATUTORY:
                declared += [(kind, at) for kind in statutory()]
            else:
                zh, en = _hint(entry, [STATUTORY])
                reader.problem(
                    at,
                    "C143",
                    f"没有名为 {entry} 的类别集合{zh}（现有 {STATUTORY}）",
                    f"there is no set of categories named {entry}{en} (there is {STATUTORY})",
                )
        elif (kind := reader.entry(entry, at)) is not None:
            declared.append((kind, at))
    taken = {kind.id: "内置类别" for kind in BUILTIN_KINDS} | {kind.folder: "内置类别的目录" for kind in BUILTIN_KINDS}
    taken |= {name: "网站的固定栏目" for name in RESERVED}
    kept = []
    for kind, at in declared:
        if kind.id in taken:
            reader.problem(
                f"{at}.id" if f"{at}.id" in lines else at,
                "C141",
                f"类别 id {kind.id} 与{taken[kind.id]}重名；请另取 id",
                f"category id {kind.id} clashes with a built-in kind, a folder or another category; choose another",
            )
            continue
        taken[kind.id] = "另一个类别"
        kept.append(kind)
    return Kinds((*BUILTIN_KINDS, *kept)), reader.problems
