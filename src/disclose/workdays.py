"""Working days on the official calendar (法定节假日 and 调休), for 依申请 reply deadlines.

条例 第三十三条: reply within 20 working days of receipt, 40 when extended; days spent on
third-party consultation (第三十二条) or 补正 (第三十条) do not count. The `chinesecalendar`
package carries the State Council's yearly holiday notices; site.yaml can add or override days
(`workdays`, `holidays`). Years the package does not cover count Monday to Friday, and the build
warns, naming the year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache

import chinese_calendar

REPLY_LIMIT = 20
EXTENDED_LIMIT = 40


# The package's own is_workday scans its whole table on every call to check the year; the same
# rule over its published tables (`holidays`, `workdays`: date -> name) is a set look-up.
_OFFICIAL_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def _official_workday(day: date) -> bool | None:
    """The State Council calendar for `day`, or None for a year it does not cover."""
    if day.year not in _OFFICIAL_YEARS:
        return None
    return day in chinese_calendar.workdays or (day.weekday() <= 4 and day not in chinese_calendar.holidays)


class Progress(Enum):
    ON_TIME = "按期"
    LATE = "逾期"
    OPEN = "办理中"


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar with the site's own additions; knows which years it only guesses."""

    workdays: frozenset[date] = frozenset()
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, workdays: Iterable[date] = (), holidays: Iterable[date] = ()) -> WorkCalendar:
        return cls(frozenset(workdays), frozenset(holidays))

    def covers(self, year: int) -> bool:
        """Whether the official calendar is known for `year` (else weekdays are assumed)."""
        return _official_workday(date(year, 6, 1)) is not None

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        official = _official_workday(day)
        return day.weekday() < 5 if official is None else official

    def add(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the day of receipt itself is not counted)."""
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_workday(day)
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


@dataclass(frozen=True)
class Deadline:
    """When a reply was due, how long it took, and whether it was on time."""

    due: date
    taken: int | None  # working days from receipt to reply, pauses excluded
    progress: Progress


@lru_cache(maxsize=16)
def calendar_for(workdays: tuple[date, ...] = (), holidays: tuple[date, ...] = ()) -> WorkCalendar:
    """The site's calendar (site.yaml `workdays`, `holidays`), made once per distinct setting."""
    return WorkCalendar.of(workdays, holidays)


def deadline(
    calendar: WorkCalendar,
    received: date,
    replied: date | None,
    extended: bool,
    paused_days: int,
    today: date,
) -> Deadline:
    limit = (EXTENDED_LIMIT if extended else REPLY_LIMIT) + paused_days
    due = calendar.add(received, limit)
    if replied is None:
        return Deadline(due, None, Progress.LATE if today > due else Progress.OPEN)
    taken = max(0, calendar.between(received, replied) - paused_days)
    return Deadline(due, taken, Progress.ON_TIME if replied <= due else Progress.LATE)
