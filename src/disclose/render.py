"""Stage 5, render: a Publication becomes (path, page to render) pairs. No disk writes here.

The site follows the national 政府信息公开 column (国办公开办函〔2019〕61号): 政府信息公开指南,
政府信息公开制度, 法定主动公开内容 (one subsection per kind of record the site has, browsable by
主题分类, 发布机构, 年份 and 有效性) and 政府信息公开年报.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import orjson
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from . import __version__, feeds, opendata, sitemap
from .browse import FACETS, facet_index, newest, newest_of_kind, related
from .gate import Publication
from .identity import contact_rows, footer_rows
from .model import Item
from .page_keys import Keys
from .records import compliance_years, report_years
from .report_views import compliance_view, report_csv, report_view, reports_index_view
from .structured_data import json_ld
from .urls import item_path, list_url
from .views import item_view, link

HUB = "fdzdgknr"  # 法定主动公开内容


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


# How templates are compiled: the bytecode cache's folder is named for these, so bytecode
# compiled under other options is never loaded (Jinja itself checks the template's source and
# its own and Python's versions).
_OPTIONS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
_AUTOESCAPE = ["html", "xml"]
BYTECODE = "jinja-" + hashlib.sha1(repr((sorted(_OPTIONS.items()), _AUTOESCAPE, True)).encode()).hexdigest()[:12]


@cache
def environment(dirs: tuple[Path, ...], cache_folder: Path | None = None) -> Environment:
    """The templates of `dirs`; with a build cache folder, their compiled code is kept there, so a
    rebuild in a fresh process does not compile every template again."""
    bytecode = None
    if cache_folder is not None:
        (cache_folder / BYTECODE).mkdir(parents=True, exist_ok=True)
        bytecode = FileSystemBytecodeCache(str(cache_folder / BYTECODE))
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=select_autoescape(_AUTOESCAPE, default_for_string=True),
        undefined=StrictUndefined,
        bytecode_cache=bytecode,
        trim_blocks=_OPTIONS["trim_blocks"],
        lstrip_blocks=_OPTIONS["lstrip_blocks"],
        keep_trailing_newline=_OPTIONS["keep_trailing_newline"],
    )


def _pages_of(pub: Publication, column: str) -> list[Item]:
    return sorted(
        (p for p in pub.of_kind("page") if p.get("column") == column), key=lambda p: (p.get("order", 0), p.id)
    )


def _column(pub: Publication) -> list[dict[str, str]]:
    """The four first-level sections of the 政府信息公开 column, then search."""
    base = pub.config.base_path
    guide = _pages_of(pub, "guide")
    sections = []
    if guide:
        sections.append({"label": "政府信息公开指南", "url": link(pub, guide[0])["url"]})
    sections += [
        {"label": "政府信息公开制度", "url": f"{base}system/"},
        {"label": "法定主动公开内容", "url": f"{base}{HUB}/"},
        {"label": "政府信息公开年报", "url": f"{base}reports/"},
        {"label": "搜索", "url": f"{base}search/"},
    ]
    return sections


def _common(pub: Publication, env: Environment, dirs: tuple[Path, ...]) -> dict[str, Any]:
    base = pub.config.base_path
    common = {
        "site": {
            "title": pub.config.title,
            "base": base,
            "description": pub.config.description,
            "language": pub.config.language,
            "url": pub.config.base_url,
            "organization": footer_rows(pub.config.organization),
        },
        "nav": _column(pub),
        "kinds": [{"label": k.title, "url": list_url(base, k.folder)} for k in pub.config.kinds.listed()],
        "hub": {"label": "法定主动公开内容", "url": f"{base}{HUB}/"},
        "asset": lambda name: f"{base}assets/{name}",
        "json_ld": None,
    }
    # The masthead and footer are the same on every page: render them once, not 10,000 times.
    common["chrome"] = {
        part: Markup(env.get_template(f"_{part}.html").render(**common)) for part in ("header", "footer")
    }
    shared = json.dumps({k: v for k, v in common.items() if not callable(v)}, ensure_ascii=False, sort_keys=True)
    common["fingerprint"] = hashlib.sha1(f"{template_fingerprint(dirs)}\0{shared}".encode()).hexdigest()
    return common


@dataclass(slots=True)
class Page:
    """A page to render later, so pages can be shared out over cores, and with a fingerprint of
    everything it shows (the template set, the common parts and its own context): a page whose
    fingerprint did not change since the previous build is taken from it instead of rendered.

    Its key (page_keys) is a digest of the inputs of its context, found without resolving it:
    from `keyed` (item pages), or from the context's plain values and the keys of its Lazy values.
    A page whose context is plain values only has the key of those values (a listing recalled by
    render.recalled then makes none of its pages when no key changed); one without a key is
    resolved on every build. An item's
    own page names its `item` (its id): page_deps tracks what its key read."""

    env: Environment
    name: str
    common: dict[str, Any]
    context: dict[str, Any] | Callable[[], dict[str, Any]]
    keyed: Callable[[], str] | None = None
    item: str | None = None

    def resolve(self) -> dict[str, Any]:
        if callable(self.context):
            return self.context()
        return {k: v() if isinstance(v, Lazy) else v for k, v in self.context.items()}

    def key(self) -> str | None:
        if self.keyed is not None:
            return self.keyed()
        keys: Keys | None = self.common.get("keys")
        if keys is None or callable(self.context):
            return None
        lazy = {k: v.key for k, v in self.context.items() if isinstance(v, Lazy)}
        if None in lazy.values():
            return None
        plain = {k: v for k, v in self.context.items() if k not in lazy}
        inputs = [f"{k}=".encode() + key() for k, key in lazy.items() if key is not None]
        return keys.key("page", self.name, keys.static(plain), *inputs)

    def fingerprint(self, context: dict[str, Any]) -> str:
        shown = orjson.dumps(context, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        return hashlib.sha1(f"{self.common['fingerprint']}\0{self.name}\0".encode() + shown).hexdigest()

    def render(self, context: dict[str, Any]) -> bytes:
        return self.env.get_template(self.name).render({**self.common, **context}).encode("utf-8")


Producer = Callable[[], bytes]


@dataclass(frozen=True)
class Product:
    """A file that is not a page (a feed, the sitemap, open data), with the key of its inputs
    (page_keys): unchanged, the file is taken from the previous build without producing it."""

    produce: Producer
    key: Callable[[], str]

    def __call__(self) -> bytes:
        return self.produce()


class Lazy(partial):
    """A context value computed only by the worker that renders the page, not while the pages
    are listed (for all workers, before they fork). Its `key`, when set, gives a digest of its
    inputs (page_keys), so the page's key is known without computing it."""

    key: Callable[[], bytes] | None = None


