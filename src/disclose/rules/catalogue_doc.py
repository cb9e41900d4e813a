"""The rule catalogue as a Chinese Markdown page for editors (docs/rules.md), so it cannot drift."""

from __future__ import annotations

from . import all_rules
from .explanations_zh import EXPLANATIONS

HEAD = """# 规则与错误代码（编辑手册）

本页由 `disclose rules --markdown` 根据规则目录自动生成，请勿手工修改。

`disclose check` 每发现一个问题输出一行：`文件:行号: 代码 说明`。下表列出每个代码的含义、依据、
以及一个会触发它的示例。用 `disclose rules 代码` 可在终端查看同样的说明。

| 代码 | 规则 | 依据 |
| --- | --- | --- |
"""


def markdown() -> str:
    rules = all_rules()
    lines = [HEAD.rstrip("\n")]
    for rule in rules:
        lines.append(f"| [{rule.code}](#{rule.code.lower()}) | {rule.title_zh} | {rule.source} |")
    for rule in rules:
        lines += ["", f"## {rule.code}", "", f"**{rule.title_zh}**（{rule.title}）"]
        if rule.severity == "warning":
            lines += ["", "级别：警告（不阻止构建）"]
        lines += ["", f"依据：{rule.source}", "", EXPLANATIONS[rule.code]]
        for path, text in rule.example.items():
            shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            lines += ["", f"示例 `{path}`：", "", "```", shown.rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"
