"""Property-based tests: random small sites, built as an attacker and a careless editor would.

Hypothesis generates sites of every kind with public and non-public items (withheld with basis and
review, on-request, draft, embargoed), links and images between them, attachments (text files,
real PDFs and DOCX), duplicate keys and hostile strings in every field. Each non-public item
carries a unique random marker (`QZX` and letters) in its title, body, 文号, file name and
attachments; each public item a token (`PUB` and letters) in its title. After `disclose check` and
`disclose build` (in-process, so an exception fails the test with its traceback):

- the exit status is 0, 1 or 2, never an exception, and `check` agrees with `build`;
- on 1 or 2 the previous output folder is byte for byte as it was;
- on 0 no marker of a non-public item is in any output byte (gzip files unpacked, Pagefind's
  zero-width spaces removed, compared case-insensitively), and nothing is lost: every public item's
  token and every public attachment is in the output.

Speed: Pagefind is the slow part (about 0.3 s a run plus its indexing), and it only indexes the
pages already checked byte for byte. So the many-examples properties build with the search index
switched off (`build_index` replaced by a no-op), and one property builds a few bigger sites with
the real Pagefind. Examples are derandomized with no example database, so CI is reproducible;
`HYPOTHESIS_PROFILE=thorough` runs ten times as many random examples locally.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import tempfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from disclose import pipeline

from .conftest import FIXTURES, all_bytes, run, snapshot

TODAY = "2024-06-01"
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


def bounded(examples: int, shrink: bool = True) -> settings:
    """Reproducible in CI (derandomized, no database); `thorough` runs random and ten times more."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(
        max_examples=examples * 10 if THOROUGH else examples,
        deadline=None,
        derandomize=not THOROUGH,
        database=None,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# --- hostile strings ---------------------------------------------------------------------------

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!--",
    "-->",
    "]]>",
    "&amp;&lt;&#x3C;&#60;&nbsp;",
    "\u202eRTL\u202c",
    "\u200b\u200d\ufeff",
    "１２３４５",
    "'\"`",
    "{{ 7*7 }}{% raw %}",
    ": # - ? | > % @ ! & * [ ] { } ,",
    "*强调* **粗体** _x_ `代码`",
    "[链接](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "W" * 300,
    "=SUM(A1)",
    "+1",
    "-1",
    "@cmd",
    "\\",
    "示政发〔2024〕1号",
    "工作规则",
    "\x01\x07\x1b[31m\x7f",
    "\u0085\u2028\u2029",
    "null",
    "~",
    "2024-01-01",
    "yes",
    "0x1F",
]

# Letters, CJK, punctuation and controls; no surrogates (not UTF-8) and nothing that spells a marker.
_CHARS = st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF)


def _clean(text: str) -> bool:
    return "qzx" not in text.lower() and "pub" not in text.lower()


hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(_CHARS, min_size=1, max_size=12),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3).map("".join),
).filter(_clean)

MARKDOWN = [
    "# 标题",
    "- 列表\n  - 嵌套",
    "> 引用",
    "| a | b |\n| - | - |\n| 1 | 2 |",
    "```\n</script>\n```",
    "<div>raw</div>",
    "***",
    "1. 一\n2. 二",
    "[^1]\n\n[^1]: 脚注",
]


markers = st.text(string.ascii_uppercase, min_size=6, max_size=6)
# What a careless editor or an attacker adds to a site; each makes the build fail (raw YAML may
# also read as the same string, then it is no attack).
ATTACKS = ["raw-yaml", "link-to-hidden", "attach-hidden", "pairing", "repeated-key"]
# About half the sites are clean, so that most examples reach the leak check of a written output.
attacks = st.sampled_from(
    [frozenset()] * 6
    + [frozenset([a]) for a in ATTACKS]
    + [frozenset(p) for p in zip(ATTACKS, ATTACKS[1:], strict=False)]
)

# --- sites -------------------------------------------------------------------------------------

VISIBILITY = ["public", "public", "public", "withheld", "on-request", "draft", "embargoed"]
KINDS = {
    "policy": "policies",
    "decision": "decisions",
    "response": "responses",
    "page": "pages",
    "consultation": "consultations",
    "suggestion-reply": "suggestions",
}
BASIS = ["process-info", "internal-affairs", "personal-privacy", "commercial-secret", "enforcement-file"]


