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
    "more than 10,000 values. A file that would nest deeper is refused before it is parsed, so it\n"
    "cannot exhaust the parser's stack.",
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
format_code(
    "C104",
    "site.yaml number out of range",
    "site.yaml 数值超出范围",
    "content-model.md (site.yaml)",
    "Every number in site.yaml has bounds: paired_release_grace_days 0–365, page_size and feed_size\n"
    "1–1000, search_bundle_size 50–100,000, consultation_feedback_days 1–3650. A value outside is a\n"
    "typing mistake, and a huge one would overflow the date arithmetic that uses it.",
    {"site.yaml": "title: 示例\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\npage_size: 0\n"},
)
format_code(
    "E007",
    "Duplicate key",
    "字段重复",
    "content-model.md",
    "YAML lets a later line silently override an earlier one with the same key, so `disclosure:\n"
    "withheld` followed by `disclosure: public` would publish. A key written twice, at the top or\n"
    "nested, in content, site.yaml or a report's data file, is an error naming both lines.",
    {
        "content/decisions/twice.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\ndisclosure: withheld\n"
        "published: 2024-03-01\ndisclosure: public\n---\n正文。\n"
    },
)
format_code(
    "E008",
    "YAML tag or type not allowed",
    "不允许的 YAML 标记或类型",
    "content-model.md",
    "A value is text, a number, true/false, a date, a list or `key: value` lines: YAML's plain types.\n"
    "Explicit tags (!!binary, !!set, !!python/…, !custom) and the merge key << turn a value into\n"
    "something else (binary data was published as Python's b'…'); they are refused.",
    {
        "content/decisions/tag.md": "---\ntitle: !!binary 5p+Q5Yaz5a6a\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n"
    },
)
format_code(
    "E009",
    "Date with a time, or not a date",
    "日期带有时间或不是有效日期",
    "content-model.md",
    "Dates are YYYY-MM-DD alone. A timestamp (2024-01-01 10:00:00) or an impossible day\n"
    "(2024-02-30) is refused with its line; quote a text that only looks like a date.",
    {
        "content/decisions/time.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\n"
        "published: 2024-03-01 10:00:00\n---\n正文。\n"
    },
)
format_code(
    "E010",
    "Date out of range",
    "日期超出范围",
    "content-model.md",
    "Dates lie between 1949 and 2100. Outside that they are typing mistakes (0024 for 2024), and\n"
    "deadline arithmetic near year 9999 overflows.",
    {"content/decisions/year.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 9999-12-31\n---\n正文。\n"},
)
format_code(
    "E011",
    "Control character in a value",
    "取值中含有控制字符",
    "content-model.md",
    "Front-matter text may not hold invisible characters: C0 and C1 controls, NUL, the line and\n"
    "paragraph separators U+2028/2029, and the bidirectional controls U+202A–202E and U+2066–2069,\n"
    "which reorder what a reader sees. Tab and newline only in | and > block text.",
    {"content/decisions/bidi.md": '---\ntitle: "某决定\\u202e"\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n'},
)
format_code(
    "E012",
    "Number too large",
    "数值过大",
    "content-model.md",
    "A number has at most 15 digits and is finite (.inf and .nan are refused), so that no count,\n"
    "fee or day number can overflow the arithmetic done with it.",
    {
        "content/responses/big.md": "---\ntitle: 答复\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "request_no: 2024-1\nreceived: 2024-02-01\npaused_days: 99999999999999999999\n---\n"
    },
)
format_code(
    "E013",
    "Symbolic link under content/",
    "content/ 下的符号链接",
    "content-model.md",
    "A Markdown file that is a symbolic link may point outside the site and publish what it finds\n"
    "there; a linked folder's items were silently dropped. Both are refused, naming the path, and\n"
    "nothing is read through them. The same holds for reports/*.yaml.",
    {},
)
format_code(
    "E014",
    "Control character in a file name",
    "文件名中含有控制字符",
    "content-model.md",
    "A content file whose path holds a newline, a control character or bytes that are not UTF-8 would\n"
    "split error lines and URLs; it is refused. Rename it (letters, digits, - and _).",
    {"content/decisions/a\tb.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n"},
)
format_code(
    "E015",
    "Full-width colon after a key",
    "键名后用了全角冒号",
    "content-model.md",
    "`title：…` with a full-width colon is text to YAML, not a field, and its parser stops a line\n"
    "later; the line with the full-width colon is named instead, with the fix.",
    {"content/decisions/colon.md": "---\ntitle：某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n"},
)
format_code(
    "E016",
    "Body nested too deep",
    "正文嵌套过深",
    "content-model.md",
    "Quotes (>) and lists nested more than 50 levels deep are refused: the renderers recurse per\n"
    "level, and 100,000 levels crash them.",
    {
        "content/decisions/deep.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n"
        + ">" * 60
        + " 引文\n"
    },
)
format_code(
    "E017",
    "Paragraph too costly to render",
    "段落渲染代价过高",
    "content-model.md",
    "Within one paragraph the Markdown renderer matches emphasis markers (* _ ~) in time growing with\n"
    "the square of their number, and reads ahead from every line opening with [. A paragraph whose\n"
    "cost would reach seconds is refused with its line: remove stray markers or split it.",
    {},  # too big to show: tests/test_rules.py builds it
)
format_code(
    "E018",
    "Body too long to render",
    "正文过长",
    "content-model.md",
    "A body has at most 100,000 lines and markup characters (| [ * > and the like). Beyond that the\n"
    "Markdown renderer takes too long; attach long tables and lists (CSV, XLSX) or split the text.",
    {},  # too big to show: tests/test_rules.py builds it
)
