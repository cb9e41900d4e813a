"""site.yaml: the site's settings, each with the common value as its default."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from .categories import read_categories
from .frontmatter import parse_yaml, read_text
from .identity import check_identity
from .model import Problem
from .schema import BUILTIN, Kinds

SITE_FILE = "site.yaml"


@dataclass(frozen=True)
class SiteConfig:
    """Settings read from site.yaml; defaults follow national practice (domain.md)."""

    title: str
    base_url: str
    language: str = "zh-CN"
    description: str = ""
    require_review: bool = False
    paired_release_grace_days: int = 0
    paired_release_since: date | None = None
    pii_allow: tuple[str, ...] = ()
    page_size: int = 20
    feed_size: int = 50
    search_bundle_size: int = 160
    consultation_feedback_days: int = 30
    workdays: tuple[date, ...] = ()
    holidays: tuple[date, ...] = ()
    contact: dict = field(default_factory=dict)
    report_due: str = "01-31"  # MM-DD: the annual report on a year is due on this day of the next
    organization: dict = field(default_factory=dict)
    index_no_required: bool = False
    index_no_form: str | None = None  # None: {code}/{year}-{serial} when organization.code is given
    timeliness_days: int = 20
    # lifecycles (lifecycle.py): normative documents, consultations, 建议提案
    normative_consultation_since: date | None = None  # None: a normative document's 征求意见 link is not required
    consultation_min_days: int = 30  # 重大行政决策程序暂行条例 第十六条: 一般不少于30日
    suggestion_due_days: int | None = None  # None: three months after 交办
    kinds: Kinds = BUILTIN  # the table of kinds: the built-in kinds, then site.yaml `categories`

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, always ending in '/'."""
        return _split(self.base_url)[1]

    def absolute(self, url_path: str) -> str:
        """A full URL for a root-relative path such as /policies/a/."""
        return _split(self.base_url)[0] + url_path


@lru_cache(maxsize=8)
def _scheme(url: str) -> str | None:
    """The URL's scheme, or None when it cannot be read as a URL at all (https://[::1/)."""
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - reading it checks the host and port
    except ValueError:
        return None
    return parsed.scheme


def _split(base_url: str) -> tuple[str, str]:
    """(scheme://host, path ending in '/') of the base URL; asked for on every link of every page."""
    parsed = urlparse(base_url)
    path = parsed.path or "/"
    return f"{parsed.scheme}://{parsed.netloc}", path if path.endswith("/") else path + "/"


REQUIRED = ("title", "base_url", "language")
TYPES: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "base_url": str,
    "language": str,
    "description": str,
    "require_review": bool,
    "paired_release_grace_days": int,
    "paired_release_since": date,
    "pii_allow": list,
    "page_size": int,
    "search_bundle_size": int,
    "feed_size": int,
    "consultation_feedback_days": int,
    "workdays": list,
    "holidays": list,
    "contact": dict,
    "report_due": str,
    "organization": dict,
    "index_no": dict,
    "timeliness_days": int,
    "normative_consultation_since": date,
    "consultation_min_days": int,
    "suggestion_due_days": int,
    "categories": (str, list),
}

# Every number in site.yaml has bounds: a value outside them is a typing mistake, and an unbounded
# one (a grace of 10^12 days) would overflow the date arithmetic that uses it.
BOUNDS: dict[str, tuple[int, int]] = {
    "paired_release_grace_days": (0, 365),
    "page_size": (1, 1000),
    "feed_size": (1, 1000),
    "search_bundle_size": (50, 100_000),
    "consultation_feedback_days": (1, 3650),
    "consultation_min_days": (7, 365),
    "suggestion_due_days": (1, 365),
}


def _p(line: int, code: str, zh: str, en: str) -> Problem:
    return Problem(SITE_FILE, line, code, zh, en)


