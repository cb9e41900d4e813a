"""索引号: required when site.yaml says so, in the form {organization.code}/{year}-{serial},
numbered by `disclose new`, and shown in the info box, the catalogue and the JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from disclose import pipeline
from disclose.cli import build_date
from disclose.identity import IndexForm
from disclose.index_numbers import next_index_no

from .conftest import TODAY, run, write

CODE = "11330600MB0000000X"
HEAD = (
    "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
    f"organization:\n  name: 示例市人民政府办公室\n  code: {CODE}\n"
)
REQUIRED = HEAD + "index_no: {required: true}\n"


def decision(title: str, published: str = "2024-03-01", extra: str = "") -> str:
    return f"---\ntitle: {title}\nissuer: 示例市人民政府\npublished: {published}\n{extra}---\n正文。\n"


def number(site: Path, rel: str, value: str) -> None:
    """Give an existing file of the site its 索引号 (one line after `published`)."""
    path = site / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^(published: .*)$", rf"\1\nindex_no: {value}", text, count=1, flags=re.M), "utf-8")


def problems(site: Path) -> list[tuple[str, int, str]]:
    report = pipeline.check(site, build_date(TODAY))
    return [(p.path, p.line, p.code) for p in report.problems]


def test_required_index_no_is_an_error_naming_the_file(site):
    write(site, "site.yaml", REQUIRED)
    found = problems(site)
    assert ("content/policies/rules.md", 1, "N505") in found
    assert ("content/interpretations/rules-jd.md", 1, "N505") in found
    number(site, "content/policies/rules.md", f"{CODE}/2024-00001")
    number(site, "content/interpretations/rules-jd.md", f"{CODE}/2024-00002")
    assert problems(site) == []
    # a page (the 指南) and a draft are not catalogue entries: no 索引号 needed
    write(site, "content/pages/guide.md", "---\ntitle: 政府信息公开指南\ncolumn: guide\n---\n指南。\n")
    write(site, "content/decisions/d.md", decision("草稿决定", extra="draft: true\n"))
    assert problems(site) == []
    # a withheld item is still registered in the 目录: it needs one
    write(
        site,
        "content/decisions/w.md",
        decision(
            "不公开决定", extra="disclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2024-02-01}\n"
        ),
    )
    assert problems(site) == [("content/decisions/w.md", 1, "N505")]


def test_not_required_by_default(site):
    write(site, "site.yaml", HEAD)
    assert problems(site) == []


def test_form_is_code_year_serial(site):
    write(site, "site.yaml", HEAD)
    write(site, "content/decisions/ok.md", decision("甲", extra=f"index_no: {CODE}/2024-00003\n"))
    write(site, "content/decisions/code.md", decision("乙", extra="index_no: 000014349/2024-00004\n"))
    write(site, "content/decisions/year.md", decision("丙", extra=f"index_no: {CODE}/2023-00005\n"))
    write(site, "content/decisions/serial.md", decision("丁", extra=f"index_no: {CODE}/2024-第6号\n"))
    report = pipeline.check(site, build_date(TODAY))
    found = sorted((p.path, p.line, p.code) for p in report.problems)
    assert found == [
        ("content/decisions/code.md", 5, "N506"),
        ("content/decisions/serial.md", 5, "N506"),
        ("content/decisions/year.md", 5, "N506"),
    ]
    year = next(p for p in report.problems if p.path.endswith("year.md"))
    assert "2023" in year.zh and "2024" in year.zh
    code = next(p for p in report.problems if p.path.endswith("code.md"))
    assert f"{CODE}/2024-00001" in code.zh  # the message shows the right form


def test_any_form_without_an_organization_code(site):
    """A site that gives no code keeps the free form it had (only uniqueness, N503)."""
    write(site, "content/decisions/a.md", decision("甲", extra="index_no: 000014349/2024-00004\n"))
    write(site, "content/decisions/b.md", decision("乙", extra="index_no: 000014349/2024-00004\n"))
    assert problems(site) == [("content/decisions/b.md", 5, "N503")]


def test_site_form_and_serial_reused_with_other_padding(site):
    write(site, "site.yaml", HEAD + "index_no: {form: '{code}-{year}-{serial}'}\n")
    write(site, "content/decisions/a.md", decision("甲", extra=f"index_no: {CODE}-2024-0007\n"))
    write(site, "content/decisions/b.md", decision("乙", extra=f"index_no: {CODE}-2024-00007\n"))
    write(site, "content/decisions/c.md", decision("丙", extra=f"index_no: {CODE}/2024-00008\n"))
    assert sorted(problems(site)) == [("content/decisions/b.md", 5, "N507"), ("content/decisions/c.md", 5, "N506")]


def test_next_index_no_keeps_the_width_and_counts_per_year():
    form = IndexForm("{code}/{year}-{serial}", CODE)
    assert next_index_no(form, 2024, []) == f"{CODE}/2024-00001"
    existing = [f"{CODE}/2024-00009", f"{CODE}/2024-00010", f"{CODE}/2025-00030", "000014349/2024-00099", "x"]
    assert next_index_no(form, 2024, existing) == f"{CODE}/2024-00011"
    assert next_index_no(form, 2026, existing) == f"{CODE}/2026-00001"
    assert next_index_no(form, 2024, [f"{CODE}/2024-000041"]) == f"{CODE}/2024-000042"


def test_disclose_new_writes_the_next_free_index_no(site):
    write(site, "site.yaml", REQUIRED)
    number(site, "content/policies/rules.md", f"{CODE}/2024-00001")
    number(site, "content/interpretations/rules-jd.md", f"{CODE}/2024-00002")
    result = run(
        "new", "policy", "--site", str(site), "--title", "示例市某管理办法", "--issuer", "示例市人民政府",
        "--published", "2024-05-06", "--doc-no", "示政发〔2024〕2号", "--name", "measures",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"索引号 {CODE}/2024-00003" in result.output
    policy = site / "content/policies/measures.md"
    text = policy.read_text(encoding="utf-8")
    assert f"index_no: {CODE}/2024-00003\n" in text
    # the interpretation gets the next one; a file of another year starts that year at 00001
    result = run("new", "interpretation", "--site", str(site), "--for", "示政发〔2024〕2号")
    assert result.exit_code == 0, result.output
    assert f"index_no: {CODE}/2024-00004\n" in (site / "content/interpretations/measures-jd.md").read_text("utf-8")
    result = run(
        "new", "decision", "--site", str(site), "--title", "某决定", "--issuer", "示例市人民政府",
        "--published", "2025-01-06", "--name", "d2025",
    )  # fmt: skip
    assert f"index_no: {CODE}/2025-00001\n" in (site / "content/decisions/d2025.md").read_text("utf-8")
    # stable: it is in the file; the site is valid with them
    assert policy.read_text(encoding="utf-8") == text
    assert [p for p in problems(site) if p[2].startswith("N")] == []
    # a page gets none
    run("new", "page", "--site", str(site), "--title", "政府信息公开制度", "--name", "system")
    assert "index_no" not in (site / "content/pages/system.md").read_text("utf-8")


def test_disclose_new_without_a_code_writes_none(site):
    result = run(
        "new", "decision", "--site", str(site), "--title", "某决定", "--issuer", "示例市人民政府",
        "--published", "2024-05-06", "--name", "d",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "index_no" not in (site / "content/decisions/d.md").read_text("utf-8")


def test_index_no_in_info_box_catalog_and_json_ld(site):
    write(site, "site.yaml", REQUIRED)
    number(site, "content/policies/rules.md", f"{CODE}/2024-00001")
    number(site, "content/interpretations/rules-jd.md", f"{CODE}/2024-00002")
    out = site / "public"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    page = (out / "policies/rules/index.html").read_text(encoding="utf-8")
    assert re.search(rf'<th scope="row">索引号</th><td[^>]*>{CODE}/2024-00001</td>', page)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert ld["identifier"] == f"{CODE}/2024-00001" and ld["legislationIdentifier"] == "示政发〔2024〕1号"
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    assert {i["id"]: i["index_no"] for i in catalog["items"]} == {
        "policies/rules": f"{CODE}/2024-00001",
        "interpretations/rules-jd": f"{CODE}/2024-00002",
    }
    rows = list(csv.DictReader(io.StringIO((out / "catalog.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["索引号"] for r in rows) == [f"{CODE}/2024-00001", f"{CODE}/2024-00002"]


def test_the_sample_numbers_every_item(tmp_path):
    from .conftest import copy_sample

    sample = copy_sample(tmp_path / "s")
    settings = sample / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "index_no: {required: true}\n", encoding="utf-8")
    report = pipeline.check(sample, build_date("2026-11-22"))
    assert report.errors == []
    items = [i for i in report.catalogue.items if i.kind != "page"]
    assert items and all(i.get("index_no", "").startswith(f"{CODE}/{i.published.year}-") for i in items)
