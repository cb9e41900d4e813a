"""Screenshots of the sample site for a person to look at: home and a policy at 375px and 1280px.

Usage: python scripts/screenshots.py [OUT_DIR]   (default: screenshots/)
Needs Debian's chromium and chromium-driver, and a Chinese font (fonts-noto-cjk) so the text is legible.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from page_weight import build_sample  # noqa: E402  (the same sample build the weight check uses)

from tests.browser import chromium, serve, wait  # noqa: E402  (shared with the browser tests)

PAGES = {"home": "/", "policy": "/policies/shaoxing-2022-work-rules/", "search": "/search/?q=会海智治"}
WIDTHS = (375, 1280)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if shutil.which("fc-list") and "CJK" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout:
        print("warning: no CJK font found; install fonts-noto-cjk for legible Chinese", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        public = Path(tmp) / "public"
        build_sample(public)
        with serve(public) as base:
            for width in WIDTHS:
                with chromium(width=width, height=900) as driver:
                    driver.execute_cdp_cmd(
                        "Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
                    )
                    for name, path in PAGES.items():
                        driver.get(base + path)
                        if path.startswith("/search"):
                            wait(
                                lambda: driver.execute_script(
                                    "return document.getElementById('search-status').textContent"
                                ).startswith(("找到", "没有"))
                            )
                        height = driver.execute_script("return document.documentElement.scrollHeight")
                        driver.execute_cdp_cmd(
                            "Emulation.setDeviceMetricsOverride",
                            {
                                "width": width,
                                "height": min(height, 4000),
                                "deviceScaleFactor": 1,
                                "mobile": width < 600,
                            },
                        )
                        target = out / f"{name}-{width}.png"
                        driver.save_screenshot(str(target))
                        print(target)


if __name__ == "__main__":
    main()
