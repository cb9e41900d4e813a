"""Categories as data: a site's categories and the built-in kinds are one table, read by one code.

A category declared in site.yaml gets its folder, strict typed fields, a listing under
法定主动公开内容, a feed, a search filter, catalog records and JSON-LD exactly as a built-in kind
does; the `statutory` set covers 条例 第二十条 and 第二十一条.
"""

from __future__ import annotations

import json
import re

from disclose import pipeline
from disclose.categories import statutory
from disclose.cli import build_date
from disclose.config import load_config
from disclose.schema import BUILTIN_KINDS, Kind, make_kind

from .conftest import TODAY, all_bytes, run, write

HEAD = "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
# A category with exactly the fields of the built-in kind `decision`.
MEETINGS = (
    "categories:\n"
    "  - id: meetings\n"
    "    title: 会议纪要\n"
    "    fields:\n"
    "      meeting: {type: text, label: 会议名称}\n"
    "      meeting_date: {type: date, label: 会议日期}\n"
    "      major: {type: bool, label: 重大行政决策}\n"
)
MEETING = (
    "---\ntitle: 市政府第12次常务会议决定事项\nissuer: 示例市人民政府\npublished: 2024-03-05\n"
    "meeting: 市政府第12次常务会议\nmeeting_date: 2024-03-04\nmajor: true\n---\n"
    "会议研究了老旧小区改造工作。\n"
)


def check(site):
    return pipeline.check(site, build_date(TODAY))


def codes(report) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.code) for p in report.problems]


def build(site, out, today=TODAY):
    result = run("build", "--site", str(site), "--out", str(out), "--today", today)
    assert result.exit_code == 0, result.output
    return out


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_builtin_kinds_and_categories_are_made_by_one_function():
    assert all(isinstance(kind, Kind) for kind in (*BUILTIN_KINDS, *statutory()))
    decision = next(kind for kind in BUILTIN_KINDS if kind.id == "decision")
    again = make_kind("decision", decision.title, folder=decision.folder, fields=decision.fields)
    assert again == decision


def test_a_category_with_a_builtin_kinds_fields_is_treated_identically(site, tmp_path):
    """The same item as a `decision` and as an item of the category `meetings`: its page, its
    listing, its feed, its catalog record and its JSON-LD differ only by the kind's name and folder."""
    write(site, "site.yaml", HEAD + MEETINGS)
    write(site, "content/decisions/d12.md", MEETING)
    write(site, "content/meetings/d12.md", MEETING)
    out = build(site, tmp_path / "out")

    def same(text: str) -> str:
        return (
            text.replace("会议纪要", "会议决定事项")
            .replace("/meetings/", "/decisions/")
            .replace("meetings", "decisions")
        )

    for page in ("d12/index.html", "index.html", "feed.xml"):
        builtin = (out / "decisions" / page).read_text(encoding="utf-8")
        category = (out / "meetings" / page).read_text(encoding="utf-8")
        if page.endswith(".html"):
            builtin, category = _main(builtin), _main(category)
        assert "市政府第12次常务会议" in category
        assert same(category) == builtin, page
    item = (out / "meetings/d12/index.html").read_text(encoding="utf-8")
    assert '<th scope="row">会议日期</th><td>2024年3月4日</td>' in item
    assert '<th scope="row">重大行政决策</th><td>是</td>' in item
    assert 'data-pagefind-filter="类别:会议纪要"' in item  # search's 类别 filter
    ld = [
        re.search(r'<script type="application/ld\+json">(.*?)</script>', (out / k / "d12/index.html").read_text())
        for k in ("decisions", "meetings")
    ]
    assert same(ld[1].group(1)) == ld[0].group(1)
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))["items"]
    records = {r["id"]: r for r in catalog}
    assert {k: v for k, v in records["meetings/d12"].items() if k not in ("id", "kind", "url")} == {
        k: v for k, v in records["decisions/d12"].items() if k not in ("id", "kind", "url")
    }
    assert records["meetings/d12"]["kind"] == "meetings"
    assert "meetings/d12" in (out / "catalog.csv").read_text(encoding="utf-8-sig")
    hub = (out / "fdzdgknr/index.html").read_text(encoding="utf-8")
    assert '<a href="/meetings/">会议纪要</a>' in hub and '<a href="/decisions/">会议决定事项</a>' in hub
    year = (out / "browse/year/2024/index.html").read_text(encoding="utf-8")
    assert "/meetings/d12/" in year and "/decisions/d12/" in year  # browsing


