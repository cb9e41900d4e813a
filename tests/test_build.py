"""The whole site: byte-identical, atomic, with repeal chains and pairs linked both ways."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest

from .conftest import TODAY, run, snapshot, write

SAMPLE_TODAY = "2026-11-22"


def build(site, out, today=TODAY):
    return run("build", "--site", str(site), "--out", str(out), "--today", today)


def test_two_builds_are_byte_identical(sample, tmp_path):
    assert build(sample, tmp_path / "a", SAMPLE_TODAY).exit_code == 0
    assert build(sample, tmp_path / "b", SAMPLE_TODAY).exit_code == 0
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_failed_build_leaves_previous_output_untouched(site, tmp_path):
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    before = snapshot(out)
    write(site, "content/decisions/bad.md", "---\ntitle: x\nissuer: y\npublished: 2024-13-01\n---\n")
    assert build(site, out).exit_code == 1
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_failure_while_writing_keeps_previous_output(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    before = snapshot(out)
    import disclose.pipeline as pipeline

    def broken(*args):
        raise RuntimeError("indexer crashed")

    monkeypatch.setattr(pipeline, "build_index", broken)
    write(
        site,
        "content/decisions/new.md",
        "---\ntitle: 新决定\nissuer: y\npublished: 2024-03-01\n---\n",
    )
    with pytest.raises(RuntimeError):
        pipeline.build(site, out, datetime.date(2024, 6, 1))
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_out_must_not_replace_the_site(site):
    assert run("build", "--site", str(site), "--out", str(site)).exit_code == 2
    assert (site / "site.yaml").is_file()


def test_sample_site_pages(sample, tmp_path):
    out = tmp_path / "out"
    result = build(sample, out, SAMPLE_TODAY)
    assert result.exit_code == 0, result.output
    old = (out / "policies/shaoxing-2017-work-rules/index.html").read_text(encoding="utf-8")
    new = (out / "policies/shaoxing-2022-work-rules/index.html").read_text(encoding="utf-8")
    jd = (out / "interpretations/shaoxing-2022-work-rules-jd/index.html").read_text(encoding="utf-8")
    # repeal: banner and link to the successor on the old page, and back from the new one
    assert "本文件已废止" in old and 'href="/policies/shaoxing-2022-work-rules/"' in old
    assert 'href="/policies/shaoxing-2017-work-rules/"' in new
    # pair: policy -> interpretation and back
    assert 'href="/interpretations/shaoxing-2022-work-rules-jd/"' in new
    assert 'href="/policies/shaoxing-2022-work-rules/"' in jd
    # info box of the 公开目录
    for label in ("发布机构", "成文日期", "文号", "发布日期", "主题分类", "有效性", "公开方式"):
        assert f'<th scope="row">{label}</th>' in new
    assert "绍政发〔2022〕5号" in new and "会海智治" in new


def test_open_data_and_feeds(sample, tmp_path):
    out = tmp_path / "out"
    assert build(sample, out, SAMPLE_TODAY).exit_code == 0
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    ids = {item["id"] for item in catalog["items"]}
    assert "policies/shaoxing-2022-work-rules" in ids
    assert "decisions/2025-changwu-13-draft" not in ids
    status = {i["id"]: i["status"] for i in catalog["items"]}
    assert status["policies/shaoxing-2017-work-rules"] == "废止"
    assert status["policies/shaoxing-2022-work-rules"] == "有效"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://disclose.example.gov.cn/policies/shaoxing-2022-work-rules/" in sitemap
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert feed.startswith("<?xml") and "<entry>" in feed
    csv_text = (out / "catalog.csv").read_bytes().decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("标识,类别,信息名称")


def test_attachments_copied_only_for_public_items(site, tmp_path):
    write(site, "content/decisions/files/plan.txt", b"plan text")
    write(
        site,
        "content/decisions/a.md",
        "---\ntitle: 甲\nissuer: y\npublished: 2024-03-01\nattachments: [files/plan.txt]\n---\n",
    )
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    assert (out / "attachments/decisions/files/plan.txt").read_bytes() == b"plan text"
    assert 'href="/attachments/decisions/files/plan.txt"' in (out / "decisions/a/index.html").read_text()


def test_console_script_exit_codes(site):
    ok = subprocess.run(
        [sys.executable, "-m", "disclose.cli", "check", "--site", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0
    write(
        site,
        "content/decisions/x.md",
        "---\ntitle: x\nissuer: y\npublished: 2024-03-01\nkin: z\n---\n",
    )
    bad = subprocess.run(
        [sys.executable, "-m", "disclose.cli", "check", "--site", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "F101" in bad.stdout and "Traceback" not in bad.stderr
    usage = subprocess.run([sys.executable, "-m", "disclose.cli", "build", "--bogus"], capture_output=True, text=True)
    assert usage.returncode == 2


def test_source_date_epoch_sets_today(site, monkeypatch):
    write(
        site,
        "content/decisions/later.md",
        "---\ntitle: 以后\nissuer: y\npublished: 2030-01-01\n---\n",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01
    out = site / "o"
    assert run("build", "--site", str(site), "--out", str(out)).exit_code == 0
    assert (out / "decisions/later/index.html").is_file()


def test_markdown_raw_html_is_escaped_and_tables_render(site, tmp_path):
    write(
        site,
        "content/decisions/h.md",
        "---\ntitle: 表\nissuer: y\npublished: 2024-03-01\n---\n"
        "<script>alert(1)</script>\n\n| 项目 | 数量 |\n| --- | --- |\n| 甲 | 1 |\n\n"
        "[x](javascript:alert(1))\n",
    )
    out = tmp_path / "out"
    assert build(site, out).exit_code == 0
    page = (out / "decisions/h/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<table>" in page and 'href="javascript:' not in page


def test_parsing_over_several_processes_reads_what_one_process_reads(tmp_path, monkeypatch):
    from disclose import load as loader
    from disclose.forking import fork_context

    from .conftest import copy_sample

    site = copy_sample(tmp_path / "site")
    write(site, "content/decisions/broken.md", "---\ntitle: [unclosed\n---\n")
    write(site, "content/decisions/no-front-matter.md", "只有正文。\n")
    monkeypatch.setattr(loader, "PARALLEL_FROM", 2)
    contexts = []

    def spy(*args):
        contexts.append(fork_context(*args))
        return contexts[-1]

    monkeypatch.setattr(loader, "fork_context", spy)
    alone, shared = loader.load(site, None, 1), loader.load(site, None, 2)
    assert contexts[0] is None and contexts[1] is not None  # the second parse really forked
    assert alone == shared
    assert len(alone[0]) > 50 and {p.path for p in alone[1]} >= {"content/decisions/broken.md"}


def test_the_build_decides_once_and_adds_the_history(site):
    """`check` decides what is public (for the output-path check); the build adds the git history
    to that (`with_history`) instead of deciding again, and must get what deciding again gives."""
    from disclose import gate, history, pipeline

    from .conftest import git

    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "发布\n\n公开说明：首次发布", date="2024-03-01")
    report = pipeline.check(site, datetime.date(2024, 6, 1))
    assert report.publication is not None and report.catalogue is not None
    revisions = history.read_history(site)
    assert revisions
    again = gate.decide(report.catalogue, revisions)
    assert again.history and gate.with_history(report.publication, revisions) == again
    assert report.publication.history == {}
