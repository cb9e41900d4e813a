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
