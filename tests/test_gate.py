"""Nothing that is not public reaches any output file, the search index included."""

from __future__ import annotations

from .conftest import TODAY, all_bytes, run, write

REVIEW = "review: {by: 市政府办公室, date: 2024-02-01}\n"
MARKERS = {
    "withheld": "qzxwithheldmark",
    "on-request": "qzxonrequestmark",
    "draft": "qzxdraftmark",
    "embargoed": "qzxembargomark",
}
CHINESE = {
    "withheld": "鸬鹚不公开标记",
    "on-request": "鹈鹕依申请标记",
    "draft": "鹧鸪草稿标记",
    "embargoed": "鸳鸯定时标记",
}


def plant(site) -> None:
    heads = {
        "withheld": "disclosure: withheld\nbasis: process-info\n" + REVIEW + "published: 2024-03-01\n",
        "on-request": "disclosure: on-request\nbasis: on-request-only\n" + REVIEW + "published: 2024-03-01\n",
        "draft": "draft: true\npublished: 2024-03-01\n",
        "embargoed": "published: 2024-07-01\n",
    }
    for kind, head in heads.items():
        mark, zh = MARKERS[kind], CHINESE[kind]
        write(
            site,
            f"content/decisions/{mark}.md",
            f"---\ntitle: {zh}{mark}标题\nissuer: 示例市人民政府\n{head}"
            f"index_no: IDX-{mark}\nattachments: [files/{mark}-file.txt]\n---\n"
            f"{zh} 正文 {mark} body text.\n",
        )
        write(site, f"content/decisions/files/{mark}-file.txt", f"text {mark}".encode())
    write(
        site,
        "content/decisions/public.md",
        "---\ntitle: 公开决定qzxpublicmark\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "attachments: [files/qzxpublicmark-file.txt]\n---\n画眉公开标记 qzxpublicmark 正文。\n",
    )
    write(site, "content/decisions/files/qzxpublicmark-file.txt", b"text qzxpublicmark")


def test_no_trace_of_non_public_items_in_any_output_byte(site):
    plant(site)
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 0, result.output
    out = site / "public"
    seen_public = set()
    for path, data in all_bytes(out):
        rel = path.relative_to(out).as_posix()
        for kind in MARKERS:
            for needle in (MARKERS[kind], CHINESE[kind]):
                assert needle.encode() not in data, f"{kind} marker {needle} leaked into {rel}"
                assert needle not in rel, f"{kind} marker {needle} in a file name {rel}"
        if b"qzxpublicmark" in data:
            seen_public.add(rel)
        if "画眉公开标记".encode() in data:
            seen_public.add("zh:" + rel)
    # the scan can see: the public marker is in pages, listings, catalog, the attachment and the index
    assert "decisions/public/index.html" in seen_public
    assert "catalog.json" in seen_public
    assert any(r.startswith("attachments/") for r in seen_public)
    assert any(r.startswith("pagefind/") and "/fragment/" in r for r in seen_public)
    assert any(r.startswith("zh:pagefind/") for r in seen_public)


def test_embargoed_item_appears_on_its_day(site):
    plant(site)
    result = run("build", "--site", str(site), "--today", "2024-07-01")
    assert result.exit_code == 0
    assert (site / "public/decisions/qzxembargomark/index.html").is_file()
    assert not (site / "public/decisions/qzxdraftmark").exists()


def test_public_item_linking_to_withheld_names_both_files(site):
    plant(site)
    write(
        site,
        "content/decisions/linker.md",
        "---\ntitle: 引用\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n见[请示](qzxwithheldmark.md)。\n",
    )
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.exit_code == 1
    assert "content/decisions/linker.md:6: R704" in result.output
    assert "content/decisions/qzxwithheldmark.md" in result.output


def test_later_stages_only_see_the_publication():
    """Only the gate module imports the catalogue type among the stages after validation."""
    import ast
    from pathlib import Path

    import disclose

    package = Path(disclose.__file__).parent
    for name in (
        "render.py",
        "views.py",
        "feeds.py",
        "sitemap.py",
        "opendata.py",
        "search_index.py",
    ):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "Catalogue" not in imported and "catalogue" not in modules, name