@dataclass
class Item:
    rel: str  # path under content/
    kind: str
    public: bool
    token: str  # QZX… for a non-public item, PUB… for a public one
    front: list[tuple[str, str]] = field(default_factory=list)  # (key, YAML text); keys may repeat
    body: str = ""
    attachments: dict[str, bytes] = field(default_factory=dict)  # path relative to the item's folder

    def text(self) -> str:
        head = "".join(f"{key}: {value}\n" for key, value in self.front)
        return f"---\n{head}---\n{self.body}\n"


@dataclass
class Site:
    items: list[Item]
    expect_error: list[str] = field(default_factory=list)  # why the build must fail, when it must
    attack: frozenset = frozenset()

    @property
    def hidden(self) -> list[str]:
        return [i.token for i in self.items if not i.public]


def yaml_string(draw, text: str, careless: bool) -> str:
    """A string as YAML: raw as an editor would type it when YAML reads it back as the same string
    (or, `careless`, whatever YAML makes of it), else double-quoted (JSON is YAML)."""
    if not careless:
        text = _INVISIBLE.sub("", text)  # refused in front matter (E011); the body keeps them
    if draw(st.booleans()):
        raw = "".join(" " if ch in "\n\r\x85\u2028\u2029" else ch for ch in text)  # one line only
        if careless:
            return raw
        try:
            if yaml.safe_load(f"k: {raw}") == {"k": text}:
                return raw
        except yaml.YAMLError:
            pass
    return quoted(text)


_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def quoted(text: str) -> str:
    """A YAML double-quoted string: JSON's escapes, and \\u escapes for what YAML will not take raw."""
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def visibility_fields(draw, visibility: str, published: str) -> list[tuple[str, str]]:
    review = "{by: 市政府办公室, date: 2024-02-01}"
    if visibility == "withheld":
        return [("disclosure", "withheld"), ("basis", draw(st.sampled_from(BASIS))), ("review", review)]
    if visibility == "on-request":
        return [("disclosure", "on-request"), ("basis", "on-request-only"), ("review", review)]
    if visibility == "draft":
        return [("draft", "true")]
    return []


def publish_date(draw, visibility: str) -> str:
    if visibility == "embargoed":
        return draw(st.sampled_from(["2024-06-02", "2024-07-01", "2025-01-01"]))
    return draw(st.sampled_from(["2024-01-15", "2024-03-01", "2024-05-31", "2024-06-01"]))


def _pdf_bytes(text: str) -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _docx_bytes(text: str) -> bytes:
    from io import BytesIO

    import docx

    document = docx.Document()
    document.add_paragraph("".join(ch for ch in text if ch.isprintable()))  # XML takes no controls
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def link_text(draw) -> str:
    """Hostile text that stays inside a link's brackets (no brackets, escapes or line breaks)."""
    text = draw(hostile)
    return "".join(ch for ch in text if ch not in "[]()\\`<>\n\r\x85\u2028\u2029") or "见"


