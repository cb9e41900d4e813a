"""serve's quick preview (quick_preview.py): a body edit is shown before the full rebuild ends,
and nothing the full rebuild would refuse is ever shown by it. A real HTTP server in this process,
real files, real builds; the full rebuild is held at its start by an event, so what is served
meanwhile can only come from the quick path."""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from watchfiles import Change

from disclose import pipeline, quick_preview
from disclose.serve import Handler, Preview

from .conftest import TODAY, copy_sample, git, write
from .test_cache import TODAY as SAMPLE_TODAY
from .test_egress import SECRET_BODY, WITHHELD

TIMEOUT = 60.0
RULES = "content/policies/rules.md"
PAGE = "policies/rules/index.html"
URL = "/policies/rules/"


class Running:
    """A Preview of `site` after its first build, served on 127.0.0.1 by the real handler; every
    full rebuild waits at its start until `release` is set (`held` tells it has started)."""

    def __init__(self, site: Path, monkeypatch: pytest.MonkeyPatch):
        self.site = site
        self.preview = Preview(site, lambda: date.fromisoformat(TODAY))
        self.preview.rebuild()
        assert not self.preview.problems
        self.held, self.release = threading.Event(), threading.Event()
        real = pipeline.build

        def build(*args, **kwargs):
            self.held.set()
            assert self.release.wait(TIMEOUT)
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, "build", build)
        handler = functools.partial(
            type("BoundHandler", (Handler,), {"preview": self.preview, "base_path": "/"}),
            directory=str(self.preview.folder),
        )
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.serving = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.serving.start()
        self.updating: threading.Thread | None = None

    def get(self, path: str = URL) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_address[1], timeout=TIMEOUT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200, path
            return response.read()
        finally:
            connection.close()

    def status(self) -> dict:
        return json.loads(self.get("/__disclose/status"))

    def save(self, rel: str, text: str) -> None:
        """Write `rel` and hand the change to the preview as the watcher does."""
        write(self.site, rel, text)
        self.changed((Change.modified, rel))

    def changed(self, *changes: tuple[Change, str]) -> None:
        """Hand `changes` (site-relative paths) to the preview as the watcher does; returns once
        the full rebuild has started (it then waits for `release`)."""
        self.held.clear()
        seen = {(change, str(self.site / rel)) for change, rel in changes}
        self.updating = threading.Thread(target=self.preview.update, args=(seen,))
        self.updating.start()
        assert self.held.wait(TIMEOUT), "the full rebuild did not start"

    def finish(self) -> None:
        """Let the held rebuild run to its end."""
        self.release.set()
        assert self.updating is not None
        self.updating.join(TIMEOUT)
        assert not self.updating.is_alive()
        self.release.clear()

    def close(self) -> None:
        self.release.set()
        if self.updating is not None:
            self.updating.join(TIMEOUT)
        self.server.shutdown()
        self.server.server_close()
        self.serving.join(TIMEOUT)
        shutil.rmtree(self.preview.folder, ignore_errors=True)


