"""Dates as a 公文 prints them: 2022年4月12日 (GB/T 9704-2012 7.3.5.4, no leading zeros)."""

from __future__ import annotations

from datetime import date

# Dates a disclosure record can carry: from the founding of the People's Republic to 2100. Outside
# it a date is a typing mistake (0024 for 2024), and deadline arithmetic near year 9999 overflows.
FIRST_YEAR, LAST_YEAR = 1949, 2100


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
