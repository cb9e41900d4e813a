"""Pages of the lifecycles: the 规范性文件库 (/normative/) and the 重大行政决策事项目录
(/decisions/major/), as static pages that work without JavaScript.

The library lists every public 行政规范性文件 with its 文号 and 登记号, filtered by 有效性
(现行有效 / 已废止 / 已失效), by year and by issuer, each filter a page of its own; the catalogue
lists each year's planned major decisions with their 承办单位, planned time, status and the links
from consultation to result (绍兴 第二十二条: 重大决策事项年度目录公开).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import partial
from typing import Any

from jinja2 import Environment

from .browse import newest_of_kind, slug
from .dates import cn_date
from .gate import Publication
from .lifecycle import (
    GROUP_OF_STATUS,
    NORMATIVE_GROUPS,
    decision_status,
    hearing_date,
    is_normative,
    public_resolver,
)
from .model import Item
from .page_keys import Keys
from .records import consultation_state
from .render import Lazy, Page, Producer, _page, keyed, paginated
from .views import link

LIBRARY = "normative/"
MAJOR = "decisions/major/"


def _entries(pub: Publication, items: list[Item]) -> list[dict[str, Any]]:
    return [dict(link(pub, i), registration_no=i.get("registration_no", "")) for i in items]


def _filters(pub: Publication, docs: list[Item]) -> dict[str, list[dict[str, Any]]]:
    """Each filter page (folder under /normative/, label, items), grouped by what it filters."""
    by_group: dict[str, list[Item]] = defaultdict(list)
    by_year: dict[int, list[Item]] = defaultdict(list)
    by_issuer: dict[str, list[Item]] = defaultdict(list)
    for doc in docs:
        by_group[GROUP_OF_STATUS.get(pub.status(doc) or "有效", "valid")].append(doc)
        if doc.published:
            by_year[doc.published.year].append(doc)
        if doc.get("issuer"):
            by_issuer[doc.get("issuer")].append(doc)
    return {
        "有效性": [
            {"folder": f"{LIBRARY}{key}/", "label": label, "items": by_group.get(key, [])}
            for key, label in NORMATIVE_GROUPS.items()
        ],
        "年份": [
            {"folder": f"{LIBRARY}year/{year}/", "label": f"{year}年", "items": items}
            for year, items in sorted(by_year.items(), reverse=True)
        ],
        "发布机构": [
            {"folder": f"{LIBRARY}issuer/{slug(issuer)}/", "label": issuer, "items": items}
            for issuer, items in sorted(by_issuer.items())
        ],
    }


def normative_pages(
    pub: Publication, env: Environment, common: dict[str, Any], hub_crumb: list[dict[str, str]]
) -> Iterator[tuple[str, Page | Producer]]:
    """/normative/ with every public 行政规范性文件, and one page (paginated) per filter value."""
    base = pub.config.base_path
    docs = [i for i in newest_of_kind(pub, "policy") if is_normative(i)]  # only policies can be normative
    filters = _filters(pub, docs)
    nav = [
        {
            "label": group,
            "options": [
                {"label": f["label"], "url": base + f["folder"], "count": len(f["items"]), "folder": f["folder"]}
                for f in values
            ],
        }
        for group, values in filters.items()
    ]
    cleanups = newest_of_kind(pub, "cleanup")
    library_crumb = [*hub_crumb, {"label": "规范性文件库", "url": base + LIBRARY}]
    pages = [(LIBRARY, "规范性文件库", docs, hub_crumb)]
    pages += [
        (f["folder"], f"规范性文件库：{f['label']}", f["items"], library_crumb) for v in filters.values() for f in v
    ]
    for folder, heading, items, crumbs in pages:
        yield from paginated(
            pub,
            env,
            common,
            folder,
            items,
            "normative.html",
            _entries,
            heading=heading,
            crumbs=crumbs,
            current=folder,
            nav=nav,
            cleanups=[dict(link(pub, c), cleaned=cn_date(c.get("cleaned"))) for c in cleanups]
            if folder == LIBRARY
            else [],
        )


def _plan_entry(pub: Publication, item: Item) -> dict[str, Any]:
    """One row of the 目录: the decision and every step from consultation to result."""
    resolve = public_resolver(pub)
    consultation = resolve(item.get("consultation"))
    if consultation is not None and consultation.kind != "consultation":
        consultation = None
    hearing: dict[str, Any] | None = None
    if item.get("hearing"):
        day = hearing_date(item)
        target = None if day else resolve(item.get("hearing"))
        if target is not None:
            hearing = {"link": link(pub, target), "text": ""}
        elif day is not None:
            hearing = {"link": None, "text": cn_date(day)}
    result = resolve(item.get("final_decision"))
    status = decision_status(item)
    return {
        "item": link(pub, item),
        "handler": item.get("handler", ""),
        "planned": item.get("planned", ""),
        "status": status,
        "status_note": item.get("adjust_reason", "") if status == "调整" else "",
        "consultation": dict(link(pub, consultation), state=consultation_state(consultation, pub.today).label)
        if consultation
        else None,
        "no_consultation_reason": item.get("no_consultation_reason", "") if consultation is None else "",
        "hearing": hearing,
        "feedback": link(pub, pub.feedback[consultation.id])
        if consultation and consultation.id in pub.feedback
        else None,
        "result": link(pub, result) if result else None,
    }


def _plan_years(pub: Publication) -> dict[int, list[Item]]:
    """Major decisions by the year of the 目录 that lists them (the year they were published)."""
    years: dict[int, list[Item]] = defaultdict(list)
    for item in pub.of_kind("decision"):
        if item.get("major") and item.published:
            years[item.published.year].append(item)
    return {y: sorted(v, key=lambda i: (i.published, i.id)) for y, v in sorted(years.items(), reverse=True)}


def _year_view(pub: Publication, year: int, items: list[Item]) -> dict[str, Any]:
    entries = [_plan_entry(pub, i) for i in items]
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry["status"]] += 1
    return {
        "year": year,
        "url": f"{pub.config.base_path}{MAJOR}{year}/",
        "entries": entries,
        "counts": [{"label": k, "count": counts[k]} for k in ("计划中", "征求意见中", "已决策", "调整") if counts[k]],
    }


def _years_view(pub: Publication, years: dict[int, list[Item]]) -> list[dict[str, Any]]:
    return [_year_view(pub, year, items) for year, items in years.items()]


def major_pages(
    pub: Publication, env: Environment, common: dict[str, Any], hub_crumb: list[dict[str, str]]
) -> Iterator[tuple[str, Page | Producer]]:
    """/decisions/major/ (every year's 目录, newest first) and /decisions/major/YEAR/."""
    base, cfg = pub.config.base_path, pub.config
    keys: Keys = common["keys"]
    years = _plan_years(pub)
    catalogue_crumb = [*hub_crumb, {"label": "重大行政决策事项目录", "url": base + MAJOR}]
    yield (
        f"{MAJOR}index.html",
        _page(
            env,
            "major.html",
            common,
            heading="重大行政决策事项目录",
            crumbs=hub_crumb,
            years=keyed(Lazy(_years_view, pub, years), partial(keys.entries, [i for v in years.values() for i in v])),
            canonical=cfg.absolute(base + MAJOR),
        ),
    )
    for year, items in years.items():
        yield (
            f"{MAJOR}{year}/index.html",
            _page(
                env,
                "major.html",
                common,
                heading=f"{year}年重大行政决策事项目录",
                crumbs=catalogue_crumb,
                years=keyed(Lazy(_years_view, pub, {year: items}), partial(keys.entries, items)),
                canonical=cfg.absolute(f"{base}{MAJOR}{year}/"),
            ),
        )
