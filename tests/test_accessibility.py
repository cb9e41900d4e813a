"""Everyone can use it: axe-core in real Chromium, 320px without sideways scrolling, keyboard,
适老化 text size and line height, and reading preferences that persist across pages."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .browser import chromium, serve, wait
from .conftest import ROOT, copy_sample, run

AXE = (ROOT / "node_modules/axe-core/axe.min.js").read_text(encoding="utf-8")
PAGES = {
    "home": "/",
    "listing": "/policies/",
    "policy": "/policies/shaoxing-2022-work-rules/",
    "repealed policy": "/policies/shaoxing-2017-work-rules/",
    "interpretation": "/interpretations/shaoxing-2022-work-rules-jd/",
    "response": "/responses/ysq-2026-009/",
    "search": "/search/?q=会海智治",
    "annual report": "/reports/2025/",
    "compliance": "/compliance/2026/",
    "hub": "/fdzdgknr/",
    "browse": "/browse/topic/",
    "guide": "/pages/guide/",
    "catalogue": "/decisions/major/",
    "normative library": "/normative/valid/",
    "amended policy": "/policies/sample-2020-parking/",
    "planned decision": "/decisions/2026-plan-old-community/",
    "404": "/404.html",
}
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (r) => done(r.violations.map((v) => [v.id, v.impact, v.nodes.map((n) => n.target.join(" ")).slice(0, 3)])),
  (e) => done([["axe-error", String(e), []]]));
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    site = copy_sample(tmp_path_factory.mktemp("a11y"))
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    with serve(site / "public") as base:
        yield base


def _settle(driver, path):
    if path.startswith("/search"):
        wait(
            lambda: driver.execute_script("return document.getElementById('search-status').textContent").startswith(
                ("找到", "没有")
            ),
            20,
        )


@pytest.mark.parametrize("contrast", [False, True], ids=["default", "high-contrast"])
def test_no_axe_violations_on_any_template(site_url, contrast):
    problems = {}
    with chromium() as driver:
        driver.get(site_url + "/")
        driver.execute_script(f"localStorage.setItem('disclose-contrast', '{1 if contrast else 0}')")
        for name, path in PAGES.items():
            driver.get(site_url + path)
            _settle(driver, path)
            driver.execute_script(AXE)
            found = driver.execute_async_script(RUN_AXE)
            if found:
                problems[name] = found
    assert problems == {}


def test_no_horizontal_scrolling_at_320px(site_url):
    wide = {}
    with chromium(width=800, height=900) as driver:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": True}
        )
        for large in ("0", "1"):
            driver.get(site_url + "/")
            driver.execute_script(f"localStorage.setItem('disclose-font', '{large}')")
            for name, path in PAGES.items():
                driver.get(site_url + path)
                _settle(driver, path)
                width = driver.execute_script("return document.documentElement.scrollWidth")
                if width > 320:
                    wide[f"{name} (large={large})"] = width
    assert wide == {}


def test_text_size_line_height_and_persistent_preferences(site_url):
    with chromium() as driver:
        driver.get(site_url + "/policies/shaoxing-2022-work-rules/")
        driver.execute_script("localStorage.clear()")
        driver.get(site_url + "/policies/shaoxing-2022-work-rules/")
        size, line = driver.execute_script(
            "const s = getComputedStyle(document.querySelector('.body p'));"
            "return [parseFloat(s.fontSize), parseFloat(s.lineHeight)];"
        )
        assert size >= 18 and line / size >= 1.5
        driver.find_element(By.CSS_SELECTOR, "button[data-pref=font]").click()
        driver.find_element(By.CSS_SELECTOR, "button[data-pref=contrast]").click()
        driver.get(site_url + "/reports/2025/")
        state = driver.execute_script(
            "return [document.documentElement.className, parseFloat(getComputedStyle(document.body).fontSize),"
            " document.querySelector('button[data-pref=font]').getAttribute('aria-pressed')]"
        )
        assert "large" in state[0] and "contrast" in state[0] and state[1] > 20 and state[2] == "true"


def test_keyboard_skip_link_and_visible_focus(site_url):
    with chromium() as driver:
        driver.get(site_url + "/policies/")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        assert active.get_attribute("class") == "skip" and active.is_displayed()
        outline = driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", "")
        active.send_keys(Keys.ENTER)
        assert driver.execute_script("return document.activeElement.id") == "main"


def test_print_stylesheet_prints_like_a_gongwen(site_url):
    with chromium() as driver:
        driver.get(site_url + "/policies/shaoxing-2022-work-rules/")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        shown = driver.execute_script(
            "return ['.topnav', '.breadcrumb', '.footer', '.doc-title', '.doc-no', '.body']"
            ".map((s) => getComputedStyle(document.querySelector(s)).display !== 'none')"
        )
    assert shown == [False, False, False, True, True, True]


def test_axe_check_can_see_a_violation(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><img src="a.png"><a href="#"></a></body></html>',
        encoding="utf-8",
    )
    with serve(tmp_path) as base, chromium() as driver:
        driver.get(base + "/bad.html")
        driver.execute_script(AXE)
        found = {v[0] for v in driver.execute_async_script(RUN_AXE)}
    assert {"image-alt", "html-has-lang", "link-name"} <= found
