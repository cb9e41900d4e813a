"""Reading one content file: bytes -> UTF-8 text -> YAML front matter and body.

Editors' files are untrusted input: oversized files, bad encodings, YAML alias
bombs and deep nesting become problems with a line number, never a traceback
or a hang.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .dates import FIRST_YEAR, LAST_YEAR
from .markdown import limit_breach
from .model import Problem, Source

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 16
MAX_NODES = 10_000


def _problem(path: str, line: int, code: str, zh: str, en: str) -> Problem:
    return Problem(path, line, code, zh, en)


def decode(path: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is allowed) or an E001 problem naming the line of the first bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return None, [
            _problem(
                path,
                line,
                "E001",
                "文件不是 UTF-8 编码；请用 UTF-8 另存该文件",
                "file is not UTF-8 encoded; save it as UTF-8",
            )
        ]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def read_text(root: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a file under the site with the size limit and UTF-8 check."""
    full = root / rel
    size = full.stat().st_size
    if size > MAX_BYTES:
        return None, [
            _problem(
                rel,
                1,
                "E002",
                f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB）；"
                "请把大文件作为附件，正文只写文字",
                f"file too large ({size / 1048576:.1f} MB, limit {MAX_BYTES // 1048576} MB); "
                "attach large material instead of putting it in the text",
            )
        ]
    return decode(rel, full.read_bytes())


# YAML's plain types: what a front-matter value may be. Everything else (an explicit tag such as
# !!binary, !!set, !!python/…, !custom, or the merge key <<) is refused, not turned into Python.
PLAIN = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MAX_DIGITS = 15  # |number| < 10^15: no count, fee or day number needs more, and no arithmetic overflows
# C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional controls: invisible,
# they reorder or split what a reader sees. Tab and newline only inside | and > block text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
CONTROL_OR_BREAK = re.compile("[\t\n\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
BLOCK_STYLES = ("|", ">")
STR = "tag:yaml.org,2002:str"
# `title：…`: a full-width colon after an ASCII key, which YAML reads as part of a text.
FULLWIDTH_COLON = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_\-]*)[ \t]*：", re.M)
# Cheap screen: only text this long, this bracketed or this indented can nest deep enough to need
# the event scan before libyaml's recursive composer sees it (it overflows the C stack near 100,000).
DEEP_PREFIX = re.compile(r"^[ \t?:\-]{64}", re.M)


def _control(path: str, line: int, char: str) -> Problem:
    code = f"U+{ord(char):04X}"
    return _problem(
        path,
        line,
        "E011",
        f"文字中含有不可见的控制字符 {code}（常由复制粘贴带入）；请删除该字符后重新输入",
        f"the text holds an invisible control character {code} (often pasted in); delete it and retype",
    )


def shown_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _line(event: yaml.Event) -> int:
    mark = event.start_mark
    assert mark is not None  # the parser marks every event it emits
    return mark.line


