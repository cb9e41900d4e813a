"""The annual report's data files (reports/YEAR.yaml): known keys, numbers, and arithmetic."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..annual_report import DATA_KEYS, DATA_NUMBERS, DATA_TEXTS, REVIEW_GROUPS, REVIEW_PARTS, review_errors
from ..catalogue import Catalogue
from .registry import Finding, rule

GOOD = "overview: 本年度……\nlicensing: 120\npenalty: 35\nenforcement: 2\nfees: 3.5\n"


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


@rule(
    "Y701",
    "site",
    "Annual-report data file has an unknown key or a bad value",
    "年度报告数据文件字段不正确",
    "国办公开办函〔2021〕30号 (年度报告格式)",
    {"reports/2024.yaml": GOOD + "licencing: 3\n"},
)
def data_file_fields(site: Catalogue) -> Iterator[Finding]:
    """The data file holds exactly the figures the national format asks the editors for.

    licensing (行政许可), penalty (行政处罚), enforcement (行政强制): decisions this year;
    fees (行政事业性收费, 万元); review_litigation (复议、诉讼: review, litigation_direct,
    litigation_after_review, each with upheld, corrected, other, pending, total); and the prose
    sections overview (一), problems (五) and other (六).
    """
    for source in site.reports.values():
        for key, value in source.meta.items():
            name = str(key)
            if name not in DATA_KEYS:
                close = difflib.get_close_matches(name, DATA_KEYS, n=1)
                hint = f"，是否应为 {close[0]}？" if close else ""
                yield Finding(f"未知字段 {name}{hint}", f"unknown key {name}", key=name, at=source)
            elif name in DATA_NUMBERS and not _number(value):
                yield Finding(f"{name} 应为非负数", f"{name} must be a number, 0 or more", key=name, at=source)
            elif name in DATA_TEXTS and not isinstance(value, str):
                yield Finding(f"{name} 应为一段文字", f"{name} must be text", key=name, at=source)
            elif name == "review_litigation":
                yield from _review_shape(source, value)


def _review_shape(source, value) -> Iterator[Finding]:
    if not isinstance(value, dict):
        yield Finding(
            "review_litigation 应包含 review、litigation_direct、litigation_after_review",
            "review_litigation must hold review, litigation_direct, litigation_after_review",
            key="review_litigation",
            at=source,
        )
        return
    for group, parts in value.items():
        if group not in REVIEW_GROUPS or not isinstance(parts, dict):
            yield Finding(
                f"review_litigation 中未知的分组 {group}",
                f"unknown group {group}",
                key=f"review_litigation.{group}",
                at=source,
            )
            continue
        for part, number in parts.items():
            if part not in REVIEW_PARTS or not isinstance(number, int) or isinstance(number, bool) or number < 0:
                yield Finding(
                    f"{group}.{part} 应为 {'、'.join(REVIEW_PARTS)} 之一且为非负整数",
                    f"{group}.{part}: use {', '.join(REVIEW_PARTS)} with whole numbers",
                    key=f"review_litigation.{group}",
                    at=source,
                )


@rule(
    "Y702",
    "site",
    "Annual-report figures do not add up",
    "年度报告数据勾稽关系不符",
    "国办公开办函〔2021〕30号 第四部分",
    {
        "reports/2024.yaml": GOOD + "review_litigation:\n  review: {upheld: 1, corrected: 1, other: 0, pending: 0, "
        "total: 3}\n"
    },
)
def data_file_arithmetic(site: Catalogue) -> Iterator[Finding]:
    """Each 总计 of the 复议/诉讼 table equals 结果维持 + 结果纠正 + 其他结果 + 尚未审结.

    A report whose figures do not add up is inaccurate (条例 第四十七条 holds people accountable
    for it), so the build refuses it. Section 三 is computed from the response records and checked
    the same way.
    """
    for source in site.reports.values():
        if isinstance(source.meta.get("review_litigation"), dict):
            for key, message in review_errors(source.meta):
                yield Finding(message, message, key=key if key in source.lines else "review_litigation", at=source)
