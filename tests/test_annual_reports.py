"""Annual reports as the contract's version 2 says: a report for year Y is published only when Y
has ended and reports/Y.yaml exists; from 1 January of Y+1 a missing file is a warning (Y703);
after site.yaml `report_due` (default 01-31) the report is overdue on the compliance page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from .conftest import copy_sample, run, write

DATA = "overview: 本年度全面推进政务公开。\nlicensing: 12\npenalty: 3\nenforcement: 0\nfees: 0\n"
DATA += "problems: 解读形式单一。\nother: 无。\n"


def _site(tmp_path: Path, *data_years: int, extra_yaml: str = "") -> Path:
    """The minimal site's policy (2024) plus a decision published in 2026, with data files."""
    site = tmp_path / "site"
    run_copy = Path(__file__).parent / "fixtures/minimal"
    for path in run_copy.rglob("*"):
        if path.is_file():
            write(site, path.relative_to(run_copy).as_posix(), path.read_bytes())
    if extra_yaml:
        write(site, "site.yaml", (site / "site.yaml").read_text(encoding="utf-8") + extra_yaml)
    write(
        site,
        "content/decisions/d.md",
        "---\ntitle: 市政府常务会议决定事项\nissuer: 示例市人民政府\npublished: 2026-03-02\n---\n决定事项。\n",
    )
    for year in data_years:
        write(site, f"reports/{year}.yaml", DATA)
    return site


def _build(site: Path, today: str):
    out = site / "public"
    result = run("build", "--site", str(site), "--out", str(out), "--today", today)
    assert result.exit_code == 0, result.output
    return out, result.output


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<main") : html.index("</main>")]))


def test_the_year_under_way_has_no_report_even_with_its_data_file(tmp_path):
    site = _site(tmp_path, 2024, 2025, 2026)
    out, output = _build(site, "2026-12-31")
    assert (out / "reports/2025/index.html").is_file()
    assert not (out / "reports/2026").exists()
    assert "Y703" not in output
    index = _text(out / "reports/index.html")
    assert "2026年度报告：本年度尚未结束，年度报告于 2027年1月31日 前发布" in index
    assert "2025年政府信息公开工作年度报告" in index


def test_from_1_january_a_missing_data_file_is_a_warning_and_listed_as_due(tmp_path):
    site = _site(tmp_path, 2024, 2025)
    out, output = _build(site, "2027-01-01")
    assert re.search(
        r"^reports/2026\.yaml:1: Y703 2026年度政府信息公开工作年度报告应于 2027年1月31日 前发布：请新建 reports/2026\.yaml$",
        output,
        re.M,
    )
    assert not (out / "reports/2026").exists()
    assert "2026年度报告：尚未发布，应于 2027年1月31日 前发布" in _text(out / "reports/index.html")
    page = _text(out / "compliance/2026/index.html")
    assert "2026年度报告：尚未发布，应于 2027年1月31日 前发布" in page and "逾期未发布" not in page


def test_after_the_due_date_it_is_overdue_on_the_compliance_page(tmp_path):
    site = _site(tmp_path, 2024, 2025)
    out, output = _build(site, "2027-02-01")
    assert "reports/2026.yaml:1: Y703 2026年度政府信息公开工作年度报告已逾期（应于 2027年1月31日 前发布）" in output
    page = _text(out / "compliance/2026/index.html")
    assert "2026年度报告：逾期未发布（应于 2027年1月31日 前发布）" in page
    assert "逾期未发布" in _text(out / "reports/index.html")
    en = run("check", "--site", str(site), "--today", "2027-02-01", "--lang", "en")
    assert "Y703 the 2026 annual report is overdue (due 2027-01-31): create reports/2026.yaml" in en.output


def test_report_due_in_site_yaml_moves_the_due_date(tmp_path):
    site = _site(tmp_path, 2024, 2025, extra_yaml="report_due: 03-31\n")
    out, output = _build(site, "2027-02-01")
    assert "应于 2027年3月31日 前发布" in output and "逾期" not in output
    assert "逾期未发布" not in _text(out / "compliance/2026/index.html")
    _, later = _build(site, "2027-04-01")
    assert "2026年度政府信息公开工作年度报告已逾期（应于 2027年3月31日 前发布）" in later


