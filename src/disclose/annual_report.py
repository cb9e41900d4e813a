"""政府信息公开工作年度报告 in the national format (国办公开办函〔2021〕30号), computed from records.

Section 二 counts 规章 and 行政规范性文件 from the policies; 行政许可/处罚/强制/收费 and section 四 come
from the editors' yearly data file (reports/YEAR.yaml); section 三 is computed from the response
records. Every table's own arithmetic is checked: per column 一 + 二 = 三（七）总计 + 四, and every
总计 equals its parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from .model import ResponseFacts

COLUMNS = ("natural-person", "business", "research", "nonprofit", "legal-service", "other")
COLUMN_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

# (group label, row label, outcome, code) in the official order; code is a basis or a reason.
OUTCOME_ROWS: tuple[tuple[str, str, str, str | None], ...] = (
    ("（一）予以公开", "", "disclosed", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "", "partly-disclosed", None),
    ("（三）不予公开", "1.属于国家秘密", "withheld", "state-secret"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开", "withheld", "prohibited-by-law"),
    ("（三）不予公开", "3.危及“三安全一稳定”", "withheld", "security-stability"),
    ("（三）不予公开", "4.保护第三方合法权益", "withheld", "third-party-rights"),
    ("（三）不予公开", "5.属于三类内部事务信息", "withheld", "internal-affairs"),
    ("（三）不予公开", "6.属于四类过程性信息", "withheld", "process-info"),
    ("（三）不予公开", "7.属于行政执法案卷", "withheld", "enforcement-file"),
    ("（三）不予公开", "8.属于行政查询事项", "withheld", "administrative-query"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "cannot-provide", "not-held"),
    ("（四）无法提供", "2.没有现成信息需要另行制作", "cannot-provide", "needs-creation"),
    ("（四）无法提供", "3.补正后申请内容仍不明确", "cannot-provide", "unclear"),
    ("（五）不予处理", "1.信访举报投诉类申请", "not-processed", "petition"),
    ("（五）不予处理", "2.重复申请", "not-processed", "repeated"),
    ("（五）不予处理", "3.要求提供公开出版物", "not-processed", "publication"),
    ("（五）不予处理", "4.无正当理由大量反复申请", "not-processed", "excessive"),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "not-processed", "confirmation"),
    (
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other-handling",
        "no-correction",
    ),
    (
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other-handling",
        "unpaid-fee",
    ),
    ("（六）其他处理", "3.其他", "other-handling", "other"),
)

# Bases that the report counts under 4.保护第三方合法权益 (条例 第十五条).
THIRD_PARTY = ("commercial-secret", "personal-privacy", "third-party-rights")

REVIEW_PARTS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_PART_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
DATA_NUMBERS = ("licensing", "penalty", "enforcement", "fees")
DATA_TEXTS = ("overview", "problems", "other")
DATA_KEYS = DATA_NUMBERS + DATA_TEXTS + ("review_litigation",)


def outcome_row(outcome: str | None, code: str | None) -> int | None:
    """Index into OUTCOME_ROWS of a reply; every valid outcome/basis/reason maps to exactly one."""
    if code in THIRD_PARTY and outcome == "withheld":
        code = "third-party-rights"
    for index, (_, _, row_outcome, row_code) in enumerate(OUTCOME_ROWS):
        if row_outcome == outcome and (row_code is None or row_code == code):
            return index
    return None


def _code(fact: ResponseFacts) -> str | None:
    return fact.basis if fact.outcome == "withheld" else fact.reason


@dataclass(frozen=True)
class ApplicationTable:
    """Section 三: rows of 7 numbers (six applicant columns and 总计)."""

    new: tuple[int, ...]
    carried_in: tuple[int, ...]
    outcomes: tuple[tuple[int, ...], ...]  # one per OUTCOME_ROWS entry
    total: tuple[int, ...]
    carried_out: tuple[int, ...]

    def arithmetic_errors(self) -> list[str]:
        """The table's own checks, as the national form prints them."""
        errors = []
        rows = {"一": self.new, "二": self.carried_in, "（七）总计": self.total, "四": self.carried_out}
        rows.update({f"三{i + 1}": r for i, r in enumerate(self.outcomes)})
        for name, row in rows.items():
            if sum(row[:6]) != row[6]:
                errors.append(f"{name} 行的总计 {row[6]} ≠ 各列之和 {sum(row[:6])}")
        for col in range(7):
            if sum(r[col] for r in self.outcomes) != self.total[col]:
                errors.append(f"第 {col + 1} 列（七）总计不等于各办理结果之和")
            if self.new[col] + self.carried_in[col] != self.total[col] + self.carried_out[col]:
                errors.append(f"第 {col + 1} 列：一 + 二 ≠ 三（七）总计 + 四")
        return errors


