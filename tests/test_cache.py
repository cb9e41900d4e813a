"""The build cache is exact: after each kind of edit, an incremental build writes byte for byte
what a cold build of the same content writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import copy_sample, run, snapshot, write

TODAY = "2026-11-22"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _body(site):
    edit(site / "content/policies/shaoxing-2022-work-rules.md", "第一条", "第一条（修订）")


def _title(site):
    edit(site / "content/decisions/2025-changwu-12.md", "title: 市政府第12次", "title: 市人民政府第12次")


def _template(site):
    (site / "templates").mkdir(exist_ok=True)
    from disclose.render import default_templates

    text = (default_templates() / "list.html").read_text(encoding="utf-8")
    (site / "templates/list.html").write_text(
        text.replace("共 {{ total }} 条", "合计 {{ total }} 条"), encoding="utf-8"
    )


def _site_yaml(site):
    edit(site / "site.yaml", "title: 政务公开示例网站", "title: 政务公开示例网站（新）")


def _interpretation(site):
    edit(
        site / "content/interpretations/shaoxing-2022-work-rules-jd.md",
        "title: 《绍兴市人民政府工作规则》政策解读",
        "title: 《绍兴市人民政府工作规则》图文解读",
    )


def _successor(site):
    edit(site / "content/policies/yueqing-2022-work-rules.md", "title: 乐清市人民政府", "title: 乐清市政府")


def _withhold(site):
    edit(
        site / "content/decisions/2026-quanti-5.md",
        "major: true",
        "major: true\ndisclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2026-02-05}",
    )


def _delete(site):
    (site / "content/suggestions/2026-cppcc-042.md").unlink()


def _add(site):
    write(
        site,
        "content/decisions/2026-new.md",
        "---\ntitle: 新增决定事项\nissuer: 政务公开示例市人民政府\n"
        "published: 2026-11-20\ntopics: [综合政务]\n---\n新增的会议决定事项。\n",
    )


def _report_data(site):
    edit(site / "reports/2025.yaml", "licensing: 1286", "licensing: 1287")


EDITS = {
    f.__name__.strip("_"): f
    for f in (_body, _title, _template, _site_yaml, _interpretation, _successor, _withhold, _delete, _add, _report_data)
}


def build(site: Path, out: Path, cache: Path | None) -> None:
    caching = ["--cache", str(cache)] if cache else ["--no-cache"]
    result = run("build", "--site", str(site), "--out", str(out), *caching, "--today", TODAY)
    assert result.exit_code == 0, result.output


def small_bundles(site: Path) -> None:
    """Search bundles of at most 50 pages, so the small sample site has several."""
    text = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(text + "search_bundle_size: 50\n", encoding="utf-8")


def assert_same_as_cold(site: Path, incremental: Path, cold: Path) -> None:
    build(site, cold, None)
    after, expected = snapshot(incremental), snapshot(cold)
    assert after.keys() == expected.keys()
    assert [k for k in after if after[k] != expected[k]] == []


@pytest.mark.parametrize("name", list(EDITS))
def test_incremental_build_equals_cold_build(tmp_path, name):
    site = copy_sample(tmp_path / "site")
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    build(site, incremental, cache)  # the first output is kept as the spare the next build starts from
    assert (cache / "spare").is_dir()
    before = snapshot(incremental)
    EDITS[name](site)
    build(site, incremental, cache)
    assert_same_as_cold(site, incremental, tmp_path / "cold")
    assert snapshot(incremental) != before  # the edit showed


def test_a_series_of_edits_each_equals_a_cold_build(tmp_path):
    """Each build starts from the output before the previous one, two edits behind."""
    site = copy_sample(tmp_path / "site")
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    for number, change in enumerate(EDITS.values()):
        change(site)
        build(site, incremental, cache)
        assert_same_as_cold(site, incremental, tmp_path / f"cold{number}")


def test_output_changed_by_hand_is_not_trusted(tmp_path):
    site = copy_sample(tmp_path / "site")
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    (incremental / "index.html").write_text("changed by hand", encoding="utf-8")
    (incremental / "stray.html").write_text("not from the build", encoding="utf-8")
    (incremental / "stray/deep").mkdir(parents=True)
    (incremental / "stray/deep/index.html").write_text("not from the build", encoding="utf-8")
    build(site, incremental, cache)  # must not link the changed page from the previous output
    assert_same_as_cold(site, incremental, tmp_path / "cold1")
    build(site, incremental, cache)  # starts from the spare, which holds the changed and stray files
    assert_same_as_cold(site, incremental, tmp_path / "cold2")
    assert not (incremental / "stray").exists()


def test_unchanged_bundles_are_reused_and_changed_ones_reindexed(tmp_path):
    from datetime import date

    from disclose import pipeline

    site = copy_sample(tmp_path / "site")
    small_bundles(site)
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    assert len(first.reindexed) > 1
    assert pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache).reindexed == []
    _body(site)
    third = pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    assert len(third.reindexed) == 1 and len(third.reindexed) < len(first.reindexed)


def test_a_damaged_cache_is_ignored(tmp_path):
    site = copy_sample(tmp_path / "site")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "state.json").write_text("{not json", encoding="utf-8")
    (cache / "sources.pickle").write_bytes(b"garbage")
    build(site, tmp_path / "o", cache)


def test_output_and_cache_restored_by_ci_are_reused(tmp_path):
    """CI restores the output and the cache folder from an archive: new inodes and times, same
    content. The build then still reuses unchanged pages and search bundles."""
    import shutil
    from datetime import date

    from disclose import pipeline

    site = copy_sample(tmp_path / "site")
    small_bundles(site)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert len(pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache).reindexed) > 1
    pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    for folder in (out, cache):
        shutil.copytree(folder, folder.with_name("archived"))
        shutil.rmtree(folder)
        shutil.copytree(folder.with_name("archived"), folder)
        shutil.rmtree(folder.with_name("archived"))
    _body(site)
    report = pipeline.build(site, out, date(2026, 11, 22), cache_dir=cache)
    assert len(report.reindexed) == 1
    assert_same_as_cold(site, out, tmp_path / "cold")


def test_a_second_build_on_the_same_cache_is_refused(tmp_path):
    from disclose.build_cache import exclusive

    site = copy_sample(tmp_path / "site")
    cache = tmp_path / "cache"
    with exclusive(cache):
        result = run(
            "build", "--site", str(site), "--out", str(tmp_path / "o"), "--cache", str(cache), "--today", TODAY
        )
    assert result.exit_code == 2
    assert "另一个构建正在使用缓存" in result.output
    assert not (tmp_path / "o").exists()
    build(site, tmp_path / "o", cache)  # free again once the first build is done


# ---- Page keys (page_keys.py) -------------------------------------------------------------------
# Each edit below changes what pages show other than the edited item's own: a page whose key missed
# the input would keep its old file. The output must equal a cold build's, and DISCLOSE_VERIFY_KEYS
# (on in the tests, see conftest) stops the build when a page's key stayed while its content moved.

LATER = "2026-12-20"  # ysq-2026-012 (received 2026-11-09, 20 working days) is then 逾期


def build_on(site: Path, out: Path, cache: Path | None, today: str) -> None:
    caching = ["--cache", str(cache)] if cache else ["--no-cache"]
    result = run("build", "--site", str(site), "--out", str(out), *caching, "--today", today)
    assert result.exit_code == 0, result.output


def same_as_cold(site: Path, incremental: Path, cold: Path, today: str = TODAY) -> None:
    build_on(site, cold, None, today)
    after, expected = snapshot(incremental), snapshot(cold)
    assert after.keys() == expected.keys()
    assert [k for k in after if after[k] != expected[k]] == []


def with_extras(site: Path) -> None:
    """Items related only as named (each with a topic of its own, so no related list ties them):
    a decision with an attachment and one whose body links to it, a policy with its
    interpretation, a 2020 normative document repealed by a 清理结果, and two decisions related
    by their one topic."""
    items = {
        "policies/test-new": "title: 测试政策\ndoc_no: 示政发〔2026〕99号\npublished: 2026-11-10\ntopics: [测试丙]",
        "interpretations/test-new-jd": "title: 测试政策解读\ninterprets: 示政发〔2026〕99号\npublished: 2026-11-10\n"
        "topics: [测试丁]",
        "policies/test-old": "title: 测试旧办法\ndoc_no: 示政规〔2020〕9号\npublished: 2020-05-01\nnormative: true\n"
        "topics: [测试甲]",
        "cleanups/test-clean": "title: 测试清理结果\npublished: 2026-11-15\ncleaned: 2026-11-10\n"
        "repealed: [示政规〔2020〕9号]\ntopics: [测试乙]",
        "decisions/test-x": "title: 测试决定甲\npublished: 2026-11-11\ntopics: [测试庚]",
        "decisions/test-y": "title: 测试决定乙\npublished: 2026-11-12\ntopics: [测试庚]",
    }
    for name, front in items.items():
        write(site, f"content/{name}.md", f"---\n{front}\nissuer: 政务公开示例市人民政府\n---\n正文。\n")
    write(site, "content/decisions/files/plan.txt", "实施方案。\n")
    write(
        site,
        "content/decisions/2026-plan.md",
        "---\ntitle: 关于实施方案的决定\nissuer: 政务公开示例市人民政府\npublished: 2026-11-18\n"
        "topics: [城乡建设]\nattachments: [files/plan.txt]\n---\n实施方案见附件。\n",
    )
    write(
        site,
        "content/decisions/2026-plan-note.md",
        "---\ntitle: 关于实施方案的说明\nissuer: 政务公开示例市人民政府\npublished: 2026-11-19\n"
        "topics: [综合政务]\n---\n说明见[决定](2026-plan.md)。\n",
    )


def _policy_title(site):
    """Its interpretation's page, the lists and the feeds show it."""
    edit(site / "content/policies/test-new.md", "title: 测试政策", "title: 测试政策（修订）")


