"""References between items: repeal chains and links in the text."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from ..annual_report import DATA_TEXTS
from ..catalogue import Catalogue
from ..markdown import body_links, content_target, link_path
from ..model import Item
from ..visibility import is_public, why_not_public
from .pairing import rejected_finding
from .registry import Finding, rule

NEW = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: 2024-03-01\ndoc_no: {no}\nsupersedes: [{sup}]\n---\n正文。\n"


@rule(
    "R701",
    "item",
    "Repeals an unknown document",
    "所废止的文件不存在",
    "国办发〔2017〕47号 (在原文件上作出明确标注); each seed's 同时废止 article",
    {"content/policies/new.md": NEW.format(title="新规则", no="示政发〔2024〕31号", sup="示政发〔1999〕1号")},
    fields=("supersedes",),
)
def supersedes_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Each entry of `supersedes` names a document of this site, which then shows 废止 and a link
    to its successor; add the earlier version as a record if it is missing.
    """
    for index, ref in enumerate(item.get("supersedes") or ()):
        key = f"supersedes.{index}" if f"supersedes.{index}" in item.source.lines else "supersedes"
        if site.resolve(ref) is None and (found := rejected_finding(ref, site, key, "所废止的", "supersedes")):
            yield found
        elif site.resolve(ref) is None:
            yield Finding(
                f"所废止的“{ref}”不存在；请写该文件的 id 或文号，或先录入原文件",
                f"supersedes '{ref}', which does not exist in this site",
                key=key,
            )


@rule(
    "R702",
    "item",
    "Repeal chain forms a cycle",
    "废止关系形成循环",
    "国办发〔2017〕47号",
    {
        "content/policies/a.md": NEW.format(title="甲", no="示政发〔2024〕32号", sup="示政发〔2024〕33号"),
        "content/policies/b.md": NEW.format(title="乙", no="示政发〔2024〕33号", sup="示政发〔2024〕32号"),
    },
    fields=("supersedes",),
)
def supersession_acyclic(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A document cannot (indirectly) repeal itself; the successor chain must end."""
    seen = {item.id}
    frontier = [item]
    while frontier:
        current = frontier.pop()
        for ref in current.get("supersedes") or ():
            target = site.resolve(ref)
            if target is None:
                continue
            if target.id == item.id:
                yield Finding(
                    f"废止关系循环：{item.path} 经由 {current.path} 废止了自己",
                    f"repeal cycle: {item.path} repeals itself via {current.path}",
                    key="supersedes",
                )
                return
            if target.id not in seen:
                seen.add(target.id)
                frontier.append(target)


def _references(item: Item, site: Catalogue) -> Iterator[tuple[Item | None, str, str]]:
    """(target, how it was named, field key) for every reference in the front matter: each `ref` and
    `refs` field of the item's kind in the table of kinds (a category's too), except `interprets`,
    which P403 checks."""
    for spec in site.config.kinds.references(item.kind):
        if spec.name == "interprets":
            continue
        named = item.get(spec.name)
        for ref in [named] if isinstance(named, str) else named or ():
            yield site.resolve(ref), ref, spec.name


def _host(url: str) -> str | None:
    """The host a URL reaches, whatever its port, user part, letter case or trailing dot."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def named_paths(file_path: str, href: str, site: Catalogue) -> list[str]:
    """The repository files a link or image target may name: `../policies/a.md`, `a` or `a/`
    (the page's folder), `/policies/a/` and the site's own full URL of a page or attachment."""
    paths = []
    parts = urlsplit(href)
    if parts.scheme in ("http", "https", "") and parts.netloc and _host(href) == _host(site.config.base_url):
        path = unquote(parts.path)
        base = site.config.base_path
        paths.append("content/" + (path[len(base) :] if path.startswith(base) else path.lstrip("/")))
    elif (found := link_path(file_path, href)) is not None:
        paths.append(found)
        base = site.config.base_path.strip("/")
        if base and found.startswith(f"content/{base}/"):  # /base/policies/a/: the page's URL
            paths.append("content/" + found.removeprefix(f"content/{base}/"))
    named = []
    for path in paths:
        path = posixpath.normpath(path)
        if path.startswith("content/attachments/"):  # the URL of a published attachment
            path = "content/" + path.removeprefix("content/attachments/")
        named.append(path)
        for suffix in ("/index.html", ".html", ".md"):
            if path.endswith(suffix):
                named.append(path.removesuffix(suffix))
    return named


def _hidden_links(item: Item, site: Catalogue) -> Iterator[tuple[Item, str, str, int]]:
    """(non-public item, its file named, the target as written, file line) for every link or
    image of the body whose target names a non-public item's file: its .md, its page, an attachment."""
    for href, offset in site.links(item):
        for path in named_paths(item.path, href, site):
            if found := site.hidden_file(path):
                yield found[0], found[1], href, item.source.body_line + offset
                break


