"""Reading one content file: bytes -> UTF-8 text -> YAML front matter and body.

Editors' files are untrusted input: oversized files, bad encodings, YAML alias
bombs and deep nesting become problems with a line number, never a traceback
or a hang.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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


def _walk(node: yaml.Node) -> str | None:
    """Reject aliases (shared nodes), deep nesting and huge documents without recursion."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if id(current) in seen:
            return "alias"
        seen.add(id(current))
        if depth > MAX_DEPTH:
            return "depth"
        if len(seen) > MAX_NODES:
            return "size"
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return None


def _may_nest_or_alias(text: str) -> bool:
    """Cheap screen: only text with anchors, many brackets, deep indents or great length needs the walk."""
    if "&" in text or "*" in text or len(text) > 20_000:
        return True
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return any(len(line) - len(line.lstrip(" ")) > 2 * MAX_DEPTH for line in text.split("\n"))


def parse_yaml(text: str, path: str, first_line: int) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse a YAML document; return its value, the line of each top-level and nested key."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, []
        trouble = _walk(node) if _may_nest_or_alias(text) else None
        if trouble:
            zh, en = {
                "alias": (
                    "不允许使用 YAML 锚点和别名（& 与 *）；请直接写出每个值",
                    "YAML anchors and aliases (& and *) are not allowed; write each value out",
                ),
                "depth": ("YAML 嵌套层级过深；请简化结构", "YAML nesting too deep; simplify it"),
                "size": (
                    "YAML 内容过多；元数据只写必要字段",
                    "YAML too large; keep metadata short",
                ),
            }[trouble]
            return None, {}, [_problem(path, first_line + node.start_mark.line, "E005", zh, en)]
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + (mark.line if mark else 0)
        detail = err.problem or "syntax error"
        return (
            None,
            {},
            [
                _problem(
                    path,
                    line,
                    "E004",
                    f"YAML 格式错误（{detail}）；检查冒号、缩进和引号",
                    f"malformed YAML ({detail}); check colons, indentation and quotes",
                )
            ],
        )
    except (yaml.YAMLError, ValueError, TypeError) as err:
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
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, val in node.value:
            name = str(key.value)
            lines[name] = first_line + key.start_mark.line
            if isinstance(val, yaml.MappingNode):
                for sub_key, _ in val.value:
                    lines[f"{name}.{sub_key.value}"] = first_line + sub_key.start_mark.line
            elif isinstance(val, yaml.SequenceNode):
                for index, child in enumerate(val.value):
                    lines[f"{name}.{index}"] = first_line + child.start_mark.line
    return value, lines, []


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
    item_id = rel.removeprefix("content/").removesuffix(".md")
    return Source(rel, item_id, meta, lines, body, body_line), []
