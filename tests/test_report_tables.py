"""Report tables on a phone, measured in real Chromium at 320 and 375 px, in normal and large text
(大字体, kept in localStorage): every number sits on one line, row labels are not stacked one
character a line, and a table wider than the screen scrolls inside a focusable, labelled region
with a visible cue and its first column held in place, never the page itself."""

from __future__ import annotations

import pytest

from .browser import chromium, serve
from .conftest import copy_sample, run
from .test_accessibility import AXE, RUN_AXE

PAGES = ("/reports/2025/", "/compliance/2026/", "/compliance/2025/")

MEASURE = r"""
const lines = (el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
};
const numbers = [], labels = [], regions = [];
for (const td of document.querySelectorAll("main table td")) {
  const text = td.textContent.trim();
  if (/^[\d.,—-]+$/.test(text) && lines(td) !== 1) numbers.push(text);
}
for (const th of document.querySelectorAll("main table tbody th")) {
  const text = th.textContent.trim(), n = lines(th);
  if (n > 1 && text.length / n < 3) labels.push(`${text} (${n} lines)`);
}
for (const region of document.querySelectorAll("main .table-scroll")) {
  if (region.scrollWidth <= region.clientWidth + 1) continue;
  const style = getComputedStyle(region);
  const first = region.querySelector("tbody tr > :first-child");
  region.scrollLeft = region.scrollWidth;
  const held = Math.abs(first.getBoundingClientRect().left - region.getBoundingClientRect().left) < 2;
  region.scrollLeft = 0;
  regions.push({
    label: region.getAttribute("aria-label") || "",
    role: region.getAttribute("role"),
    focusable: region.tabIndex === 0,
    scrolls: ["auto", "scroll"].includes(style.overflowX),
    cue: (style.backgroundImage.match(/gradient/g) || []).length >= 2,
    held: held || !first.matches("th"),
  });
}
return {numbers, labels, regions, page: document.documentElement.scrollWidth, width: innerWidth};
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    site = copy_sample(tmp_path_factory.mktemp("tables"))
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    with serve(site / "public") as base:
        yield base


def _phone(driver, width):
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": True}
    )


def test_report_tables_are_legible_at_phone_widths_in_both_text_sizes(site_url):
    broken, scrolled = {}, 0
    with chromium(width=800, height=900) as driver:
        for width in (320, 375):
            _phone(driver, width)
            for large in ("0", "1"):
                driver.get(site_url + "/")
                driver.execute_script(f"localStorage.setItem('disclose-font', '{large}')")
                for path in PAGES:
                    driver.get(site_url + path)
                    assert ("large" in driver.execute_script("return document.documentElement.className")) == (
                        large == "1"
                    )
                    found = driver.execute_script(MEASURE)
                    where = f"{path} {width}px large={large}"
                    if found["numbers"]:
                        broken[f"{where}: numbers broken across lines"] = found["numbers"][:5]
                    if found["labels"]:
                        broken[f"{where}: row labels stacked"] = found["labels"][:5]
                    if found["page"] > found["width"]:
                        broken[f"{where}: the page scrolls sideways"] = found["page"]
                    for region in found["regions"]:
                        scrolled += 1
                        ok = region["label"] and region["role"] == "region" and region["focusable"]
                        if not (ok and region["scrolls"] and region["cue"] and region["held"]):
                            broken[f"{where}: wide table {region['label']!r}"] = region
    assert broken == {}
    assert scrolled, "at least one table is wider than a 320px screen in large text and scrolls in its region"


def test_the_report_page_in_its_phone_layout_has_no_axe_violations(site_url):
    with chromium(width=800, height=900) as driver:
        _phone(driver, 375)
        found = {}
        for large in ("0", "1"):
            driver.get(site_url + "/")
            driver.execute_script(f"localStorage.setItem('disclose-font', '{large}')")
            driver.get(site_url + "/reports/2025/")
            driver.execute_script(AXE)
            if violations := driver.execute_async_script(RUN_AXE):
                found[large] = violations
    assert found == {}