def _interpretation_added(site):
    write(
        site,
        "content/interpretations/test-new-tj.md",
        "---\ntitle: 图解测试政策\nissuer: 政务公开示例市人民政府\npublished: 2026-11-10\n"
        "interprets: 示政发〔2026〕99号\nform: qa\ntopics: [测试戊]\n---\n一图读懂。\n",
    )


def _repealing_title(site):
    """The repealed document's banner and 废止文件 row name the 清理结果."""
    edit(site / "content/cleanups/test-clean.md", "title: 测试清理结果", "title: 测试清理结果（更正）")


def _repealed_by_cleanup(site):
    """The 清理结果 repeals a document it had kept: banner, 有效性, the library and browsing change."""
    path = site / "content/cleanups/2026-normative.md"
    edit(path, "kept: [示政规〔2026〕2号]\n", "")
    edit(path, "repealed: [示政规〔2019〕1号]", "repealed: [示政规〔2019〕1号, 示政规〔2026〕2号]")


def _attachment_grows(site):
    write(site, "content/decisions/files/plan.txt", "实施方案。\n" * 800)


def _topic_changed(site):
    """test-x loses its one related item, and the topic lists change."""
    edit(site / "content/decisions/test-y.md", "topics: [测试庚]", "topics: [测试辛]")


