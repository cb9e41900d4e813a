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


def primed_with_extras(tmp_path: Path) -> tuple[Path, Path, Path, dict[str, bytes]]:
    """The sample with `with_extras`, built twice through a cache (filled, with a spare): the site,
    the cache, the output and a snapshot of it."""
    site = copy_sample(tmp_path / "site")
    with_extras(site)
    cache, incremental = tmp_path / "cache", tmp_path / "incremental"
    build(site, incremental, cache)
    build(site, incremental, cache)
    return site, cache, incremental, snapshot(incremental)


@pytest.mark.parametrize("name", list(KEY_EDITS))
def test_pages_that_show_an_edited_item_are_rebuilt(tmp_path, name):
    site, cache, incremental, before = primed_with_extras(tmp_path)
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
    site, cache, incremental, before = primed_with_extras(tmp_path)
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


# ---- load and validate from the cache -------------------------------------------------------
# What the cache keeps of an unchanged file (its parsed source, and the findings of the rules that
# read only its own item) must be exactly what reading and checking it again would give. Each test
# below checks a site through the cache (opened from disk, as a fresh process would) and without
# it, after an edit that a stale cache would miss.


def checked(site: Path, cache: Path | None, today: str = "2024-06-01") -> list[str]:
    """Every problem `check` reports, through the cache folder `cache` (opened and saved as a build
    does) or without one."""
    from datetime import date

    from disclose import pipeline
    from disclose.build_cache import BuildCache

    opened = BuildCache.open(cache) if cache else None
    report = pipeline.check(site, date.fromisoformat(today), opened, 1)
    if opened is not None:
        opened.save()
    return [problem.format("en") for problem in report.problems]


def same_as_uncached(site: Path, cache: Path, today: str = "2024-06-01") -> list[str]:
    found = checked(site, cache, today)
    assert found == checked(site, None, today)
    return found


def aged(*paths: Path) -> None:
    """Wait until the files' status-change time is old enough for their stat to be trusted (see
    `build_cache.trusted`): a file checked right after it was written is always read again."""
    import time

    from disclose.build_cache import RACY_NS

    newest = max(path.stat().st_ctime_ns for path in paths)
    time.sleep(max(0.0, (newest + RACY_NS - time.time_ns()) / 1e9 + 0.05))


def codes(found: list[str]) -> list[str]:
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in found]