@st.composite
def sites(
    draw, min_items: int = 1, max_items: int = 5, documents: bool = False, override: bool = False, clean: bool = False
) -> Site:
    """A random site. `documents`: attachments may be real PDF/DOCX; `override`: every non-public
    item repeats a key so that its last value would make it public (the duplicate-key attack);
    `clean`: no attack, so the build writes its output (and Pagefind indexes it)."""
    count = draw(st.integers(min_items, max_items))
    attack = frozenset() if clean else draw(attacks)
    careless = "raw-yaml" in attack
    used: list[str] = []

    def token(prefix: str) -> str:
        """Random letters, then two that number it: unique, and none a part of another."""
        n = len(used)
        value = prefix + draw(markers) + string.ascii_uppercase[n // 26] + string.ascii_uppercase[n % 26]
        used.append(value)
        return value

    def text_with(mark: str, public: bool, suffix: str = "") -> str:
        """Hostile text holding the item's token: first for a public item (a raw YAML comment
        after it must not cut it off), anywhere for a non-public one."""
        return mark + draw(hostile) + suffix if public else draw(hostile) + mark + draw(hostile) + suffix

    items: list[Item] = []
    expect: list[str] = []
    serial = iter(range(1, 1000))
    for _ in range(count):
        kind = draw(st.sampled_from(list(KINDS)))
        visibility = draw(st.sampled_from(VISIBILITY))
        public = visibility == "public"
        mark = token("PUB" if public else "QZX")
        name = (mark.lower() if not public and draw(st.booleans()) else f"item-{len(items)}") + ".md"
        rel = f"{KINDS[kind]}/{name}"
        published = publish_date(draw, visibility)
        item = Item(rel, kind, public, mark)
        item.front.append(("title", yaml_string(draw, text_with(mark, public), careless)))
        if kind != "page" or draw(st.booleans()):
            issuer = "示例市人民政府" if public else mark + "人民政府"
            item.front.append(("issuer", yaml_string(draw, draw(hostile) + issuer, careless)))
        item.front.append(("published", published))
        item.front += visibility_fields(draw, visibility, published)
        if draw(st.integers(0, 3)) == 0:
            topics = [
                _INVISIBLE.sub("", t) for t in (draw(hostile) + "主题", draw(hostile) + ("事项" if public else mark))
            ]
            item.front.append(("topics", "[" + ", ".join(quoted(t) for t in topics) + "]"))
        if kind == "policy":
            code = mark if not public else "示政发"
            item.front.append(("doc_no", f"{code}〔2024〕{next(serial)}号"))
        elif kind == "response":
            outcome = "withheld" if visibility == "withheld" else "disclosed"
            item.front += [
                ("request_no", f"YSQ-{mark}"),
                ("received", "2024-01-02"),
                ("replied", "2024-01-10"),
                ("applicant_type", "natural-person"),
                ("outcome", outcome),
            ]
        elif kind == "decision" and draw(st.booleans()):
            meeting = draw(hostile) + ("" if public else mark)
            item.front += [("meeting", yaml_string(draw, meeting, careless)), ("meeting_date", "2024-01-10")]
        elif kind == "consultation":
            item.front += [("opens", "2024-01-10"), ("closes", "2024-02-10")]
        elif kind == "suggestion-reply":
            handler = "市民政局" if public else mark + "局"
            item.front += [("proposal_no", f"NPC-{mark}"), ("body_type", "npc"), ("handler", handler)]
        if "repeated-key" in attack:  # refused (E007)
            item.front.append(("title", yaml_string(draw, text_with(mark, public), careless)))
            expect.append(f"{rel} repeats the key title")
        if override and not public:
            # the attack: a later line makes the item public; no basis, so nothing else objects
            item.front = [(k, v) for k, v in item.front if k not in ("basis", "review")]
            item.front += {
                "withheld": [("disclosure", "public")],
                "on-request": [("disclosure", "public")],
                "draft": [("draft", "false")],
                "embargoed": [("published", "2024-03-01")],
            }[visibility]
        if public:
            paragraphs = [draw(hostile), draw(st.sampled_from(MARKDOWN)), draw(hostile)]
        else:
            paragraphs = [draw(hostile), mark, draw(st.sampled_from(MARKDOWN)), text_with(mark, public)]
            paragraphs.append(f"此为{mark}的全文。")
        item.body = "\n\n".join(paragraphs)
        for _ in range(draw(st.integers(0, 2))):
            fmt = draw(st.sampled_from(["txt", "txt", "png"] + (["pdf", "docx"] if documents else [])))
            number = f"{len(items)}-{len(item.attachments)}"
            stem = f"{mark.lower()}-{number}" if not public else f"annex-{number}"
            text = f"附件{'' if public else mark}{draw(hostile)}"
            if fmt == "txt":
                data = text.encode("utf-8")
            elif fmt == "png":
                data = PNG
            elif fmt == "pdf":
                data = _pdf_bytes("annex " + ("" if public else mark))
            else:
                data = _docx_bytes(text)
            item.attachments[f"files/{stem}.{fmt}"] = data
        if item.attachments:
            item.front.append(("attachments", json.dumps(sorted(item.attachments), ensure_ascii=False)))
            images = [a for a in item.attachments if a.endswith(".png")]
            if images:
                item.body += f"\n\n![{link_text(draw)}]({images[0]})\n"
        items.append(item)
        if kind == "policy" and (public or draw(st.booleans())):
            # its interpretation, the same day; now and then public when the policy is not or the
            # other way round, which the paired-release rules refuse
            jd_public = not public if "pairing" in attack and draw(st.booleans()) else public
            jd_mark = token("PUB" if jd_public else "QZX")
            jd = Item(f"interpretations/jd-{len(items)}.md", "interpretation", jd_public, jd_mark)
            jd_published = published if jd_public == public else publish_date(draw, "public")
            jd.front += [
                ("title", yaml_string(draw, text_with(jd_mark, jd_public), careless)),
                ("issuer", "示例市人民政府"),
                ("published", jd_published),
            ]
            if not jd_public:
                jd.front += visibility_fields(draw, visibility if not public else "withheld", jd_published)
            ref = dict(item.front).get("doc_no") if draw(st.booleans()) else rel[:-3]
            jd.front.append(("interprets", ref))
            jd.body = draw(hostile) + ("" if jd_public else f"\n\n{jd_mark}")
            items.append(jd)
            if jd_public != public:
                expect.append(f"{jd.rel} and {rel} differ in visibility")
    # links between items: relative .md links and images, now and then from a public item to a
    # non-public one (refused)
    for item in items:
        for _ in range(draw(st.integers(0, 2))):
            visible = [t for t in items if t.public or not item.public or "link-to-hidden" in attack]
            if not visible:
                continue
            target = draw(st.sampled_from(visible))
            bang = draw(st.sampled_from(["", "!"]))
            item.body += f"\n\n{bang}[{link_text(draw)}](../{target.rel})"
            if item.public and not target.public:
                expect.append(f"public {item.rel} links to non-public {target.rel}")
        if item.public and "attach-hidden" in attack:
            hidden = [t for t in items if not t.public]
            if hidden:  # the Markdown of a non-public item as a public item's attachment
                target = draw(st.sampled_from(hidden))
                item.front.append(("attachments", json.dumps([f"../{target.rel}"], ensure_ascii=False)))
                expect.append(f"public {item.rel} attaches non-public {target.rel}")
    return Site(items, expect, attack)


def materialize(site: Site, root: Path) -> None:
    shutil.copy(FIXTURES / "minimal" / "site.yaml", root / "site.yaml")
    for item in site.items:
        path = root / "content" / item.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.text().encode("utf-8"))
        for rel, data in item.attachments.items():
            target = path.parent / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


