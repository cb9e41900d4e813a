"""Every figure on /compliance/YEAR/ comes from that year's records, and where the compliance
page and the annual report count the same requests they agree. A site spanning 2024–2026, built
on 2027-02-01, with requests carried across both year ends, consultations closing in different
years, and withheld items due for re-assessment in different years."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import FIXTURES, run, write

TODAY = "2027-02-01"
DATA = "overview: 本年度情况。\nlicensing: 1\npenalty: 0\nenforcement: 0\nfees: 0\nproblems: 无。\nother: 无。\n"


def _response(site: Path, no: str, received: str, replied: str | None, applicant: str, published: str) -> None:
    reply = f"replied: {replied}\noutcome: disclosed\n" if replied else ""
    write(
        site,
        f"content/responses/{no.lower()}.md",
        f"---\ntitle: 申请答复 {no}\nissuer: 示例市人民政府办公室\npublished: {published}\nrequest_no: {no}\n"
        f"received: {received}\n{reply}applicant_type: {applicant}\n---\n正文。\n",
    )


def _consultation(site: Path, slug: str, closes: str, feedback: bool) -> None:
    opens = closes[:5] + "01-02"
    link = f"feedback: pages/{slug}-feedback\n" if feedback else ""
    write(
        site,
        f"content/consultations/{slug}.md",
        f"---\ntitle: 征求意见 {slug}\nissuer: 示例市住房和城乡建设局\npublished: {opens}\nopens: {opens}\n"
        f"closes: {closes}\n{link}---\n征求意见。\n",
    )
    if feedback:
        write(
            site,
            f"content/pages/{slug}-feedback.md",
            f"---\ntitle: 意见采纳情况 {slug}\nissuer: 示例市住房和城乡建设局\npublished: {closes[:5]}08-01\n---\n采纳。\n",
        )


def _withheld(site: Path, slug: str, published: str, next_review: str) -> None:
    write(
        site,
        f"content/decisions/{slug}.md",
        f"---\ntitle: 内部请示 {slug}\nissuer: 示例市人民政府\npublished: {published}\ndisclosure: withheld\n"
        f"basis: process-info\nreview:\n  by: 保密审查小组\n  date: {published}\n  next: {next_review}\n---\n请示。\n",
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("years") / "site"
    for path in (FIXTURES / "minimal").rglob("*"):
        if path.is_file():
            write(site, path.relative_to(FIXTURES / "minimal").as_posix(), path.read_bytes())
    # 2024: one replied in the year, one received on 20 Dec and replied in January 2025
    _response(site, "YSQ-2024-1", "2024-03-04", "2024-03-15", "natural-person", "2024-03-15")
    _response(site, "YSQ-2024-2", "2024-12-20", "2025-01-10", "business", "2025-01-10")
    # 2025: one replied late (20 working days after 2 Jun 2025 is 30 Jun), one still open today
    _response(site, "YSQ-2025-1", "2025-06-02", "2025-08-29", "natural-person", "2025-08-29")
    _response(site, "YSQ-2025-2", "2025-12-22", None, "research", "2025-12-23")
    # 2026: one replied in days, one received on 28 Dec and replied in January 2027
    _response(site, "YSQ-2026-1", "2026-05-06", "2026-05-12", "other", "2026-05-12")
    _response(site, "YSQ-2026-2", "2026-12-28", "2027-01-05", "natural-person", "2027-01-05")
    _consultation(site, "c2024", "2024-05-31", feedback=False)
    _consultation(site, "c2025", "2025-06-30", feedback=True)
    _consultation(site, "c2026", "2026-10-30", feedback=False)
    _withheld(site, "w1", "2024-02-01", "2024-09-01")
    _withheld(site, "w2", "2024-06-01", "2025-03-01")
    _withheld(site, "w3", "2025-04-01", "2025-10-01")
    for year in (2024, 2025, 2026):
        write(site, f"reports/{year}.yaml", DATA)
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    return site / "public"


class _Tables(HTMLParser):
    """Rows of the report's 依申请 table: the last row header's text -> the seven figures."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: dict[str, list[int]] = {}
        self.label = ""
        self.cells: list[str] = []
        self.cell: list[str] | None = None
        self.kind = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.inside = "applications" in (dict(attrs).get("class") or "")
        elif self.inside and tag in ("th", "td"):
            self.cell, self.kind = [], tag

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            text = "".join(self.cell).strip()
            if self.kind == "th":
                self.label = text
            else:
                self.cells.append(text)
            self.cell = None
        elif self.inside and tag == "tr":
            if self.cells:
                self.rows[self.label] = [int(v) for v in self.cells]
            self.cells = []

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def report_rows(public: Path, year: int) -> dict[str, list[int]]:
    parser = _Tables()
    parser.feed((public / f"reports/{year}/index.html").read_text(encoding="utf-8"))
    return parser.rows