@pytest.mark.parametrize("value", ["04-01", "13-01", "02-30", "1-31", "0131", "'2027-01-31'"])
def test_report_due_out_of_bounds_is_a_site_yaml_error(tmp_path, value):
    site = _site(tmp_path, 2025, extra_yaml=f"report_due: {value}\n")
    result = run("check", "--site", str(site), "--today", "2027-02-01")
    assert result.exit_code == 1
    assert re.search(r"^site\.yaml:\d+: C103 report_due ", result.output, re.M), result.output


def test_a_data_file_once_the_year_has_ended_publishes_the_report(tmp_path):
    site = _site(tmp_path, 2024, 2025, 2026)
    out, output = _build(site, "2027-01-01")
    assert "Y703" not in output
    report = _text(out / "reports/2026/index.html")
    assert "2026年政府信息公开工作年度报告" in report and "本年度全面推进政务公开" in report
    assert (out / "reports/2026/report.csv").is_file()
    assert "/reports/2026/" in (out / "reports/index.html").read_text(encoding="utf-8")


def test_a_gap_in_the_reports_is_owed_too(tmp_path):
    site = _site(tmp_path, 2024, 2026)
    out, output = _build(site, "2027-01-01")
    assert "reports/2025.yaml:1: Y703 2025年度政府信息公开工作年度报告已逾期" in output
    assert not (out / "reports/2025").exists()
    assert (out / "reports/2024/index.html").is_file() and (out / "reports/2026/index.html").is_file()


def test_the_sample_publishes_only_ended_years_with_their_data(tmp_path):
    site = copy_sample(tmp_path / "sample")
    out, output = _build(site, "2026-11-22")
    assert sorted(p.name for p in (out / "reports").iterdir() if p.is_dir()) == ["2025"]
    assert "Y703" not in output
    for page in (out / "reports").rglob("*.html"):
        assert "尚未填写" not in page.read_text(encoding="utf-8"), page
    index = _text(out / "reports/index.html")
    assert "2025年政府信息公开工作年度报告" in index
    assert "2026年度报告：本年度尚未结束" in index
    for year in (2012, 2013, 2017, 2019, 2020, 2021, 2022, 2023):  # imported documents, not reports
        assert f"{year}年政府信息公开工作年度报告" not in index
        assert f"{year}年度报告" not in index


def test_schedule_starts_with_the_first_data_file_or_the_last_ended_year():
    from disclose.annual_report import ReportState, report_schedule

    today = date(2027, 2, 1)
    with_data = report_schedule([2024, 2026], [2012, 2024, 2025, 2026], today)
    assert {y: s.state for y, s in with_data.items()} == {
        2024: ReportState.PUBLISHED,
        2025: ReportState.OVERDUE,
        2026: ReportState.PUBLISHED,
        2027: ReportState.UNDERWAY,
    }
    without = report_schedule([], [2012, 2017, 2026], today)
    assert {y: s.state for y, s in without.items()} == {2026: ReportState.OVERDUE, 2027: ReportState.UNDERWAY}
    assert report_schedule([], [2027], today) == {2027: report_schedule([], [2027], today)[2027]}
    assert report_schedule([], [], today) == {}
    due = report_schedule([], [2026], date(2027, 1, 31))[2026]
    assert due.state is ReportState.DUE and due.due == date(2027, 1, 31)  # the due day itself is not late


def test_an_incomplete_data_file_warns_once_its_year_has_ended(tmp_path):
    site = _site(tmp_path, 2025)
    write(site, "reports/2026.yaml", "licensing: 3\n")
    during = run("check", "--site", str(site), "--today", "2026-12-31")
    assert "reports/2025.yaml:1: Y704 2025年度报告缺少 review_litigation" in during.output
    assert "reports/2026.yaml" not in during.output  # the editors are still writing it
    after = run("check", "--site", str(site), "--today", "2027-01-01")
    assert re.search(
        r"^reports/2026\.yaml:1: Y704 2026年度报告缺少 penalty、enforcement、fees、overview", after.output, re.M
    )
    assert after.exit_code == 0  # a warning: the report is still published, with its gaps shown