def test_category_fields_are_strict_and_typed(site):
    write(site, "site.yaml", HEAD + "categories: statutory\n")
    head = "---\ntitle: 2024年部门预算\nissuer: 示例市财政局\npublished: 2024-03-01\n"
    write(site, "content/budget/typo.md", head + "fiscal_yaer: 2024\nstage: 预算\n---\n正文。\n")
    write(site, "content/budget/word.md", head + "fiscal_year: 二〇二四\nstage: 预算\n---\n正文。\n")
    write(site, "content/budget/stage.md", head + "fiscal_year: 2024\nstage: 草案\n---\n正文。\n")
    write(site, "content/budget/ok.md", head + "fiscal_year: 2024\nstage: 决算\n---\n正文。\n")
    report = check(site)
    found = codes(report)
    assert ("content/budget/typo.md", 5, "F101") in found
    assert ("content/budget/typo.md", 1, "F102") in found  # fiscal_year is required
    assert ("content/budget/word.md", 5, "F103") in found
    assert ("content/budget/stage.md", 6, "F103") in found
    assert not [p for p in report.problems if p.path == "content/budget/ok.md"]
    typo = next(p for p in report.problems if p.code == "F101")
    assert "fiscal_year" in typo.zh  # did you mean
    stage = next(p for p in report.problems if p.path == "content/budget/stage.md")
    assert "预算、决算、调整" in stage.zh
    # without the category, its folder is no kind and its fields are unknown
    write(site, "site.yaml", HEAD)
    assert ("content/budget/ok.md", 1, "F104") in codes(check(site))


def test_site_yaml_categories_are_checked(site):
    cases = {
        "categories: statutary\n": ("C143", 4),
        "categories:\n  - statutory\n  - id: budget\n    title: 我的预算\n": ("C141", 6),
        "categories:\n  - id: decisions\n    title: 决定\n": ("C141", 5),
        "categories:\n  - id: browse\n    title: 浏览\n": ("C141", 5),
        "categories:\n  - id: a\n    title: 甲\n  - id: a\n    title: 乙\n": ("C141", 7),
        "categories:\n  - id: 预算\n    title: 预算\n": ("C140", 5),
        "categories:\n  - id: b\n    titel: 乙\n": ("C140", 6),
        "categories:\n  - id: b\n    title: 乙\n    fields:\n      n: {type: integer}\n": ("C142", 8),
        "categories:\n  - id: b\n    title: 乙\n    fields:\n      s: {type: choice}\n": ("C142", 8),
        "categories:\n  - id: b\n    title: 乙\n    fields:\n      issuer: text\n": ("C142", 8),
        "categories: 5\n": ("C103", 4),
    }
    for text, (code, line) in cases.items():
        write(site, "site.yaml", HEAD + text)
        config, problems = load_config(site)
        assert config is None and [(p.code, p.line) for p in problems] == [(code, line)], (text, problems)
    write(site, "site.yaml", HEAD + "categories:\n  - statutory\n  - id: village\n    title: 村务公开\n")
    config, problems = load_config(site)
    assert problems == [] and config.kinds.label("village") == "村务公开" and "budget" in config.kinds


ARTICLE_20 = ["二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"]


def test_statutory_set_covers_article_20_and_21():
    kinds = statutory()
    bases = [kind.basis for kind in kinds]
    for item in ARTICLE_20:  # （一） is the built-in kind `policy`
        assert any(f"第二十条第（{item}）项" in basis for basis in bases), item
    assert next(k for k in BUILTIN_KINDS if k.id == "policy").basis == "条例 第二十条第（一）项"
    article_21 = {kind.title for kind in kinds if "第二十一条" in kind.basis}
    assert {"市政建设", "公共服务", "公益事业", "土地征收", "房屋征收", "治安管理", "社会救助"} <= article_21
    ids = [kind.id for kind in kinds]
    assert len(ids) == len(set(ids)) and not set(ids) & {k.id for k in BUILTIN_KINDS}
    budget = next(kind for kind in kinds if kind.id == "budget")
    fields = {spec.name: spec for spec in budget.fields}
    assert fields["fiscal_year"].type == "int" and fields["fiscal_year"].required
    assert fields["stage"].choices == ("预算", "决算", "调整")