_PREVIOUS: dict[str, bytes] = {}


def previous_output(out: Path) -> dict[str, bytes]:
    """A real earlier output in `out` (the minimal site, built once per session), as bytes."""
    if not _PREVIOUS:
        with tempfile.TemporaryDirectory(prefix="props-prev-") as tmp:
            site = Path(tmp) / "site"
            shutil.copytree(FIXTURES / "minimal", site)
            result = run("build", "--site", str(site), "--out", str(Path(tmp) / "out"), "--today", TODAY, "--no-cache")
            assert result.exit_code == 0, result.output
            _PREVIOUS.update(snapshot(Path(tmp) / "out"))
    for rel, data in _PREVIOUS.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    return dict(_PREVIOUS)


@contextmanager
def without_search_index():
    with mock.patch.object(pipeline, "build_index", lambda *args, **kwargs: []):
        yield


def leaks(out: Path, tokens: list[str]) -> list[tuple[str, str]]:
    """(marker, file) for every marker found in an output byte, case-insensitively."""
    needles = [(t, t.lower().encode()) for t in tokens]
    found = []
    for path, data in all_bytes(out):
        lower = data.lower()
        found += [(t, str(path.relative_to(out))) for t, needle in needles if needle in lower]
    return found


def build_and_check(site: Site, search: bool) -> int:
    """Write the site, check and build it; assert the properties; returns the exit status."""
    with tempfile.TemporaryDirectory(prefix="props-") as tmp:
        root = Path(tmp) / "site"
        out = Path(tmp) / "out"
        root.mkdir()
        out.mkdir()
        materialize(site, root)
        before = previous_output(out)
        for item in site.items:
            note(f"--- content/{item.rel} (public={item.public})\n{item.text()}")
        checked = run("check", "--site", str(root), "--today", TODAY, "--lang", "en")
        with nullcontext() if search else without_search_index():
            built = run("build", "--site", str(root), "--out", str(out), "--today", TODAY, "--lang", "en", "--no-cache")
        note(built.output)
        event(f"exit {built.exit_code}")
        codes = sorted(
            {
                line.split(": ")[1].split()[0]
                for line in built.output.splitlines()
                if ": " in line and line.startswith("content/")
            }
        )
        event("codes " + " ".join(codes[:4]))
        assert built.exit_code in (0, 1, 2), built.output
        assert "Traceback" not in built.output and "Traceback" not in checked.output
        if built.exit_code in (0, 1):
            assert checked.exit_code == built.exit_code, (checked.output, built.output)
        if built.exit_code != 0:
            assert snapshot(out) == before, "a failed build changed the output folder"
            assert site.attack or site.expect_error, f"a clean site was refused:\n{built.output}"
            return built.exit_code
        assert not site.expect_error, f"built although {site.expect_error}:\n{built.output}"
        if search and any(
            i.public for i in site.items
        ):  # the index was built: its compressed files are among the bytes checked
            assert any(p.suffix == ".pf_fragment" for p in out.rglob("*")), "no search index written"
        assert leaks(out, site.hidden) == []
        # loses nothing: every public item and attachment is in the output
        text = b"\n".join(data for _, data in all_bytes(out))
        for item in site.items:
            if item.public:
                assert item.token.encode() in text, f"public item {item.rel} is missing from the output"
                for rel in item.attachments:
                    assert any(p.name == Path(rel).name for p in out.rglob("*")), f"attachment {rel} not copied"
        return 0


