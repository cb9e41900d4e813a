"""Editors cannot publish by accident: scaffold placeholders, Chinese basis names, 图解 without a picture."""

from __future__ import annotations

import re

import pytest

from disclose import pipeline
from disclose.cli import build_date

from .conftest import TODAY, run, write

NEW_POLICY = (
    "new",
    "policy",
    "--title",
    "关于加强某工作的通知",
    "--issuer",
    "示例市人民政府",
    "--published",
    "2024-05-01",
    "--doc-no",
    "示政发〔2024〕3号",
)

# The contract's basis table (content-model.md, "basis codes"): each code's Chinese name,
# as editors will type it from the contract, and the bare noun they often write instead.
CONTRACT_NAMES = {
    "state-secret": ["属于国家秘密", "国家秘密"],
    "prohibited-by-law": ["法律行政法规禁止公开"],
    "security-stability": ['危及"三安全一稳定"', "危及“三安全一稳定”"],
    "commercial-secret": ["涉及商业秘密"],
    "personal-privacy": ["涉及个人隐私"],
    "third-party-rights": ["保护第三方合法权益"],
    "internal-affairs": ["属于内部事务信息", "属于三类内部事务信息", "内部事务信息"],
    "process-info": ["属于过程性信息", "属于四类过程性信息", "过程性信息"],
    "enforcement-file": ["属于行政执法案卷", "行政执法案卷"],
    "administrative-query": ["属于行政查询事项"],
    "on-request-only": ["依申请公开"],
}


def _scaffold_pair(site):
    assert run(*NEW_POLICY, "--site", str(site)).exit_code == 0
    made = run("new", "interpretation", "--site", str(site), "--for", "示政发〔2024〕3号")
    assert made.exit_code == 0, made.output


def test_unedited_scaffold_is_refused_by_build(site, tmp_path):
    _scaffold_pair(site)
    out = tmp_path / "out"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert not out.exists(), "nothing is written when a placeholder is left"
    lines = [line for line in result.output.splitlines() if " F120 " in line]
    policy = site / "content/policies/2024-05-01.md"
    interp = site / "content/interpretations/2024-05-01-jd.md"
    # one clear line per placeholder, on the placeholder's own line
    for path in (policy, interp):
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8").splitlines()
        mine = [line for line in lines if line.startswith(rel + ":")]
        assert mine, (rel, result.output)
        for line in mine:
            number = int(line.split(":")[1])
            placeholder = re.search(r"“(在此[^”]*)”", line).group(1)
            assert placeholder in text[number - 1], (line, text)
    assert len([line for line in lines if "interpretations" in line]) == 3  # 背景、内容、变化
    # English too
    english = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert "F120" in english.output and "placeholder" in english.output


def test_edited_scaffold_publishes(site, tmp_path):
    _scaffold_pair(site)
    for rel in ("content/policies/2024-05-01.md", "content/interpretations/2024-05-01-jd.md"):
        path = site / rel
        text = re.sub(r"在此[^。\n]*。", "已填写的正式内容。", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.exit_code == 0, result.output


def test_placeholder_in_front_matter_and_draft(site):
    write(
        site,
        "content/decisions/d.md",
        "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\nsummary: 在此填写正文。\n---\n正文。\n",
    )
    write(
        site,
        "content/decisions/draft.md",
        "---\ntitle: 某决定草稿\nissuer: 示例市人民政府\npublished: 2024-03-01\ndraft: true\n---\n在此填写正文。\n",
    )
    problems = [p for p in pipeline.check(site, build_date(TODAY)).problems if p.code == "F120"]
    assert [(p.path, p.line) for p in problems] == [("content/decisions/d.md", 5)]
    assert "summary" in problems[0].zh


@pytest.mark.parametrize("code", sorted(CONTRACT_NAMES))
def test_basis_by_its_chinese_name(site, code):
    for n, name in enumerate(CONTRACT_NAMES[code]):
        write(
            site,
            f"content/decisions/w{n}.md",
            f"---\ntitle: 某请示{n}\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
            f"disclosure: withheld\nbasis: '{name}'\nreview: {{by: 市政府办公室, date: 2024-02-28}}\n---\n正文。\n",
        )
    report = pipeline.check(site, build_date(TODAY))
    assert report.problems == []
    typed = {item.id: item.get("basis") for item in report.catalogue.items if item.kind == "decision"}
    assert set(typed.values()) == {code}, typed


def test_unknown_basis_is_still_refused(site):
    write(
        site,
        "content/decisions/w.md",
        "---\ntitle: 某请示\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nbasis: 不想公开\nreview: {by: 市政府办公室, date: 2024-02-28}\n---\n正文。\n",
    )
    codes = {p.code for p in pipeline.check(site, build_date(TODAY)).problems}
    assert "F103" in codes


def test_d201_lists_codes_with_chinese_names(site):
    write(
        site,
        "content/decisions/w.md",
        "---\ntitle: 某请示\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nreview: {by: 市政府办公室, date: 2024-02-28}\n---\n正文。\n",
    )
    (problem,) = [p for p in pipeline.check(site, build_date(TODAY)).problems if p.code == "D201"]
    assert "process-info（属于四类过程性信息）" in problem.zh
    assert "state-secret（属于国家秘密）" in problem.zh
    for lang in ("zh", "en"):
        explained = run("rules", "D201", "--lang", lang).output
        for code in CONTRACT_NAMES:
            assert code in explained
        assert "属于四类过程性信息" in explained and "过程性信息" in explained


GRAPHIC = (
    "---\ntitle: 一图读懂《示例市人民政府工作规则》\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
    "interprets: 示政发〔2024〕1号\nform: graphic\n{extra}---\n要点。\n"
)


def test_graphic_interpretation_needs_an_image(site):
    write(site, "content/interpretations/graphic.md", GRAPHIC.format(extra=""))
    problems = [p for p in pipeline.check(site, build_date(TODAY)).problems if p.code == "P420"]
    assert [(p.path, p.line) for p in problems] == [("content/interpretations/graphic.md", 6)]
    write(site, "content/interpretations/graphic.md", GRAPHIC.format(extra="attachments: [files/rules.txt]\n"))
    write(site, "content/interpretations/files/rules.txt", "文字，不是图片")
    assert "P420" in {p.code for p in pipeline.check(site, build_date(TODAY)).problems}
    write(site, "content/interpretations/graphic.md", GRAPHIC.format(extra="attachments: [files/rules.PNG]\n"))
    write(site, "content/interpretations/files/rules.PNG", b"\x89PNG\r\n\x1a\n")
    # An image is what a 图解 needs; only the warning that images are checked by eye (A804) remains.
    assert {p.code for p in pipeline.check(site, build_date(TODAY)).problems} == {"A804"}
