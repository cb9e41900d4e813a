"""回应关切 and 新闻发布 (绍兴 第三十条、第三十五条; 衢州 第三十一条; 溧阳 二十八): the time of the
concern and of the response, and dated updates that stay on one page in order."""

from __future__ import annotations

from disclose import pipeline
from disclose.cli import build_date

from .conftest import all_bytes, run, write

CONCERN = (
    "---\ntitle: 关于网传城东片区停水情况的回应\nissuer: 示例市水务局\npublished: {published}\n"
    "concern_at: 2025-07-14\nconcern: 网传城东片区将停水一周\nconcern_source: 网络舆情\n{extra}---\n"
    "经核实，城东片区因管网检修于7月15日停水，7月16日恢复供水，网传停水一周不实。\n"
)
UPDATES = (
    "updates:\n"
    "  - {at: 2025-07-15, text: 检修按计划开始，沿线设置临时供水点3处。}\n"
    "  - {at: 2025-07-16, text: 管网检修完成，18时起恢复供水。}\n"
)


def problems(site, today="2025-07-20"):
    found = pipeline.check(site, build_date(today)).problems
    return [(p.path, p.line, p.code) for p in found if p.code != "Y703"]  # the site has no annual report data


def test_a_response_is_not_dated_before_its_concern(site):
    path = "content/concern-responses/water.md"
    write(site, path, CONCERN.format(published="2025-07-13", extra=""))  # a day before the concern
    assert problems(site) == [(path, 4, "F140")]
    write(site, path, CONCERN.format(published="2025-07-20", extra="responded_at: 2025-07-13\n"))
    assert problems(site) == [(path, 8, "F140")]
    write(site, path, CONCERN.format(published="2025-07-14", extra=""))  # the same day: in time
    assert problems(site) == []
    write(site, path, CONCERN.format(published="2025-07-14", extra="").replace("concern_at: 2025-07-14\n", ""))
    assert problems(site) == [(path, 1, "F102")]  # the concern's date is required


def test_updates_stay_in_date_order_after_publication(site):
    path = "content/concern-responses/water.md"
    swapped = UPDATES.replace("2025-07-15", "X").replace("2025-07-16", "2025-07-15").replace("X", "2025-07-16")
    write(site, path, CONCERN.format(published="2025-07-14", extra=swapped))
    assert problems(site) == [(path, 10, "F141")]
    early = UPDATES.replace("2025-07-15", "2025-07-13")
    write(site, path, CONCERN.format(published="2025-07-14", extra=early))
    assert problems(site) == [(path, 9, "F141")]
    write(site, path, CONCERN.format(published="2025-07-14", extra="updates:\n  - {at: 2025-07-15}\n"))
    assert problems(site) == [(path, 8, "F103")]  # each update has its text
    write(site, path, CONCERN.format(published="2025-07-14", extra=UPDATES))
    assert problems(site) == []


def test_updates_are_shown_dated_in_order_on_one_page_from_their_day(site, tmp_path):
    write(site, "content/concern-responses/water.md", CONCERN.format(published="2025-07-14", extra=UPDATES))
    write(
        site,
        "content/press-conferences/flood.md",
        "---\ntitle: 防汛工作新闻发布会\nissuer: 示例市人民政府新闻办公室\npublished: 2025-07-15\nheld_on: 2025-07-15\n"
        "topic: 全市防汛防台工作\nspeakers: [市应急管理局副局长, 市水利局总工程师]\n---\n发布会实录。\n",
    )
    out = tmp_path / "out"
    result = run("build", "--site", str(site), "--out", str(out), "--today", "2025-07-15")
    assert result.exit_code == 0, result.output
    page = (out / "concern-responses/water/index.html").read_text(encoding="utf-8")
    assert '<th scope="row">关切发生日期</th><td>2025年7月14日</td>' in page
    assert '<th scope="row">关切来源</th><td>网络舆情</td>' in page
    assert '<time datetime="2025-07-15">2025年7月15日</time>：检修按计划开始' in page
    # the update dated tomorrow is not public yet: it is in no byte of the output
    assert not [p for p, data in all_bytes(out) if "管网检修完成".encode() in data]
    press = (out / "press-conferences/flood/index.html").read_text(encoding="utf-8")
    assert '<th scope="row">发布人</th><td>市应急管理局副局长、市水利局总工程师</td>' in press
    assert '<a href="/press-conferences/">新闻发布会</a>' in (out / "fdzdgknr/index.html").read_text(encoding="utf-8")
    assert '<a href="/concern-responses/">回应关切</a>' in (out / "fdzdgknr/index.html").read_text(encoding="utf-8")

    result = run("build", "--site", str(site), "--out", str(out), "--today", "2025-07-16")
    assert result.exit_code == 0, result.output
    page = (out / "concern-responses/water/index.html").read_text(encoding="utf-8")
    first, second = page.index("检修按计划开始"), page.index("管网检修完成")
    assert first < second and page.count('<section class="updates"') == 1