@bounded(35)
@given(sites())
def test_random_sites_leak_nothing_and_never_crash(site):
    build_and_check(site, search=False)


@bounded(5)
@given(sites(min_items=3, max_items=8, documents=True, clean=True))
def test_random_sites_with_search_index_and_documents_leak_nothing(site):
    build_and_check(site, search=True)


OVERRIDES = {
    "withheld": ("disclosure: withheld\n", "disclosure: public\n"),
    "on-request": ("disclosure: on-request\n", "disclosure: public\n"),
    "draft": ("draft: true\n", "draft: false\n"),
    "embargoed": ("published: 2025-01-01\n", "published: 2024-03-01\n"),
}


@bounded(4, shrink=False)
@given(st.sampled_from(sorted(OVERRIDES)), hostile, st.booleans())
def test_a_repeated_key_never_makes_a_non_public_item_public(why, text, late):
    first, last = OVERRIDES[why]
    mark = "QZXREPEATED"
    head = f"title: {quoted(text + mark)}\nissuer: 示例市人民政府\n"
    head = head + first + ("published: 2024-03-01\n" if why != "embargoed" else "")
    head = head + f"meeting: {quoted(text)}\n" + last if late else first + head + last
    item = Item("decisions/repeated.md", "decision", False, mark, body=f"{text}\n\n{mark}")
    item.front = [(line.split(": ", 1)[0], line.split(": ", 1)[1]) for line in head.splitlines()]
    public = [
        Item("policies/rules.md", "policy", True, "PUBRULES", body="正文。"),
        Item("interpretations/rules-jd.md", "interpretation", True, "PUBRULESJD", body="解读。"),
    ]
    public[0].front = [("title", "PUBRULES工作规则"), ("issuer", "示例市人民政府"), ("published", "2024-03-01")]
    public[0].front.append(("doc_no", "示政发〔2024〕1号"))
    public[1].front = [("title", "PUBRULESJD解读"), ("issuer", "示例市人民政府"), ("published", "2024-03-01")]
    public[1].front.append(("interprets", "示政发〔2024〕1号"))
    site = Site([*public, item], [f"{item.rel} repeats a key"], frozenset(["repeated-key"]))
    assert build_and_check(site, search=False) == 1, "a repeated key must be refused"