def _row(facts: Iterable[ResponseFacts]) -> tuple[int, ...]:
    counts = [0] * 6
    for fact in facts:
        column = COLUMNS.index(fact.applicant_type) if fact.applicant_type in COLUMNS else 5
        counts[column] += 1
    return (*counts, sum(counts))


@dataclass(frozen=True)
class YearOfRequests:
    """Requests as one year saw them; the report's section 三 and the compliance page both count these."""

    new: list[ResponseFacts]  # 一、本年新收
    carried_in: list[ResponseFacts]  # 二、上年结转
    handled: list[ResponseFacts]  # replied within the year: 三、（七）总计
    carried_out: list[ResponseFacts]  # not replied by 31 December: 四、结转下年度继续办理


def year_of_requests(responses: Iterable[ResponseFacts], year: int) -> YearOfRequests:
    start, end = date(year, 1, 1), date(year, 12, 31)
    facts = list(responses)
    new = [f for f in facts if start <= f.received <= end]
    carried_in = [f for f in facts if f.received < start and (f.replied is None or f.replied >= start)]
    handled = [f for f in new + carried_in if f.replied is not None and f.replied <= end]
    carried_out = [f for f in new + carried_in if f.replied is None or f.replied > end]
    return YearOfRequests(new, carried_in, handled, carried_out)


def application_table(responses: Iterable[ResponseFacts], year: int) -> ApplicationTable:
    requests = year_of_requests(responses, year)
    new, carried_in, handled, carried_out = requests.new, requests.carried_in, requests.handled, requests.carried_out
    outcomes = tuple(
        _row(f for f in handled if outcome_row(f.outcome, _code(f)) == index) for index in range(len(OUTCOME_ROWS))
    )
    total = tuple(sum(r[c] for r in outcomes) for c in range(7))
    return ApplicationTable(_row(new), _row(carried_in), outcomes, total, _row(carried_out))


def review_errors(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for each 复议/诉讼 group whose 总计 is not the sum of its parts."""
    errors = []
    table = data.get("review_litigation") or {}
    for group in REVIEW_GROUPS:
        parts = table.get(group) or {}
        if parts and sum(parts.get(p, 0) for p in REVIEW_PARTS[:4]) != parts.get("total", 0):
            errors.append((f"review_litigation.{group}", f"{group} 的总计 {parts.get('total', 0)} ≠ 四项之和"))
    return errors


def review_row(data: Mapping[str, Any]) -> list[int]:
    table = data.get("review_litigation") or {}
    return [int((table.get(group) or {}).get(part, 0)) for group in REVIEW_GROUPS for part in REVIEW_PARTS]


@dataclass(frozen=True)
class NormativeCounts:
    """Section 二, 第二十条第（一）项: made this year, repealed this year, in force at year end."""

    made: int
    repealed: int
    in_force: int


DEFAULT_DUE = "01-31"  # a department's report, 条例 第四十九条; a 县级以上地方人民政府 uses 03-31
LATEST_DUE = "03-31"  # the latest date the law allows


def due_date(year: int, report_due: str = DEFAULT_DUE) -> date:
    """The day by which the report on `year` must be published (report_due is `MM-DD`)."""
    month, day = (int(part) for part in report_due.split("-"))
    return date(year + 1, month, day)


class ReportState(Enum):
    PUBLISHED = "published"  # the year has ended and reports/YEAR.yaml exists
    DUE = "due"  # the year has ended, no data file yet, the due date has not passed
    OVERDUE = "overdue"  # the due date has passed without a data file
    UNDERWAY = "underway"  # the year has not ended: no report yet, whatever the data file


@dataclass(frozen=True)
class ReportDue:
    year: int
    due: date
    state: ReportState


def report_schedule(
    data_years: Iterable[int], record_years: Iterable[int], today: date, report_due: str = DEFAULT_DUE
) -> dict[int, ReportDue]:
    """Each year a report is owed for, from the first year of this site's reporting to this year.

    A report for year Y is published only when Y has ended and reports/Y.yaml exists. Reporting
    starts with the earliest data file; a site without any owes the last ended year once it has
    records in or before it (older imported documents do not make older reports this site's).
    """
    data = {y for y in data_years if y < today.year}
    records = [y for y in record_years if y <= today.year]
    if data:
        first = min(data)
    elif records:
        first = max(min(records), today.year - 1)
    else:
        return {}
    schedule = {}
    for year in range(first, today.year + 1):
        due = due_date(year, report_due)
        if year >= today.year:
            state = ReportState.UNDERWAY
        elif year in data:
            state = ReportState.PUBLISHED
        else:
            state = ReportState.OVERDUE if today > due else ReportState.DUE
        schedule[year] = ReportDue(year, due, state)
    return schedule
