"""Response deadlines on the official calendar, the annual report, and the compliance page."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest

from disclose.annual_report import OUTCOME_ROWS, outcome_row
from disclose.schema import BASIS, OUTCOMES, REASONS
from disclose.workdays import Progress, WorkCalendar, deadline

from .conftest import copy_sample, run, write

SAMPLE_TODAY = "2026-11-22"
CAL = WorkCalendar()


def test_received_just_before_national_day_2025():
    # Worked out by hand from the 2025 holiday notice: 国庆中秋 10月1日至8日放假；
    # 9月28日（周日）、10月11日（周六）上班. Counting from the day after receipt (Fri 26 Sep):
    # 28 Sep(1) 29(2) 30(3) | 9 Oct(4) 10(5) 11 Sat(6) 13(7) … 24(16) 27(17) 28(18) 29(19) 30(20)
    assert CAL.add(date(2025, 9, 26), 20) == date(2025, 10, 30)
    on_time = deadline(CAL, date(2025, 9, 26), date(2025, 10, 30), False, 0, date(2026, 1, 1))
    assert on_time.progress is Progress.ON_TIME and on_time.taken == 20
    late = deadline(CAL, date(2025, 9, 26), date(2025, 10, 31), False, 0, date(2026, 1, 1))
    assert late.progress is Progress.LATE


def test_spanning_a_tiaoxiu_saturday_2026():
    # 2026 国庆: 10月1日至7日放假，10月10日（周六）上班. From Tue 29 Sep:
    # 30 Sep(1) | 8 Oct(2) 9(3) 10 Sat(4) 12(5) … 16(9) 19(10) … 23(14) 26(15) … 30(19) 2 Nov(20)
    assert CAL.add(date(2026, 9, 29), 20) == date(2026, 11, 2)
    # the 调休 Saturday counts as a working day
    assert CAL.between(date(2026, 10, 9), date(2026, 10, 10)) == 1
    assert CAL.between(date(2026, 10, 9), date(2026, 10, 12)) == 2


def test_spring_festival_with_two_working_saturdays_2026():
    # 春节 2月15日至23日放假；2月14日（周六）、2月28日（周六）上班. From Wed 11 Feb:
    # 12(1) 13(2) 14 Sat(3) | 24(4) 25(5) 26(6) 27(7) 28 Sat(8) | 2 Mar(9) … 13(18) 16(19) 17(20)
    assert CAL.add(date(2026, 2, 11), 20) == date(2026, 3, 17)


def test_extension_and_pauses_lengthen_the_limit():
    base = CAL.add(date(2025, 10, 13), 20)
    assert CAL.add(date(2025, 10, 13), 25) == deadline(CAL, date(2025, 10, 13), None, False, 5, date(2025, 10, 14)).due
    assert deadline(CAL, date(2025, 10, 13), None, True, 0, date(2025, 10, 14)).due == CAL.add(date(2025, 10, 13), 40)
    assert base < CAL.add(date(2025, 10, 13), 25)


def test_open_request_becomes_late_after_its_due_date():
    due = CAL.add(date(2026, 11, 9), 20)
    assert deadline(CAL, date(2026, 11, 9), None, False, 0, due).progress is Progress.OPEN
    assert deadline(CAL, date(2026, 11, 9), None, False, 0, date(2026, 12, 31)).progress is Progress.LATE


def test_site_yaml_overrides_the_calendar():
    cal = WorkCalendar.of(holidays=[date(2026, 11, 10)])
    assert cal.add(date(2026, 11, 9), 1) == date(2026, 11, 11)


def test_uncovered_year_warns_and_counts_weekdays(site):
    write(
        site,
        "content/responses/r.md",
        "---\ntitle: 答复\nissuer: 办公室\npublished: 2024-03-01\n"
        "request_no: YSQ-1\nreceived: 2099-02-02\napplicant_type: other\n---\n",
    )
    result = run("check", "--site", str(site), "--today", "2024-06-01")
    assert result.exit_code == 0 and "Q106" in result.output and "2099" in result.output
    assert WorkCalendar().add(date(2099, 1, 2), 5) == date(2099, 1, 9)  # Fri 2 Jan: Mon–Fri only


def test_every_code_maps_to_exactly_one_row():
    seen = []
    for outcome in OUTCOMES:
        if outcome in ("withheld", "partly-disclosed"):
            codes = [b for b in BASIS if b != "on-request-only"]
        elif outcome in REASONS:
            codes = list(REASONS[outcome])
        else:
            codes = [None]
        for code in codes:
            row = outcome_row(outcome, code)
            assert row is not None, (outcome, code)
            assert OUTCOME_ROWS[row][2] == outcome
            seen.append(row)
    assert set(seen) == set(range(len(OUTCOME_ROWS)))  # every row is reachable
    # and no code fits two rows: each (outcome, code) lands in one place only
    for (o1, _, _, c1), (o2, _, _, c2) in itertools.combinations(OUTCOME_ROWS, 2):
        assert (o1, c1) != (o2, c2)


def report_rows(sample, year):
    result = run("report", str(year), "--site", str(sample), "--today", SAMPLE_TODAY)
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.output.splitlines():
        m = re.match(r"^\s+((?:\d+\s+){6}\d+)\s+(\S.*)$", line)
        if m:
            rows[m.group(2)] = [int(v) for v in m.group(1).split()]
    return rows, result.output


def test_annual_report_2025(sample):
    rows, text = report_rows(sample, 2025)
    #          自然人 商业 科研 公益 法律 其他 总计
    assert rows["一、本年新收政府信息公开申请数量"] == [10, 4, 3, 2, 2, 2, 23]
    assert rows["二、上年结转政府信息公开申请数量"] == [0] * 7
    assert rows["四、结转下年度继续办理"] == [1, 1, 1, 0, 0, 0, 3]
    assert rows["三、（七）总计"] == [9, 3, 2, 2, 2, 2, 20]
    for n, label in enumerate(
        [
            "属于国家秘密",
            "其他法律行政法规禁止公开",
            "危及“三安全一稳定”",
            "保护第三方合法权益",
            "属于三类内部事务信息",
            "属于四类过程性信息",
            "属于行政执法案卷",
            "属于行政查询事项",
        ],
        1,
    ):
        assert sum(rows[f"三、（三）不予公开 {n}.{label}"][:6]) == 1
    assert rows["三、（三）不予公开 4.保护第三方合法权益"] == [0, 1, 0, 0, 0, 0, 1]  # a commercial secret
    assert rows["三、（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] == [2, 0, 0, 0, 0, 0, 2]
    assert re.search(r"行政许可\s+1286$", text, re.M)


def test_annual_report_2026(sample):
    rows, _ = report_rows(sample, 2026)
    assert rows["一、本年新收政府信息公开申请数量"] == [6, 1, 1, 2, 2, 0, 12]
    assert rows["二、上年结转政府信息公开申请数量"] == [1, 1, 1, 0, 0, 0, 3]
    assert rows["三、（一）予以公开"] == [3, 0, 1, 1, 2, 0, 7]
    assert rows["三、（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"] == [
        0,
        1,
        0,
        0,
        0,
        0,
        1,
    ]
    assert rows["三、（七）总计"] == [6, 2, 2, 2, 2, 0, 14]
    assert rows["四、结转下年度继续办理"] == [1, 0, 0, 0, 0, 0, 1]
    for col in range(7):  # 一 + 二 = 三（七）总计 + 四
        assert (
            rows["一、本年新收政府信息公开申请数量"][col] + rows["二、上年结转政府信息公开申请数量"][col]
            == rows["三、（七）总计"][col] + rows["四、结转下年度继续办理"][col]
        )


def test_data_file_that_does_not_add_up_is_refused(sample):
    path = sample / "reports/2026.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("pending: 1, total: 3", "pending: 1, total: 4"), encoding="utf-8"
    )
    result = run("check", "--site", str(sample), "--today", SAMPLE_TODAY)
    assert result.exit_code == 1
    assert re.search(r"^reports/2026\.yaml:\d+: Y702 review 的总计 4 ≠ 四项之和$", result.output, re.M)


@pytest.fixture(scope="module")
def built(tmp_path_factory):

    site = tmp_path_factory.mktemp("records")
    copy_sample(site)
    assert run("build", "--site", str(site), "--today", SAMPLE_TODAY).exit_code == 0
    return site / "public"


def _text(path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<main") :]))


def test_auditor_sees_late_replies_and_withheld_counts_without_titles(built):
    page = _text(built / "compliance/2026/index.html")
    assert "本年办结 14 件：按期答复 13 件，逾期答复 1 件。截至 2026年11月22日，正在办理 1 件" in page
    assert "尚未公布意见采纳情况" in page and "城市停车管理办法" in page
    assert "尚未重新评估的不公开信息（条例 第十八条）： 1 件" in page  # review.next 2026-07-09
    page_2025 = _text(built / "compliance/2025/index.html")
    assert "属于四类过程性信息 条例 第十六条 1" in page_2025
    assert "尚未重新评估的不公开信息（条例 第十八条）： 0 件" in page_2025
    assert "结转下年度继续办理 3 件" in page_2025 and "城市停车管理办法" not in page_2025
    for path in built.rglob("*.html"):
        assert "市政府第13次常务会议研究事项" not in path.read_text(encoding="utf-8"), path


def test_report_page_has_the_official_table_structure(built):
    html = (built / "reports/2025/index.html").read_text(encoding="utf-8")
    assert '<th scope="row" rowspan="22">三、本年度办理结果</th>' in html
    assert '<th scope="row" rowspan="8">（三）不予公开</th>' in html
    assert '<th colspan="7" scope="colgroup">申请人情况</th>' in html
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert f"<h2>{heading}</h2>" in html
    csv_text = (built / "reports/2025/report.csv").read_bytes().decode("utf-8-sig")
    assert ",三、（七）总计,9,3,2,2,2,2,20" in csv_text


def test_response_page_shows_deadline_and_status(built):
    page = _text(built / "responses/ysq-2026-009/index.html")
    assert "收到申请日期 2026年7月6日" in page and "答复日期 2026年8月25日" in page
    assert "答复期限 2026年8月3日" in page and "办理状态 逾期" in page
    listing = _text(built / "responses/index.html")
    assert "办理中" in listing and "逾期" in listing


def test_other_records(built):
    major = _text(built / "decisions/major/index.html")
    assert "2026年" in major and "市政府第20次常务会议决定事项" in major
    assert "市政府第12次常务会议决定事项" not in major
    assert "市教育局" in _text(built / "suggestions/by-handler/index.html")
    library = _text(built / "consultations/2026-library/index.html")
    assert "正在征求意见（剩余 24 天）" in library
    old = _text(built / "consultations/2026-old-community/index.html")
    assert "已结束" in old and "意见采纳情况" in old
