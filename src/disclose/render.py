"""Stage 5, render: a Publication becomes files (path, bytes). Pure: no disk writes here."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import feeds, opendata, sitemap
from .gate import Publication
from .model import Item
from .records import report_years
from .report_views import compliance_view, report_csv, report_view
from .schema import KIND_FOLDER, KIND_LABELS
from .urls import item_path, list_path, list_url
from .views import item_view, link

LIST_KINDS = (
    "policy",
    "interpretation",
    "decision",
    "consultation",
    "suggestion-reply",
    "response",
)


def default_templates() -> Path:
    """The templates shipped with disclose: in the wheel, or the repository's templates/."""
    packaged = Path(__file__).parent / "_default" / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def template_dirs(site: Path) -> list[Path]:
    """The site's own templates/ first (overrides), then the defaults."""
    own = site / "templates"
    dirs = [own] if own.is_dir() else []
    default = default_templates()
    if default.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(default)
    return dirs


@cache
def environment(dirs: tuple[Path, ...]) -> Environment:
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _common(pub: Publication) -> dict[str, Any]:
    base = pub.config.base_path
    guide = [link(pub, p) for p in sorted(pub.of_kind("page"), key=lambda p: (p.get("order", 0), p.id))]
    return {
        "site": {
            "title": pub.config.title,
            "base": base,
            "description": pub.config.description,
            "language": pub.config.language,
            "url": pub.config.base_url,
        },
        "nav": [{"label": KIND_LABELS[k], "url": list_url(base, k)} for k in LIST_KINDS],
        "pages": guide,
        "asset": lambda name: f"{base}assets/{name}",
    }


def _page(env: Environment, name: str, common: dict[str, Any], **context: Any) -> bytes:
    return env.get_template(name).render(**common, **context).encode("utf-8")


def _sorted_newest(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.published.isoformat() if i.published else "", i.id), reverse=True)


def render_site(pub: Publication, dirs: tuple[Path, ...]) -> Iterator[tuple[str, bytes]]:
    """Every generated file of the site except copied assets, attachments and the search index."""
    env = environment(dirs)
    common = _common(pub)
    base = pub.config.base_path
    cfg = pub.config
    for item in pub.items:
        view = item_view(item, pub)
        yield (
            item_path(item),
            _page(env, "item.html", common, item=view, canonical=cfg.absolute(view["url"])),
        )
    sections = []
    for kind in LIST_KINDS:
        items = _sorted_newest(pub.of_kind(kind))
        size = cfg.page_size
        pages = max(1, -(-len(items) // size))
        for number in range(1, pages + 1):
            chunk = items[(number - 1) * size : number * size]
            pager = {
                "number": number,
                "pages": pages,
                "prev": list_url(base, kind, number - 1) if number > 1 else None,
                "next": list_url(base, kind, number + 1) if number < pages else None,
                "all": [{"number": n, "url": list_url(base, kind, n)} for n in range(1, pages + 1)],
            }
            yield (
                list_path(kind, number),
                _page(
                    env,
                    "list.html",
                    common,
                    kind=KIND_LABELS[kind],
                    kind_key=kind,
                    entries=[link(pub, i) for i in chunk],
                    pager=pager,
                    total=len(items),
                    feed=f"{base}{KIND_FOLDER[kind]}/feed.xml",
                    canonical=cfg.absolute(list_url(base, kind, number)),
                ),
            )
        sections.append(
            {
                "label": KIND_LABELS[kind],
                "url": list_url(base, kind),
                "count": len(items),
                "latest": [link(pub, i) for i in items[:5]],
            }
        )
        yield (
            f"{KIND_FOLDER[kind]}/feed.xml",
            feeds.atom(pub, env, items, KIND_LABELS[kind], f"{KIND_FOLDER[kind]}/feed.xml"),
        )
    yield from _records(pub, env, common)
    yield (
        "index.html",
        _page(env, "home.html", common, sections=sections, canonical=cfg.absolute(base)),
    )
    yield (
        "search/index.html",
        _page(env, "search.html", common, canonical=cfg.absolute(f"{base}search/")),
    )
    yield "404.html", _page(env, "404.html", common, canonical=cfg.absolute(f"{base}404.html"))
    yield "feed.xml", feeds.atom(pub, env, _sorted_newest(list(pub.items)), "最新信息", "feed.xml")
    yield "sitemap.xml", sitemap.sitemap(pub, env)
    yield "catalog.json", opendata.catalog_json(pub)
    yield "catalog.csv", opendata.catalog_csv(pub)


def _grouped(pub: Publication, items: list[Item], key) -> list[dict[str, Any]]:
    groups: dict[str, list[Item]] = {}
    for item in _sorted_newest(items):
        groups.setdefault(key(item), []).append(item)
    return [{"heading": k, "entries": [link(pub, i) for i in v]} for k, v in sorted(groups.items(), reverse=True)]


def _records(pub: Publication, env: Environment, common: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Annual reports, compliance pages and the catalogues the law asks for."""
    base, cfg = pub.config.base_path, pub.config
    years = report_years(pub)
    yield (
        "reports/index.html",
        _page(
            env,
            "reports.html",
            common,
            canonical=cfg.absolute(f"{base}reports/"),
            years=[{"year": y, "url": f"{base}reports/{y}/", "compliance": f"{base}compliance/{y}/"} for y in years],
        ),
    )
    for year in years:
        yield (
            f"reports/{year}/index.html",
            _page(
                env,
                "report.html",
                common,
                report=report_view(pub, year),
                csv=f"{base}reports/{year}/report.csv",
                canonical=cfg.absolute(f"{base}reports/{year}/"),
            ),
        )
        yield f"reports/{year}/report.csv", report_csv(pub, year)
        yield (
            f"compliance/{year}/index.html",
            _page(
                env,
                "compliance.html",
                common,
                c=compliance_view(pub, year),
                feedback_days=cfg.consultation_feedback_days,
                canonical=cfg.absolute(f"{base}compliance/{year}/"),
            ),
        )
    decisions = pub.of_kind("decision")
    catalogues = (
        (
            "decisions/major/index.html",
            "重大行政决策事项目录",
            "decision",
            "按年度列出重大行政决策事项。",
            [d for d in decisions if d.get("major")],
            lambda i: f"{i.published.year}年" if i.published else "—",
        ),
        (
            "decisions/by-meeting/index.html",
            "会议决定事项（按会议）",
            "decision",
            "",
            decisions,
            lambda i: i.get("meeting") or "其他",
        ),
        (
            "suggestions/by-handler/index.html",
            "建议提案办理结果（按承办单位）",
            "suggestion-reply",
            "",
            pub.of_kind("suggestion-reply"),
            lambda i: i.get("handler") or "其他",
        ),
        (
            "suggestions/by-year/index.html",
            "建议提案办理结果（按年度）",
            "suggestion-reply",
            "",
            pub.of_kind("suggestion-reply"),
            lambda i: f"{i.published.year}年" if i.published else "—",
        ),
    )
    for path, heading, kind, intro, items, key in catalogues:
        yield (
            path,
            _page(
                env,
                "groups.html",
                common,
                heading=heading,
                intro=intro,
                groups=_grouped(pub, items, key),
                parent={"label": KIND_LABELS[kind], "url": list_url(base, kind)},
                canonical=cfg.absolute(base + path.removesuffix("index.html")),
            ),
        )