def figures(public: Path, year: int) -> dict[str, int]:
    html = (public / f"compliance/{year}/index.html").read_text(encoding="utf-8")
    return {k: int(v) for k, v in re.findall(r'data-figure="(\w+)">(\d+)<', html)}


def text(public: Path, path: str) -> str:
    html = (public / path).read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<main") : html.index("</main>")]))


EXPECTED = {
    #       received carried_in replied on_time late open overdue_open reassessment consultations_closed
    2024: dict(received=2, carried_in=0, replied=1, on_time=1, late=0, open=1, reassessment_due=1, closed=1),
    2025: dict(received=2, carried_in=1, replied=2, on_time=1, late=1, open=1, reassessment_due=2, closed=1),
    2026: dict(received=2, carried_in=1, replied=1, on_time=1, late=0, open=2, reassessment_due=0, closed=1),
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_compliance_page_agrees_with_the_report_of_its_year(built, year):
    page, rows = figures(built, year), report_rows(built, year)
    assert page["received"] == rows["一、本年新收政府信息公开申请数量"][6]
    assert page["carried_in"] == rows["二、上年结转政府信息公开申请数量"][6]
    assert page["replied"] == rows["（七）总计"][6]
    assert page["open"] == rows["四、结转下年度继续办理"][6]
    assert page["on_time"] + page["late"] == page["replied"]
    expected = EXPECTED[year]
    assert {k: page[k] for k in ("received", "carried_in", "replied", "on_time", "late", "open")} == {
        k: expected[k] for k in ("received", "carried_in", "replied", "on_time", "late", "open")
    }
    assert page["reassessment_due"] == expected["reassessment_due"]
    assert page["consultations_closed"] == expected["closed"]


def test_each_year_lists_only_its_own_consultations_without_feedback(built):
    pages = {year: text(built, f"compliance/{year}/index.html") for year in EXPECTED}
    assert "征求意见 c2024" in pages[2024] and "征求意见 c2026" not in pages[2024]
    assert "征求意见 c2024" not in pages[2025] and "征求意见 c2026" not in pages[2025]
    assert "征求意见 c2026" in pages[2026] and "征求意见 c2024" not in pages[2026]
    assert "征求意见 c2025" not in " ".join(pages.values())  # its feedback is published


def test_open_requests_overdue_at_year_end_are_counted_in_that_year(built):
    # YSQ-2025-2 (22 Dec 2025) was due in January 2026: open, not yet late, on 31 December 2025;
    # still unanswered on 31 December 2026, so late then.
    assert figures(built, 2025).get("overdue_open", 0) == 0
    assert figures(built, 2026)["overdue_open"] == 1
    page_2026 = text(built, "compliance/2026/index.html")
    assert "结转下年度继续办理 2 件，其中截至年底已超过答复期限 1 件" in page_2026
    assert "正在办理" not in page_2026  # an ended year is told as of 31 December


def test_withheld_counts_by_the_year_they_were_withheld(built):
    assert "属于四类过程性信息 条例 第十六条 2" in text(built, "compliance/2024/index.html")
    assert "属于四类过程性信息 条例 第十六条 1" in text(built, "compliance/2025/index.html")
    assert "本年没有不公开的信息" in text(built, "compliance/2026/index.html")
