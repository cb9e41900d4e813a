"""Site identity (organization) in every footer, contact in the 指南 and on 依申请公开 pages."""

from __future__ import annotations

from pathlib import Path

from disclose import pipeline
from disclose.cli import build_date

from .conftest import TODAY, run, write

HEAD = "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n"
ORGANIZATION = """organization:
  name: 示例市人民政府办公室
  code: 11330600MB0000000X
  site_code: "3306000001"
  icp: 浙ICP备00000000号
  police: 浙公网安备33060002000001号
"""
CONTACT = """contact:
  office: 示例市人民政府办公室政务公开科
  address: 示例市人民路1号
  hours: 工作日 8:30-12:00，14:00-17:30
  phone: 0575-12345678
  fax: 0575-12345679
  email: gk@example.gov.cn
  postcode: "312000"
"""
GUIDE = "---\ntitle: 政府信息公开指南\ncolumn: guide\n---\n本指南说明如何获取政府信息。\n"
RESPONSE = (
    "---\ntitle: 关于某事项的申请答复\nissuer: 示例市人民政府办公室\npublished: 2024-03-20\n"
    "request_no: YSQ-2024-001\nreceived: 2024-03-01\nreplied: 2024-03-15\napplicant_type: natural-person\n"
    "outcome: disclosed\n---\n## 申请内容\n\n某事项。\n"
)


def _build(site: Path) -> Path:
    out = site / "public"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    return out


def _html(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def _footer(html: str) -> str:
    return html[html.index("<footer") : html.index("</footer>")]


def test_every_page_footer_names_the_organization(site):
    write(site, "site.yaml", HEAD + ORGANIZATION)
    out = _build(site)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        footer = _footer(page.read_text(encoding="utf-8"))
        assert "主办单位：示例市人民政府办公室" in footer, page
        assert "政府网站标识码：3306000001" in footer, page
        assert "ICP备案号：" in footer and "浙ICP备00000000号</a>" in footer, page
        assert "公安机关备案号：" in footer and "浙公网安备33060002000001号</a>" in footer, page
    footer = _footer(_html(out, "index.html"))
    assert 'href="https://beian.miit.gov.cn/"' in footer
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=33060002000001"' in footer
    assert "11330600MB0000000X" not in footer  # the code is the 索引号's, not the footer's


def test_only_what_is_given_is_shown(site):
    write(site, "site.yaml", HEAD + "organization:\n  name: 示例市人民政府办公室\n")
    footer = _footer(_html(_build(site), "index.html"))
    assert "主办单位：示例市人民政府办公室" in footer
    assert "标识码" not in footer and "备案号" not in footer
    write(site, "site.yaml", HEAD)
    footer = _footer(_html(_build(site), "index.html"))
    assert "主办单位" not in footer


def test_contact_on_the_guide_and_every_on_request_page(site):
    write(site, "site.yaml", HEAD + ORGANIZATION + CONTACT)
    write(site, "content/pages/guide.md", GUIDE)
    write(site, "content/responses/ysq-2024-001.md", RESPONSE)
    out = _build(site)
    for rel in ("pages/guide/index.html", "responses/index.html", "responses/ysq-2024-001/index.html"):
        html = _html(out, rel)
        assert "政府信息公开工作机构" in html, rel
        for value in (
            "示例市人民政府办公室政务公开科",
            "示例市人民路1号",
            "工作日 8:30-12:00，14:00-17:30",
            "0575-12345678",
            "0575-12345679",
            "gk@example.gov.cn",
            "312000",
        ):
            assert value in html, (rel, value)
        assert 'href="mailto:gk@example.gov.cn"' in html
        assert 'href="tel:057512345678"' in html
        assert "<dt>邮政编码</dt><dd>312000</dd>" in html
    # not on other pages: a policy, its interpretation, the home page
    for rel in ("policies/rules/index.html", "interpretations/rules-jd/index.html", "index.html"):
        assert "政府信息公开工作机构" not in _html(out, rel), rel


def test_identifiers_keep_their_leading_zeros_unquoted(site):
    write(site, "site.yaml", HEAD + "organization:\n  site_code: 0306000001\ncontact:\n  postcode: 012000\n")
    write(site, "content/pages/guide.md", GUIDE)
    out = _build(site)
    assert "政府网站标识码：0306000001" in _footer(_html(out, "index.html"))
    assert "<dd>012000</dd>" in _html(out, "pages/guide/index.html")


def _problems(site: Path, yaml_text: str) -> list:
    write(site, "site.yaml", HEAD + yaml_text)
    report = pipeline.check(site, build_date(TODAY))
    return report.problems


def test_settings_are_checked(site):
    found = _problems(site, "contact:\n  office: 政务公开科\n  telephone: 0575-12345678\n")
    assert [(p.path, p.line, p.code) for p in found] == [("site.yaml", 6, "C120")]
    assert "phone" in found[0].zh
    found = _problems(site, "organization:\n  name: [甲, 乙]\n")
    assert [(p.line, p.code) for p in found] == [(5, "C121")]
    assert [p.code for p in _problems(site, "organization:\n  website: x\n")] == ["C120"]
    assert [p.code for p in _problems(site, "timeliness_days: 30\n")] == ["C122"]
    assert [p.code for p in _problems(site, "timeliness_days: 0\n")] == ["C122"]
    assert _problems(site, "timeliness_days: 5\n") == []
    assert [p.code for p in _problems(site, "organization:\n  code: 1133/0600\n")] == ["C123"]
    assert [p.code for p in _problems(site, "index_no: {required: true}\n")] == ["C124"]
    assert [p.code for p in _problems(site, "index_no: {required: yes please}\n")] == ["C121"]
    assert [p.code for p in _problems(site, "index_no: {form: '{code}/{year}'}\n" + ORGANIZATION)] == ["C121"]
    assert [p.code for p in _problems(site, "index_no: {requird: true}\n")] == ["C120"]
    assert [p.code for p in _problems(site, "organization: 示例市人民政府办公室\n")] == ["C103"]
    assert _problems(site, ORGANIZATION + CONTACT + "index_no: {required: false}\n") == []


def test_a_bad_setting_is_one_line_and_exit_1(site):
    write(site, "site.yaml", HEAD + "contact:\n  emial: gk@example.gov.cn\n")
    result = run("check", "--site", str(site))
    assert result.exit_code == 1
    assert "site.yaml:5: C120 contact 中未知的设置 emial，是否应为 email？" in result.output
