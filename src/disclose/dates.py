"""Dates as a 公文 prints them: 2022年4月12日 (GB/T 9704-2012 7.3.5.4, no leading zeros)."""

from __future__ import annotations

from datetime import date


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
