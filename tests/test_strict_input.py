"""Strict input: hostile or careless front matter, site.yaml, report data, file names and Markdown
bodies are answered with one clear line naming file and line, never published, never a traceback,
a crash or a build that runs for minutes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import disclose

from .conftest import TODAY, run, write
from .test_editor_errors import problems

HEAD = "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n"


def check(site, *extra):
    return run("check", "--site", str(site), "--today", TODAY, *extra)


def only(result, code: str) -> list[dict]:
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    found = problems(result.output)
    assert found and all(p["code"] == code for p in found), result.output
    return found


def isolated(site: Path, *args: str, python_renderer: bool = False, timeout: float = 120):
    """The CLI in its own process, so a crash (a segfault in a parser) or a hang fails the test
    instead of killing or stalling the test run; optionally without markdown-it-pyrs."""
    prelude = "import disclose.markdown as m; m.rust_parser = lambda: None; " if python_renderer else ""
    code = prelude + "import sys; from disclose.cli import cli; cli(sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": str(Path(disclose.__file__).parents[1])}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--site", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return done, time.monotonic() - started


# 1. duplicate keys


@pytest.mark.parametrize(
    "field, first, second",
    [("disclosure", "withheld", "public"), ("draft", "true", "false"), ("published", "2030-01-01", "2024-03-01")],
)
def test_a_key_written_twice_is_an_error_naming_both_lines(site, field, first, second):
    write(
        site,
        "content/decisions/twice.md",
        f"---\ntitle: 某请示\nissuer: 示例市人民政府\n{field}: {first}\nbasis: process-info\n"
        f"review: {{by: 办公室, date: 2024-02-01}}\npublished: 2024-03-01\n{field}: {second}\n---\n正文。\n"
        if field != "published"
        else f"---\ntitle: 某请示\nissuer: 示例市人民政府\n{field}: {first}\nsummary: 概述\n{field}: {second}\n---\n",
    )
    [p] = only(check(site), "E007")
    later = "8" if field != "published" else "6"
    assert (p["path"], p["line"]) == ("content/decisions/twice.md", later)
    assert f"字段 {field} 重复出现（第 4 行与第 {later} 行）" in p["msg"]


def test_a_nested_key_written_twice_is_an_error(site):
    write(
        site,
        "content/decisions/review.md",
        HEAD + "review:\n  by: 办公室\n  date: 2024-02-01\n  by: 法制科\n---\n",
    )
    [p] = only(check(site), "E007")
    assert p["line"] == "8" and "第 6 行与第 8 行" in p["msg"]


def test_duplicate_keys_in_site_yaml_and_in_report_data(site):
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "page_size: 10\npage_size: 30\n")
    [p] = only(check(site), "E007")
    assert (p["path"], p["line"]) == ("site.yaml", "5")
    (site / "site.yaml").write_text((site / "site.yaml").read_text().replace("page_size: 30\n", ""))
    write(site, "reports/2024.yaml", "licensing: 10\npenalty: 2\nlicensing: 99\n")
    [p] = only(check(site), "E007")
    assert (p["path"], p["line"]) == ("reports/2024.yaml", "3") and "第 1 行与第 3 行" in p["msg"]


# 2. only YAML's plain types


@pytest.mark.parametrize(
    "value, code",
    [
        ("!!binary 5p+Q5Yaz5a6a", "E008"),
        ("!!python/object/apply:os.system [echo]", "E008"),
        ("!!set {a, b}", "E008"),
        ("!custom 某决定", "E008"),
        ("2024-01-01 10:00:00", "E009"),
    ],
)
def test_tags_binary_and_timestamps_are_refused(site, value, code):
    write(
        site, "content/decisions/typed.md", f"---\nissuer: 示例市人民政府\npublished: 2024-03-01\ntitle: {value}\n---\n"
    )
    [p] = only(check(site), code)
    assert (p["path"], p["line"]) == ("content/decisions/typed.md", "4")


def test_a_binary_title_is_never_published_as_python_bytes(site, tmp_path):
    write(
        site,
        "content/decisions/b.md",
        "---\nissuer: 示例市人民政府\npublished: 2024-03-01\ntitle: !!binary 5p+Q\n---\n",
    )
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY)
    only(result, "E008")
    assert not (tmp_path / "out").exists()


def test_published_with_a_time_is_refused_with_its_line(site):
    write(
        site,
        "content/decisions/t.md",
        "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-01-01 10:00:00\n---\n",
    )
    [p] = only(check(site), "E009")
    assert p["line"] == "4" and "YYYY-MM-DD" in p["msg"]


# 3. dates in range, numbers bounded


@pytest.mark.parametrize("day", ["0000-01-01", "9999-12-31", "1900-05-04", "2101-01-01"])
def test_dates_outside_1949_to_2100_are_refused(site, day):
    write(site, "content/decisions/y.md", f"{HEAD}written: {day}\n---\n")
    [p] = only(check(site), "E010")
    assert p["line"] == "5" and day in p["msg"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_quoted_date_outside_the_range_is_refused_too(site, day):
    write(site, "content/decisions/q.md", f'{HEAD}written: "{day}"\n---\n')
    [p] = only(check(site), "F103")
    assert p["line"] == "5" and "1949" in p["msg"]


def test_review_next_in_year_9999_is_refused_not_a_crash(site):
    write(
        site,
        "content/decisions/w.md",
        HEAD
        + "disclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2024-02-01, next: 9999-12-31}\n---\n",
    )
    [p] = only(check(site), "E010")
    assert p["line"] == "7"


@pytest.mark.parametrize(
    "days, code",
    [("99999999999999999999999999", "E012"), ("1000000000000", "F103"), ("400", "F103")],
)
def test_a_huge_paused_days_is_refused_not_a_crash(site, days, code):
    write(
        site,
        "content/responses/r.md",
        "---\ntitle: 答复\nissuer: 示例市人民政府\npublished: 2024-03-01\nrequest_no: 2024-1\n"
        f"received: 2024-02-01\nreplied: 2024-02-20\npaused_days: {days}\n---\n",
    )
    [p] = only(check(site), code)
    assert (p["path"], p["line"]) == ("content/responses/r.md", "8")


@pytest.mark.parametrize(
    "setting, value",
    [
        ("paired_release_grace_days", "1000000000000"),
        ("paired_release_grace_days", "-1"),
        ("page_size", "0"),
        ("page_size", "100000000"),
        ("feed_size", "0"),
        ("search_bundle_size", "10"),
        ("search_bundle_size", "1000000000"),
        ("consultation_feedback_days", "999999999999"),
    ],
)
def test_every_site_yaml_number_has_bounds(site, setting, value):
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + f"{setting}: {value}\n")
    [p] = only(check(site), "C104")
    assert (p["path"], p["line"]) == ("site.yaml", "4") and setting in p["msg"]


@pytest.mark.parametrize("value", ["9" * 40, ".inf", ".nan", "1.0e+400"])
def test_numbers_of_absurd_size_anywhere_are_refused(site, value):
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + f"paired_release_grace_days: {value}\n")
    [p] = only(check(site), "E012")
    assert (p["path"], p["line"]) == ("site.yaml", "4")
    (site / "site.yaml").write_text("title: 示例\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n")
    write(site, "reports/2024.yaml", f"licensing: 1\nfees: {value}\n")
    [p] = only(check(site), "E012")
    assert (p["path"], p["line"]) == ("reports/2024.yaml", "2")


def test_holidays_in_year_0000_are_refused(site):
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "holidays: [2024-10-01, 0000-01-01]\n")
    [p] = only(check(site), "E010")
    assert (p["path"], p["line"]) == ("site.yaml", "4")


def test_a_report_for_year_0000_is_refused_not_a_crash(site):
    write(site, "reports/0000.yaml", "licensing: 1\n")
    [p] = only(check(site), "Y701")
    assert p["path"] == "reports/0000.yaml"


# 4. control characters


@pytest.mark.parametrize(
    "escaped, shown",
    [
        ("\\u202e", "U+202E"),  # right-to-left override
        ("\\u2066", "U+2066"),  # left-to-right isolate
        ("\\0", "U+0000"),
        ("\\x1b[31m", "U+001B"),
        ("\\x85", "U+0085"),
        ("\\u2028", "U+2028"),
        ("\\n", "U+000A"),
    ],
)
def test_control_characters_in_front_matter_are_refused(site, escaped, shown):
    write(site, "content/decisions/c.md", f'{HEAD}summary: "概述{escaped}文字"\n---\n')
    [p] = only(check(site), "E011")
    assert (p["path"], p["line"]) == ("content/decisions/c.md", "5") and shown in p["msg"]


def test_raw_bidi_override_in_a_list_item_is_refused(site):
    write(site, "content/decisions/c.md", f"{HEAD}keywords:\n  - 正常\n  - 反\u202e向\n---\n")
    [p] = only(check(site), "E011")
    assert p["line"] == "7"


def test_tab_and_newline_are_fine_in_block_text(site):
    write(site, "content/decisions/ok.md", f"{HEAD}summary: |\n  第一行\t说明\n  第二行\n---\n正文。\n")
    result = check(site)
    assert result.exit_code == 0, result.output


def test_a_control_character_in_block_text_names_its_line(site):
    write(site, "content/decisions/c.md", f"{HEAD}summary: |\n  第一行\n  第二\x0b行\n---\n")
    [p] = only(check(site), "E011")
    assert p["line"] == "7"


# 5. deeply nested YAML, also when parsed in parallel


DEEP = {
    "flow": "title: " + "[" * 200_000 + "]" * 200_000 + "\n",
    "block": "title:\n  " + "- " * 200_000 + "x\n",
}


@pytest.mark.parametrize("shape", DEEP)
def test_deep_yaml_in_content_is_one_line_not_a_crash(site, shape):
    write(site, "content/decisions/deep.md", "---\n" + DEEP[shape] + "---\n")
    done, _ = isolated(site, "check")
    assert done.returncode == 1, done.stderr[-2000:]
    [p] = problems(done.stdout)
    assert (p["path"], p["code"]) == ("content/decisions/deep.md", "E005") and p["line"] in ("2", "3")


def test_deep_yaml_in_site_yaml_and_report_data(site):
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "contact: " + "{a: " * 100_000 + "}" * 100_000)
    done, _ = isolated(site, "check")
    assert done.returncode == 1 and [p["code"] for p in problems(done.stdout)] == ["E005"], done.stderr[-2000:]
    (site / "site.yaml").write_text("title: 示例\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n")
    write(site, "reports/2024.yaml", "review_litigation:\n  " + "- " * 100_000 + "1\n")
    done, _ = isolated(site, "check")
    assert done.returncode == 1, done.stderr[-2000:]
    assert [(p["path"], p["code"]) for p in problems(done.stdout)] == [("reports/2024.yaml", "E005")]


def test_deep_yaml_parsed_by_forked_workers_gives_the_same_line(site, tmp_path):
    for index in range(3):
        write(site, f"content/decisions/d{index}.md", HEAD + "---\n正文。\n")
    write(site, "content/decisions/deep.md", "---\n" + DEEP["flow"] + "---\n")
    script = (
        "import sys; from pathlib import Path; import disclose.load as loader\n"
        "loader.PARALLEL_FROM = 2\n"
        "for workers in (1, 2):\n"
        "    print(workers, [p.format() for p in loader.load(Path(sys.argv[1]), None, workers)[1]])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(disclose.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", script, str(site)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    alone, forked = done.stdout.splitlines()
    assert alone[2:] == forked[2:] and "content/decisions/deep.md:2: E005" in alone


# 6. Markdown bodies bounded in time and memory, with either renderer

HOSTILE_BODIES = {
    "quotes": (">" * 100_000 + " 引文\n", "E016", 6),
    "quotes-spaced": ("> " * 60 + "引文\n", "E016", 6),
    "lists": ("".join("  " * i + "- 项\n" for i in range(2_000)), "E016", 56),
    "lists-one-line": ("- " * 50_000 + "项\n", "E016", 6),
    "emphasis-pairs": ("说明\n\n" + "_a " * 20_000 + " a_" * 20_000 + "\n", "E017", 8),
    "emphasis-stars": ("*" * 100_000 + "\n", "E018", 6),
    "definitions": ("".join(f"[a{i}]: /x{i}\n" for i in range(20_000)), "E017", 6),
    "table": ("|a|b|c|\n|-|-|-|\n" + "|1|2|3|\n" * 60_000, "E018", 6),
}


@pytest.mark.parametrize("renderer", ["markdown-it-pyrs", "markdown-it-py"])
@pytest.mark.parametrize("shape", HOSTILE_BODIES)
def test_hostile_markdown_is_refused_quickly_with_its_line(site, tmp_path, shape, renderer):
    body, code, line = HOSTILE_BODIES[shape]
    write(site, "content/decisions/hostile.md", HEAD + "---\n" + body)
    done, seconds = isolated(
        site, "build", "--out", str(tmp_path / "out"), python_renderer=renderer == "markdown-it-py", timeout=60
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert [(p["path"], p["line"], p["code"]) for p in problems(done.stdout)] == [
        ("content/decisions/hostile.md", str(line), code)
    ]
    assert seconds < 20


def test_report_prose_has_the_same_limits(site):
    write(site, "reports/2024.yaml", "licensing: 1\noverview: |\n  " + ">" * 80 + " 引文\n")
    [p] = only(check(site), "E016")
    assert (p["path"], p["line"]) == ("reports/2024.yaml", "3")


@pytest.mark.parametrize("renderer", ["markdown-it-pyrs", "markdown-it-py"])
def test_bodies_just_within_the_limits_render_in_time(site, tmp_path, renderer):
    write(site, "content/decisions/deep.md", HEAD + "---\n" + "".join("  " * i + "- 项\n" for i in range(45)))
    write(site, "content/decisions/quote.md", HEAD + "---\n" + "> " * 45 + "引文\n")
    write(site, "content/decisions/stars.md", HEAD + "---\n" + "_a " * 3_000 + " a_" * 3_000 + "\n")
    write(site, "content/decisions/long.md", HEAD + "---\n" + "|a|b|\n|-|-|\n" + "|1|2|\n" * 20_000)
    done, seconds = isolated(
        site, "build", "--out", str(tmp_path / "out"), python_renderer=renderer == "markdown-it-py", timeout=120
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert seconds < 60
    assert "<blockquote>" in (tmp_path / "out/decisions/quote/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("shape", HOSTILE_BODIES)
def test_rendering_never_parses_text_beyond_the_limits(tmp_path, shape):
    (tmp_path / "body.md").write_text(HOSTILE_BODIES[shape][0], encoding="utf-8")
    script = (
        "import sys, time; from pathlib import Path; from disclose import markdown\n"
        "body = Path(sys.argv[1]).read_text(encoding='utf-8')\n"
        "for fast in (True, False):\n"
        "    if not fast:\n"
        "        markdown.rust_parser = lambda: None\n"
        "    started = time.monotonic(); html = markdown.render_markdown(body)\n"
        "    print(html.startswith('<pre>'), time.monotonic() - started < 5)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(disclose.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "body.md")], capture_output=True, text=True, timeout=120, env=env
    )
    assert (done.returncode, done.stdout) == (0, "True True\nTrue True\n"), done.stderr[-2000:]


# 7. symbolic links under content/


def test_a_symlinked_markdown_file_is_refused_and_never_read(site, tmp_path):
    secret = tmp_path / "elsewhere.md"
    secret.write_text(HEAD + "---\n外部机密正文。\n", encoding="utf-8")
    (site / "content/decisions").mkdir()
    (site / "content/decisions/linked.md").symlink_to(secret)
    [p] = only(check(site), "E013")
    assert (p["path"], p["line"]) == ("content/decisions/linked.md", "1")
    build = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert build.exit_code == 1 and not (tmp_path / "out").exists()


def test_a_symlinked_folder_is_an_error_not_silently_dropped(site, tmp_path):
    outside = tmp_path / "outside"
    write(outside, "d.md", HEAD + "---\n正文。\n")
    (site / "content/decisions").symlink_to(outside, target_is_directory=True)
    [p] = only(check(site), "E013")
    assert (p["path"], p["line"]) == ("content/decisions", "1") and "文件夹" in p["msg"]


def test_a_symlinked_report_data_file_is_refused(site, tmp_path):
    (tmp_path / "data.yaml").write_text("licensing: 1\n")
    (site / "reports").mkdir()
    (site / "reports/2024.yaml").symlink_to(tmp_path / "data.yaml")
    [p] = only(check(site), "E013")
    assert p["path"] == "reports/2024.yaml"


# 8. file names


@pytest.mark.parametrize("name", ["bad\nname.md", "esc\x1b[2Jape.md", "rtl\u202egpj.md", "bad\udcffbyte.md"])
def test_a_content_file_with_control_characters_in_its_name_is_refused_on_one_line(site, name):
    write(site, f"content/decisions/{name}", HEAD + "---\n正文。\n")
    result = check(site)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    [line] = [line for line in lines if "E014" in line]
    assert line.startswith("content/decisions/") and ":1: E014 " in line
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert len(problems(result.output)) == len([line for line in lines if line and not line.startswith("发现")])


def test_a_path_with_spaces_is_printed_whole(site):
    write(site, "content/decisions/会议 决定.md", HEAD + "disclosre: withheld\n---\n")
    [p] = only(check(site), "F101")
    assert p["path"] == "content/decisions/会议 决定.md"


def test_problem_lines_escape_what_would_split_them():
    from disclose.model import Problem

    line = Problem("content/a\nb.md", 3, "F101", "未知字段 x\ny", "unknown").format()
    assert line == "content/a\\nb.md:3: F101 未知字段 x\\ny"


# 9. full-width colon


@pytest.mark.parametrize("at", [0, 1, 2])
def test_a_full_width_colon_is_named_on_its_own_line(site, at):
    lines = ["title: 某决定", "issuer: 示例市人民政府", "published: 2024-03-01"]
    key, value = lines[at].split(": ")
    lines[at] = f"{key}：{value}"
    write(site, "content/decisions/colon.md", "---\n" + "\n".join(lines) + "\n---\n正文。\n")
    [p] = only(check(site), "E015")
    assert p["line"] == str(at + 2) and f"“{key}：”改为“{key}: ”" in p["msg"]
    assert "键名后应为半角冒号" in p["msg"]


def test_a_full_width_colon_inside_text_is_left_alone(site):
    write(site, "content/decisions/ok.md", HEAD + "summary: 会议议定：一、通过方案\n---\n正文。\n")
    assert check(site).exit_code == 0