def keyed(lazy: Lazy, key: Callable[[], bytes]) -> Lazy:
    """`lazy` with the key of its inputs."""
    lazy.key = key
    return lazy


def _page(env: Environment, name: str, common: dict[str, Any], **context: Any) -> Page:
    return Page(env, name, common, context)


def template_fingerprint(dirs: tuple[Path, ...]) -> str:
    """Every template and asset file, by path and content, and the disclose version."""
    hasher = hashlib.sha1(__version__.encode())
    for folder in dirs:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            hasher.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def _newest(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.published.isoformat() if i.published else "", i.id), reverse=True)


def _pager(number: int, pages: int, url: Callable[[int], str]) -> dict[str, Any]:
    """A windowed pager: first, last and two either side, so 5,000 pages stay small."""
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    return {
        "number": number,
        "pages": pages,
        "prev": url(number - 1) if number > 1 else None,
        "next": url(number + 1) if number < pages else None,
        "all": [{"number": n, "url": url(n), "gap": i > 0 and n - shown[i - 1] > 1} for i, n in enumerate(shown)],
    }


def _listing(
    pub: Publication,
    env: Environment,
    common: dict[str, Any],
    items: list[Item],
    heading: str,
    crumbs: list[dict[str, str]],
    folder: str,
    feed: str | None = None,
    contact: list[dict[str, str]] | None = None,
    basis: str = "",
) -> Iterator[tuple[str, Page | Producer]]:
    """Paginated list pages under `folder` (relative, ending in '/'); `contact` rows are shown below
    the list (the 依申请公开 list gives the 工作机构's details); `basis` is the column's legal source."""
    return paginated(
        pub,
        env,
        common,
        folder,
        items,
        "list.html",
        _links,
        heading=heading,
        crumbs=crumbs,
        feed=feed,
        contact=contact or [],
        basis=basis,
    )


