"""site.yaml identity, contact, 索引号 and timeliness settings: problems found by config.py."""

from __future__ import annotations

from .registry import format_code

HEAD = "title: 示例\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"

format_code(
    "C120",
    "Unknown key under organization, contact or index_no in site.yaml",
    "site.yaml 中 organization、contact 或 index_no 下未知的设置",
    "content-model.md (Additions, version 2: site identity and contact)",
    "A misspelt key would silently leave the footer or the 指南 without it; the nearest known key is shown.",
    {"site.yaml": HEAD + "contact:\n  telephone: 0575-12345678\n"},
)
format_code(
    "C121",
    "organization, contact or index_no value of the wrong type",
    "site.yaml 中 organization、contact 或 index_no 的值类型不对",
    "content-model.md (Additions, version 2)",
    "Each organization and contact value is one piece of text, shown as written; index_no.required is "
    "true or false and index_no.form a form with {serial}.",
    {"site.yaml": HEAD + "organization:\n  name: [示例市人民政府办公室, 示例市大数据局]\n"},
)
format_code(
    "C122",
    "timeliness_days out of range",
    "timeliness_days 超出范围",
    "条例 第二十六条",
    "The limit for timely publication is at most the law's 20 working days, and at least 1.",
    {"site.yaml": HEAD + "timeliness_days: 30\n"},
)
format_code(
    "C123",
    "organization.code is not a code",
    "机构代码格式不正确",
    "政府信息公开目录系统实施指引 (索引号 = 机构代码/年份-流水号)",
    "The organization's code (统一社会信用代码 or 组织机构代码) begins every 索引号: letters, digits and hyphens only.",
    {"site.yaml": HEAD + "organization:\n  code: 1133/0600\n"},
)
format_code(
    "C124",
    "索引号 settings need organization.code",
    "索引号设置缺少机构代码",
    "content-model.md (Additions, version 2: 索引号)",
    "The 索引号 form {code}/{year}-{serial} starts with organization.code: a site that requires 索引号 gives it.",
    {"site.yaml": HEAD + "index_no: {required: true}\n"},
)
