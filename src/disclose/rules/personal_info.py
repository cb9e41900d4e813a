"""个人信息: nothing public carries an ID number or a mobile number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ..catalogue import Catalogue
from ..model import Item
from ..visibility import is_public
from .registry import Finding, rule

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![\d*])(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d*])")
# Necessary conditions for the two patterns that the regex engine finds many times faster (no
# look-behind to try at every position): a text without them is not searched further.
GATES = {ID_NUMBER: re.compile(r"\d" * 17), MOBILE: re.compile(r"1[3-9]\d")}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def is_id_number(text: str) -> bool:
    """GB 11643 check digit and a real birth date: a real 居民身份证号码, not any 18 digits."""
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()


def _matches(item: Item, pattern: re.Pattern[str]) -> Iterator[tuple[re.Match[str], str | None, int | None]]:
    """(match, field key, file line) for every match in the strings an item would publish."""
    gate = GATES[pattern].search
    for key, value in item.fields.items():
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if isinstance(v, str) and gate(v):
                for match in pattern.finditer(v):
                    yield match, key, None
    body = item.body
    for match in pattern.finditer(body) if gate(body) else ():
        yield match, None, item.source.body_line + body.count("\n", 0, match.start())


def _allowed(site: Catalogue, digits: str) -> bool:
    return any(re.sub(r"\D", "", a) == digits for a in site.config.pii_allow)


def _mask_id(number: str) -> str:
    return number[:2] + "*" * 13 + number[-3:]


@rule(
    "I901",
    "item",
    "Resident ID number in a public item",
    "公开信息含居民身份证号码",
    "个人信息保护法 第二十五条; 条例 第十五条; domain.md §7",
    {
        "content/responses/id.md": "---\ntitle: 答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-9\nreceived: 2024-02-01\n---\n申请人身份证号 11010519491231002X。\n"
    },
)
def no_id_numbers(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A valid 18-digit 居民身份证号码 (check digit and birth date verified) must not be published.

    Remove it or mask it (35*************123, keeping the first 2 and last 3).
    """
    if not is_public(item, site.today):
        return
    for match, key, line in _matches(item, ID_NUMBER):
        if is_id_number(match.group(1)) and not _allowed(site, match.group(1)):
            yield Finding(
                f"含居民身份证号码 {_mask_id(match.group(1))}；请删除或打码",
                f"contains an ID number {_mask_id(match.group(1))}; remove or mask it",
                key=key,
                line=line,
            )


@rule(
    "I902",
    "item",
    "Mobile number in a public item",
    "公开信息含手机号码",
    "个人信息保护法 第二十五条; 永安 脱敏格式 138****1234 (domain.md §7.3)",
    {
        "content/responses/tel.md": "---\ntitle: 答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-10\nreceived: 2024-02-01\n---\n联系电话 138 1234 5678。\n"
    },
)
def no_mobile_numbers(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A mainland mobile number identifies a person; mask it as 138****1234.

    Official numbers (a hotline's mobile, say) go in `pii_allow` in site.yaml.
    """
    if not is_public(item, site.today):
        return
    for match, key, line in _matches(item, MOBILE):
        digits = "".join(match.groups())
        if not _allowed(site, digits):
            masked = digits[:3] + "****" + digits[-4:]
            yield Finding(
                f"含手机号码 {masked}；请删除或打码（如 138****1234），官方号码可加入 site.yaml 的 pii_allow",
                f"contains a mobile number {masked}; remove or mask it, or list an official number in pii_allow",
                key=key,
                line=line,
            )
