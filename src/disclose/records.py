"""Facts computed from public records for the pages: reply deadlines, consultation status,
the annual report's counts and the compliance figures. Pure functions of a Publication.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from .annual_report import NormativeCounts, application_table
from .gate import Publication
from .model import Item
from .workdays import Deadline, Progress, WorkCalendar, deadline


def calendar(pub: Publication) -> WorkCalendar:
    if "calendar" not in pub.memo:
        pub.memo["calendar"] = WorkCalendar.of(pub.config.workdays, pub.config.holidays)
    return pub.memo["calendar"]


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
        return not (p.get("expires") and p.get("expires") < end)

    return NormativeCounts(made, repealed, sum(1 for p in docs if in_force(p)))


def report_years(pub: Publication) -> list[int]:
    """Years the site has something to report: published items, requests, or a data file."""
    years = {i.published.year for i in pub.items if i.published}
    years |= {f.received.year for f in pub.statistics.responses}
    years |= set(pub.reports)
    return sorted((y for y in years if y <= pub.today.year), reverse=True)


@dataclass(frozen=True)
class Compliance:
    year: int
    policies: int
    paired_same_day: int
    paired_late: list[tuple[Item, Item]]  # (policy, interpretation with late_reason)
    replies: int
    on_time: int
    late: int
    open: int
    overdue_open: int
    taken: list[tuple[str, int]]  # working-day bucket label -> count
    withheld_by_basis: list[tuple[str, int]]
    reassessment_due: int
    consultations_without_feedback: list[Item]


BUCKETS = (
    (0, 5, "5 个工作日以内"),
    (6, 10, "6–10 个工作日"),
    (11, 15, "11–15 个工作日"),
    (16, 20, "16–20 个工作日"),
    (21, 40, "21–40 个工作日"),
    (41, 10_000, "40 个工作日以上"),
)


def compliance(pub: Publication, year: int) -> Compliance:
    """The figures an auditor asks for, for one year; non-public items only as counts."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_year = [p for p in pub.of_kind("policy") if p.published and start <= p.published <= end]
    same, late = 0, []
    for policy in in_year:
        interps = pub.interpretations.get(policy.id, ())
        if any(i.published == policy.published for i in interps):
            same += 1
        late += [(policy, i) for i in interps if i.published != policy.published and i.get("late_reason")]
    replies = [r for r in pub.of_kind("response") if r.get("received") and start <= r.get("received") <= end]
    deadlines = [response_deadline(r, pub) for r in replies]
    taken = Counter()
    for d in deadlines:
        if d.taken is not None:
            label = next(label for low, high, label in BUCKETS if low <= d.taken <= high)
            taken[label] += 1
    withheld = Counter(f.basis or "—" for f in pub.statistics.withheld if f.published and start <= f.published <= end)
    feedback_days = timedelta(days=pub.config.consultation_feedback_days)
    lacking = [
        c
        for c in pub.of_kind("consultation")
        if c.get("closes") and c.get("closes") + feedback_days < pub.today and c.id not in pub.feedback
    ]
    return Compliance(
        year=year,
        policies=len(in_year),
        paired_same_day=same,
        paired_late=late,
        replies=len(replies),
        on_time=sum(d.progress is Progress.ON_TIME for d in deadlines),
        late=sum(d.progress is Progress.LATE and d.taken is not None for d in deadlines),
        open=sum(d.progress is Progress.OPEN for d in deadlines),
        overdue_open=sum(d.progress is Progress.LATE and d.taken is None for d in deadlines),
        taken=[(label, taken[label]) for _, _, label in BUCKETS],
        withheld_by_basis=sorted(withheld.items()),
        reassessment_due=sum(1 for f in pub.statistics.withheld if f.review_next and f.review_next < pub.today),
        consultations_without_feedback=lacking,
    )


def applications(pub: Publication, year: int):
    return application_table(pub.statistics.responses, year)