def _contact_changed(site):
    """site.yaml beyond the common parts: the guide and every response page show the contact."""
    edit(site / "site.yaml", "phone: 0575-12345678", "phone: 0575-12345670")


KEY_EDITS = {
    f.__name__.strip("_"): f
    for f in (
        _policy_title,
        _interpretation_added,
        _repealing_title,
        _repealed_by_cleanup,
        _attachment_grows,
        _topic_changed,
        _contact_changed,
    )
}


@pytest.mark.parametrize("name", list(KEY_EDITS))
def test_pages_that_show_an_edited_item_are_rebuilt(tmp_path, name):
    site = copy_sample(tmp_path / "site")
    with_extras(site)
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    build(site, incremental, cache)
    before = snapshot(incremental)
    KEY_EDITS[name](site)
    build(site, incremental, cache)
    assert_same_as_cold(site, incremental, tmp_path / "cold")
    after = snapshot(incremental)
    assert after != before


def test_the_build_date_crossing_a_deadline_or_an_expiry(tmp_path):
    """A response becomes 逾期 and a normative document 失效 with no file changed: only the date."""
    site = copy_sample(tmp_path / "site")
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    edit(site / "content/policies/sample-2026-old-community.md", "expires: 2031-06-14", "expires: 2026-12-10")
    build(site, incremental, cache)
    same_as_cold(site, incremental, tmp_path / "cold1")
    response = (incremental / "responses/ysq-2026-012/index.html").read_text(encoding="utf-8")
    policy = (incremental / "policies/sample-2026-old-community/index.html").read_text(encoding="utf-8")
    build_on(site, incremental, cache, LATER)
    same_as_cold(site, incremental, tmp_path / "cold2", LATER)
    assert "逾期" not in response and "逾期" in (incremental / "responses/ysq-2026-012/index.html").read_text("utf-8")
    assert "本文件已失效" not in policy
    assert "本文件已失效" in (incremental / "policies/sample-2026-old-community/index.html").read_text("utf-8")
    build_on(site, incremental, cache, LATER)  # the same date again: every key as recorded
    same_as_cold(site, incremental, tmp_path / "cold3", LATER)