def test_a_new_user_switches_on_statutory_and_publishes_a_budget(site, tmp_path):
    """A disclosure officer switches on `statutory`, runs `disclose new budget`, fills it in and
    builds: the item is under 法定主动公开内容, in search's 类别 filter, in catalog.json."""
    write(site, "site.yaml", HEAD + "organization:\n  code: 11330600MB0000000X\ncategories: statutory\n")
    made = run(
        "new", "budget", "--site", str(site), "--title", "示例市财政局2024年部门预算", "--issuer", "示例市财政局",
        "--published", "2024-03-20", "--field", "fiscal_year=2024", "--field", "stage=预算",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    path = site / "content/budget/2024-03-20.md"
    text = path.read_text(encoding="utf-8")
    assert "fiscal_year: 2024\nstage: 预算\n" in text
    assert "index_no: 11330600MB0000000X/2024-" in text
    assert "# unit:" in text and "预算单位" in text  # the category's other fields, to fill in
    assert codes(check(site)) == [("content/budget/2024-03-20.md", 11, "F120")]  # the body is still to write
    path.write_text(text.replace("在此填写正文。", "2024年部门预算收支总表见附件。"), encoding="utf-8")
    out = build(site, tmp_path / "out")
    hub = (out / "fdzdgknr/index.html").read_text(encoding="utf-8")
    assert '<a href="/budget/">财政预决算</a> <span class="meta">1 条</span>' in hub
    assert '<a href="/fees/">行政事业性收费</a> <span class="meta">0 条</span>' in hub  # every column, empty too
    listing = (out / "budget/index.html").read_text(encoding="utf-8")
    assert "示例市财政局2024年部门预算" in listing and "条例 第二十条第（七）项" in listing
    item = (out / "budget/2024-03-20/index.html").read_text(encoding="utf-8")
    assert 'data-pagefind-filter="类别:财政预决算"' in item
    assert '<th scope="row">预决算年度</th><td>2024</td>' in item
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))["items"]
    assert [r["kind"] for r in catalog if r["id"] == "budget/2024-03-20"] == ["budget"]
    assert "示例市财政局2024年部门预算" in (out / "budget/feed.xml").read_text(encoding="utf-8")


def test_disclose_new_refuses_unknown_kinds_and_bad_values(site):
    write(site, "site.yaml", HEAD + "categories: statutory\n")
    base = ("new", "--site", str(site), "--title", "t", "--issuer", "i", "--published", "2024-03-20")
    unknown = run(base[0], "budgte", *base[1:])
    assert unknown.exit_code == 2 and "budget" in unknown.output
    missing = run(base[0], "budget", *base[1:], "--field", "stage=预算")
    assert missing.exit_code == 2 and "--field fiscal_year=" in missing.output
    bad = run(base[0], "budget", *base[1:], "--field", "fiscal_year=2024", "--field", "stage=草案")
    assert bad.exit_code == 2 and "预算、决算、调整" in bad.output
    assert not (site / "content/budget").exists()


def test_category_references_link_public_items_only(site, tmp_path):
    fields = "    fields:\n      approval: {type: ref, label: 批复文件}\n"
    write(site, "site.yaml", HEAD + "categories:\n  - id: budget\n    title: 财政预决算\n" + fields)
    item = "---\ntitle: 2024年部门预算\nissuer: 示例市财政局\npublished: 2024-03-01\napproval: {ref}\n---\n正文。\n"
    write(site, "content/budget/a.md", item.format(ref="示财发〔2024〕99号"))
    assert ("content/budget/a.md", 5, "F142") in codes(check(site))
    write(
        site,
        "content/decisions/hidden.md",
        "---\ntitle: 关于预算草案的请示\nissuer: 示例市财政局\npublished: 2024-02-01\ndisclosure: withheld\n"
        "basis: process-info\nreview: {by: 市财政局, date: 2024-02-01}\n---\n请示。\n",
    )
    write(site, "content/budget/a.md", item.format(ref="decisions/hidden"))
    assert ("content/budget/a.md", 5, "R704") in codes(check(site))
    write(site, "content/budget/a.md", item.format(ref="policies/rules"))
    out = build(site, tmp_path / "out")
    page = (out / "budget/a/index.html").read_text(encoding="utf-8")
    assert re.search(r'<th scope="row">批复文件</th><td><a href="/policies/rules/">', page)
    assert not [p for p, data in all_bytes(out) if "关于预算草案的请示".encode() in data]


def test_the_editors_guide_lists_every_statutory_category():
    from .conftest import ROOT

    guide = (ROOT / "docs/editors-guide.md").read_text(encoding="utf-8")
    for kind in statutory():
        assert f"| `{kind.id}` | {kind.title} | {kind.basis} |" in guide, kind.id