@pytest.mark.parametrize("body", ["[`", "见[附件`", "[a *`"])
def test_markdown_it_pyrs_panic_is_not_a_traceback(tmp_path, body):
    """markdown-it-pyrs 0.4.0 panics on `[` then an unmatched backtick; markdown-it-py reads it instead."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    decision = "---\ntitle: 决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n" + body + "\n"
    (site / "content/decisions").mkdir()
    (site / "content/decisions/d.md").write_text(decision, encoding="utf-8")
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY, "--no-cache")
    assert result.exit_code == 0, result.output
    assert "`" in (tmp_path / "out/decisions/d/index.html").read_text(encoding="utf-8")


# --- incremental builds (page keys) ------------------------------------------------------------
# A random site is built twice with a cache, edited at random (titles, bodies, dates, topics,
# visibility, deletions) and built again, possibly on a later date; the output must be byte for
# byte a cold build's. DISCLOSE_VERIFY_KEYS is on (conftest): a page whose key stayed while what
# it shows changed stops the build, even where the comparison would not see it.


@st.composite
def edited(draw, site: Site) -> Site:
    """`site` after one to three random edits of its items."""
    items = [Item(i.rel, i.kind, i.public, i.token, list(i.front), i.body, dict(i.attachments)) for i in site.items]
    for _ in range(draw(st.integers(1, 3))):
        if not items:
            break
        item = draw(st.sampled_from(items))
        change = draw(st.sampled_from(["title", "body", "published", "topics", "withhold", "delete"]))
        keys = [key for key, _ in item.front]
        if change == "title":
            item.front[keys.index("title")] = ("title", quoted(item.token + draw(hostile)))
        elif change == "body":
            item.body += "\n\n" + draw(hostile)
        elif change == "published" and "published" in keys:
            item.front[keys.index("published")] = ("published", publish_date(draw, "public"))
        elif change == "topics":
            item.front = [(k, v) for k, v in item.front if k != "topics"]
            topics = draw(st.lists(st.sampled_from(["教育", "交通", "财政"]), min_size=1, max_size=2, unique=True))
            item.front.append(("topics", "[" + ", ".join(topics) + "]"))
        elif change == "withhold" and item.public:
            item.front += visibility_fields(draw, "withheld", "")
            item.public = False
        elif change == "delete":
            items.remove(item)
    return Site(items)


def _no_index(staging, *args, **kwargs) -> list:
    """No Pagefind run, but the mark every output of disclose has (so the next build may replace it)."""
    staging.put("pagefind/bundles.json", b"[]")
    return []


def _build(root: Path, out: Path, cache: Path | None, today: str) -> int:
    caching = ["--cache", str(cache)] if cache else ["--no-cache"]
    with mock.patch.object(pipeline, "build_index", _no_index):
        result = run("build", "--site", str(root), "--out", str(out), *caching, "--today", today, "--lang", "en")
    note(result.output)
    assert "Traceback" not in result.output
    return result.exit_code


@bounded(12)
@given(st.data())
def test_random_edits_then_an_incremental_build_equals_a_cold_build(data):
    site = data.draw(sites(min_items=2, max_items=6, clean=True))
    changed = data.draw(edited(site))
    later = data.draw(st.sampled_from([TODAY, "2024-06-02", "2024-07-15", "2025-02-01"]))
    with tempfile.TemporaryDirectory(prefix="props-inc-") as tmp:
        root, out, cache, cold = (Path(tmp) / name for name in ("site", "out", "cache", "cold"))
        root.mkdir()
        materialize(site, root)
        if _build(root, out, cache, TODAY) != 0:
            return
        assert _build(root, out, cache, TODAY) == 0
        shutil.rmtree(root / "content")
        materialize(changed, root)
        for item in changed.items:
            note(f"--- edited content/{item.rel}\n{item.text()}")
        before = snapshot(out)
        status = _build(root, out, cache, later)
        event(f"edited build exit {status}")
        if status != 0:
            assert snapshot(out) == before
            return
        assert _build(root, cold, None, later) == 0
        after, expected = snapshot(out), snapshot(cold)
        assert after.keys() == expected.keys()
        assert [rel for rel in after if after[rel] != expected[rel]] == []


@bounded(8)
@given(st.data())
def test_a_series_of_random_edits_each_equals_a_cold_build(data):
    """Three rounds of random edits, each built through the cache left by the one before, the date
    moving forward or not: a page whose key the last record let stand must still be right after
    several builds (page_deps), and every output equals a cold build's."""
    site = data.draw(sites(min_items=3, max_items=7, clean=True))
    with tempfile.TemporaryDirectory(prefix="props-series-") as tmp:
        root, out, cache = (Path(tmp) / name for name in ("site", "out", "cache"))
        root.mkdir()
        materialize(site, root)
        if _build(root, out, cache, TODAY) != 0:
            return
        days = sorted(data.draw(st.lists(st.sampled_from([TODAY, "2024-06-02", "2024-07-15"]), min_size=3, max_size=3)))
        for round_, day in enumerate(days):
            site = data.draw(edited(site))
            shutil.rmtree(root / "content")
            materialize(site, root)
            before = snapshot(out)
            status = _build(root, out, cache, day)
            event(f"series round {round_} exit {status}")
            if status != 0:
                assert snapshot(out) == before
                return
            cold = Path(tmp) / f"cold{round_}"
            assert _build(root, cold, None, day) == 0
            after, expected = snapshot(out), snapshot(cold)
            assert after.keys() == expected.keys()
            assert [rel for rel in after if after[rel] != expected[rel]] == []
