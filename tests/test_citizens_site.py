"""The citizens' site: the 政府信息公开 column, browsing, structured data, and a phone user's journey."""

from __future__ import annotations

import json
import re

import pytest
from selenium.webdriver.common.by import By

from .browser import chromium, serve, wait
from .conftest import copy_sample, run


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    site = copy_sample(tmp_path_factory.mktemp("citizens"))
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    return site / "public"


def read(public, path):
    return (public / path).read_text(encoding="utf-8")


def test_column_has_the_four_national_sections(public):
    home = read(public, "index.html")
    nav = home[home.index('<nav class="topnav"') : home.index("</nav>")]
    labels = re.findall(r'<a href="[^"]+">([^<]+)</a>', nav)
    assert labels[1:5] == ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"]
    hub = read(public, "fdzdgknr/index.html")
    for section in (
        "政策文件",
        "政策解读",
        "会议决定事项",
        "公开征求意见",
        "建议提案办理结果",
        "依申请公开答复",
        "重大行政决策事项目录",
    ):
        assert section in hub


def test_browse_by_topic_issuer_year_and_validity(public):
    for facet in ("topic", "issuer", "year", "validity"):
        assert (public / f"browse/{facet}/index.html").is_file()
    repealed = read(public, "browse/validity/repealed/index.html")
    valid = read(public, "browse/validity/valid/index.html")
    assert "/policies/shaoxing-2017-work-rules/" in repealed and "/policies/shaoxing-2017-work-rules/" not in valid
    assert "/policies/shaoxing-2022-work-rules/" in valid
    year = read(public, "browse/year/2022/index.html")
    assert "/policies/shaoxing-2022-work-rules/" in year and "/policies/xinzhou-2023-work-rules/" not in year
    assert '<nav class="breadcrumb"' in year


def test_pagination_stays_small_with_many_pages(site):
    from disclose.render import _pager

    pager = _pager(2500, 5000, lambda n: f"/p/{n}/")
    assert [p["number"] for p in pager["all"]] == [1, 2498, 2499, 2500, 2501, 2502, 5000]


def test_policy_json_ld_is_legislation_with_its_doc_no(public):
    html = read(public, "policies/shaoxing-2022-work-rules/index.html")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>', html).group(1))
    assert data["@type"] == "Legislation" and data["legislationIdentifier"] == "绍政发〔2022〕5号"
    assert data["legislationLegalForce"] == "InForce"
    old = read(public, "policies/shaoxing-2017-work-rules/index.html")
    old_data = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>', old).group(1))
    assert old_data["legislationLegalForce"] == "NotInForce"
    assert '<link rel="canonical" href="https://disclose.example.gov.cn/policies/shaoxing-2022-work-rules/">' in html
    assert "<title>绍兴市人民政府关于印发绍兴市人民政府工作规则的通知 - 政务公开示例网站</title>" in html
    assert '<meta name="description" content="' in html


def test_feeds_per_kind_and_404(public):
    for folder in ("policies", "interpretations", "responses", "decisions", "consultations", "suggestions"):
        assert read(public, f"{folder}/feed.xml").startswith("<?xml")
    assert "页面不存在" in read(public, "404.html")


def test_phone_user_finds_the_shaoxing_rules_and_the_repeal(public):
    with serve(public) as base, chromium(width=375, height=800) as driver:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": True}
        )
        driver.get(base + "/")
        box = driver.find_element(By.ID, "home-q")
        box.send_keys("会海智治")
        box.submit()
        wait(
            lambda: driver.execute_script("return document.getElementById('search-status').textContent").startswith(
                "找到"
            ),
            20,
        )
        driver.find_element(By.CSS_SELECTOR, '#search-results a[href="/policies/shaoxing-2022-work-rules/"]').click()
        wait(lambda: "绍兴市人民政府工作规则" in driver.title)
        # The interpretation is in the info box near the top, not only at the end of 69 articles.
        interpretation = driver.find_element(
            By.CSS_SELECTOR, '.info a[href="/interpretations/shaoxing-2022-work-rules-jd/"]'
        )
        top = driver.execute_script("return arguments[0].getBoundingClientRect().top + window.scrollY", interpretation)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        assert top < 1600 and height > 8 * top
        interpretation.click()
        wait(lambda: "政策解读" in driver.title)
        assert "绍政发〔2017〕8号" in driver.find_element(By.CSS_SELECTOR, ".body").text
        driver.back()
        wait(lambda: "绍兴" in driver.title and "解读" not in driver.title)
        driver.find_element(By.CSS_SELECTOR, '.related a[href="/policies/shaoxing-2017-work-rules/"]').click()
        banner = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".banner").text)
    assert "本文件已废止" in banner and "绍兴市人民政府关于印发绍兴市人民政府工作规则的通知" in banner
