"""及时公开 (条例 第二十六条): `written` (a decision's `meeting_date`) to `published` within
`timeliness_days` working days on the official calendar, else a warning; counted on the compliance
page with the reasons. Dates are real: the 2024 Spring Festival and National Day with their 调休."""

from __future__ import annotations

from pathlib import Path

from disclose import pipeline
from disclose.cli import build_date

from .conftest import run, write

HEAD = "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
TODAY = "2024-12-31"


def item(folder: str, name: str, title: str, published: str, extra: str) -> tuple[str, str]:
    text = f"---\ntitle: {title}\nissuer: 示例市人民政府\n{extra}published: {published}\n---\n正文。\n"
    return f"content/{folder}/{name}.md", text


def warnings(site: Path, today: str = TODAY) -> list[tuple[str, int, str, str]]:
    report = pipeline.check(site, build_date(today))
    return [(p.path, p.line, p.code, p.severity) for p in report.problems]


def test_spring_festival_counts_holidays_and_adjusted_workdays(site):
    """Written Thu 2024-01-25: 20 working days end on 2024-02-27, counting the 调休 Sundays 2024-02-04
    and 2024-02-18 and skipping the holiday 2024-02-10 to 02-17 (Mondays to Fridays alone: 02-22)."""
    write(site, *item("decisions", "in-time", "按时公开的决定", "2024-02-27", "written: 2024-01-25\n"))
    assert warnings(site) == []
    write(site, *item("decisions", "late", "延迟公开的决定", "2024-02-28", "written: 2024-01-25\n"))
    assert warnings(site) == [("content/decisions/late.md", 5, "T620", "warning")]
    report = pipeline.check(site, build_date(TODAY))
    assert "第 21 个工作日" in report.problems[0].zh and "2024-02-27" in report.problems[0].zh
    assert "late_reason" in report.problems[0].zh


def test_decision_counts_from_the_meeting(site):
    """Meeting Tue 2024-09-10: Mid-Autumn (09-15 to 17, 调休 Sat 09-14) and National Day (10-01 to 07,
    调休 Sun 09-29 and Sat 10-12): the 20th working day is Mon 2024-10-14."""
    write(site, *item("decisions", "ok", "第12次常务会议决定", "2024-10-14", "meeting_date: 2024-09-10\n"))
    write(site, *item("decisions", "slow", "第13次常务会议决定", "2024-10-15", "meeting_date: 2024-09-10\n"))
    assert warnings(site) == [("content/decisions/slow.md", 5, "T620", "warning")]
    report = pipeline.check(site, build_date(TODAY))
    assert "会议日期 2024-09-10" in report.problems[0].zh


def test_late_reason_answers_the_warning(site):
    extra = "written: 2024-01-25\nlate_reason: 须经上级机关备案审查后公开\n"
    write(site, *item("decisions", "late", "延迟公开的决定", "2024-03-15", extra))
    assert warnings(site) == []


def test_the_limit_and_calendar_come_from_site_yaml(site):
    write(site, *item("decisions", "d", "某决定", "2024-03-12", "written: 2024-03-04\n"))  # 6 working days
    assert warnings(site) == []
    write(site, "site.yaml", HEAD + "timeliness_days: 5\n")
    assert [w[2] for w in warnings(site)] == ["T620"]
    # local holidays the site adds (2024-03-05 to 07) leave 3 working days: in time again
    write(site, "site.yaml", HEAD + "timeliness_days: 5\nholidays: [2024-03-05, 2024-03-06, 2024-03-07]\n")
    assert warnings(site) == []


def test_only_items_meant_for_publication_are_measured(site):
    review = "review: {by: 市政府办公室, date: 2024-01-30}\n"
    write(site, *item("decisions", "w", "不公开", "2024-06-03", f"written: 2024-01-25\ndisclosure: withheld\nbasis: process-info\n{review}"))  # fmt: skip
    write(site, *item("decisions", "d", "草稿", "2024-06-03", "written: 2024-01-25\ndraft: true\n"))
    write(site, *item("decisions", "n", "无成文日期", "2024-06-03", ""))
    assert warnings(site) == []


def test_a_late_item_does_not_stop_the_build_and_is_counted_with_its_reason(site):
    write(site, *item("decisions", "late", "延迟公开的决定", "2024-02-28", "written: 2024-01-25\n"))
    write(
        site,
        *item(
            "decisions",
            "excused",
            "说明原因的决定",
            "2024-10-15",
            "meeting_date: 2024-09-10\nlate_reason: 须经上级机关备案审查后公开\n",
        ),
    )
    write(site, *item("decisions", "in-time", "按时公开的决定", "2024-02-27", "written: 2024-01-25\n"))
    review = "review: {by: 市政府办公室, date: 2024-01-30}\n"
    write(site, *item("decisions", "secret", "内部研究事项", "2024-06-03", f"written: 2024-01-25\ndisclosure: withheld\nbasis: process-info\n{review}"))  # fmt: skip
    out = site / "public"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "content/decisions/late.md:5: T620" in result.output
    page = (out / "compliance/2024/index.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>及时公开</h2>") : page.index("<h2>依申请公开答复时限</h2>")]
    assert "本年超过期限公开 2 件，其中写明原因 1 件，未写明原因 1 件" in section
    assert "延迟公开的决定" in section and "说明原因的决定" in section
    assert "须经上级机关备案审查后公开" in section and "未写明" in section
    assert "成文日期 2024年1月25日" in section and "会议日期 2024年9月10日" in section
    assert "按时公开的决定" not in section and "内部研究事项" not in page
    # the item page says why it was late
    excused = (out / "decisions/excused/index.html").read_text(encoding="utf-8")
    assert "未在20个工作日内公开的原因：</strong>须经上级机关备案审查后公开" in excused


def test_compliance_page_without_late_items(site):
    out = site / "public"
    assert run("build", "--site", str(site), "--out", str(out), "--today", TODAY).exit_code == 0
    page = (out / "compliance/2024/index.html").read_text(encoding="utf-8")
    assert "本年超过期限公开 0 件。" in page and "超过期限公开的信息及原因" not in page


def test_late_reason_is_a_common_field(site):
    extra = "written: 2024-01-25\nlate_reason: 待上级批复\n"
    write(site, *item("policies", "p", "某办法", "2024-03-15", extra + "doc_no: 示政发〔2024〕9号\n"))
    report = pipeline.check(site, build_date(TODAY))
    assert not [p for p in report.problems if p.code.startswith("F") or p.code == "T620"]
