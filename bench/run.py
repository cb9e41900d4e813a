"""The speed benchmark: disclose against Hugo + Pagefind on the same generated documents.

Usage: python bench/run.py [--sizes 1000,10000] [--json bench/out/results.json] [--no-hugo]
       python bench/run.py --sizes 100000          (the large run, when asked)

For each size N it generates a site (bench/generate.py), then times, as whole processes with
their peak memory: a cold disclose build (no cache); then, once two builds have filled the cache
and left the spare output folder a build keeps (the steady state of an editor's machine or of CI
restoring its cache), a rebuild with nothing changed, a rebuild after one document's body
changed (a document of any year: an old one's search bundle is a large archive bundle), one after a
title changed (listings and search move), and one after a body of this year changed; then the
rebuild as CI runs it (issue #12 goal 2, `.github/workflows/publish.yml`): the site is a git
repository (each edit committed), so one body change is committed, the site cloned afresh at its
path (as `actions/checkout` leaves it: every file new) and the output and cache folders archived
and restored with GNU tar exactly as `actions/cache` does (same modification times, new inodes and
change times), then built in a fresh process; then how soon
`disclose serve` shows a saved change (bench/live.py: the page served with the new text, the
browser's reload signal, the search index caught up; medians of a few saves);
and Hugo (Debian's `hugo`, minimal templates) followed by Pagefind extended over Hugo's output.
Then, in real headless Chromium as wide as a phone with an empty cache (bench/payload.py), what a
citizen's first and second search download, for disclose and for Hugo + its one Pagefind index.
It prints a table and writes the figures as JSON. It asserts nothing: the targets are read off it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from live import measure as serve_latency  # noqa: E402
from payload import CHROMIUM, QUERIES, disclose_payload, hugo_payload  # noqa: E402

TODAY = "2026-11-22"
HUGO_CONFIG = (
    'baseURL = "https://www.example.gov.cn/"\nlanguageCode = "zh-CN"\ntitle = "bench"\n'
    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
)
HUGO_SINGLE = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
    "<body><main data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n"
)
HUGO_LIST = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
    '<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>'
    "</body></html>\n"
)


def timed(command: list[str], cwd: Path | None = None) -> dict[str, float]:
    """Wall seconds and peak resident memory (MB) of a command and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def disclose(site: Path, out: Path, cache: Path, *extra: str) -> dict[str, float]:
    return timed(
        [
            sys.executable,
            "-m",
            "disclose.cli",
            "build",
            "--site",
            str(site),
            "--out",
            str(out),
            "--cache",
            str(cache),
            "--today",
            TODAY,
            *extra,
        ]
    )


