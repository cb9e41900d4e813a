"""Rule gaps found by trying the build as an attacker and a careless editor would.

Paired release counts only public interpretations; a policy with an error of its own is named as
such, not as missing; no link or image target names a non-public item's file; absolute links to
.md files are read from content/; the command line's usage errors and summaries.
"""

from __future__ import annotations

import pytest

from .conftest import TODAY, all_bytes, run, write

REVIEW = "review: {by: 市政府办公室, date: 2024-02-01}\n"
NOT_PUBLIC = {
    "withheld": "disclosure: withheld\nbasis: process-info\n" + REVIEW + "published: 2024-03-01\n",
    "on-request": "disclosure: on-request\nbasis: on-request-only\n" + REVIEW + "published: 2024-03-01\n",
    "draft": "draft: true\npublished: 2024-03-01\n",
    "embargoed": "published: 2024-07-01\nlate_reason: 配套措施尚未定稿\n",
}
INTERPRETATION = "content/interpretations/rules-jd.md"


def interpretation(head: str) -> str:
    return f"---\ntitle: 《示例市人民政府工作规则》解读\nissuer: 示例市人民政府\n{head}interprets: 示政发〔2024〕1号\n---\n解读。\n"


@pytest.mark.parametrize("why", sorted(NOT_PUBLIC))
def test_a_non_public_interpretation_does_not_count_for_paired_release(site, why):
    write(site, INTERPRETATION, interpretation(NOT_PUBLIC[why]))
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "content/policies/rules.md:5: P401" in result.output


def test_a_public_interpretation_still_counts(site):
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output


def test_policy_with_its_own_error_is_not_called_missing(site):
    policy = site / "content/policies/rules.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("issuer: 示例市人民政府\n", ""), encoding="utf-8")
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert result.exit_code == 1
    assert "content/policies/rules.md:1: F102" in result.output
    lines = [line for line in result.output.splitlines() if line.startswith(INTERPRETATION)]
    assert lines, result.output
    assert all("does not exist" not in line and "missing" not in line for line in lines), lines
    assert any("content/policies/rules.md" in line and "errors of its own" in line for line in lines), lines


def test_link_to_a_policy_with_its_own_error_is_not_called_missing(site):
    policy = site / "content/policies/rules.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("issuer: 示例市人民政府\n", ""), encoding="utf-8")
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    # the interpretation's body links to ../policies/rules.md, which exists
    assert "missing file" not in result.output, result.output


HIDDEN_POLICY = (
    "---\ntitle: 鸬鹚秘密计划\nissuer: 示例市人民政府\npublished: 2024-03-01\ndoc_no: 示政发〔2024〕9号\n"
    "disclosure: withheld\nbasis: process-info\n" + REVIEW + "attachments: [files/qzx-secret-annex.pdf]\n---\n正文。\n"
)
HIDDEN_ELSEWHERE = (
    "---\nkind: decision\ntitle: 鹈鹕秘密决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
    "disclosure: withheld\nbasis: process-info\n" + REVIEW + "---\n正文。\n"
)
LINKS = {
    "image": "![](../policies/qzx-secret-plan.md)",
    "image-reference": "![图][pic]\n\n[pic]: ../policies/qzx-secret-plan.md\n",
    "link-reference": "[文件][ref]\n\n[ref]: ../policies/qzx-secret-plan.md\n",
    "withheld-folder": "[x](../qzx-withheld-folder/qzx-secret.md)",
    "attachment": "[附件](../policies/files/qzx-secret-annex.pdf)",
    "attachment-image": "![](../policies/files/qzx-secret-annex.pdf)",
    "page-folder": "[x](../policies/qzx-secret-plan/)",
    "no-suffix": "[x](../policies/qzx-secret-plan)",
    "root-path": "[x](/policies/qzx-secret-plan/)",
    "root-md": "[x](/content/policies/qzx-secret-plan.md)",
    "own-url": "[x](https://www.example.gov.cn/policies/qzx-secret-plan/)",
    "scheme-relative": "[x](//www.example.gov.cn/policies/qzx-secret-plan/)",
    "autolink": "<https://www.example.gov.cn/policies/qzx-secret-plan/>",
    "attachment-url": "<https://www.example.gov.cn/attachments/policies/files/qzx-secret-annex.pdf>",
    "encoded": "[x](../policies/qzx%2Dsecret-plan.md#top)",
}


def plant_hidden(site) -> None:
    write(site, "content/policies/qzx-secret-plan.md", HIDDEN_POLICY)
    write(site, "content/policies/files/qzx-secret-annex.pdf", b"%PDF qzx")
    write(site, "content/qzx-withheld-folder/qzx-secret.md", HIDDEN_ELSEWHERE)


