"""The annual report's data files (reports/YEAR.yaml): known keys, numbers, and arithmetic."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..annual_report import (
    DATA_KEYS,
    DATA_NUMBERS,
    DATA_TEXTS,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    ReportState,
    report_schedule,
    review_errors,
)
from ..catalogue import Catalogue
from ..dates import cn_date
from ..model import Source
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


def _review_shape(source: Source, value: object) -> Iterator[Finding]:
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


def record_years(site: Catalogue) -> set[int]:
    """Years with public items or information requests: what records.record_years sees after the gate."""
    years = set(site.public_years)
    years |= {i.get("received").year for i in site.of_kind("response") if i.get("received") and not i.draft}
    return {y for y in years if y <= site.today.year}


@rule(
    "Y703",
    "site",
    "Annual report of an ended year is missing",
    "上一年度的政府信息公开工作年度报告尚未编制",
    "条例 第四十九条、第五十条",
    {"reports/2022.yaml": GOOD},
    severity="warning",
)
def missing_report(site: Catalogue) -> Iterator[Finding]:
    """From 1 January, the report on the year just ended is owed, and it is due by site.yaml
    `report_due` (MM-DD, default 01-31 for a department; a 县级以上地方人民政府's own report is
    due 03-31). Its page is built only from reports/YEAR.yaml, so the file is missing until the
    editors write it. Past the due date the compliance page lists the report as overdue.

    Reporting starts with the earliest data file; a site without any owes the last ended year.
    """
    schedule = report_schedule(site.reports, record_years(site), site.today, site.config.report_due)
    for year, due in sorted(schedule.items()):
        if due.state not in (ReportState.DUE, ReportState.OVERDUE):
            continue
        path = f"reports/{year}.yaml"
        by = cn_date(due.due)
        if due.state is ReportState.OVERDUE:
            zh = f"{year}年度政府信息公开工作年度报告已逾期（应于 {by} 前发布）：请新建 {path}"
            en = f"the {year} annual report is overdue (due {due.due.isoformat()}): create {path}"
        else:
            zh = f"{year}年度政府信息公开工作年度报告应于 {by} 前发布：请新建 {path}"
            en = f"the {year} annual report is due by {due.due.isoformat()}: create {path}"
        yield Finding(zh, en, at=Source(path, f"reports/{year}", {}, {}, "", 1))


@rule(
    "Y704",
    "site",
    "Annual-report data file of an ended year lacks a part of the national format",
    "已结束年度的年度报告数据文件缺少国家格式要求的内容",
    "条例 第五十条; 国办公开办函〔2021〕30号",
    {"reports/2022.yaml": "overview: 本年度……\nlicensing: 120\n"},
    severity="warning",
)
def incomplete_report(site: Catalogue) -> Iterator[Finding]:
    """Once its year has ended, a data file's report is published, so every part the national
    format asks the editors for should be there: the figures (licensing, penalty, enforcement,
    fees, review_litigation) and the prose (overview, problems, other). A missing figure is shown
    as “—” and a missing part as （尚未填写）, which a published report should not need.
    """
    for year, source in sorted(site.reports.items()):
        if year >= site.today.year:
            continue
        missing = [key for key in DATA_KEYS if source.meta.get(key) in (None, "")]
        if missing:
            names = "、".join(missing)
            yield Finding(
                f"{year}年度报告缺少 {names}：年度已结束，报告将按现有内容发布",
                f"the {year} report lacks {', '.join(missing)}; the year has ended and it is published as it is",
                at=source,
            )
