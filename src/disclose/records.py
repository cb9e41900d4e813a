"""Facts computed from public records for the pages: reply deadlines, consultation status,
the annual report's counts and the compliance figures. Pure functions of a Publication.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from .annual_report import (
    ApplicationTable,
    NormativeCounts,
    ReportDue,
    ReportState,
    application_table,
    report_schedule,
    year_of_requests,
)
from .gate import Publication
from .model import Item, ResponseFacts
from .workdays import Deadline, Progress, WorkCalendar, calendar_for, deadline


def calendar(pub: Publication) -> WorkCalendar:
    return calendar_for(pub.config.workdays, pub.config.holidays)


def response_deadline(item: Item, pub: Publication) -> Deadline:
    """A response's deadline, computed once per build (lists, the page and the reports all show it)."""
    key = ("deadline", item.id)
    if key not in pub.memo:
        pub.memo[key] = deadline(
            calendar(pub),
            item.get("received"),
            item.get("replied"),
            bool(item.get("extended")),
            item.get("paused_days") or 0,
            pub.today,
        )
    return pub.memo[key]


@dataclass(frozen=True)
class ConsultationState:
    open: bool
    days_left: int | None
    label: str


def consultation_state(item: Item, today: date) -> ConsultationState:
    opens, closes = item.get("opens"), item.get("closes")
    if opens and today < opens:
        return ConsultationState(False, None, f"{opens.isoformat()} 开始征求意见")
    if closes and today <= closes:
        left = (closes - today).days
        return ConsultationState(True, left, f"正在征求意见（剩余 {left} 天）" if left else "正在征求意见（今天截止）")
    return ConsultationState(False, None, "已结束")


def _successor_dates(pub: Publication, item: Item) -> list[date]:
    return [s.published for s in pub.successors.get(item.id, ()) if s.published]


def normative_counts(pub: Publication, year: int, flag: str) -> NormativeCounts:
    """规章 (flag `regulation`) or 行政规范性文件 (flag `normative`) for section 二."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    docs = [p for p in pub.of_kind("policy") if p.get(flag)]
    made = sum(1 for p in docs if p.published and start <= p.published <= end)
    repealed = sum(1 for p in docs if any(start <= d <= end for d in _successor_dates(pub, p)))

    def in_force(p: Item) -> bool:
        if not p.published or p.published > end or p.get("status") in ("废止", "失效"):
            return False
        if any(d <= end for d in _successor_dates(pub, p)):
            return False
        if any(c.published and c.published <= end for c in pub.declared_expired.get(p.id, ())):  # 清理结果: 失效
            return False
        return not (p.get("expires") and p.get("expires") < end)

    return NormativeCounts(made, repealed, sum(1 for p in docs if in_force(p)))


def record_years(pub: Publication) -> set[int]:
    """Years with public items or information requests, up to this year (a pass over every
    item: made once per build)."""
    if "record_years" not in pub.memo:
        years = {published.year for i in pub.items if (published := i.fields.get("published"))}
        years |= {f.received.year for f in pub.statistics.responses}
        pub.memo["record_years"] = frozenset(y for y in years if y <= pub.today.year)
    return set(pub.memo["record_years"])


def schedule(pub: Publication) -> dict[int, ReportDue]:
    """Each year's annual report: published, due, overdue, or its year still under way."""
    if "schedule" not in pub.memo:
        pub.memo["schedule"] = report_schedule(pub.reports, record_years(pub), pub.today, pub.config.report_due)
    return pub.memo["schedule"]


def report_years(pub: Publication) -> list[int]:
    """Years whose annual report is published: ended, with reports/YEAR.yaml. Newest first."""
    return sorted((y for y, s in schedule(pub).items() if s.state is ReportState.PUBLISHED), reverse=True)