@pytest.mark.parametrize("form", sorted(LINKS))
def test_no_link_or_image_target_names_a_non_public_file(site, form):
    plant_hidden(site)
    write(
        site,
        "content/decisions/linker.md",
        f"---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n见 {LINKS[form]}\n",
    )
    result = run("build", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if "R704" in line)
    assert line.startswith("content/decisions/linker.md:6: R704"), line
    assert "content/policies/qzx-secret-plan.md" in line or "content/qzx-withheld-folder/qzx-secret.md" in line
    if "annex" in LINKS[form]:
        assert "content/policies/files/qzx-secret-annex.pdf" in line
    assert not (site / "public").exists()


def test_links_to_public_files_still_build_and_leak_nothing(site):
    plant_hidden(site)
    write(site, "content/decisions/files/open.txt", "公开附件")
    write(
        site,
        "content/decisions/linker.md",
        "---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\nattachments: [files/open.txt]\n---\n"
        "见[规则](../policies/rules.md)、[附件](files/open.txt)和 <https://www.example.gov.cn/policies/rules/>。\n",
    )
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    for path, data in all_bytes(site / "public"):
        assert b"qzx" not in data, path


@pytest.mark.parametrize("href", ["/content/policies/rules.md", "/policies/rules.md"])
def test_absolute_md_link_is_read_from_content(site, href):
    write(
        site,
        "content/decisions/linker.md",
        f"---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n见[规则]({href}#x)。\n",
    )
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    page = (site / "public/decisions/linker/index.html").read_text(encoding="utf-8")
    assert '<a href="/policies/rules/#x">规则</a>' in page


@pytest.mark.parametrize(
    ("href", "message"),
    [
        ("/policies/nope.md", "points to a missing file (content/policies/nope.md)"),
        ("/content/policies/nope.md", "points to a missing file (content/policies/nope.md)"),
        ("../../README.md", "points outside content/"),
    ],
)
def test_broken_absolute_md_link_names_the_file_it_means(site, href, message):
    write(
        site,
        "content/decisions/linker.md",
        f"---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n见[规则]({href})。\n",
    )
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert result.exit_code == 1
    assert "content/.md" not in result.output
    assert f"content/decisions/linker.md:6: R703 link '{href}' {message}" in result.output


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_must_be_positive(site, tmp_path, jobs):
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--jobs", jobs)
    assert result.exit_code == 2, result.output
    assert "--jobs" in result.output


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_port_must_be_a_port(site, port):
    result = run("serve", "--site", str(site), "--port", port)
    assert result.exit_code == 2, result.output
    assert "--port" in result.output


def test_check_summary_says_nothing_of_writing_and_pluralises(site):
    policy = site / "content/policies/rules.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("issuer: 示例市人民政府\n", ""), encoding="utf-8")
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert result.exit_code == 1
    summary = result.output.splitlines()[-1]
    assert "written" not in summary and "wrote" not in summary, summary
    count = sum(1 for line in result.output.splitlines() if line.startswith("content/"))
    assert summary.startswith(f"{count} error" + ("s" if count != 1 else "") + ", 0 warnings"), summary
    zh = run("check", "--site", str(site), "--today", TODAY).output.splitlines()[-1]
    assert "未写出" not in zh, zh


def test_english_summary_pluralises_one(site):
    write(
        site, "content/decisions/d.md", "---\ntitle: 决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n正文。\n"
    )
    write(
        site,
        "content/decisions/e.md",
        "---\ntitle: 决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n[x](nope.md)\n",
    )
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert result.output.splitlines()[-1] == "1 error, 0 warnings"
    build = run("build", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert build.output.splitlines()[-1] == "1 error, 0 warnings; nothing was written"
    (site / "content/decisions/e.md").unlink()
    ok = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    assert ok.output.splitlines()[-1] == "ok: 3 items", ok.output


def test_jobs_has_an_upper_bound(site, tmp_path):
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--jobs", "100000")
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize("year", ["99999", "0"])
def test_report_year_out_of_range_is_a_usage_error(site, year):
    result = run("report", year, "--site", str(site), "--today", TODAY)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    "name", ["../../escape", "/tmp/escape", "a/../../escape", "with space", "line\nbreak", ".hidden"]
)
def test_new_name_stays_in_the_kind_folder_and_makes_a_clean_url(site, name):
    before = {p for p in site.parent.rglob("*")}
    result = run(
        "new",
        "policy",
        "--site",
        str(site),
        "--name",
        name,
        "--title",
        "通知",
        "--issuer",
        "示例市人民政府",
        "--published",
        "2024-03-01",
        "--doc-no",
        "示政发〔2024〕5号",
    )
    assert result.exit_code == 2, result.output
    assert {p for p in site.parent.rglob("*")} == before