def load_config(site: Path) -> tuple[SiteConfig | None, list[Problem]]:
    """Read and check site.yaml; every problem is reported, as for content files."""
    text, problems = read_text(site, SITE_FILE)
    if text is None:
        return None, problems
    data, lines, problems = parse_yaml(text, SITE_FILE, 1)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [_p(1, "C101", "site.yaml 应为“键: 值”的列表", "site.yaml must be `key: value` lines")]
    problems = []
    for key in REQUIRED:
        if not data.get(key):
            problems.append(_p(1, "C101", f"site.yaml 缺少必填项 {key}", f"site.yaml lacks {key}"))
    for key, value in data.items():
        line = lines.get(str(key), 1)
        if key not in TYPES:
            close = difflib.get_close_matches(str(key), list(TYPES), n=1)
            hint_zh = f"，是否应为 {close[0]}？" if close else ""
            hint_en = f"; did you mean {close[0]}?" if close else ""
            problems.append(
                _p(
                    line,
                    "C102",
                    f"site.yaml 中未知的设置 {key}{hint_zh}",
                    f"unknown setting {key} in site.yaml{hint_en}",
                )
            )
        elif key == "report_due":
            problems += _report_due_problems(value, line)
        elif not isinstance(value, TYPES[key]) or (TYPES[key] is int and isinstance(value, bool)):
            problems.append(
                _p(
                    line,
                    "C103",
                    f"site.yaml 中 {key} 的值类型不对",
                    f"site.yaml: {key} has the wrong type",
                )
            )
        elif key in BOUNDS and isinstance(value, int) and not BOUNDS[key][0] <= value <= BOUNDS[key][1]:
            low, high = BOUNDS[key]
            problems.append(
                _p(
                    line,
                    "C104",
                    f"site.yaml 中 {key} 应在 {low} 到 {high} 之间（现为 {value}）",
                    f"site.yaml: {key} must be between {low} and {high} (it is {value})",
                )
            )
    base = str(data.get("base_url", ""))
    if base and _scheme(base) not in ("http", "https"):
        problems.append(
            _p(
                lines.get("base_url", 1),
                "C103",
                "base_url 应为 http:// 或 https:// 开头的完整网址",
                "base_url must be a full http:// or https:// address",
            )
        )
    day_lists = {}
    for key in ("workdays", "holidays"):
        days = []
        for index, value in enumerate(data.get(key) or []):
            if isinstance(value, date):
                days.append(value)
            else:
                problems.append(
                    _p(
                        lines.get(f"{key}.{index}", 1),
                        "C103",
                        f"{key} 中的日期应写成 YYYY-MM-DD",
                        f"dates in {key} must be YYYY-MM-DD",
                    )
                )
        day_lists[key] = tuple(sorted(days))
    identity, found = check_identity(text, data, lines)
    problems += found
    kinds = BUILTIN
    if isinstance(data.get("categories"), str | list):
        kinds, found = read_categories(data["categories"], lines)
        problems += found
    if problems:
        return None, problems
    return SiteConfig(
        title=data["title"],
        base_url=base,
        language=data["language"],
        description=data.get("description", ""),
        require_review=data.get("require_review", False),
        paired_release_grace_days=data.get("paired_release_grace_days", 0),
        paired_release_since=data.get("paired_release_since"),
        pii_allow=tuple(str(v) for v in data.get("pii_allow") or ()),
        page_size=data.get("page_size", 20),
        feed_size=data.get("feed_size", 50),
        search_bundle_size=data.get("search_bundle_size", 160),
        consultation_feedback_days=data.get("consultation_feedback_days", 30),
        workdays=day_lists["workdays"],
        holidays=day_lists["holidays"],
        contact=identity["contact"],
        organization=identity["organization"],
        index_no_required=identity["index_no_required"],
        index_no_form=identity["index_no_form"],
        timeliness_days=identity["timeliness_days"],
        report_due=data.get("report_due") or "01-31",
        normative_consultation_since=data.get("normative_consultation_since"),
        consultation_min_days=data.get("consultation_min_days", 30),
        suggestion_due_days=data.get("suggestion_due_days"),
        kinds=kinds,
    ), []


def _report_due_problems(value: object, line: int) -> list[Problem]:
    """report_due is `MM-DD` between 01-01 and 03-31: 条例 第四十九条 sets 1月31日 and 3月31日 at the latest."""
    try:
        month, day = (int(part) for part in str(value).split("-"))
        valid = (
            isinstance(value, str)
            and len(value) == 5
            and value[2] == "-"
            and date(2001, month, day) <= date(2001, 3, 31)
        )
    except ValueError:
        valid = False
    if valid:
        return []
    return [
        _p(
            line,
            "C103",
            f"report_due 应为 MM-DD 格式、不晚于 03-31 的日期（如 01-31），而不是 {value}",
            f"report_due must be MM-DD, no later than 03-31 (e.g. 01-31), not {value}",
        )
    ]
