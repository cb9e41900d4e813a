"""What a new editor sees: one clear line per problem, naming file and line, exit status 1."""

from __future__ import annotations

import re

from .conftest import TODAY, run, write

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<code>[A-Z]\d{3}) (?P<msg>.+)$")


def problems(output: str) -> list[dict]:
    return [m.groupdict() for line in output.splitlines() if (m := LINE.match(line))]


def check(site, *extra):
    return run("check", "--site", str(site), "--today", TODAY, *extra)


def test_misspelt_disclosure_is_caught_with_a_hint(site):
    write(
        site,
        "content/decisions/d.md",
        "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\ndisclosre: withheld\n---\n正文。\n",
    )
    result = check(site)
    assert result.exit_code == 1
    [p] = problems(result.output)
    assert p == {
        "path": "content/decisions/d.md",
        "line": "5",
        "code": "F101",
        "msg": "未知字段 disclosre，是否应为 disclosure？",
    }


def test_withheld_without_reason(site):
    write(
        site,
        "content/decisions/w.md",
        "---\ntitle: 某请示\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "disclosure: withheld\nreview: {by: 办公室, date: 2024-02-01}\n---\n正文。\n",
    )
    result = check(site)
    assert result.exit_code == 1
    [p] = problems(result.output)
    assert (p["path"], p["line"], p["code"]) == ("content/decisions/w.md", "5", "D201")


def test_policy_without_interpretation(site):
    write(
        site,
        "content/policies/new.md",
        "---\ntitle: 新政策\nissuer: 示例市人民政府\npublished: 2024-04-01\ndoc_no: 示政发〔2024〕2号\n---\n正文。\n",
    )
    result = check(site)
    assert result.exit_code == 1
    [p] = problems(result.output)
    assert (p["path"], p["line"], p["code"]) == ("content/policies/new.md", "5", "P401")
    assert "disclose new interpretation --for 示政发〔2024〕2号" in p["msg"]


def test_broken_yaml_names_the_line(site):
    write(
        site,
        "content/decisions/y.md",
        "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: [2024-03-01\n---\n正文。\n",
    )
    result = check(site)
    assert result.exit_code == 1
    [p] = problems(result.output)
    assert p["path"] == "content/decisions/y.md" and p["code"] == "E004"
    assert p["line"] in ("4", "5")
    assert "Traceback" not in result.output


def test_english_messages(site):
    write(
        site,
        "content/decisions/d.md",
        "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\ndisclosre: withheld\n---\n正文。\n",
    )
    result = check(site, "--lang", "en")
    assert "unknown field disclosre; did you mean disclosure?" in result.output


def test_every_problem_is_reported_not_only_the_first(site):
    write(
        site,
        "content/decisions/a.md",
        "---\ntitle: 甲\nissuer: x\npublished: 2024-03-01\nfoo: 1\n---\n",
    )
    write(site, "content/decisions/b.md", b"---\ntitle: \xff\xfe\n---\n")
    write(site, "content/decisions/c.md", "no front matter\n")
    result = check(site)
    codes = sorted(p["code"] for p in problems(result.output))
    assert codes == ["E001", "E003", "F101"]


def test_non_utf8_file(site):
    write(site, "content/decisions/gbk.md", "---\ntitle: 决定\n---\n".encode("gbk"))
    result = check(site)
    [p] = problems(result.output)
    assert (p["path"], p["line"], p["code"]) == ("content/decisions/gbk.md", "2", "E001")


def test_yaml_alias_bomb_is_refused_quickly(site):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):
        bomb.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
    write(site, "content/decisions/bomb.md", "---\ntitle: x\n" + "\n".join(bomb) + "\n---\n")
    result = check(site)
    [p] = problems(result.output)
    assert p["code"] == "E005" and p["path"] == "content/decisions/bomb.md"


def test_huge_file_is_refused(site):
    write(site, "content/decisions/huge.md", b"---\ntitle: x\n---\n" + b"a" * (50 * 1024 * 1024))
    result = check(site)
    [p] = problems(result.output)
    assert p["code"] == "E002" and p["path"] == "content/decisions/huge.md"


def test_deep_nesting_is_refused(site):
    write(
        site,
        "content/decisions/deep.md",
        "---\ntitle: x\ntopics: " + "[" * 200 + "]" * 200 + "\n---\n",
    )
    result = check(site)
    [p] = problems(result.output)
    assert p["code"] == "E005"


def test_missing_site_yaml_is_a_usage_error(tmp_path):
    result = run("check", "--site", str(tmp_path))
    assert result.exit_code == 2


def test_bad_site_yaml(site):
    write(site, "site.yaml", "title: x\nbase_url: https://a.gov.cn/\nlanguage: zh-CN\npage_sise: 5\n")
    result = check(site)
    assert result.exit_code == 1
    [p] = problems(result.output)
    assert (p["path"], p["line"], p["code"]) == ("site.yaml", "4", "C102")
    assert "page_size" in p["msg"]


def test_secret_refuses_the_whole_site(site):
    write(
        site,
        "content/decisions/s.md",
        "---\ntitle: 方案\nissuer: x\npublished: 2024-03-01\n"
        "disclosure: withheld\nbasis: state-secret\nreview: {by: x, date: 2024-03-01}\n---\n"
        "秘密★5年\n",
    )
    out = site / "public"
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1
    assert "S302" in result.output and not out.exists()