def compliance_years(pub: Publication) -> list[int]:
    """Years with a compliance page: records, a data file, or a report owed. Newest first."""
    years = record_years(pub) | set(schedule(pub)) | {y for y in pub.reports if y <= pub.today.year}
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class Compliance:
    """One year's figures, each from that year's records only."""

    year: int
    as_of: date  # 31 December, or today while the year is under way
    policies: int
    paired_same_day: int
    paired_late: list[tuple[Item, Item]]  # (policy, interpretation with late_reason)
    received: int  # the annual report's 一
    carried_in: int  # 二
    replied: int  # 三（七）总计
    on_time: int
    late: int
    open: int  # 四 (or still open today, while the year is under way)
    overdue_open: int  # of those, past their deadline on `as_of`
    taken: list[tuple[str, int]]  # working-day bucket label -> count, of the year's replies
    withheld_by_basis: list[tuple[str, int]]
    reassessment_due: int  # review.next fell in this year, has passed, and was not moved on
    consultations_closed: int
    consultations_without_feedback: list[Item]
    report: ReportDue | None


BUCKETS = (
    (0, 5, "5 个工作日以内"),
    (6, 10, "6–10 个工作日"),
    (11, 15, "11–15 个工作日"),
    (16, 20, "16–20 个工作日"),
    (21, 40, "21–40 个工作日"),
    (41, 10_000, "40 个工作日以上"),
)


def _deadline(pub: Publication, fact: ResponseFacts, as_of: date) -> Deadline:
    """A request's deadline seen on `as_of`: a reply given later does not count yet."""
    replied = fact.replied if fact.replied is not None and fact.replied <= as_of else None
    return deadline(calendar(pub), fact.received, replied, fact.extended, fact.paused_days, as_of)


def compliance(pub: Publication, year: int) -> Compliance:
    """The figures an auditor asks for, for one year; non-public items only as counts.

    Requests are counted as the annual report counts them (received, carried in, replied,
    carried out), so the page and the report agree; deadlines are judged on 31 December, or
    today while the year is under way.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    as_of = min(end, pub.today)
    in_year = [p for p in pub.of_kind("policy") if p.published and start <= p.published <= end]
    same, late = 0, []
    for policy in in_year:
        interps = pub.interpretations.get(policy.id, ())
        if any(i.published == policy.published for i in interps):
            same += 1
        late += [(policy, i) for i in interps if i.published != policy.published and i.get("late_reason")]
    requests = year_of_requests(pub.statistics.responses, year)
    replied = [_deadline(pub, f, as_of) for f in requests.handled]
    still_open = [_deadline(pub, f, as_of) for f in requests.carried_out]
    taken: Counter[str] = Counter()
    for d in replied:
        if d.taken is not None:
            taken[next(label for low, high, label in BUCKETS if low <= d.taken <= high)] += 1
    withheld = Counter(f.basis or "—" for f in pub.statistics.withheld if f.published and start <= f.published <= end)
    feedback_days = timedelta(days=pub.config.consultation_feedback_days)
    closed = [c for c in pub.of_kind("consultation") if c.get("closes") and start <= c.get("closes") <= as_of]
    lacking = [c for c in closed if c.get("closes") + feedback_days < pub.today and c.id not in pub.feedback]
    return Compliance(
        year=year,
        as_of=as_of,
        policies=len(in_year),
        paired_same_day=same,
        paired_late=late,
        received=len(requests.new),
        carried_in=len(requests.carried_in),
        replied=len(replied),
        on_time=sum(d.progress is Progress.ON_TIME for d in replied),
        late=sum(d.progress is Progress.LATE for d in replied),
        open=len(still_open),
        overdue_open=sum(d.progress is Progress.LATE for d in still_open),
        taken=[(label, taken[label]) for _, _, label in BUCKETS],
        withheld_by_basis=sorted(withheld.items()),
        reassessment_due=sum(
            1
            for f in pub.statistics.withheld
            if f.review_next and start <= f.review_next <= end and f.review_next < pub.today
        ),
        consultations_closed=len(closed),
        consultations_without_feedback=lacking,
        report=schedule(pub).get(year),
    )


def applications(pub: Publication, year: int) -> ApplicationTable:
    return application_table(pub.statistics.responses, year)