def paginated(
    pub: Publication,
    env: Environment,
    common: dict[str, Any],
    folder: str,
    items: list[Item],
    template: str,
    entries: Callable[[Publication, list[Item]], Any],
    **context: Any,
) -> Iterator[tuple[str, Page]]:
    """`items` as pages of `page_size` under `folder` (relative, ending in '/'), printed by
    `template`: each page gets its chunk's `entries`, a windowed pager, the total and its canonical URL.
    `entries` may show of each item only what its card holds (page_keys: views.link and its fields)."""
    base, cfg = pub.config.base_path, pub.config
    origin = cfg.absolute("")  # scheme and host: every canonical URL is this and its path
    keys: Keys = common["keys"]
    size = cfg.page_size
    pages = max(1, -(-len(items) // size))

    def url(n: int) -> str:
        return f"{base}{folder}" if n == 1 else f"{base}{folder}page/{n}/"

    for number in range(1, pages + 1):
        chunk = items[(number - 1) * size : number * size]
        path = f"{folder}index.html" if number == 1 else f"{folder}page/{number}/index.html"
        yield (
            path,
            _page(
                env,
                template,
                common,
                **context,
                entries=keyed(Lazy(entries, pub, chunk), partial(keys.cards, chunk)),
                pager=_pager(number, pages, url),
                total=len(items),
                canonical=origin + url(number),
            ),
        )


def attachment_sizes(site: Path | None, pub: Publication) -> dict[str, int]:
    """Byte count of every public attachment (site-relative path), shown beside its link."""
    if site is None:
        return {}
    sizes, root, stat = {}, str(site), os.stat  # os.path, not pathlib: a build asks for thousands
    for paths in pub.attachments.values():
        for rel in paths:
            try:
                sizes[rel] = stat(os.path.join(root, rel)).st_size
            except OSError:
                continue
    return sizes


@dataclass(frozen=True)
class Shared:
    """What every file of one listing shares: the templates, the common context, the topics'
    index, the attachments' sizes and the page keys (`Keys`, whose digests are each computed once)."""

    pub: Publication
    dirs: tuple[Path, ...]
    env: Environment
    common: dict[str, Any]
    topics: dict[str, list[Item]]
    sizes: dict[str, int]
    keys: Keys


def shared(
    pub: Publication,
    dirs: tuple[Path, ...],
    site: Path | None = None,
    sources: Mapping[str, Any] | None = None,
    cache_folder: Path | None = None,
) -> Shared:
    """What `render_site` makes once before listing the files (see there for the arguments)."""
    env = environment(dirs, cache_folder)
    common = _common(pub, env, dirs)
    sizes = attachment_sizes(site, pub)
    keys = common["keys"] = Keys(pub, common["fingerprint"], sizes, sources)
    return Shared(pub, dirs, env, common, facet_index(pub, FACETS[0]), sizes, keys)


def _item_page(made: Shared, item: Item) -> Page:
    """`item`'s own page as the listing has it."""
    context = partial(_item_context, made.pub, made.topics, [made.common["hub"]], item, made.sizes)
    return Page(made.env, "item.html", made.common, context, partial(made.keys.item, item, made.topics), item.id)


def render_site(
    pub: Publication,
    dirs: tuple[Path, ...],
    site: Path | None = None,
    sources: Mapping[str, Any] | None = None,
    cache_folder: Path | None = None,
    made: Shared | None = None,
) -> Iterator[tuple[str, Page | Producer]]:
    """Every generated file of the site (except copied assets, attachments and the search index),
    as (path, producer of its bytes): the public items' pages first, in their order. `site` is
    read only for the attachments' sizes; `sources` (the build cache's parsed sources) spare
    hashing the bodies for the page keys; the templates' compiled code is kept in `cache_folder`.
    `made` is what `shared` made for this `pub` and `dirs`, if made."""
    made = made if made is not None else shared(pub, dirs, site, sources, cache_folder)
    env, common, keys = made.env, made.common, made.keys
    base, cfg = pub.config.base_path, pub.config
    hub_crumb = [common["hub"]]
    for item in pub.items:
        yield item_path(item), _item_page(made, item)
    sections = []
    for kind in pub.config.kinds.listed():  # the built-in kinds and the site's categories alike
        items = newest_of_kind(pub, kind.id)
        folder = f"{kind.folder}/"
        feed = f"{base}{folder}feed.xml"
        contact = contact_rows(cfg.contact) if kind.id == "response" else None
        yield from _listing(pub, env, common, items, kind.title, hub_crumb, folder, feed, contact, kind.basis)
        yield f"{folder}feed.xml", _feed(pub, env, keys, items, kind.title, f"{folder}feed.xml")
        sections.append(
            {
                "label": kind.title,
                "url": list_url(base, kind.folder),
                "count": len(items),
                "basis": kind.basis,
                "latest": [link(pub, i) for i in items[:5]],
            }
        )
    yield from _browse(pub, env, common, hub_crumb)
    from .lifecycle_pages import major_pages, normative_pages  # noqa: I001 (it builds on this module)

    yield from normative_pages(pub, env, common, hub_crumb)
    yield from major_pages(pub, env, common, hub_crumb)
    yield from _records(pub, env, common)
    system = [link(pub, p) for p in _pages_of(pub, "system")]
    yield (
        "system/index.html",
        _page(
            env,
            "groups.html",
            common,
            heading="政府信息公开制度",
            intro="本机关政府信息公开工作的有关制度。",
            groups=[{"heading": "制度文件", "entries": system}] if system else [],
            crumbs=[],
            canonical=cfg.absolute(f"{base}system/"),
        ),
    )
    facets = [{"label": f.label, "url": f"{base}browse/{f.key}/"} for f in FACETS]
    yield (
        f"{HUB}/index.html",
        _page(
            env,
            "hub.html",
            common,
            crumbs=[],
            sections=sections,
            facets=facets,
            canonical=cfg.absolute(f"{base}{HUB}/"),
        ),
    )
    # the home page shows the columns that have items; the hub lists every column, empty ones too
    shown = [section for section in sections if section["count"]]
    yield "index.html", _page(env, "home.html", common, sections=shown, facets=facets, canonical=cfg.absolute(base))
    yield "search/index.html", _page(env, "search.html", common, canonical=cfg.absolute(f"{base}search/"))
    yield "404.html", _page(env, "404.html", common, canonical=cfg.absolute(f"{base}404.html"))
    yield "feed.xml", _feed(pub, env, keys, newest(pub), "最新信息", "feed.xml")
    yield "sitemap.xml", Product(partial(sitemap.sitemap, pub, env), keys.sitemap)
    yield "catalog.json", Product(partial(opendata.catalog_json, pub), partial(keys.catalog, "catalog.json"))
    yield "catalog.csv", Product(partial(opendata.catalog_csv, pub), partial(keys.catalog, "catalog.csv"))


def listing_keys(files: list[tuple[str, Page | Producer]]) -> Keys | None:
    """The page keys of a listing `render_site` made (None when it has no page)."""
    return next((produce.common["keys"] for _, produce in files if isinstance(produce, Page)), None)


# A listing recalled (`outline`, `recalled`): the files of the last build's listing, of a
# Publication decided from the same inputs, made only when asked for. After an edit of a body a
# build computes the keys of a few pages and makes fewer; listing 12,000 files it would not use
# costs more than the rest of deciding what to build.


def outline(files: list[tuple[str, Page | Producer]], pub: Publication) -> list[list[str]]:
    """What `recalled` needs to list `files` again (the listing of `pub`): every file but the
    items' pages (which come first, one per public item) by path, "page" or "product"."""
    count = len(pub.items)
    assert [rel for rel, _ in files[:count]] == [item_path(item) for item in pub.items]
    return [[rel, "page" if isinstance(produce, Page) else "product"] for rel, produce in files[count:]]


class Later(Page):
    """A page of a recalled listing: made (`Shared`, `_item_page` or the whole listing) when its
    key or content is asked for, with what a listing tells without that (its `item`, `common`)."""

    __slots__ = ("made", "rel", "of", "page", "whole")
    page: Page | None

    def __init__(self, made: Shared, rel: str, of: Item | None, whole: Callable[[], dict[str, Any]]) -> None:
        self.made, self.rel, self.of, self.whole, self.page = made, rel, of, whole, None
        self.env, self.name, self.common, self.context, self.keyed = made.env, "", made.common, {}, None
        self.item = of.id if of is not None else None

    def made_page(self) -> Page:
        if self.page is None:
            self.page = _item_page(self.made, self.of) if self.of is not None else self.whole()[self.rel]
        return self.page

    def resolve(self) -> dict[str, Any]:
        return self.made_page().resolve()

    def key(self) -> str | None:
        return self.made_page().key()

    def fingerprint(self, context: dict[str, Any]) -> str:
        return self.made_page().fingerprint(context)

    def render(self, context: dict[str, Any]) -> bytes:
        return self.made_page().render(context)


def recalled(made: Shared, kept: list[list[str]]) -> list[tuple[str, Page | Producer]]:
    """The listing whose `outline` is `kept`, for `made.pub` (decided from the same inputs as
    the Publication it was made of), each file made only when asked for; none when `kept` is
    no outline."""
    whole: dict[str, Any] = {}

    def every() -> dict[str, Any]:
        if not whole:
            whole.update(render_site(made.pub, made.dirs, made=made))
        return whole

    files: list[tuple[str, Page | Producer]] = [
        (item_path(item), Later(made, "", item, every)) for item in made.pub.items
    ]
    try:
        for rel, kind in kept:
            if kind == "page":
                files.append((str(rel), Later(made, str(rel), None, every)))
            else:
                files.append((str(rel), Product(partial(_produce, every, rel), partial(_product_key, every, rel))))
    except (TypeError, ValueError):  # a damaged record
        return []
    return files


def _produce(every: Callable[[], dict[str, Any]], rel: str) -> bytes:
    return every()[rel]()


def _product_key(every: Callable[[], dict[str, Any]], rel: str) -> str:
    return every()[rel].key()


def _feed(pub: Publication, env: Environment, keys: Keys, items: list[Item], title: str, path: str) -> Product:
    return Product(partial(feeds.atom, pub, env, items, title, path), partial(keys.feed, items, title, path))


def _item_context(pub: Publication, topics: dict, hub_crumb: list, item: Item, sizes: dict[str, int]) -> dict[str, Any]:
    view = item_view(item, pub, sizes)
    listed = pub.config.kinds[item.kind].listed  # a 栏目页 stands alone: no listing, no related items
    view["related"] = [link(pub, r) for r in related(pub, topics, item)] if listed else []
    crumbs = [*hub_crumb, {"label": view["kind"], "url": view["kind_url"]}] if listed else []
    return {
        "item": view,
        "crumbs": crumbs,
        "canonical": pub.config.absolute(view["url"]),
        "json_ld": json_ld(item, pub),
    }


def _browse(
    pub: Publication, env: Environment, common: dict[str, Any], hub_crumb: list[dict[str, str]]
) -> Iterator[tuple[str, Page | Producer]]:
    """Browse pages: /browse/<facet>/ lists the values, /browse/<facet>/<value>/ their items."""
    base, cfg = pub.config.base_path, pub.config
    for facet in FACETS:
        index = facet_index(pub, facet)
        values = [
            {"label": facet.display(v), "url": f"{base}browse/{facet.key}/{facet.slug(v)}/", "count": len(items)}
            for v, items in (sorted(index.items(), reverse=True) if facet.key == "year" else index.items())
        ]
        crumbs = [*hub_crumb, {"label": f"按{facet.label}浏览", "url": f"{base}browse/{facet.key}/"}]
        yield (
            f"browse/{facet.key}/index.html",
            _page(
                env,
                "facet.html",
                common,
                heading=f"按{facet.label}浏览",
                crumbs=hub_crumb,
                values=values,
                canonical=cfg.absolute(f"{base}browse/{facet.key}/"),
            ),
        )
        for value, items in index.items():
            yield from _listing(
                pub,
                env,
                common,
                items,
                f"{facet.label}：{facet.display(value)}",
                crumbs,
                f"browse/{facet.key}/{facet.slug(value)}/",
            )


def _links(pub: Publication, items: list[Item]) -> list[dict[str, Any]]:
    return [link(pub, i) for i in items]


def _grouped(pub: Publication, items: list[Item], key: Callable[[Item], str]) -> list[dict[str, Any]]:
    groups: dict[str, list[Item]] = {}
    for item in _newest(items):
        groups.setdefault(key(item), []).append(item)
    return [{"heading": k, "entries": [link(pub, i) for i in v]} for k, v in sorted(groups.items(), reverse=True)]


def _year(item: Item) -> str:
    return f"{item.published.year}年" if item.published else "—"


def _records(pub: Publication, env: Environment, common: dict[str, Any]) -> Iterator[tuple[str, Page | Producer]]:
    """Annual reports, compliance pages and the catalogues the law asks for."""
    base, cfg = pub.config.base_path, pub.config
    keys: Keys = common["keys"]
    reports_crumb = [{"label": "政府信息公开年报", "url": f"{base}reports/"}]
    yield (
        "reports/index.html",
        _page(
            env,
            "reports.html",
            common,
            crumbs=[],
            canonical=cfg.absolute(f"{base}reports/"),
            index=keyed(Lazy(reports_index_view, pub), keys.site),
        ),
    )
    for year in report_years(pub):  # ended years with their data file only
        yield (
            f"reports/{year}/index.html",
            _page(
                env,
                "report.html",
                common,
                crumbs=reports_crumb,
                report=keyed(Lazy(report_view, pub, year), keys.site),
                url=f"{base}reports/{year}/",
                csv=f"{base}reports/{year}/report.csv",
                canonical=cfg.absolute(f"{base}reports/{year}/"),
            ),
        )
        yield f"reports/{year}/report.csv", Product(partial(report_csv, pub, year), partial(keys.whole, f"csv{year}"))
    for year in compliance_years(pub):
        yield (
            f"compliance/{year}/index.html",
            _page(
                env,
                "compliance.html",
                common,
                crumbs=reports_crumb,
                c=keyed(Lazy(compliance_view, pub, year), keys.site),
                feedback_days=cfg.consultation_feedback_days,
                canonical=cfg.absolute(f"{base}compliance/{year}/"),
            ),
        )
    decisions = pub.of_kind("decision")
    suggestions = pub.of_kind("suggestion-reply")
    catalogues = (
        (
            "decisions/by-meeting/",
            "会议决定事项（按会议）",
            "decision",
            decisions,
            lambda i: i.get("meeting") or "其他",
        ),
        (
            "suggestions/by-handler/",
            "建议提案办理结果（按承办单位）",
            "suggestion-reply",
            suggestions,
            lambda i: i.get("handler") or "其他",
        ),
        ("suggestions/by-year/", "建议提案办理结果（按年度）", "suggestion-reply", suggestions, _year),
    )
    kinds = cfg.kinds
    for folder, heading, kind, items, key in catalogues:
        yield (
            f"{folder}index.html",
            _page(
                env,
                "groups.html",
                common,
                heading=heading,
                intro="",
                groups=keyed(Lazy(_grouped, pub, items, key), partial(keys.cards, items)),
                crumbs=[common["hub"], {"label": kinds.label(kind), "url": list_url(base, kinds.folder(kind))}],
                canonical=cfg.absolute(base + folder),
            ),
        )


def item_page(pub: Publication, dirs: tuple[Path, ...], item: Item, sizes: dict[str, int], cache: Path | None) -> Page:
    """`item`'s page as `render_site` makes it (`sizes`: its attachments' `attachment_sizes`),
    without listing the site: serve's quick preview."""
    env = environment(dirs, cache)
    common = _common(pub, env, dirs)
    context = partial(_item_context, pub, facet_index(pub, FACETS[0]), [common["hub"]], item, sizes)
    return Page(env, "item.html", common, context)
