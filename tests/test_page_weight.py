"""The weight budget: a document page with its CSS and scripts is under 50 KB before search."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT, copy_sample, run

spec = importlib.util.spec_from_file_location("page_weight", ROOT / "bench/page_weight.py")
page_weight = importlib.util.module_from_spec(spec)
spec.loader.exec_module(page_weight)


def test_pages_stay_under_the_budget(tmp_path):
    site = copy_sample(tmp_path / "s")
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    figures = page_weight.measure(site / "public")
    over = {name: f["raw"] for name, f in figures.items() if f["raw"] > page_weight.BUDGET}
    assert over == {}
    # search's own code is not loaded before the search page, and Pagefind not before a search
    policy = (site / "public/policies/shaoxing-2022-work-rules/index.html").read_text(encoding="utf-8")
    assert "search.js" not in policy and "pagefind" not in policy.lower().replace("data-pagefind", "")