@rule(
    "R703",
    "item",
    "Link to a missing item",
    "链接指向不存在的文件",
    "条例 第六条 (准确)",
    {
        "content/decisions/links.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "---\n详见[原文件](../policies/no-such-file.md)。\n"
    },
)
def body_link_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A link to another item's .md file must find that file.

    A relative link is read from the linking file's folder; a link starting with / from content/
    (`/policies/a.md` is content/policies/a.md). A link that leaves content/ cannot reach an item.
    """
    for href, offset in site.links(item):
        target = content_target(item.path, href)
        line = item.source.body_line + offset
        if target is None or target[0] in site.by_id:
            continue
        if not target[0]:
            yield Finding(
                f"链接“{href}”指向 content/ 以外的文件；请链接到 content/ 中信息的 .md 文件",
                f"link '{href}' points outside content/; link to an item's .md file under content/",
                line=line,
            )
        elif found := rejected_finding(target[0], site, "", "链接指向的", f"link '{href}' points to"):
            yield Finding(found.zh, found.en, line=line)
        else:
            yield Finding(
                f"链接“{href}”指向的文件不存在（content/{target[0]}.md）",
                f"link '{href}' points to a missing file (content/{target[0]}.md)",
                line=line,
            )


@rule(
    "R704",
    "item",
    "Public item refers to a non-public item",
    "公开信息引用了未公开的信息",
    "content-model.md (What not public means); 条例 第十四至十六条",
    {
        "content/decisions/hidden.md": "---\ntitle: 某请示\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nbasis: process-info\nreview: {by: 市政府办公室, date: 2024-02-28}\n---\n正文。\n",
        "content/decisions/public.md": "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "---\n依据[请示](hidden.md)作出。\n",
    },
)
def no_reference_to_hidden(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A link, image, repeal or feedback reference would print the other item's title, URL or
    file name.

    Whatever is not public leaves no trace in the output, so a public item may not refer to it:
    not by a link or image (inline, reference-style or autolink) to its .md file, its page or the
    site's full URL of it, nor to one of its attachments. Both files are named. (Interpretations
    have their own rule, P403.)
    """
    if not is_public(item, site.today):
        return
    for target, named, key in _references(item, site):
        if target is not None and not is_public(target, site.today):
            yield Finding(
                f"引用了未公开的 {target.path}（{why_not_public(target, site.today)}）：“{named}”；请删除该引用",
                f"refers to {target.path}, which is not public: '{named}'; remove the reference",
                key=key,
            )
    for target, file, href, line in _hidden_links(item, site):
        what_zh = "" if file == target.path else f" 的附件 {file}"
        what_en = "" if file == target.path else f" (its attachment {file})"
        yield Finding(
            f"链接或图片指向未公开的 {target.path}{what_zh}（{why_not_public(target, site.today)}）：“{href}”；"
            f"请删除该链接，否则其文件名会出现在网页中",
            f"a link or image points to {target.path}{what_en}, which is not public: '{href}'; remove it, or its "
            f"file name reaches the page",
            line=line,
        )


@rule(
    "R705",
    "item",
    "Consultation feedback page missing",
    "意见采纳情况页面不存在",
    "绍兴 第二十二条 (意见采纳情况); 衢州 第十九条",
    {
        "content/consultations/c.md": "---\ntitle: 征求意见\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "opens: 2024-03-01\ncloses: 2024-03-31\nfeedback: pages/no-such-feedback\n---\n正文。\n"
    },
    fields=("feedback",),
)
def feedback_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`feedback` names the page that reports which opinions were adopted."""
    if item.get("feedback") and site.resolve(item.get("feedback")) is None:
        if found := rejected_finding(item.get("feedback"), site, "feedback", "意见采纳情况", "feedback"):
            yield found
            return
        yield Finding(
            f"意见采纳情况“{item.get('feedback')}”不存在",
            f"feedback '{item.get('feedback')}' does not exist",
            key="feedback",
        )


@rule(
    "R706",
    "site",
    "Annual report's text links to a non-public item",
    "年度报告文字链接了未公开的信息",
    "content-model.md (What not public means); 条例 第十四至十六条",
    {
        "content/decisions/plan.md": "---\ntitle: 内部方案\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nbasis: process-info\nreview: {by: 市政府办公室, date: 2024-03-01}\n---\n草案。\n",
        "reports/2023.yaml": "overview: 本年度见[方案](/decisions/plan/)。\nlicensing: 1\npenalty: 0\n"
        "enforcement: 0\nfees: 0\n",
    },
)
def no_report_link_to_hidden(site: Catalogue) -> Iterator[Finding]:
    """The annual report's prose (overview, problems, other) is published as the report page: a
    link or image there may not name a non-public item's file, page or attachment, as in an item's
    body (R704). Relative links are read from the report's page, /reports/YEAR/, and as if from a
    file in content/ (`../policies/a.md`)."""
    for year, source in sorted(site.reports.items()):
        for key in DATA_TEXTS:
            text = source.meta.get(key)
            if not isinstance(text, str):
                continue
            for href, _ in body_links(text):
                paths = [  # read from the report's page, or as an editor may mean it, from content/
                    path
                    for base in (f"content/reports/{year}/index.md", f"content/reports/{year}.md")
                    for path in named_paths(base, href, site)
                ]
                if found := next((hit for path in paths if (hit := site.hidden_file(path))), None):
                    yield Finding(
                        f"{key} 中的链接“{href}”指向未公开的 {found[1]}（{why_not_public(found[0], site.today)}）；"
                        "年度报告公开发布，请删除该链接",
                        f"{key} links to {found[1]}, which is not public ('{href}'); remove the link",
                        key=key,
                        at=source,
                    )
