"""The lifecycles the seed work rules require (issue 10, parts 5, 6 and 8), on real calendar dates:

- 行政规范性文件: 登记号, the 规范性文件库 and its filters, the draft's 征求意见 (衢州 第十九条, 乐清
  第二十四条), 清理结果, amendments, and warnings 90 and 30 days before `expires`;
- 重大行政决策: the year's 目录 with 承办单位, planned time, status, consultation, hearing, feedback
  and result (绍兴 第二十二、二十四条); the minimum consultation period (30 days by default);
- 建议提案: 交办 and due dates, 按期 / 逾期, and the on-time rate per 承办单位 on the compliance page.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from disclose import pipeline
from disclose.cli import build_date
from disclose.lifecycle import add_months

from .conftest import run, write

# paired release is tested elsewhere: these sites' policies need no interpretation
HEAD = (
    "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
    "paired_release_since: 2030-01-01\n"
)
TODAY = "2024-06-01"


def policy(site: Path, name: str, doc_no: str, published: str, extra: str = "", title: str = "") -> None:
    write(
        site,
        f"content/policies/{name}.md",
        f"---\ntitle: {title or '示例市' + name + '管理办法'}\nissuer: 示例市人民政府\ndoc_no: {doc_no}\n"
        f"published: {published}\n{extra}---\n正文。\n",
    )


def consultation(site: Path, name: str, opens: str, closes: str, extra: str = "") -> None:
    write(
        site,
        f"content/consultations/{name}.md",
        f"---\ntitle: 关于{name}征求意见稿公开征求意见的公告\nissuer: 示例市司法局\npublished: {opens}\n"
        f"opens: {opens}\ncloses: {closes}\n{extra}---\n征求意见。\n",
    )


def problems(site: Path, today: str = TODAY) -> list[tuple[str, str, str]]:
    report = pipeline.check(site, build_date(today))
    return [(p.path, p.code, p.severity) for p in report.problems if p.code != "Y703"]  # no annual report data


def codes(site: Path, today: str = TODAY) -> list[str]:
    return [code for _, code, _ in problems(site, today)]


def build(site: Path, today: str = TODAY) -> Path:
    out = site / "public"
    result = run("build", "--site", str(site), "--out", str(out), "--today", today, "--no-cache")
    assert result.exit_code == 0, result.output
    return out


def text(out: Path, page: str) -> str:
    html = (out / page / "index.html").read_text(encoding="utf-8")
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


# ---- 行政规范性文件 ------------------------------------------------------------------------


@pytest.fixture
def library(site: Path) -> Path:
    """Four normative documents: in force, amended, repealed by a 清理结果, expired by date."""
    write(site, "site.yaml", HEAD)
    policy(site, "parking", "示政规〔2020〕2号", "2020-06-18", "normative: true\nregistration_no: SLFS-2020-0002\n")
    policy(
        site,
        "amend",
        "示政规〔2024〕5号",
        "2024-04-10",
        "normative: true\nregistration_no: SLFS-2024-0005\nno_consultation_reason: 依据上位法作文字修改\n"
        "amends: [示政规〔2020〕2号]\n",
        title="关于修改示例市停车管理办法的决定",
    )
    policy(site, "road", "示政规〔2019〕1号", "2019-03-01", "normative: true\n", title="示例市道路占用暂行办法")
    policy(
        site,
        "trial",
        "示政规〔2022〕3号",
        "2022-05-01",
        "normative: true\neffective: 2022-06-01\nexpires: 2024-05-31\n",
    )
    write(
        site,
        "content/cleanups/2024.md",
        "---\ntitle: 关于公布行政规范性文件清理结果的通知\nissuer: 示例市人民政府\npublished: 2024-05-10\n"
        "cleaned: 2024-04-30\nkept: [示政规〔2024〕5号]\namended: [示政规〔2020〕2号]\nrepealed: [示政规〔2019〕1号]\n"
        "---\n清理结果。\n",
    )
    return site


def test_library_filters_by_validity_year_and_issuer_without_javascript(library):
    assert problems(library) == []
    out = build(library)
    hub = (out / "fdzdgknr/index.html").read_text(encoding="utf-8")
    assert 'href="/normative/">规范性文件库</a>' in hub
    everything = text(out, "normative")
    for doc_no in ("示政规〔2020〕2号", "示政规〔2024〕5号", "示政规〔2019〕1号", "示政规〔2022〕3号"):
        assert doc_no in everything
    assert "登记号 SLFS-2020-0002" in everything and "示政发〔2024〕1号" not in everything  # not normative
    assert "清理日期 2024年4月30日" in everything
    valid = text(out, "normative/valid")
    # 现行有效: in force and amended, not repealed (by the 清理结果) nor expired (2024-05-31 < today)
    assert "示政规〔2024〕5号" in valid and "示政规〔2020〕2号" in valid and "已修改" in valid
    assert "示政规〔2019〕1号" not in valid and "示政规〔2022〕3号" not in valid
    assert "示政规〔2019〕1号" in text(out, "normative/repealed")
    assert "示政规〔2022〕3号" in text(out, "normative/expired")
    assert "示政规〔2022〕3号" not in text(out, "normative/repealed")
    year = text(out, "normative/year/2020")
    assert "示政规〔2020〕2号" in year and "示政规〔2024〕5号" not in year
    issuer = next((out / "normative/issuer").iterdir()).name
    assert "示政规〔2019〕1号" in text(out, f"normative/issuer/{issuer}")
    page = (out / "normative/valid/index.html").read_text(encoding="utf-8")
    assert '<a href="/normative/valid/" aria-current="page">现行有效</a>' in page


def test_amended_document_shows_its_amending_document(library):
    out = build(library)
    amended = text(out, "policies/parking")
    assert "本文件已修改" in amended and "2024年4月10日由 关于修改示例市停车管理办法的决定" in amended
    assert "有效性 已修改" in amended and "修改文件 关于修改示例市停车管理办法的决定" in amended
    assert "登记号 SLFS-2020-0002" in amended
    amending = text(out, "policies/amend")
    assert "所修改的文件 示例市parking管理办法" in amending
    assert "未公开征求意见原因 依据上位法作文字修改" in amending


def test_cleanup_repeals_and_lists_what_it_kept_amended_and_repealed(library):
    out = build(library)
    road = text(out, "policies/road")
    assert "本文件已废止" in road and "废止文件 关于公布行政规范性文件清理结果的通知" in road
    cleanup = text(out, "cleanups/2024")
    assert "清理日期 2024年4月30日" in cleanup
    assert "继续有效（1 件） 关于修改示例市停车管理办法的决定" in cleanup
    assert "需修改（1 件） 示例市parking管理办法" in cleanup and "废止（1 件） 示例市道路占用暂行办法" in cleanup
    assert "规范性文件清理结果" in (out / "fdzdgknr/index.html").read_text(encoding="utf-8")


def test_cleanup_declares_a_document_expired(library):
    write(
        library,
        "content/cleanups/2024.md",
        "---\ntitle: 清理结果\nissuer: 示例市人民政府\npublished: 2024-05-10\ncleaned: 2024-04-30\n"
        "expired: [示政规〔2019〕1号]\n---\n清理结果。\n",
    )
    out = build(library)
    assert "有效性 失效" in text(out, "policies/road") and "宣布失效 清理结果" in text(out, "policies/road")
    assert "示政规〔2019〕1号" in text(out, "normative/expired")


def test_registration_numbers_are_unique_and_for_normative_documents(library):
    policy(library, "copy", "示政规〔2024〕6号", "2024-05-01", "normative: true\nregistration_no: SLFS-2020-0002\n")
    policy(library, "plain", "示政发〔2024〕7号", "2024-05-01", "registration_no: SLFS-2024-0007\n")
    report = pipeline.check(library, build_date(TODAY))
    found = [(p.path, p.code) for p in report.problems if p.code != "Y703"]
    # the second file (in id order) to use a number is reported, naming the first
    assert sorted(found) == [("content/policies/parking.md", "F161"), ("content/policies/plain.md", "F160")]
    assert "content/policies/copy.md" in next(p.zh for p in report.problems if p.code == "F161")


def test_normative_documents_name_their_consultation_from_the_site_yaml_date(site):
    write(site, "site.yaml", HEAD + "normative_consultation_since: 2024-03-01\n")
    policy(site, "old", "示政规〔2024〕1号", "2024-02-29", "normative: true\n")  # before the date: not required
    policy(site, "new", "示政规〔2024〕2号", "2024-03-01", "normative: true\n")
    assert problems(site) == [("content/policies/new.md", "P430", "error")]
    write(site, "site.yaml", HEAD)  # without the setting nothing is required (older sites stay valid)
    assert problems(site) == []
    write(site, "site.yaml", HEAD + "normative_consultation_since: 2024-03-01\n")
    consultation(site, "draft", "2024-01-02", "2024-02-01")
    policy(site, "new", "示政规〔2024〕2号", "2024-03-01", "normative: true\nconsultation: consultations/draft\n")
    assert problems(site) == []
    out = build(site)
    assert "征求意见 关于draft征求意见稿公开征求意见的公告 2024年1月2日至2024年2月1日" in text(out, "policies/new")


def test_consultation_must_be_a_public_consultation(site):
    write(site, "site.yaml", HEAD)
    policy(site, "a", "示政规〔2024〕2号", "2024-03-01", "normative: true\nconsultation: policies/rules\n")
    assert codes(site) == ["R720"]
    consultation(site, "hidden", "2024-01-02", "2024-02-01", "draft: true\n")
    policy(site, "a", "示政规〔2024〕2号", "2024-03-01", "normative: true\nconsultation: consultations/hidden\n")
    assert codes(site) == ["R704"]  # the table's reference fields: one rule for every kind


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        ("2024-08-31", []),  # 91 days after 2024-06-01
        ("2024-08-30", ["T640"]),  # 90 days
        ("2024-07-02", ["T640"]),  # 31 days
        ("2024-07-01", ["T641"]),  # 30 days
        ("2024-06-01", ["T641"]),  # its last day
        ("2024-05-31", []),  # expired yesterday: 失效, no warning
    ],
)
def test_expiry_is_warned_90_and_30_days_before(site, expires, expected):
    write(site, "site.yaml", HEAD)
    policy(site, "soon", "示政规〔2023〕1号", "2023-01-02", f"normative: true\nexpires: {expires}\n")
    assert problems(site) == [("content/policies/soon.md", code, "warning") for code in expected]
    if expected:
        report = pipeline.check(site, build_date(TODAY))
        assert (
            f"有效期至 {expires}" in report.problems[0].zh and "content/policies/soon.md" in report.problems[0].format()
        )


def test_a_repealed_document_is_not_warned_about_its_expiry(site):
    write(site, "site.yaml", HEAD)
    policy(site, "soon", "示政规〔2023〕1号", "2023-01-02", "normative: true\nexpires: 2024-07-01\nstatus: 废止\n")
    assert problems(site) == []


# ---- 重大行政决策 and 征求意见 ----------------------------------------------------------------


def plan(site: Path, name: str, extra: str, published: str = "2024-01-15") -> None:
    write(
        site,
        f"content/decisions/{name}.md",
        f"---\ntitle: 编制{name}专项规划\nissuer: 示例市人民政府\npublished: {published}\nmajor: true\n{extra}---\n正文。\n",
    )


def test_the_years_catalogue_links_every_step_to_the_result(site):
    write(site, "site.yaml", HEAD)
    consultation(site, "park", "2024-02-01", "2024-03-02", "feedback: pages/park-feedback\n")
    write(
        site,
        "content/pages/park-feedback.md",
        "---\ntitle: 公园规划征求意见采纳情况\nissuer: 示例市人民政府\npublished: 2024-03-20\n---\n采纳。\n",
    )
    write(
        site,
        "content/decisions/meeting.md",
        "---\ntitle: 市政府第3次常务会议决定事项\nissuer: 示例市人民政府\npublished: 2024-04-12\n"
        "meeting: 市政府第3次常务会议\nmeeting_date: 2024-04-10\n---\n审议通过公园规划。\n",
    )
    plan(
        site,
        "park",
        "handler: 市自然资源和规划局\nplanned: 2024年第二季度\nstatus: 已决策\nconsultation: consultations/park\n"
        "hearing: 2024-03-08\nfinal_decision: decisions/meeting\n",
    )
    consultation(site, "water", "2024-05-20", "2024-06-19")
    plan(
        site, "water", "handler: 市水利局\nplanned: 2024年9月\nstatus: 征求意见中\nconsultation: consultations/water\n"
    )
    plan(site, "bridge", "handler: 市交通运输局\nplanned: 2024年8月\nstatus: 调整\nadjust_reason: 并入下一年度计划\n")
    assert problems(site) == []
    out = build(site)
    catalogue = text(out, "decisions/major/2024")
    assert "2024年重大行政决策事项目录" in catalogue
    assert "承办单位 市自然资源和规划局 · 计划 2024年第二季度 · 已决策" in catalogue
    assert "征求意见： 关于park征求意见稿公开征求意见的公告 （已结束）" in catalogue
    assert "听证会：2024年3月8日" in catalogue
    assert "意见采纳情况： 公园规划征求意见采纳情况" in catalogue
    assert "决策结果： 市政府第3次常务会议决定事项" in catalogue
    assert "征求意见中 征求意见： 关于water征求意见稿公开征求意见的公告 （正在征求意见（剩余 18 天））" in catalogue
    assert "调整 （并入下一年度计划）" in catalogue
    assert "征求意见中 1 项 · 已决策 1 项 · 调整 1 项" in catalogue  # the meeting's own decision is not major
    assert "2024年" in text(out, "decisions/major")
    entry = text(out, "decisions/park")
    assert "承办单位 市自然资源和规划局 计划决策时间 2024年第二季度 决策状态 已决策" in entry
    assert "意见采纳情况 公园规划征求意见采纳情况 听证会 2024年3月8日 决策结果 市政府第3次常务会议决定事项" in entry
    listing = text(out, "decisions")
    assert "征求意见中" in listing and "调整" in listing


def test_catalogue_entries_need_their_handler_time_and_reasons(site):
    write(site, "site.yaml", HEAD)
    plan(site, "a", "status: 征求意见中\n")
    assert sorted(codes(site)) == ["M001", "M002", "M004"]
    plan(site, "a", "handler: 市发展改革委\nplanned: 2024年6月\nstatus: 调整\n")
    assert codes(site) == ["M003"]
    plan(site, "a", "handler: 市发展改革委\nplanned: 2024年5月\nstatus: 已决策\nmeeting_date: 2024-05-20\n")
    assert problems(site) == [("content/decisions/a.md", "M006", "warning")]
    plan(
        site,
        "a",
        "handler: 市发展改革委\nplanned: 2024年5月\nmeeting_date: 2024-01-10\nno_consultation_reason: 依法保密\n",
    )
    assert problems(site) == [("content/decisions/a.md", "M007", "warning")]  # listed after it was decided


@pytest.mark.parametrize(
    ("opens", "closes", "extra", "expected"),
    [
        ("2024-03-01", "2024-03-31", "", []),  # 30 days: the first day does not count (民法典 第二百零一条)
        ("2024-03-01", "2024-03-30", "", ["M011"]),  # 29 days
        ("2024-02-01", "2024-03-02", "", []),  # 30 days across 29 February 2024
        ("2024-02-01", "2024-03-01", "", ["M011"]),  # 29 days in a leap year
        ("2024-03-01", "2024-03-15", "short_reason: 防汛应急，情况紧急\n", []),
    ],
)
def test_consultation_period_is_at_least_30_days(site, opens, closes, extra, expected):
    write(site, "site.yaml", HEAD)
    consultation(site, "c", opens, closes, extra)
    assert codes(site) == expected


def test_consultation_minimum_comes_from_site_yaml_within_bounds(site):
    consultation(site, "c", "2024-03-01", "2024-03-21")  # 20 days
    write(site, "site.yaml", HEAD)
    assert codes(site) == ["M011"]
    write(site, "site.yaml", HEAD + "consultation_min_days: 20\n")
    assert codes(site) == []
    write(site, "site.yaml", HEAD + "consultation_min_days: 3\n")
    assert codes(site) == ["C104"]


def test_consultation_gives_its_period_and_shows_a_short_reason(site):
    write(site, "site.yaml", HEAD)
    write(
        site,
        "content/consultations/c.md",
        "---\ntitle: 征求意见\nissuer: 示例市司法局\npublished: 2024-03-01\nopens: 2024-03-01\n---\n正文。\n",
    )
    assert codes(site) == ["M010"]
    consultation(site, "c", "2024-05-20", "2024-06-03", "short_reason: 防汛应急，情况紧急\n")
    out = build(site)
    assert "期限缩短原因 防汛应急，情况紧急（征求意见 14 天）" in text(out, "consultations/c")


# ---- 建议提案 --------------------------------------------------------------------------------


def reply(site: Path, name: str, handler: str, extra: str, published: str = "2024-05-20") -> None:
    write(
        site,
        f"content/suggestions/{name}.md",
        f"---\ntitle: 对第{name}号建议的答复\nissuer: 示例市{handler}\npublished: {published}\nproposal_no: 第{name}号\n"
        f"body_type: npc\nhandler: {handler}\n{extra}---\n答复。\n",
    )


def test_three_months_from_assignment_end_on_the_months_last_day():
    assert add_months(date(2024, 1, 31), 3) == date(2024, 4, 30)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)  # leap year
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 15), 3) == date(2024, 6, 15)


def test_replies_are_on_time_or_late_and_counted_per_handler(site):
    write(site, "site.yaml", HEAD)
    reply(site, "1", "教育局", "assigned: 2024-01-31\nreplied: 2024-04-30\n")  # due 2024-04-30: 按期
    reply(site, "2", "教育局", "assigned: 2024-01-31\nreplied: 2024-05-01\n")  # a day late: 逾期
    reply(site, "3", "交通运输局", "assigned: 2024-02-20\nreplied: 2024-05-10\n")  # due 2024-05-20: 按期
    reply(site, "4", "交通运输局", "assigned: 2024-01-10\ndue: 2024-03-10\nreplied: 2024-03-11\n")  # own due date
    reply(site, "5", "交通运输局", "assigned: 2024-01-05\n", published="2024-04-01")  # due 04-05, no reply
    assert problems(site) == []
    out = build(site)
    first = text(out, "suggestions/1")
    assert "交办日期 2024年1月31日 办理期限 2024年4月30日 答复日期 2024年4月30日 办理状态 按期" in first
    assert "办理期限 2024年4月30日 答复日期 2024年5月1日 办理状态 逾期" in text(out, "suggestions/2")
    assert "办理期限 2024年3月10日 答复日期 2024年3月11日 办理状态 逾期" in text(out, "suggestions/4")
    assert "办理状态 逾期未答复" in text(out, "suggestions/5")
    listing = (out / "suggestions/index.html").read_text(encoding="utf-8")
    assert '<span class="status status-late">逾期</span>' in listing and "按期" in listing
    compliance = text(out, "compliance/2024")
    assert "建议提案办理时限 办理期限为交办之日起三个月" in compliance
    assert "本年答复人大代表建议和政协提案 4 件：按期 2 件，逾期 2 件，按期办复率 50.0%" in compliance
    assert "交通运输局 2 1 1 50.0% 1" in compliance and "教育局 2 1 1 50.0% 0" in compliance


def test_the_due_days_come_from_site_yaml(site):
    write(site, "site.yaml", HEAD + "suggestion_due_days: 60\n")
    reply(site, "1", "教育局", "assigned: 2024-01-31\nreplied: 2024-04-01\n")  # due 2024-03-31: 逾期
    out = build(site)
    assert "办理期限 2024年3月31日 答复日期 2024年4月1日 办理状态 逾期" in text(out, "suggestions/1")
    assert "办理期限为交办之日起 60 天" in text(out, "compliance/2024")


def test_annual_report_counts_what_a_cleanup_repealed_or_declared_expired(library):
    """Section 二: the 清理结果 of 2024-05-10 repealed one document and, here, declared another expired."""
    write(
        library,
        "content/cleanups/2024.md",
        "---\ntitle: 清理结果\nissuer: 示例市人民政府\npublished: 2024-05-10\ncleaned: 2024-04-30\n"
        "repealed: [示政规〔2019〕1号]\nexpired: [示政规〔2020〕2号]\n---\n清理结果。\n",
    )
    result = run("report", "2024", "--site", str(library), "--today", "2025-02-01")
    row = next(line for line in result.output.splitlines() if "行政规范性文件" in line).split()
    # made in 2024: the amending decision; repealed: the road rules; in force at year end: only the amending decision
    # (the parking rules declared expired, the trial rules past their 2024-05-31 expiry)
    assert row[1:] == ["1", "1", "1"], result.output


def test_a_hearing_written_as_words_may_not_spell_out_a_hidden_title(site):
    write(
        site,
        "content/decisions/hidden.md",
        "---\ntitle: 鲸落计划甲号规范\nissuer: 示例市人民政府\npublished: 2024-03-01\ndisclosure: withheld\n"
        "basis: process-info\nreview: {by: 办公室, date: 2024-03-01}\n---\n草案。\n",
    )
    write(
        site,
        "content/decisions/public.md",
        "---\ntitle: 某决策\nissuer: 示例市人民政府\npublished: 2024-03-01\nhearing: 关于鲸落计划甲号规范的听证会\n---\n正文。\n",
    )
    assert "R725" in codes(site)


def test_a_missing_lifecycle_reference_is_reported_once(site):
    """consultation, amends, final_decision and a 清理结果's lists have rules of their own
    (R720–R724); the table's general reference check (F142) does not report them again."""
    write(
        site,
        "content/decisions/d.md",
        "---\ntitle: 决定\nissuer: 示例市人民政府\npublished: 2024-03-01\nmajor: true\n"
        "final_decision: decisions/nope\nconsultation: consultations/nope\n---\n正文。\n",
    )
    write(
        site,
        "content/cleanups/c.md",
        "---\ntitle: 清理结果\nissuer: 示例市人民政府\npublished: 2024-03-01\ncleaned: 2024-02-01\n"
        "repealed: [示政发〔1999〕1号]\n---\n正文。\n",
    )
    found = codes(site)
    assert "F142" not in found
    assert sorted(c for c in found if c.startswith("R7")) == ["R720", "R722", "R724"]
