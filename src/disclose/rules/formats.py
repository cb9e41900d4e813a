"""Problems found while reading files (E) and site.yaml (C), catalogued beside the rules."""

from __future__ import annotations

from .registry import format_code

format_code(
    "E001",
    "File is not UTF-8",
    "文件不是 UTF-8 编码",
    "content-model.md",
    "Every content file is UTF-8 text. Files saved from older Windows editors are often GBK;\n"
    "open the file and save it again as UTF-8. The line of the first undecodable byte is named.",
    {"content/decisions/gbk.md": "---\ntitle: \udcbe\udcf6\n---\n"},
)
format_code(
    "E002",
    "File too large",
    "文件过大",
    "content-model.md (attachments)",
    "A content file over 10 MB is almost always a pasted attachment or a wrong file. Put large\n"
    "material in `attachments:` and keep the text itself short.",
    {},
)
format_code(
    "E003",
    "Front matter missing or not closed",
    "缺少元数据或未结束",
    "content-model.md",
    "A content file starts with a line `---`, then its YAML fields, then another `---` line.",
    {"content/decisions/plain.md": "只有正文，没有元数据。\n"},
)
format_code(
    "E004",
    "Malformed YAML",
    "YAML 格式错误",
    "content-model.md",
    "The front matter is YAML: `field: value`, one per line, lists in [ ] or on lines starting\n"
    "with -. The line where the reader stopped is named; the mistake is there or just above.",
    {"content/decisions/yaml.md": "---\ntitle: [未闭合\n---\n"},
)
format_code(
    "E005",
    "YAML aliases, deep nesting or oversized metadata",
    "YAML 别名、嵌套过深或内容过多",
    "content-model.md",
    "Anchors and aliases (& and *) let a few lines expand to billions of values (an 'alias bomb');\n"
    "front matter never needs them, so they are refused, as are nesting deeper than 16 levels and\n"
    "more than 10,000 values.",
    {"content/decisions/alias.md": "---\ntitle: &t 标题\nsummary: *t\n---\n"},
)
format_code(
    "E006",
    "Front matter is not a mapping",
    "元数据不是“字段: 值”形式",
    "content-model.md",
    "The front matter must be `field: value` lines, not a bare list or a single value.",
    {"content/decisions/list.md": "---\n- 标题\n---\n"},
)
format_code(
    "C101",
    "site.yaml lacks a required setting",
    "site.yaml 缺少必填项",
    "content-model.md (site.yaml)",
    "site.yaml needs at least title, base_url and language.",
    {"site.yaml": "title: 示例\n"},
)
format_code(
    "C102",
    "Unknown setting in site.yaml",
    "site.yaml 中未知的设置",
    "content-model.md (site.yaml)",
    "A misspelt setting would silently fall back to its default; the nearest known name is shown.",
    {"site.yaml": "title: 示例\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\npage_sise: 10\n"},
)
format_code(
    "C103",
    "site.yaml setting has the wrong type",
    "site.yaml 设置的类型不对",
    "content-model.md (site.yaml)",
    "Numbers are numbers, switches are true/false, dates YYYY-MM-DD, base_url a full http(s) address.",
    {"site.yaml": "title: 示例\nbase_url: www.example.gov.cn\nlanguage: zh-CN\n"},
)