def test_new_name_may_be_chinese(site):
    result = run(
        "new",
        "policy",
        "--site",
        str(site),
        "--name",
        "工作规则",
        "--title",
        "通知",
        "--issuer",
        "示例市人民政府",
        "--published",
        "2024-03-01",
        "--doc-no",
        "示政发〔2024〕5号",
    )
    assert result.exit_code == 0, result.output
    assert (site / "content/policies/工作规则.md").is_file()


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01", "1948-12-31"])
def test_a_build_date_outside_the_calendar_is_a_usage_error(site, today):
    result = run("check", "--site", str(site), "--today", today)
    assert result.exit_code == 2, result.output
    assert "1949" in result.output


def test_link_to_a_file_that_cannot_be_read_names_its_own_errors(site):
    """A link to a file whose YAML is malformed points at that file's errors, not at a missing file."""
    write(site, "content/decisions/bad.md", "---\ntitle: [broken\n---\n正文。\n")
    write(
        site,
        "content/decisions/good.md",
        "---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n见[坏](bad.md)。\n",
    )
    result = run("check", "--site", str(site), "--today", TODAY, "--lang", "en")
    [line] = [line for line in result.output.splitlines() if " R703 " in line]
    assert line.startswith("content/decisions/good.md:")
    assert "content/decisions/bad.md, which has errors of its own" in line


@pytest.mark.parametrize(
    "setting",
    [
        'index_no: {form: "{serial}{serial}"}',
        'index_no: {form: "{{serial}}{serial}"}',
        'index_no: {form: "{serial}}"}',
        'index_no: {form: "{serial}{"}',
        'index_no: {form: "{year:%Y}{serial}"}',
        'base_url: "https://[::1/"',
        'base_url: "https://www.example.gov.cn:99999/"',
    ],
)
def test_odd_site_yaml_values_are_one_line_not_an_internal_error(site, setting):
    config = (site / "site.yaml").read_text(encoding="utf-8")
    key = setting.split(":", 1)[0]
    kept = [line for line in config.splitlines() if not line.startswith(f"{key}:")]
    write(site, "site.yaml", "\n".join([*kept, 'organization: {code: "X1"}', setting]) + "\n")
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert "site.yaml:" in result.output


def test_a_category_may_not_take_the_normative_library_folder(site):
    config = (site / "site.yaml").read_text(encoding="utf-8")
    write(site, "site.yaml", config + "categories:\n  - {id: normative, title: 规范性文件}\n")
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1 and " C141 " in result.output, result.output


@pytest.mark.parametrize(
    "target",
    [
        "https://www.example.gov.cn:443/decisions/qzx-hidden/",
        "http://www.example.gov.cn./decisions/qzx-hidden/",
        "https://user@www.example.gov.cn/decisions/qzx-hidden/",
        "/Decisions/QZX-hidden/",
    ],
)
def test_other_spellings_of_a_hidden_page_are_caught(site, target):
    write(
        site,
        "content/decisions/qzx-hidden.md",
        "---\ntitle: 内部方案\nissuer: 示例市人民政府\npublished: 2024-03-01\ndisclosure: withheld\n"
        "basis: process-info\nreview: {by: 办公室, date: 2024-03-01}\n---\n草案。\n",
    )
    write(
        site,
        "content/decisions/linker.md",
        f"---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n见[方案]({target})。\n",
    )
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1 and " R704 " in result.output, result.output


@pytest.mark.parametrize(
    "target", ["/decisions/qzx-plan/", "../decisions/qzx-plan.md", "../decisions/files/qzx-annex.txt"]
)
def test_annual_report_prose_may_not_link_to_a_hidden_item(site, target):
    write(site, "content/decisions/files/qzx-annex.txt", "附件")
    write(
        site,
        "content/decisions/qzx-plan.md",
        "---\ntitle: 内部方案\nissuer: 示例市人民政府\npublished: 2023-03-01\ndisclosure: withheld\n"
        "basis: process-info\nreview: {by: 办公室, date: 2023-03-01}\nattachments: [files/qzx-annex.txt]\n---\n草案。\n",
    )
    write(
        site,
        "reports/2023.yaml",
        f"overview: 见[方案]({target})。\nlicensing: 1\npenalty: 0\nenforcement: 0\nfees: 0\n",
    )
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1 and " R706 " in result.output, result.output
