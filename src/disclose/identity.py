"""The site's identity and contact (site.yaml `organization`, `contact`), the 索引号 settings
(`index_no`) and the timeliness limit (`timeliness_days`), read and checked.

政府网站发展指引 asks every page to name its 主办单位 with the 政府网站标识码 and the ICP and
公安机关 filing numbers; 条例 第十二条 asks the 公开指南 to give the 工作机构's address, hours,
phone, fax, e-mail and postcode. These values are shown exactly as written: an identifier such as
the 标识码 or the postcode keeps its leading zeros, so they are read as text even when unquoted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .model import Problem

SITE_FILE = "site.yaml"

# site.yaml key -> label shown on the site, in the order shown
ORGANIZATION = {
    "name": "主办单位",
    "code": "机构代码",
    "site_code": "政府网站标识码",
    "icp": "ICP备案号",
    "police": "公安机关备案号",
}
CONTACT = {
    "office": "工作机构",
    "address": "办公地址",
    "hours": "办公时间",
    "phone": "联系电话",
    "fax": "传真",
    "email": "电子邮箱",
    "postcode": "邮政编码",
}
INDEX_NO_KEYS = ("required", "form")
DEFAULT_FORM = "{code}/{year}-{serial}"
TIMELINESS_DAYS = 20  # 条例 第二十六条: within 20 working days of forming or changing
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]*$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _p(line: int, code: str, zh: str, en: str) -> Problem:
    return Problem(SITE_FILE, line, code, zh, en)


def _raw(text: str) -> dict[str, Any]:
    """site.yaml with every scalar as written (BaseLoader), so `postcode: 012000` stays 012000."""
    try:
        raw = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str/list/dict
    except yaml.YAMLError:
        return {}
    return raw if isinstance(raw, dict) else {}


def _texts(name: str, labels: dict[str, str], raw: Any, lines: dict[str, int]) -> tuple[dict[str, str], list[Problem]]:
    """The text values of one section (organization or contact); unknown keys and non-text values are errors."""
    values: dict[str, str] = {}
    problems = []
    for key, value in (raw or {}).items():
        line = lines.get(f"{name}.{key}", lines.get(name, 1))
        if key not in labels:
            close = difflib.get_close_matches(str(key), list(labels), n=1)
            problems.append(
                _p(
                    line,
                    "C120",
                    f"{name} 中未知的设置 {key}"
                    + (f"，是否应为 {close[0]}？" if close else f"（可用 {'、'.join(labels)}）"),
                    f"unknown setting {key} under {name}"
                    + (f"; did you mean {close[0]}?" if close else f" (use {', '.join(labels)})"),
                )
            )
        elif not isinstance(value, str):
            problems.append(
                _p(
                    line,
                    "C121",
                    f"{name}.{key} 应为一段文字（{labels[key]}），不能是列表或多项设置",
                    f"{name}.{key} must be text ({labels[key]}), not a list or mapping",
                )
            )
        elif value.strip():
            values[key] = value.strip()
    return values, problems


@dataclass(frozen=True)
class IndexForm:
    """The form of a 索引号: a template with {code}, {year} and {serial}, e.g. {code}/{year}-{serial}."""

    template: str
    code: str

    def pattern(self) -> re.Pattern[str]:
        parts = []
        for index, piece in enumerate(PLACEHOLDER.split(self.template)):
            if index % 2 == 0:
                parts.append(re.escape(piece))
            else:
                parts.append(
                    {"code": re.escape(self.code), "year": r"(?P<year>\d{4})", "serial": r"(?P<serial>\d+)"}[piece]
                )
        return re.compile("^" + "".join(parts) + "$")

    def parse(self, value: str) -> tuple[int | None, int] | None:
        """(year or None, serial) of a 索引号 in this form, else None."""
        found = self.pattern().match(value)
        if found is None:
            return None
        year = found.groupdict().get("year")
        return (int(year) if year else None), int(found.group("serial"))

    def example(self, year: int) -> str:
        return self.format(year, 1)

    def format(self, year: int, serial: int, width: int = 5) -> str:
        return self.template.format(code=self.code, year=year, serial=str(serial).zfill(width))


def _well_formed(template: object) -> bool:
    """A form names {serial} once, may name {code} and {year} once each, and has no other braces
    (Python's format syntax, {year:%Y} or {{, is not part of the contract)."""
    if not isinstance(template, str):
        return False
    names = PLACEHOLDER.findall(template)
    rest = PLACEHOLDER.sub("", template)
    return (
        "serial" in names
        and not set(names) - {"code", "year", "serial"}
        and len(names) == len(set(names))
        and "{" not in rest
        and "}" not in rest
    )


def _index_no(raw: Any, data: Any, lines: dict[str, int], code: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """index_no: {required: true, form: "{code}/{year}-{serial}"}; both optional."""
    settings: dict[str, Any] = {"index_no_required": False, "index_no_form": None}
    if not isinstance(data, dict):
        return settings, []
    problems = []
    for key in data:
        if key not in INDEX_NO_KEYS:
            problems.append(
                _p(
                    lines.get(f"index_no.{key}", lines.get("index_no", 1)),
                    "C120",
                    f"index_no 中未知的设置 {key}（可用 required、form）",
                    f"unknown setting {key} under index_no (use required, form)",
                )
            )
    required = data.get("required", False)
    if not isinstance(required, bool):
        problems.append(
            _p(
                lines.get("index_no.required", 1),
                "C121",
                "index_no.required 应为 true 或 false",
                "index_no.required must be true or false",
            )
        )
        required = False
    template = (raw or {}).get("form") if isinstance(raw, dict) else None
    line = lines.get("index_no.form", lines.get("index_no", 1))
    if template is not None and not _well_formed(template):
        problems.append(
            _p(
                line,
                "C121",
                "index_no.form 应为含 {serial} 的格式，可用 {code}、{year}、{serial}，如 {code}/{year}-{serial}",
                "index_no.form must hold {serial} and may use {code}, {year}: {code}/{year}-{serial}",
            )
        )
        template = None
    needs_code = "{code}" in (template or DEFAULT_FORM)
    if needs_code and not code and (required or template):
        problems.append(
            _p(
                lines.get("index_no", 1),
                "C124",
                "索引号以机构代码开头：请在 organization 下写明 code（统一社会信用代码或组织机构代码）",
                "the 索引号 starts with the organization's code: give organization.code",
            )
        )
    settings.update(index_no_required=required, index_no_form=template)
    return settings, problems


def check_identity(text: str, data: dict[str, Any], lines: dict[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    """The checked organization, contact, index_no and timeliness settings, and their problems.

    Keys of the wrong top-level type are reported by the caller (C103) and read as absent here.
    """
    raw = _raw(text)
    problems: list[Problem] = []
    found: dict[str, Any] = {}
    for name, labels in (("organization", ORGANIZATION), ("contact", CONTACT)):
        section = raw.get(name) if isinstance(data.get(name), dict) else None
        found[name], more = _texts(name, labels, section if isinstance(section, dict) else None, lines)
        problems += more
    code = found["organization"].get("code")
    if code and not CODE.match(code):
        problems.append(
            _p(
                lines.get("organization.code", 1),
                "C123",
                f"机构代码“{code}”只能由字母、数字和连字符组成（它是索引号的前段）",
                f"organization code '{code}' may hold only letters, digits and hyphens (it begins each 索引号)",
            )
        )
    settings, more = _index_no(raw.get("index_no"), data.get("index_no"), lines, code)
    found.update(settings)
    problems += more
    days = data.get("timeliness_days", TIMELINESS_DAYS)
    if isinstance(days, int) and not isinstance(days, bool) and not 1 <= days <= TIMELINESS_DAYS:
        problems.append(
            _p(
                lines.get("timeliness_days", 1),
                "C122",
                f"timeliness_days 应在 1 到 {TIMELINESS_DAYS} 之间（条例 第二十六条：20个工作日内公开）",
                f"timeliness_days must be 1 to {TIMELINESS_DAYS} (条例 第二十六条: within 20 working days)",
            )
        )
    found["timeliness_days"] = days if isinstance(days, int) and 1 <= days <= TIMELINESS_DAYS else TIMELINESS_DAYS
    return found, problems


def index_form(organization: dict[str, str], template: str | None) -> IndexForm | None:
    """The form 索引号 must take on this site, or None when it cannot be known (no code, no form)."""
    code = organization.get("code", "")
    form = template or DEFAULT_FORM
    if "{code}" in form and not code:
        return None
    return IndexForm(form, code)


def _filing_url(key: str, value: str) -> str:
    """The national filing registries a reader checks the footer's numbers against."""
    if key == "icp":
        return "https://beian.miit.gov.cn/"
    if key == "police":
        digits = "".join(re.findall(r"\d", value))
        return f"https://beian.mps.gov.cn/#/query/webSearch?code={digits}" if digits else "https://beian.mps.gov.cn/"
    return ""


FOOTER_KEYS = ("name", "site_code", "icp", "police")  # the code is the 索引号's, not the footer's


def footer_rows(organization: dict[str, str]) -> list[dict[str, str]]:
    """主办单位, 政府网站标识码, ICP备案号, 公安机关备案号: what is given, in that order."""
    return [
        {"label": ORGANIZATION[key], "value": organization[key], "url": _filing_url(key, organization[key])}
        for key in FOOTER_KEYS
        if organization.get(key)
    ]


def contact_rows(contact: dict[str, str]) -> list[dict[str, str]]:
    """The 工作机构's details (条例 第十二条) in the 指南's order; e-mail and phone are links."""
    found = []
    for key, label in CONTACT.items():
        value = contact.get(key)
        if not value:
            continue
        url = ""
        if key == "email":
            url = f"mailto:{value}"
        elif key == "phone" and re.fullmatch(r"[0-9+\-() ]+", value):
            url = "tel:" + re.sub(r"[^0-9+]", "", value)
        found.append({"label": label, "value": value, "url": url})
    return found
