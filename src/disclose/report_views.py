"""View models of the annual report and the compliance page: table rows with their spans,
so templates print the official structure without computing anything.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .annual_report import (
    COLUMN_LABELS,
    OUTCOME_ROWS,
    REVIEW_PART_LABELS,
    ApplicationTable,
    ReportDue,
    ReportState,
    review_row,
)
from .dates import cn_date
from .gate import Publication
from .markdown import render_markdown
from .records import applications, compliance, compliance_years, normative_counts, schedule
from .schema import BASIS
from .timeliness import timeliness_view
from .views import link

REVIEW_GROUP_LABELS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
SEC3_HEAD = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _figure(data: dict, key: str) -> str:
    value = data.get(key)
    return "—" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


def section_two(pub: Publication, year: int, data: dict) -> list[dict[str, Any]]:
    regulation, normative = normative_counts(pub, year, "regulation"), normative_counts(pub, year, "normative")
    return [
        {
            "title": "第二十条第（一）项",
            "head": ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            "rows": [
                ["规章", regulation.made, regulation.repealed, regulation.in_force],
                ["行政规范性文件", normative.made, normative.repealed, normative.in_force],
            ],
        },
        {
            "title": "第二十条第（五）项",
            "head": ["信息内容", "本年处理决定数量"],
            "rows": [["行政许可", _figure(data, "licensing")]],
        },
        {
            "title": "第二十条第（六）项",
            "head": ["信息内容", "本年处理决定数量"],
            "rows": [["行政处罚", _figure(data, "penalty")], ["行政强制", _figure(data, "enforcement")]],
        },
        {
            "title": "第二十条第（八）项",
            "head": ["信息内容", "本年收费金额（单位：万元）"],
            "rows": [["行政事业性收费", _figure(data, "fees")]],
        },
    ]


def _cell(text: str, rowspan: int = 1, colspan: int = 1) -> dict[str, Any]:
    return {"text": text, "rowspan": rowspan, "colspan": colspan}


def _group_sizes() -> dict[str, int]:
    sizes: dict[str, int] = {}
    for group, label, _, _ in OUTCOME_ROWS:
        if label:
            sizes[group] = sizes.get(group, 0) + 1
    return sizes


def section_three_rows(table: ApplicationTable) -> list[dict[str, Any]]:
    """Rows in the official layout: 三 spans 22 rows, （三）–（六） are row groups, not subtotals.

    Each row has `cells` (the label cells with their spans) and `label` (the full text, for CSV).
    """
    rows = [
        {
            "cells": [_cell("一、本年新收政府信息公开申请数量", colspan=3)],
            "label": "一、本年新收政府信息公开申请数量",
            "values": table.new,
        },
        {
            "cells": [_cell("二、上年结转政府信息公开申请数量", colspan=3)],
            "label": "二、上年结转政府信息公开申请数量",
            "values": table.carried_in,
        },
    ]
    sizes = _group_sizes()
    seen: set[str] = set()
    for index, (group, label, _, _) in enumerate(OUTCOME_ROWS):
        cells = [_cell("三、本年度办理结果", rowspan=len(OUTCOME_ROWS) + 1)] if index == 0 else []
        if not label:
            cells.append(_cell(group, colspan=2))
        else:
            if group not in seen:
                cells.append(_cell(group, rowspan=sizes[group]))
            cells.append(_cell(label))
        seen.add(group)
        rows.append({"cells": cells, "label": f"三、{group} {label}".rstrip(), "values": table.outcomes[index]})
    rows.append({"cells": [_cell("（七）总计", colspan=2)], "label": "三、（七）总计", "values": table.total})
    rows.append(
        {
            "cells": [_cell("四、结转下年度继续办理", colspan=3)],
            "label": "四、结转下年度继续办理",
            "values": table.carried_out,
        }
    )
    return rows


def report_view(pub: Publication, year: int) -> dict[str, Any]:
    data = dict(pub.reports.get(year, {}))
    table = applications(pub, year)
    return {
        "year": year,
        "has_data": year in pub.reports,
        "overview": render_markdown(data.get("overview", "")) if data.get("overview") else "",
        "section_two": section_two(pub, year, data),
        "section_three": {"head": SEC3_HEAD, "columns": COLUMN_LABELS, "rows": section_three_rows(table)},
        "section_four": {
            "parts": REVIEW_PART_LABELS,
            "values": review_row(data),
            "labels": [f"{group}·{part}" for group in REVIEW_GROUP_LABELS for part in REVIEW_PART_LABELS],
        },
        "problems": render_markdown(data.get("problems", "")) if data.get("problems") else "",
        "other": render_markdown(data.get("other", "")) if data.get("other") else "",
        "arithmetic_errors": table.arithmetic_errors(),
    }


def report_csv(pub: Publication, year: int) -> bytes:
    """The report's tables as CSV (UTF-8 with BOM for Excel), one row per table row."""
    view = report_view(pub, year)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{year}年政府信息公开工作年度报告"])
    writer.writerow(["二、主动公开政府信息情况"])
    for table in view["section_two"]:
        writer.writerow([table["title"], *table["head"]])
        for row in table["rows"]:
            writer.writerow(["", *row])
    writer.writerow(["三、收到和处理政府信息公开申请情况", "", *COLUMN_LABELS])
    for row in view["section_three"]["rows"]:
        writer.writerow(["", row["label"], *row["values"]])
    writer.writerow(["四、政府信息公开行政复议、行政诉讼情况"])
    heads = [f"{g}{p}" for g in ("行政复议", "未经复议直接起诉", "复议后起诉") for p in REVIEW_PART_LABELS]
    writer.writerow(["", *heads])
    writer.writerow(["", *view["section_four"]["values"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_text(pub: Publication, year: int) -> str:
    """The tables for a terminal (`disclose report YEAR`)."""
    view = report_view(pub, year)
    lines = [f"{year}年政府信息公开工作年度报告", "", "二、主动公开政府信息情况"]
    for table in view["section_two"]:
        lines.append(f"  {table['title']}：{' / '.join(table['head'][1:])}")
        for row in table["rows"]:
            lines.append(f"    {row[0]:<12}" + "".join(f"{v!s:>8}" for v in row[1:]))
    lines += ["", "三、收到和处理政府信息公开申请情况", "  " + " ".join(f"{c:>6}" for c in COLUMN_LABELS)]
    for row in view["section_three"]["rows"]:
        lines.append("  " + " ".join(f"{v:>6}" for v in row["values"]) + f"  {row['label']}")
    lines += [
        "",
        "四、政府信息公开行政复议、行政诉讼情况",
        "  " + " ".join(str(v) for v in view["section_four"]["values"]),
    ]
    if view["arithmetic_errors"]:
        lines += ["", "勾稽关系错误：", *view["arithmetic_errors"]]
    return "\n".join(lines) + "\n"


def _report_status(pub: Publication, due: ReportDue | None) -> dict[str, Any] | None:
    """How one year's report stands, in words the index and the compliance page share."""
    if due is None:
        return None
    base, by = pub.config.base_path, cn_date(due.due)
    text = {
        ReportState.PUBLISHED: "已发布",
        ReportState.DUE: f"尚未发布，应于 {by} 前发布",
        ReportState.OVERDUE: f"逾期未发布（应于 {by} 前发布）",
        ReportState.UNDERWAY: f"本年度尚未结束，年度报告于 {by} 前发布",
    }[due.state]
    return {
        "year": due.year,
        "state": due.state.value,
        "text": text,
        "due": by,
        "url": f"{base}reports/{due.year}/" if due.state is ReportState.PUBLISHED else None,
        "compliance": f"{base}compliance/{due.year}/",
    }


def reports_index_view(pub: Publication) -> dict[str, Any]:
    """The 政府信息公开年报 index: reports that exist, reports owed (due or overdue), and every
    year's compliance page."""
    base = pub.config.base_path
    statuses = [_report_status(pub, due) for _, due in sorted(schedule(pub).items(), reverse=True)]
    return {
        "published": [s for s in statuses if s and s["state"] == ReportState.PUBLISHED.value],
        "owed": [s for s in statuses if s and s["state"] in (ReportState.DUE.value, ReportState.OVERDUE.value)],
        "underway": [s for s in statuses if s and s["state"] == ReportState.UNDERWAY.value],
        "compliance": [{"year": y, "url": f"{base}compliance/{y}/"} for y in compliance_years(pub)],
    }


def compliance_view(pub: Publication, year: int) -> dict[str, Any]:
    facts = compliance(pub, year)
    return {
        "year": year,
        "ended": pub.today.year > year,
        "as_of": cn_date(facts.as_of),
        "policies": facts.policies,
        "paired_same_day": facts.paired_same_day,
        "paired_late": [
            {"policy": link(pub, p), "interpretation": link(pub, i), "reason": i.get("late_reason")}
            for p, i in facts.paired_late
        ],
        "received": facts.received,
        "carried_in": facts.carried_in,
        "replied": facts.replied,
        "on_time": facts.on_time,
        "late": facts.late,
        "open": facts.open,
        "overdue_open": facts.overdue_open,
        "taken": facts.taken,
        "withheld": [
            {
                "code": code,
                "label": BASIS.get(code, ("未注明", ""))[0],
                "article": BASIS.get(code, ("", ""))[1],
                "count": n,
            }
            for code, n in facts.withheld_by_basis
        ],
        "reassessment_due": facts.reassessment_due,
        "consultations_closed": facts.consultations_closed,
        "no_feedback": [link(pub, c) for c in facts.consultations_without_feedback],
        "report": _report_status(pub, facts.report),
        "timeliness": timeliness_view(pub, year, link),
    }