def test_a_link_target_withheld_is_refused_and_the_fix_equals_a_cold_build(tmp_path):
    """Withholding an item another links to is refused (R704) and leaves output and cache as they
    were; once the link goes, the build equals a cold one."""
    site = copy_sample(tmp_path / "site")
    with_extras(site)
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    build(site, incremental, cache)
    before = snapshot(incremental)
    edit(
        site / "content/decisions/2026-plan.md",
        "published: 2026-11-18\n",
        "published: 2026-11-18\ndisclosure: withheld\nbasis: process-info\nreview: {by: 办公室, date: 2026-11-17}\n",
    )
    result = run("build", "--site", str(site), "--out", str(incremental), "--cache", str(cache), "--today", TODAY)
    assert result.exit_code == 1 and "R704" in result.output
    assert snapshot(incremental) == before
    edit(site / "content/decisions/2026-plan-note.md", "说明见[决定](2026-plan.md)。", "说明另行公布。")
    build(site, incremental, cache)
    assert_same_as_cold(site, incremental, tmp_path / "cold")


def test_unchanged_pages_are_not_resolved(tmp_path, monkeypatch):
    """With the keys recorded, a rebuild after one body change resolves that page alone (and the
    files that list every item's body-free facts are not made again)."""
    from datetime import date

    from disclose import pipeline, render

    monkeypatch.delenv("DISCLOSE_VERIFY_KEYS", raising=False)
    site = copy_sample(tmp_path / "site")
    out, cache = tmp_path / "out", tmp_path / "cache"
    pipeline.build(site, out, date(2026, 11, 22), workers=1, cache_dir=cache)
    pipeline.build(site, out, date(2026, 11, 22), workers=1, cache_dir=cache)
    resolved: list[str] = []
    original = render.Page.resolve

    def spy(page):
        context = original(page)
        resolved.append(context["item"]["id"] if "item" in context else page.name)
        return context

    monkeypatch.setattr(render.Page, "resolve", spy)
    _body(site)
    pipeline.build(site, out, date(2026, 11, 22), workers=1, cache_dir=cache)
    assert "policies/shaoxing-2022-work-rules" in resolved
    assert not [r for r in resolved if r.startswith(("policies/", "interpretations/", "decisions/"))][1:]
    assert "list.html" not in resolved


def test_a_damaged_key_store_is_ignored(tmp_path):
    site = copy_sample(tmp_path / "site")
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    (cache / "page_keys.json").write_text("{not json", encoding="utf-8")
    _title(site)
    build(site, incremental, cache)
    assert_same_as_cold(site, incremental, tmp_path / "cold")
    (cache / "page_keys.json").write_text('{"engine": "other", "pages": {}}', encoding="utf-8")
    build(site, incremental, cache)
    assert_same_as_cold(site, incremental, tmp_path / "cold")
