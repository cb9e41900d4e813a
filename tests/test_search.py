"""Chinese search through Pagefind's JS API in real Chromium, over the sample site."""

from __future__ import annotations

import pytest

from .browser import chromium, search, serve
from .conftest import copy_sample, run

SAMPLE_TODAY = "2026-11-22"


@pytest.fixture(scope="module")
def built(tmp_path_factory):

    site = tmp_path_factory.mktemp("sample")
    copy_sample(site)
    result = run("build", "--site", str(site), "--today", SAMPLE_TODAY)
    assert result.exit_code == 0, result.output
    return site / "public"


def test_chinese_words_are_found(built):
    with serve(built) as base, chromium() as driver:
        found = search(driver, base, ["会海智治", "政务公开", "zzqqxx"])
    assert "error" not in found, found
    assert "/policies/shaoxing-2022-work-rules/" in found["会海智治"]
    assert "/policies/quzhou-2022-work-rules/" not in found["会海智治"]
    assert len(found["政务公开"]) >= 5
    assert found["zzqqxx"] == []


def test_withheld_item_is_not_searchable(built):
    with serve(built) as base, chromium() as driver:
        found = search(driver, base, ["请示材料"])
    assert all("2025-changwu-13" not in url for url in found["请示材料"])