def edit_body(site: Path) -> None:
    path = sorted((site / "content/policies").glob("p*.md"))[len(list((site / "content/policies").glob("p*.md"))) // 2]
    path.write_text(path.read_text(encoding="utf-8") + "\n本条为基准测试追加的一句话。\n", encoding="utf-8")


def edit_recent_body(site: Path) -> None:
    """A body change of this year's document: where edits usually land (a small search bundle)."""
    latest = max(p for p in (site / "content/policies").glob("p*.md") if "published: 2026-" in p.read_text("utf-8"))
    latest.write_text(latest.read_text(encoding="utf-8") + "\n本条为基准测试追加的另一句话。\n", encoding="utf-8")


def edit_title(site: Path) -> None:
    path = sorted((site / "content/policies").glob("p*.md"))[1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: （修订）", 1), encoding="utf-8")


GIT_DATE = f"{TODAY}T12:00:00+08:00"  # every bench commit's date: the same 修订记录 each run


def git(site: Path, *args: str) -> None:
    """A git command in the site's repository, quiet, with a fixed identity and date."""
    env = dict(os.environ, GIT_AUTHOR_DATE=GIT_DATE, GIT_COMMITTER_DATE=GIT_DATE)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # the site's own repository, not a caller's
        env.pop(name, None)
    subprocess.run(["git", *args], cwd=site, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def commit(site: Path, message: str) -> None:
    """Commit everything in the site (the editors' workflow: every change is committed)."""
    if not (site / ".git").exists():
        git(site, "init", "--quiet", "--initial-branch=main")
    git(site, "add", "--all")
    git(site, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "--quiet", "-m", message)


def restore_as_ci(site: Path, out: Path, cache: Path) -> None:
    """What CI has before its build (`publish.yml`): the site's repository cloned afresh at the
    same path (`actions/checkout`: every file new, the git index freshly written), and the output
    and cache folders restored as `actions/cache` restores them, with GNU tar: archived with
    `tar --posix -cf ARCHIVE -P -C WORKSPACE --files-from MANIFEST` and extracted with
    `tar -xf ARCHIVE -P -C WORKSPACE` over removed folders (modification times kept to the
    nanosecond by the pax headers, hard links kept, new inodes and change times). The paths stay
    the same, so what the cache records of them still applies."""
    origin = site.with_name(site.name + ".origin")
    shutil.rmtree(origin, ignore_errors=True)
    os.replace(site, origin)
    subprocess.run(
        ["git", "clone", "--quiet", "--no-local", str(origin), str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")},
    )
    shutil.rmtree(origin)
    workspace = out.parent
    assert cache.parent == workspace, "the bench keeps --out and --cache side by side"
    archive, manifest = workspace / "actions-cache.tar", workspace / "actions-cache.manifest"
    manifest.write_text(f"{out.name}\n{cache.name}\n", encoding="utf-8")
    tar = ["tar", "--posix", "-cf", str(archive), "-P", "-C", str(workspace), "--files-from", str(manifest)]
    subprocess.run(tar, check=True, stderr=subprocess.PIPE)
    for folder in (out, cache):
        shutil.rmtree(folder)
    subprocess.run(["tar", "-xf", str(archive), "-P", "-C", str(workspace)], check=True, stderr=subprocess.PIPE)
    archive.unlink()
    manifest.unlink()


def hugo(site: Path, work: Path) -> dict[str, float] | None:
    exe = shutil.which("hugo")
    if exe is None:
        return None
    source, out = work / "hugo-site", work / "hugo-out"
    shutil.rmtree(source, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    (source / "layouts/_default").mkdir(parents=True)
    (source / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (source / "layouts/_default/single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (source / "layouts/_default/list.html").write_text(HUGO_LIST, encoding="utf-8")
    (source / "layouts/index.html").write_text(HUGO_LIST, encoding="utf-8")
    shutil.copytree(site / "content", source / "content")
    build = timed([exe, "--quiet", "-s", str(source), "-d", str(out)])
    import pagefind_bin_extended

    index = timed([str(pagefind_bin_extended.get_executable()), "--site", str(out), "--silent"])
    return {
        "out": out,
        "hugo": build,
        "pagefind": index,
        "seconds": round(build["seconds"] + index["seconds"], 2),
        "peak_mb": max(build["peak_mb"], index["peak_mb"]),
        "index_mb": size_mb(out / "pagefind"),
    }


def run(n: int, work: Path, with_hugo: bool, live_edits: int) -> dict:
    site, out, cache = work / f"site-{n}", work / f"out-{n}", work / f"cache-{n}"
    for folder in (site, out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    generate(n, site)
    commit(site, "bench: generated")
    result: dict = {"documents": n}
    result["cold"] = disclose(site, out, cache, "--no-cache")
    disclose(site, out, cache)  # fill the cache
    disclose(site, out, cache)  # and keep a spare output folder
    result["rebuild_nothing_changed"] = disclose(site, out, cache)
    edit_body(site)
    commit(site, "bench: one body")
    result["rebuild_one_body"] = disclose(site, out, cache)
    edit_title(site)
    commit(site, "bench: one title")
    result["rebuild_one_title"] = disclose(site, out, cache)
    edit_recent_body(site)
    commit(site, "bench: one body of this year")
    result["rebuild_one_recent_body"] = disclose(site, out, cache)
    edit_recent_body(site)
    commit(site, "bench: one body, built as CI builds it")
    restore_as_ci(site, out, cache)
    result["rebuild_ci_one_body"] = disclose(site, out, cache)
    result["output_mb"] = size_mb(out)
    result["index_mb"] = size_mb(out / "pagefind")
    result["pages"] = sum(1 for _ in out.rglob("*.html"))
    if live_edits:
        result["serve"] = serve_latency(site, live_edits, TODAY)
    # the search payload needs Chromium (installed by `bash dev test`) and selenium (`[test]` extra)
    searching = Path(CHROMIUM).exists() and importlib.util.find_spec("selenium") is not None
    if searching:
        result["search"] = _figures(disclose_payload(out))
    if with_hugo:
        result["hugo_pagefind"] = hugo(site, work)
        if result["hugo_pagefind"]:
            hugo_out = result["hugo_pagefind"].pop("out")
            result["ratio_cold"] = round(result["cold"]["seconds"] / result["hugo_pagefind"]["seconds"], 2)
            if searching:
                result["hugo_pagefind"]["search"] = _figures(hugo_payload(hugo_out))
    return result


def _figures(payload: dict) -> dict:
    """KB and requests of each query (the list of files stays out of the JSON)."""
    return {which: {k: v for k, v in figures.items() if k != "files"} for which, figures in payload.items()}


def _search(r: dict, which: str, peer: bool = False) -> str:
    figures = ((r.get("hugo_pagefind") or {}) if peer else r).get("search", {}).get(which)
    return f"{figures['kb']:,.0f} KB/{figures['requests']}" if figures else "—"


def _serve(r: dict, which: str) -> str:
    figure = (r.get("serve") or {}).get(which)
    return "—" if figure is None else f"{figure:,}"


def table(results: list[dict]) -> str:
    rows = [
        ("documents", lambda r: r["documents"]),
        ("pages written", lambda r: r["pages"]),
        ("disclose cold (s)", lambda r: r["cold"]["seconds"]),
        ("  peak RSS (MB)", lambda r: r["cold"]["peak_mb"]),
        ("rebuild, nothing changed (s)", lambda r: r["rebuild_nothing_changed"]["seconds"]),
        ("rebuild, one body changed (s)", lambda r: r["rebuild_one_body"]["seconds"]),
        ("rebuild, one title changed (s)", lambda r: r["rebuild_one_title"]["seconds"]),
        ("rebuild, one body of this year changed (s)", lambda r: r["rebuild_one_recent_body"]["seconds"]),
        ("rebuild as CI runs it, cache restored (s)", lambda r: r["rebuild_ci_one_body"]["seconds"]),
        ("serve: saved change served (ms)", lambda r: _serve(r, "served_ms")),
        ("serve: reload signal (ms)", lambda r: _serve(r, "signal_ms")),
        ("serve: search caught up (ms)", lambda r: _serve(r, "done_ms")),
        ("output (MB)", lambda r: r["output_mb"]),
        ("search index (MB)", lambda r: r["index_mb"]),
        ("Hugo build (s)", lambda r: (r.get("hugo_pagefind") or {}).get("hugo", {}).get("seconds", "—")),
        ("Pagefind on Hugo (s)", lambda r: (r.get("hugo_pagefind") or {}).get("pagefind", {}).get("seconds", "—")),
        ("Hugo + Pagefind (s)", lambda r: (r.get("hugo_pagefind") or {}).get("seconds", "—")),
        ("  peak RSS (MB)", lambda r: (r.get("hugo_pagefind") or {}).get("peak_mb", "—")),
        ("cold ratio disclose / (Hugo + Pagefind)", lambda r: r.get("ratio_cold", "—")),
        ("search, first query (KB/requests)", lambda r: _search(r, "first")),
        ("search, second query (KB/requests)", lambda r: _search(r, "second")),
        ("  search page itself", lambda r: _search(r, "page")),
        ("Hugo + Pagefind, first query", lambda r: _search(r, "first", peer=True)),
        ("Hugo + Pagefind, second query", lambda r: _search(r, "second", peer=True)),
    ]
    lines = [f"{'':<42}" + "".join(f"{r['documents']:>12,}" for r in results)]
    for label, get in rows[1:]:
        lines.append(f"{label:<42}" + "".join(f"{get(r)!s:>12}" for r in results))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/out/results.json")
    parser.add_argument("--work", type=Path, default=ROOT / "bench/out")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--live-edits", type=int, default=5, help="saves timed in disclose serve (0: none)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = [run(int(n), args.work, not args.no_hugo, args.live_edits) for n in args.sizes.split(",")]
    print(
        f"disclose benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}"
    )
    print(table(results))
    print(f"search queries: first {QUERIES[0]}, second {QUERIES[1]}; served uncompressed, search page excluded")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"date": str(date.today()), "cores": os.cpu_count(), "results": results}, ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