def test_a_file_changed_under_the_same_size_and_modification_time_is_read_again(site, tmp_path):
    """Stat-first loading trusts (size, mtime, ctime, inode, device). A rewrite that keeps the size
    and has its modification time set back (os.utime) still changes the status-change time."""
    import os

    from disclose.build_cache import BuildCache

    cache = tmp_path / "cache"
    policy = site / "content/policies/rules.md"
    aged(*(site / "content").rglob("*.md"))
    assert same_as_uncached(site, cache) == []
    assert BuildCache.open(cache).sources["content/policies/rules.md"].stat is not None  # trusted from now on
    before = policy.stat()
    text = policy.read_text(encoding="utf-8")
    changed = text.replace("为规范工作", "电 13800138000")  # the same number of bytes
    assert len(changed.encode()) == len(text.encode())
    policy.write_text(changed, encoding="utf-8")
    os.utime(policy, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (policy.stat().st_size, policy.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert "I902" in codes(same_as_uncached(site, cache))


def test_a_file_checked_right_after_it_was_written_is_not_trusted_by_its_stat(site, tmp_path):
    """A write in the same tick of the file system's clock could leave size and times unchanged, so
    a file whose status changed within `RACY_NS` of reading it keeps no stat: it is read next time."""
    from disclose.build_cache import BuildCache

    cache = tmp_path / "cache"
    write(
        site,
        "content/policies/new.md",
        "---\ntitle: 新文件\nissuer: 示例市人民政府\npublished: 2024-03-02\n---\n正文。\n",
    )
    checked(site, cache)
    assert BuildCache.open(cache).sources["content/policies/new.md"].stat is None


def test_a_cache_restored_by_ci_is_used_by_content(site, tmp_path):
    """Restored from an archive, every file has a new inode and times: its bytes are hashed and,
    being the same, its source and findings are reused (and its new stat remembered)."""
    import shutil
    from datetime import date

    from disclose import pipeline
    from disclose.build_cache import BuildCache

    cache, rel = tmp_path / "cache", "content/policies/rules.md"
    checked(site, cache)
    shutil.copytree(site, tmp_path / "restored")
    aged(*(tmp_path / "restored/content").rglob("*.md"))
    opened = BuildCache.open(cache)
    kept = opened.sources[rel]
    pipeline.check(tmp_path / "restored", date(2024, 6, 1), opened, 1)
    assert opened.sources[rel] is kept and kept.source is opened.sources[rel].source  # not parsed again
    assert kept.stat is not None and kept.stat[3] == (tmp_path / "restored" / rel).stat().st_ino


ATTACHED = (
    "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: {published}\nattachments: [files/名单.txt]\n---\n正文。\n"
)


def test_an_attachment_changed_in_place_is_checked_again(site, tmp_path):
    """The attachment rules (A803, I903, S303…) keep their findings with the item, under the
    attachments' digests (taken again when the stat changed): new bytes under the same name and
    modification time are found. (Same size too is `stat_key`'s status-change time, tested above;
    here the size differs, so no per-process memo of the attachment's text can hide the change.)"""
    import os

    cache = tmp_path / "cache"
    write(site, "content/decisions/d.md", ATTACHED.format(published="2024-03-01"))
    listed = write(site, "content/decisions/files/名单.txt", "姓名,电话\n张三,139****0000\n")
    aged(listed)
    assert same_as_uncached(site, cache) == []
    before = listed.stat()
    listed.write_text("姓名,电话\n张三,13800138000。\n", encoding="utf-8")
    os.utime(listed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert codes(same_as_uncached(site, cache)) == ["I903"]
    listed.write_text("姓名,电话\n张三,139****0000\n", encoding="utf-8")
    assert same_as_uncached(site, cache) == []


def test_an_attachment_removed_or_linked_is_checked_again(site, tmp_path):
    import os

    cache = tmp_path / "cache"
    write(site, "content/decisions/d.md", ATTACHED.format(published="2024-03-01"))
    files = site / "content/decisions/files"
    write(site, "content/decisions/files/名单.txt", "姓名\n张三\n")
    assert same_as_uncached(site, cache) == []
    # the folder moved away and linked back: the file itself (inode, size, times) is unchanged
    os.rename(files, site / "content/elsewhere")
    os.symlink("../elsewhere", files)
    found = codes(same_as_uncached(site, cache))
    assert "A806" in found and "E013" in found
    os.unlink(files)
    os.rename(site / "content/elsewhere", files)
    assert same_as_uncached(site, cache) == []
    (files / "名单.txt").unlink()
    os.symlink("../../policies/rules.md", files / "名单.txt")
    assert "A806" in codes(same_as_uncached(site, cache))
    (files / "名单.txt").unlink()
    assert codes(same_as_uncached(site, cache)) == ["A801"]


def test_findings_that_depend_on_the_date_follow_the_date(site, tmp_path):
    """An embargoed item's text is checked for personal information from its day on (I901/I902
    read whether the item is public), and expiry warnings (T640/T641) count days to the date."""
    cache = tmp_path / "cache"
    write(
        site,
        "content/decisions/later.md",
        "---\ntitle: 将来公布的决定\nissuer: 示例市人民政府\npublished: 2024-07-01\n---\n联系 13800138000。\n",
    )
    edit(site / "content/policies/rules.md", "published: 2024-03-01", "published: 2024-03-01\nexpires: 2024-09-30")
    assert same_as_uncached(site, cache, "2024-06-01") == []
    assert codes(same_as_uncached(site, cache, "2024-07-05")) == ["I902", "T640"]
    assert codes(same_as_uncached(site, cache, "2024-09-10")) == ["I902", "T641"]
    assert same_as_uncached(site, cache, "2024-06-01") == []


def test_findings_follow_site_yaml(site, tmp_path):
    """Every kept finding is keyed by the configuration: `pii_allow` lets an official number pass."""
    cache = tmp_path / "cache"
    write(site, "content/decisions/d.md", ATTACHED.format(published="2024-03-01"))
    write(site, "content/decisions/files/名单.txt", "热线 13800138000\n")
    assert codes(same_as_uncached(site, cache)) == ["I903"]
    with (site / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("pii_allow: ['13800138000']\n")
    assert same_as_uncached(site, cache) == []


def test_every_item_rule_says_what_it_reads():
    """A rule kept with its item reads only what its key holds (see rules.registry); these read
    other items and must run on every build."""
    from disclose.rules import all_rules

    others = {rule.code for rule in all_rules() if rule.scope == "item" and rule.reads == "catalogue"}
    assert others == {
        "A805", "F142", "P401", "P402", "P403", "P404", "P405", "R701", "R702", "R703", "R704", "R705",
        "R720", "R721", "R722", "R724", "R725",
    }  # fmt: skip


def test_after_a_few_edits_only_the_changed_sources_are_written(site, tmp_path, monkeypatch):
    """Writing every parsed source again after one edit cost as much as checking them; the changes
    go to a small delta file beside them until they are many, then everything is written anew."""
    from disclose import build_cache
    from disclose.build_cache import DELTA, SOURCES, BuildCache

    cache = tmp_path / "cache"
    write(
        site, "content/decisions/a.md", "---\ntitle: 甲\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n正文。\n"
    )
    write(
        site, "content/decisions/b.md", "---\ntitle: 乙\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n正文。\n"
    )
    assert same_as_uncached(site, cache) == []
    base = (cache / SOURCES).read_bytes()
    assert not (cache / DELTA).exists()
    same_as_uncached(site, cache)
    assert not (cache / DELTA).exists()  # nothing changed: nothing written
    edit(site / "content/decisions/a.md", "正文。", "联系 13800138000。")
    (site / "content/decisions/b.md").unlink()
    assert codes(same_as_uncached(site, cache)) == ["I902"]
    assert (cache / SOURCES).read_bytes() == base and (cache / DELTA).exists()
    opened = BuildCache.open(cache)
    assert "content/decisions/b.md" not in opened.sources
    assert "13800138000" in opened.sources["content/decisions/a.md"].source.body
    assert codes(same_as_uncached(site, cache)) == ["I902"]
    monkeypatch.setattr(build_cache, "DELTA_MIN", 1)
    edit(site / "content/policies/rules.md", "为规范工作", "为规范政府工作")
    edit(site / "content/decisions/a.md", "联系 13800138000。", "正文。")
    assert same_as_uncached(site, cache) == []
    assert (cache / SOURCES).read_bytes() != base and not (cache / DELTA).exists()


def test_a_delta_left_over_from_a_stopped_build_costs_work_not_correctness(site, tmp_path):
    """A build stopped after writing every source anew but before removing the delta leaves an
    older delta beside newer sources: its entries are true records of older bytes, so the files
    they describe are only read and checked again."""
    import shutil

    from disclose.build_cache import DELTA, SOURCES

    cache = tmp_path / "cache"
    same_as_uncached(site, cache)
    edit(site / "content/policies/rules.md", "为规范工作", "联系 13800138000")
    assert codes(same_as_uncached(site, cache)) == ["I902"]
    shutil.copy(cache / DELTA, tmp_path / "old-delta")
    edit(site / "content/policies/rules.md", "联系 13800138000", "为规范工作")
    (cache / SOURCES).unlink()  # unreadable sources: everything is written anew
    (cache / DELTA).unlink()
    assert same_as_uncached(site, cache) == []
    assert not (cache / DELTA).exists()
    shutil.copy(tmp_path / "old-delta", cache / DELTA)
    assert same_as_uncached(site, cache) == []


def test_compiled_templates_are_kept_and_an_edited_template_is_compiled_again(tmp_path):
    """The Jinja bytecode cache lives in the cache folder; Jinja checks each template's source."""
    site = copy_sample(tmp_path / "site")
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(site, out, cache)
    kept = list(cache.glob("jinja-*/*.cache"))
    assert kept
    _template(site)  # a site override of list.html: compiled anew, never taken from the cache
    build(site, out, cache)
    assert_same_as_cold(site, out, tmp_path / "cold")
