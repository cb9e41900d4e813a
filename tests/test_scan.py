"""One scan for 密级 marks and personal information: every disguise is found, normal prose and
office numbers are not, and every public text (fields, body, targets, file names, report prose,
git change notes) is scanned."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from disclose import history, pipeline
from disclose.cli import build_date
from disclose.scan import personal, secrets

from .conftest import TODAY, run, write

MARKS = {
    "plain": "机密★1年",
    "bold": "**机密**★1年",
    "bold-star": "机密**★**1年",
    "entities": "&#26426;&#23494;★1年",
    "hex-entities": "&#x673A;&#x5BC6;&#9733;1年",
    "asterisk": "机密*1年",
    "white-star": "秘密☆5年",
    "full-width-asterisk": "绝密＊长期",
    "spaces": "机 密 ★ 1 年",
    "ideographic-spaces": "机　密　★　１　年",
    "traditional": "機密★1年",
    "variant-mi": "祕密★",
    "traditional-jue": "絕密★長期",
    "zero-width": "机\u200b密★",
    "tag": "<b>机密</b>★1年",
    "link-text": "[机密](x.md)★1年",
    "escaped": "机密\\*1年",
    "marker-line": "机密",
    "bracketed-marker": "【秘密】",
    "classification-in-text": "密级：机密",
    "traditional-classification": "密級：秘密",
    "percent-target": "[附件](files/%E6%9C%BA%E5%AF%86%E2%98%851%E5%B9%B4.pdf)",
}
PROSE = [
    "涉及商业秘密的，不予公开。",
    "依据《中华人民共和国保守国家秘密法》第三十一条。",
    "**商业秘密**的认定",
    "秘密地进行评估",
    "保障数据的机密性、完整性",
    "basis: commercial-secret（商业秘密）",
    "第五条 国家秘密的密级分为绝密、机密、秘密三级。",
]
NUMBERS = {
    "mobile": ("13800138000", "138****8000"),
    "spaced": ("138 0013 8000", "138****8000"),
    "dashed": ("138-0013-8000", "138****8000"),
    "full-width": ("１３８００１３８０００", "138****8000"),
    "plus86": ("+86 138 0013 8000", "138****8000"),
    "0086": ("0086-13800138000", "138****8000"),
    "markup": ("138**0013**8000", "138****8000"),
    "letters": ("tel13800138000ext", "138****8000"),
    "math-digits": ("𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎", "138****8000"),
    "entity": ("&#49;3800138000", "138****8000"),
    "id": ("11010519491231002X", "11*************02X"),
    "id-grouped": ("110105 19491231 002X", "11*************02X"),
    "id-full-width": ("１１０１０５１９４９１２３１００２Ｘ", "11*************02X"),
    "id-letters": ("ID11010519491231002Xabc", "11*************02X"),
    "id-markup": ("110105**19491231**002X", "11*************02X"),
}
NOT_NUMBERS = [
    "0575-12345678",
    "电话 0575-85123456，传真 (0575)85123457",
    "示政发〔2024〕13号",
    "2024-03-01 至 2026-02-28",
    "138****8000",
    "110105********002X",
    "11330600002541385X/2024-00013",
    "2013年8月1日13时",
    "6222 0212 3456 7890 123",
    "110105194912310021",  # wrong check digit
    "统一社会信用代码 91330600MA2BXXXX1Y",
]


@pytest.mark.parametrize("text", MARKS.values(), ids=MARKS.keys())
def test_every_disguise_of_a_mark_is_found(text):
    assert secrets(text), text
    assert secrets(f"正文第一行\n\n{text}\n")[0].line == 2


@pytest.mark.parametrize("text", PROSE)
def test_prose_about_secrets_is_not_a_mark(text):
    assert secrets(text) == []


@pytest.mark.parametrize(("text", "shown"), NUMBERS.values(), ids=NUMBERS.keys())
def test_every_disguise_of_a_number_is_found(text, shown):
    assert [hit.shown for hit in personal(f"联系方式：{text}。")] == [shown]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_office_numbers_dates_and_document_numbers_are_not_personal(text):
    assert personal(text) == []


POLICY = "---\ntitle: 示例政策\nissuer: 示例市人民政府\npublished: 2024-03-01\ndoc_no: 示政发〔2024〕2号\n{extra}---\n{body}\n"


def _problems(site: Path, extra: str = "", body: str = "正文。", rel: str = "content/policies/p.md"):
    write(site, rel, POLICY.format(extra=extra, body=body))
    return [(p.code, p.line) for p in pipeline.check(site, build_date(TODAY)).problems if p.code[0] in "SI"]


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ("summary: 'x &#26426;&#23494;★1年'\n", 6),
        ("keywords: [一般, '**機密**☆1年']\n", 6),
        ("review: {by: '秘密*5年', date: 2024-02-01}\n", 6),
        ("topics:\n  - 综合\n  - 绝 密 ★\n", 8),
    ],
    ids=["summary-entities", "list", "nested-map", "block-list"],
)
def test_marks_in_any_front_matter_field(site, extra, line):
    assert ("S302", line) in _problems(site, extra)


def test_mark_in_body_link_target_and_file_name(site):
    assert _problems(site, body="第一段。\n\n见[附件](files/机密★1年.pdf)。") == [("S302", 9)]
    (site / "content/policies/p.md").unlink()
    assert ("S302", 1) in _problems(site, rel="content/policies/秘密★5年.md")


@pytest.mark.parametrize("key", ["密级", "密級", "密 级", "classification"])
@pytest.mark.parametrize("value", ["秘密", "機密", "絕 密", "机密★1年"])
def test_chinese_classification_key_is_refused_as_a_state_secret(site, key, value):
    write(site, "content/policies/p.md", POLICY.format(extra=f"{key}: {value}\n", body="正文。"))
    report = pipeline.check(site, build_date(TODAY))
    hits = [p for p in report.problems if p.code == "S301"]
    assert len(hits) == 1 and hits[0].line == 6 and "请从仓库（含历史）删除" in hits[0].zh


def test_classification_wording_passes_commercial_secret_prose(site):
    assert _problems(site, "summary: 涉及商业秘密的内容已删除\n", "依据保守国家秘密法第三十一条。") == []


@pytest.mark.parametrize(
    ("extra", "body", "expected"),
    [
        ("summary: 联系人 138-0013-8000\n", "正文。", [("I902", 6)]),
        ("review: {by: '张三 １３８００１３８０００', date: 2024-02-01}\n", "正文。", [("I902", 6)]),
        ("keywords: [110105 19491231 002X]\n", "正文。", [("I901", 6)]),
        ("", "第一段。\n\n电话 +86 138 0013 8000", [("I902", 9)]),
        ("", "见[名单](tel:%2B8613800138000)", [("I902", 7)]),
        ("", "身份证 110105**19491231**002X", [("I901", 7)]),
    ],
    ids=["summary", "nested", "list-id", "body-plus86", "link-target", "markup-id"],
)
def test_numbers_in_any_public_text(site, extra, body, expected):
    assert _problems(site, extra, body) == expected


def test_number_in_a_content_file_name(site):
    assert _problems(site, rel="content/policies/张三13800138000.md") == [("I902", 1)]


def test_numbers_in_a_withheld_item_are_not_reported_but_marks_are(site):
    extra = "disclosure: withheld\nbasis: personal-privacy\nreview: {by: 办公室, date: 2024-02-01}\n"
    assert _problems(site, extra, "申请人 13800138000") == []
    assert [c for c, _ in _problems(site, extra, "机密★1年")] == ["S302"]


def test_pii_allow_lists_an_official_number(site):
    config = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(config + "pii_allow: ['138-0013-8000']\n", encoding="utf-8")
    assert _problems(site, body="热线 +86 138 0013 8000") == []


def test_annual_report_prose_is_scanned(site):
    write(site, "reports/2024.yaml", "overview: 本年度……\nproblems: |\n  联系人 138 0013 8000\n  机 密 ★ 1 年\n")
    problems = _problems(site)
    assert ("I904", 2) in problems and ("S304", 2) in problems
    paths = {p.path for p in pipeline.check(site, build_date(TODAY)).problems if p.code in ("I904", "S304")}
    assert paths == {"reports/2024.yaml"}


def test_problem_lines_never_show_the_number(site):
    write(site, "content/policies/p.md", POLICY.format(extra="", body="电话 13800138000"))
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1 and "138****8000" in result.output and "13800138000" not in result.output


# --- 修订记录: git history, with real git in the test's folder ---


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@example.org", "PATH": os.environ["PATH"], "HOME": str(repo)}
    env |= {"GIT_AUTHOR_DATE": "2024-03-01T10:00:00", "GIT_COMMITTER_DATE": "2024-03-01T10:00:00"}
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
    return done.stdout.decode()


def test_files_with_chinese_names_and_spaces_get_their_history(site):
    write(site, "content/policies/工作 规则.md", POLICY.format(extra="", body="正文。").replace("2号", "3号"))
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "发布\n\n公开说明：首次发布")
    found = history.read_history(site)
    assert [r.note for r in found["content/policies/工作 规则.md"]] == ["首次发布"]
    assert "content/policies/rules.md" in found


def test_control_characters_in_a_commit_message_do_not_crash(site):
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "a\x1fb\x1ec\x07\n\n公开说明：修订\x01文字\x1b[31m")
    found = history.read_history(site)
    assert [r.note for r in found["content/policies/rules.md"]] == ["修订文字[31m"]
    out = site.parent / "out"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY, "--no-cache")
    assert result.exit_code == 0, result.output
    page = next(out.glob("**/rules*/index.html"), None) or next(
        p for p in out.rglob("*.html") if "修订" in p.read_text(encoding="utf-8")
    )
    assert "\x01" not in page.read_text(encoding="utf-8") and "\x1b" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("note", "code", "shown"),
    [("调整附件，删去机密★1年字样", "S305", "机密★"), ("联系人 138-0013-8000", "I905", "138****8000")],
)
def test_public_notes_are_scanned_and_name_the_commit(site, note, code, shown):
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", f"更新\n\n公开说明：{note}")
    sha = _git(site, "rev-parse", "HEAD").strip()
    hits = [p for p in pipeline.check(site, build_date(TODAY)).problems if p.code == code]
    assert len(hits) == 1 and sha[:10] in hits[0].zh and shown in hits[0].zh
    assert hits[0].path.startswith("content/") and "13800138000" not in hits[0].zh


def test_a_git_command_that_hangs_is_reported(site, monkeypatch):
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "x")
    monkeypatch.setattr(history, "GIT_SECONDS", 0.000001)
    hits = [p for p in pipeline.check(site, build_date(TODAY)).problems if p.code == "S305"]
    assert len(hits) == 1 and "秒内没有完成" in hits[0].zh
    assert history.read_history(site) == {}


def test_history_answers_are_kept_by_blob_and_day(site, tmp_path, monkeypatch):
    """Whether a version was public is kept in the cache folder by (blob, day): a rebuild parses
    only the versions of new commits, and finds the same revisions as a fresh read."""
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "发布\n\n公开说明：首次发布")
    cache = tmp_path / "cache"
    monkeypatch.setenv("DISCLOSE_VERIFY_KEYS", "0")  # verifying reads every version again: this counts them
    history.forget()  # each read below as a new process makes it
    fresh = history.read_history(site)
    history.forget()
    assert history.read_history(site, cache) == fresh
    parsed: list[bytes] = []
    real = history._public_version
    monkeypatch.setattr(history, "_public_version", lambda text, day: parsed.append(text) or real(text, day))
    history.forget()
    (cache / history.HEAD_STORE).unlink()  # every commit read again: the answers kept by blob serve
    assert history.read_history(site, cache) == fresh
    assert parsed == []  # every answer came from the cache
    path = site / "content/policies/rules.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n修订一句。\n", encoding="utf-8")
    _git(site, "commit", "-qam", "修订\n\n公开说明：修订")
    history.forget()
    again = history.read_history(site, cache)
    assert len(parsed) == 1 and b"\xe4\xbf\xae\xe8\xae\xa2\xe4\xb8\x80\xe5\x8f\xa5" in parsed[0]  # the new version only
    monkeypatch.setattr(history, "_public_version", real)
    history.forget()
    assert again == history.read_history(site)
    assert [r.note for r in again["content/policies/rules.md"]][0] == "修订"