def _scan_events(text: str) -> tuple[str, int] | None:
    """Depth, size and aliases from libyaml's event stream, which (unlike composing) never recurses."""
    loader = _Loader(text)
    depth = nodes = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return None
            if isinstance(event, yaml.AliasEvent):
                return "alias", _line(event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return "depth", _line(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    return "size", _line(event)
    except yaml.YAMLError:
        return None  # composing will report the syntax error with its line
    finally:
        loader.dispose()


def _key_lines(node: yaml.Node, first_line: int) -> dict[str, int]:
    """The file line of each key and list entry at any depth: top-level keys ("review"), nested keys
    ("review.by"), list entries ("topics.0") and keys inside them ("updates.0.at")."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, prefix: str) -> None:  # depth is bounded: parse_yaml refused deeper nesting
        if isinstance(node, yaml.MappingNode):
            for key, val in node.value:
                name = f"{prefix}{key.value}"
                lines.setdefault(name, first_line + key.start_mark.line)
                walk(val, name + ".")
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                name = f"{prefix}{index}"
                lines.setdefault(name, first_line + child.start_mark.line)
                walk(child, name + ".")

    walk(node, "")
    return lines


def _may_nest_deep(text: str) -> bool:
    return len(text) > 20_000 or text.count("[") + text.count("{") > 200 or DEEP_PREFIX.search(text) is not None


def _key_id(loader: Any, key: yaml.Node) -> Any:
    """What a key becomes once constructed (`yes` and `true` are one key), to find duplicates."""
    if not isinstance(key, yaml.ScalarNode):
        return ("node", id(key))
    if key.tag == STR:
        return key.value
    try:
        return ("value", loader.construct_object(key))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return ("raw", key.tag, key.value)


class _Inspector:
    """One walk over the composed node tree, before anything is constructed: every value must be
    one of YAML's plain types, every key appear once, every text be free of control characters,
    every date a date within 1949–2100 and every number of sane size. Iterative, so bounded."""

    def __init__(self, loader: Any, path: str, first_line: int):
        self.loader, self.path, self.first_line = loader, path, first_line
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node, code: str, zh: str, en: str, offset: int = 0) -> None:
        if len(self.problems) < 20:
            self.problems.append(_problem(self.path, self.first_line + node.start_mark.line + offset, code, zh, en))

    def walk(self, root: yaml.Node, may_alias: bool) -> str | None:
        """Check every node; "alias", "depth" or "size" when the tree itself is refused (E005)."""
        seen: set[int] = set()
        stack: list[tuple[yaml.Node, int]] = [(root, 0)]
        count = 0
        while stack:  # runs for every content file: kept tight
            node, depth = stack.pop()
            count += 1
            if may_alias:
                if id(node) in seen:
                    return "alias"
                seen.add(id(node))
            if depth > MAX_DEPTH:
                return "depth"
            if count > MAX_NODES:
                return "size"
            tag = node.tag
            if type(node) is yaml.ScalarNode:
                if (CONTROL if node.style in BLOCK_STYLES else CONTROL_OR_BREAK).search(node.value):
                    self.control(node)
                if tag != STR:
                    self.typed(node)
                continue
            if tag not in PLAIN:
                self.tag(node)
            if type(node) is yaml.MappingNode:
                self.mapping(node)
                for key, value in node.value:
                    stack.append((key, depth + 1))
                    stack.append((value, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in node.value)
        return None

    def tag(self, node: yaml.Node) -> None:
        tag = shown_tag(node.tag)
        if node.tag == "tag:yaml.org,2002:merge":
            zh, en = "不允许使用合并键 <<；请直接写出每个字段", "the merge key << is not allowed; write each field out"
        else:
            zh = (
                f"不支持的 YAML 类型 {tag}：取值只能是文字、数字、true/false、日期（YYYY-MM-DD）、列表或“键: 值”；"
                "请删去 ! 开头的标记，文字请加引号"
            )
            en = (
                f"unsupported YAML type {tag}: a value is text, a number, true/false, a date (YYYY-MM-DD), "
                "a list or `key: value` lines; remove the tag starting with !, quote text"
            )
        self.add(node, "E008", zh, en)

    def control(self, node: yaml.ScalarNode) -> None:
        value = node.value
        block = node.style in BLOCK_STYLES
        bad = (CONTROL if block else CONTROL_OR_BREAK).search(value)
        assert bad is not None
        line = self.first_line + node.start_mark.line + (value.count("\n", 0, bad.start()) + 1 if block else 0)
        if len(self.problems) < 20:
            self.problems.append(_control(self.path, line, bad.group()))

    def typed(self, node: yaml.ScalarNode) -> None:
        """A scalar that is not text: of a plain type, a date alone and in range, a number of sane size."""
        value = node.value
        if node.tag not in PLAIN:
            self.tag(node)
        if node.tag == TIMESTAMP:
            self.timestamp(node)
        elif node.tag == "tag:yaml.org,2002:int":
            if len(value.lstrip("+-").replace("_", "")) > MAX_DIGITS:
                self.too_big(node)
        elif node.tag == "tag:yaml.org,2002:float":
            plain = value.lower().replace("_", "")
            if "inf" in plain or "nan" in plain or len(plain.lstrip("+-").split("e")[0]) > MAX_DIGITS + 1:
                self.too_big(node)
            elif "e" in plain and ":" not in plain:
                try:
                    if abs(float(plain)) >= 10**MAX_DIGITS:
                        self.too_big(node)
                except ValueError:
                    pass

    def too_big(self, node: yaml.Node) -> None:
        self.add(
            node,
            "E012",
            f"数值 {node.value[:20]} 过大或不是有限数；请填写实际数值",
            f"the number {node.value[:20]} is too large or not finite; give the real figure",
        )

    def timestamp(self, node: yaml.ScalarNode) -> None:
        value = node.value
        if len(value) != 10:
            self.add(
                node,
                "E009",
                f"{value} 带有时间：日期只写 YYYY-MM-DD（如 2024-01-01）；如是文字请加引号",
                f"{value} has a time: write the date alone, YYYY-MM-DD (2024-01-01); quote it if it is text",
            )
            return
        if FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            try:
                date.fromisoformat(value)
            except ValueError:
                self.add(node, "E009", f"{value} 不是有效日期", f"{value} is not a valid date")
        else:
            self.add(
                node,
                "E010",
                f"日期 {value} 超出 {FIRST_YEAR}–{LAST_YEAR} 年的范围；请核对年份",
                f"the date {value} is outside {FIRST_YEAR}–{LAST_YEAR}; check the year",
            )

    def mapping(self, node: yaml.MappingNode) -> None:
        first: dict[Any, int] = {}
        for key, _ in node.value:
            line = self.first_line + key.start_mark.line
            ident = key.value if key.tag == STR else _key_id(self.loader, key)
            try:
                earlier = first.get(ident)
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            if earlier is None:
                first[ident] = line
                continue
            name = str(key.value)[:40] if isinstance(key, yaml.ScalarNode) else "?"
            zh_at, en_at = (
                (f"第 {earlier} 行", f"line {earlier}")
                if earlier == line
                else (f"第 {earlier} 行与第 {line} 行", f"lines {earlier} and {line}")
            )
            self.add(
                key,
                "E007",
                f"字段 {name} 重复出现（{zh_at}）；同一字段只能写一次，请删去多余的一处",
                f"key {name} appears twice ({en_at}); write a key once, remove the other",
            )


_LOADER_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)
_TROUBLE = {
    "alias": (
        "不允许使用 YAML 锚点和别名（& 与 *）；请直接写出每个值",
        "YAML anchors and aliases (& and *) are not allowed; write each value out",
    ),
    "depth": ("YAML 嵌套层级过深；请简化结构", "YAML nesting too deep; simplify it"),
    "size": ("YAML 内容过多；元数据只写必要字段", "YAML too large; keep metadata short"),
}


def _fullwidth_colons(text: str, path: str, first_line: int, before: int | None = None) -> list[Problem]:
    """`title：…` lines (a full-width colon after a key), at or before the line where YAML stopped."""
    found = []
    for match in FULLWIDTH_COLON.finditer(text):
        line = text.count("\n", 0, match.start())
        if before is None or line <= before + 1:
            key = match.group(1)
            found.append(
                _problem(
                    path,
                    first_line + line,
                    "E015",
                    f"键名后应为半角冒号：请把“{key}：”改为“{key}: ”（英文冒号加一个空格）",
                    f"a key is followed by an ASCII colon: write `{key}: ` instead of `{key}：`",
                )
            )
    return found


def parse_yaml(text: str, path: str, first_line: int) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse a YAML document; return its value, the line of each top-level and nested key."""
    raw = CONTROL.search(text)  # typed in (libyaml would refuse most with a vaguer message)
    if raw:
        return None, {}, [_control(path, first_line + text.count("\n", 0, raw.start()), raw.group())]
    if _may_nest_deep(text):
        trouble = _scan_events(text)
        if trouble:
            zh, en = _TROUBLE[trouble[0]]
            return None, {}, [_problem(path, first_line + trouble[1], "E005", zh, en)]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, []
        if not isinstance(node, yaml.MappingNode):
            colons = _fullwidth_colons(text, path, first_line)
            if colons:
                return None, {}, colons
        inspector = _Inspector(loader, path, first_line)
        refused = inspector.walk(node, "*" in text)
        if refused:
            zh, en = _TROUBLE[refused]
            return None, {}, [_problem(path, first_line + node.start_mark.line, "E005", zh, en)]
        if inspector.problems:
            return None, {}, sorted(inspector.problems)
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        at = mark.line if mark else 0
        colons = _fullwidth_colons(text, path, first_line, at)
        if colons:
            return None, {}, colons
        detail = err.problem or "syntax error"
        return (
            None,
            {},
            [
                _problem(
                    path,
                    first_line + at,
                    "E004",
                    f"YAML 格式错误（{detail}）；检查冒号、缩进和引号",
                    f"malformed YAML ({detail}); check colons, indentation and quotes",
                )
            ],
        )
    except _LOADER_ERRORS as err:
        return (
            None,
            {},
            [
                _problem(
                    path,
                    first_line,
                    "E004",
                    f"YAML 无法解析（{err}）",
                    f"YAML cannot be read ({err})",
                )
            ],
        )
    finally:
        loader.dispose()
    return value, _key_lines(node, first_line), []


def split(text: str, path: str) -> tuple[str | None, str, int, list[Problem]]:
    """Split `---` front matter from the body; return (yaml text, body, body line, problems)."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return (
            None,
            text,
            1,
            [
                _problem(
                    path,
                    1,
                    "E003",
                    "缺少元数据：文件第一行应为 ---，随后是 YAML 字段，再以 --- 结束",
                    "missing front matter: the first line must be ---, then YAML fields, then ---",
                )
            ],
        )
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, body, index + 2, []
    return (
        None,
        "",
        1,
        [
            _problem(
                path,
                1,
                "E003",
                "元数据没有结束：请在字段之后加一行 ---",
                "front matter is not closed: add a line --- after the fields",
            )
        ],
    )


def load_source(root: Path, rel: str) -> tuple[Source | None, list[Problem]]:
    """Read `rel` (relative to the site folder) into a Source, or explain why not."""
    text, problems = read_text(root, rel)
    if text is None:
        return None, problems
    front, body, body_line, problems = split(text, rel)
    if front is None:
        return None, problems
    meta, lines, problems = parse_yaml(front, rel, 2)
    if problems:
        return None, problems
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [
            _problem(
                rel,
                2,
                "E006",
                "元数据应为“字段: 值”的列表",
                "front matter must be a list of `field: value` lines",
            )
        ]
    breach = limit_breach(body)
    if breach:
        line, code, zh, en = breach
        return None, [_problem(rel, body_line + line, code, zh, en)]
    item_id = rel.removeprefix("content/").removesuffix(".md")
    return Source(rel, item_id, meta, lines, body, body_line), []