@pytest.fixture
def running(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    write(site, "content/decisions/parking.md", WITHHELD)  # a withheld item: the egress check has needles
    preview = Running(site, monkeypatch)
    try:
        yield preview
    finally:
        preview.close()


def rules_with(body: str, site: Path) -> str:
    """The policy's file with `body` added to its text, front matter untouched."""
    return (site / RULES).read_text(encoding="utf-8") + body


def test_a_body_edit_is_served_before_the_full_rebuild_and_as_it_renders_it(running, site):
    version = running.status()["version"]
    running.save(RULES, rules_with("\n第二条 本规则自发布之日起施行白鹭。\n", site))
    # the full rebuild is held at its start: this page can only be the quick one
    state = running.status()
    assert state["busy"] and state["quick"] == [PAGE] and state["version"] > version
    quick = running.get()
    assert "白鹭".encode() in quick
    assert f'data-version="{state["version"]}"'.encode() in quick  # the browser was told to reload
    assert "白鹭".encode() not in running.get("/policies/")  # listings wait for the full rebuild
    quick_file = (running.preview.locate(PAGE) or Path()).read_bytes()
    running.finish()
    assert running.status()["quick"] == [] and running.preview.quick_shown == 1
    assert running.status()["version"] == state["version"]  # the same page: the browser reloads once
    assert (running.preview.out / PAGE).read_bytes() == quick_file  # byte for byte what the build wrote
    assert "白鹭".encode() in running.get()


def test_a_front_matter_edit_takes_the_full_path(running, site):
    text = (site / RULES).read_text(encoding="utf-8")
    running.save(RULES, text.replace("工作规则", "议事规则", 1) + "\n苍鹭。\n")
    assert running.status()["quick"] == []
    assert "苍鹭".encode() not in running.get()  # the old page until the rebuild has written the new one
    running.finish()
    assert running.preview.quick_shown == 0
    assert "苍鹭".encode() in running.get() and "议事规则".encode() in running.get()


@pytest.mark.parametrize(
    "body",
    [
        "\n**機 密**☆1年\n",  # a secrecy mark (S302, a per-file rule)
        "\n详见[请示](../decisions/parking.md)。\n",  # a link to a withheld item (R704; a new link target)
        "\n在此填写文件正文。\n",  # disclose new's placeholder (an item rule)
        "\n（此件不公开）\n",  # the text marks itself non-public (D203)
        "\n联系人 13812345678\n",  # a mobile number (I901)
    ],
)
def test_an_edit_the_gate_refuses_is_never_shown(running, site, body):
    before = running.get()
    running.save(RULES, rules_with(body, site))
    assert running.status()["quick"] == []
    assert running.get() == before  # nothing new shown while the rebuild runs
    running.finish()
    assert running.preview.quick_shown == 0
    assert running.preview.problems  # the full rebuild refuses it too
    assert "制定本规则".encode() in running.get()  # the last good build, still


def test_a_body_the_egress_check_would_catch_is_not_shown(running, site):
    """The withheld item's sentence, its first character written as an HTML entity: no rule sees
    it and the source text does not hold it, but the rendered page does."""
    disguised = f"&#{ord(SECRET_BODY[0])};{SECRET_BODY[1:]}"
    before = running.get()
    running.save(RULES, rules_with(f"\n{disguised}\n", site))
    assert running.status()["quick"] == []
    assert running.get() == before
    running.finish()
    assert running.preview.quick_shown == 0
    assert any(" X001 " in line for line in running.preview.problems)  # the egress check stops the build too
    assert SECRET_BODY.encode() not in running.get()


def test_a_withheld_sentence_copied_into_a_public_body_is_left_to_the_full_build(running, site):
    """To the egress check, text a public file holds is no evidence of a leak: the full build takes
    the sentence as public. The last build's needles still hold it: the quick path shows nothing."""
    before = running.get()
    running.save(RULES, rules_with(f"\n{SECRET_BODY}\n", site))
    assert running.status()["quick"] == [] and running.get() == before
    running.finish()
    assert running.preview.quick_shown == 0


def test_a_failed_rebuild_takes_the_quick_page_back(running, site):
    before = running.get()
    running.save(RULES, rules_with("\n第三条 夜鹭。\n", site))
    assert "夜鹭".encode() in running.get()
    write(site, "content/decisions/bad.md", "---\ntitle: x\nissuer: y\npublished: 2024-03-01\nfoo: 1\n---\n")
    version = running.status()["version"]
    running.finish()  # the rebuild reads bad.md as well, and fails
    state = running.status()
    assert state["quick"] == [] and state["version"] > version and state["problems"]
    assert "夜鹭".encode() not in running.get()
    assert running.get().split(b"<script")[0] == before.split(b"<script")[0]
    # after a failed build there is no good state to start from: the next edit takes the full path
    (site / "content/decisions/bad.md").unlink()
    running.save(RULES, rules_with("\n第三条 池鹭。\n", site))
    assert running.status()["quick"] == []
    running.finish()
    assert "池鹭".encode() in running.get()


def test_a_failure_in_the_quick_path_shows_nothing_and_breaks_nothing(running, site, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the quick path")

    monkeypatch.setattr(quick_preview, "item_page", broken)
    running.save(RULES, rules_with("\n牛背鹭。\n", site))
    assert running.status()["quick"] == [] and "牛背鹭".encode() not in running.get()
    running.finish()
    assert "牛背鹭".encode() in running.get()


@pytest.mark.parametrize(
    "other",
    [
        (Change.added, "content/policies/new.md"),  # a file the last build did not read
        (Change.deleted, "content/policies/gone.md"),
        (Change.modified, "content/decisions/parking.md"),  # not public
        (Change.added, "content/policies/rules.pdf"),  # not a document, but there (an attachment, say)
        (Change.modified, "site.yaml"),
        (Change.modified, "templates/item.html"),
    ],
)
def test_a_body_edit_with_any_other_change_takes_the_full_path(running, site, other):
    if other[1].endswith(".pdf"):
        write(site, other[1], b"%PDF-1.4\n")
    write(site, RULES, rules_with("\n大白鹭。\n", site))
    running.changed((Change.modified, RULES), other)
    assert running.status()["quick"] == []
    running.finish()
    assert running.preview.quick_shown == 0
    assert "大白鹭".encode() in running.get()


def test_an_editors_temporary_files_do_not_stop_the_quick_path(running, site):
    """vim checks that it may write a folder by creating and deleting `4913` there; other editors
    save through a renamed copy: files that are gone again and that no build reads."""
    write(site, RULES, rules_with("\n中白鹭。\n", site))
    running.changed(
        (Change.added, "content/policies/4913"),
        (Change.deleted, "content/policies/4913"),
        (Change.deleted, "content/policies/.rules.md.tmp~"),
        (Change.modified, RULES),
    )
    assert running.status()["quick"] == [PAGE] and "中白鹭".encode() in running.get()
    running.finish()


def test_the_quick_path_refuses_what_it_cannot_vouch_for(site, tmp_path):
    """`pages` itself, without a server: None whenever any doubt remains."""
    text = (site / RULES).read_text(encoding="utf-8")
    write(site, RULES, text.replace("doc_no:", "attachments: [files/a.txt]\ndoc_no:"))
    write(site, "content/policies/files/a.txt", "附件。\n")
    preview = Preview(site, lambda: date.fromisoformat(TODAY))
    try:
        preview.rebuild()
        base = preview.base
        assert base is not None
        today = date.fromisoformat(TODAY)
        text = (site / RULES).read_text(encoding="utf-8")
        assert quick_preview.pages(base, today, [RULES], tmp_path / "a") == {}  # unchanged: nothing to show
        write(site, RULES, text + "\n小白鹭。\n")
        assert set(quick_preview.pages(base, today, [RULES], tmp_path / "b") or ()) == {PAGE}
        assert quick_preview.pages(base, date(2024, 6, 2), [RULES], tmp_path / "c") is None  # another day
        write(site, RULES, text.replace("published: 2024-03-01", "published: '2024-03-01'") + "\n小白鹭。\n")
        assert quick_preview.pages(base, today, [RULES], tmp_path / "d") is None  # a date became a text
        write(site, RULES, text.replace("示政发〔2024〕1号", "示政发〔2024〕2号") + "\n小白鹭。\n")
        assert quick_preview.pages(base, today, [RULES], tmp_path / "e") is None  # a value changed
        write(site, RULES, text + "\n见[规则](https://example.org/)。\n")
        assert quick_preview.pages(base, today, [RULES], tmp_path / "f") is None  # a new link target
        write(site, RULES, text + "\n\udcff\n")  # a byte that is no UTF-8
        assert quick_preview.pages(base, today, [RULES], tmp_path / "g") is None  # the file does not read
        write(site, RULES, text)
        (site / "content/policies/link.md").symlink_to(site / RULES)
        assert quick_preview.pages(base, today, ["content/policies/link.md"], tmp_path / "h") is None
        write(site, RULES, text + "\n小白鹭。\n")
        edit = [RULES, "content/policies/gone.txt", "content/.hidden/gone"]  # gone again, read by no build
        assert set(quick_preview.pages(base, today, edit, tmp_path / "i") or ()) == {PAGE}
        for gone in ("content/policies/files/a.txt", "content/policies/FILES", "content/policies/gone.md"):
            if gone.endswith("a.txt"):
                (site / gone).unlink()
            assert quick_preview.pages(base, today, [RULES, gone], tmp_path / "j") is None, gone
        assert quick_preview.site_paths(site, [str(tmp_path / "elsewhere.md")]) is None
        assert quick_preview.site_paths(site, [str(site / RULES)]) == [RULES]
    finally:
        shutil.rmtree(preview.folder, ignore_errors=True)


def test_quick_pages_are_byte_for_byte_what_the_full_build_writes(tmp_path):
    """Documents of several kinds (with interpretations, relations, an attachment, a revision
    history in git), edited at once: each quick page is the page the full rebuild then writes."""
    site = copy_sample(tmp_path / "site")
    policy = "content/policies/liyang-2021-work-rules.md"
    text = (site / policy).read_text(encoding="utf-8")
    write(site, policy, text.replace("\ntitle:", "\nattachments: [files/附表.txt]\ntitle:", 1))
    write(site, "content/policies/files/附表.txt", "附表一 议事范围。\n")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "导入", date="2026-01-05")
    write(site, policy, (site / policy).read_text(encoding="utf-8") + "\n本规则由市政府办公室负责解释。\n")
    git(site, "commit", "-qam", "补充\n\n公开说明：补充解释条款", date="2026-02-10")
    preview = Preview(site, lambda: date.fromisoformat(SAMPLE_TODAY))
    try:
        preview.rebuild()
        assert preview.base is not None  # the build had no errors
        edited = [
            policy,
            "content/interpretations/liyang-2021-work-rules-jd.md",
            "content/responses/ysq-2026-001.md",
            "content/consultations/2026-old-community.md",
            "content/pages/guide.md",
            "content/suggestions/2026-npc-015.md",
            "content/decisions/2026-changwu-20.md",
        ]
        for number, rel in enumerate(edited):
            write(site, rel, (site / rel).read_text(encoding="utf-8") + f"\n第{number}处修改，见下文。\n")
        assert preview.preview_quickly([str(site / rel) for rel in edited])
        quick = {rel: path.read_bytes() for rel, path in preview.quick.items()}
        assert len(quick) == len(edited)
        shown = quick["policies/liyang-2021-work-rules/index.html"]
        assert "补充解释条款".encode() in shown and "附表.txt".encode() in shown  # its history, its attachment
        preview.rebuild()
        assert preview.base is not None and not preview.quick
        for rel, data in quick.items():
            assert (preview.out / rel).read_bytes() == data, rel
    finally:
        shutil.rmtree(preview.folder, ignore_errors=True)
