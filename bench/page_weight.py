"""Page weight of the sample site: what a phone downloads for a page before search is used.

Usage: python bench/page_weight.py [--json FILE]
Prints, for each page template, the HTML plus the CSS and scripts it loads up front, raw and
gzip-compressed. The budget (issue: under 50 KB for a document page) is checked by
tests/test_page_weight.py; this script prints the figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 50 * 1024
PAGES = {
    "home": "index.html",
    "listing": "policies/index.html",
    "largest policy": None,  # found below
    "interpretation": "interpretations/shaoxing-2022-work-rules-jd/index.html",
    "response": "responses/ysq-2026-009/index.html",
    "annual report": "reports/2025/index.html",
    "search (before searching)": "search/index.html",
}
EAGER = re.compile(r'<(?:link rel="stylesheet" href|script src|script type="module" src)="([^"]+)"(?! media="print")')


def weigh(public: Path, page: str) -> dict[str, int]:
    """Bytes of the page and of the stylesheets and scripts it loads before any interaction."""
    html = (public / page).read_bytes()
    files = [html]
    for url in EAGER.findall(html.decode("utf-8")):
        files.append((public / url.lstrip("/")).read_bytes())
    return {"files": len(files), "raw": sum(len(f) for f in files), "gzip": sum(len(gzip.compress(f)) for f in files)}


def measure(public: Path) -> dict[str, dict[str, int]]:
    pages = dict(PAGES)
    policies = sorted((public / "policies").glob("*/index.html"), key=lambda p: p.stat().st_size)
    pages["largest policy"] = policies[-1].relative_to(public).as_posix()
    return {f"{name} ({path})": weigh(public, path) for name, path in pages.items()}


def build_sample(out: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "disclose.cli",
            "build",
            "--site",
            str(ROOT),
            "--out",
            str(out),
            "--today",
            "2026-11-22",
        ],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "public"
        build_sample(out)
        figures = measure(out)
    print(f"{'page':<70} {'files':>5} {'raw KB':>8} {'gzip KB':>8}  budget {BUDGET // 1024} KB")
    for name, f in figures.items():
        flag = "" if f["raw"] <= BUDGET else "  OVER"
        print(f"{name:<70} {f['files']:>5} {f['raw'] / 1024:>8.1f} {f['gzip'] / 1024:>8.1f}{flag}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
