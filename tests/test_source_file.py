"""The build cache's sources file (`source_file`): what it gives back is the sources it was
given, what few builds need is read only when asked for, and a file that is not the one written
is never taken for it."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

import pytest

from disclose import pipeline, source_file
from disclose.build_cache import SOURCES, BuildCache, CachedSource
from disclose.model import Item, Problem, Source
from disclose.source_file import CacheDamaged, KeptSource

from .conftest import snapshot

LAZY = ("meta", "lines", "body")


def entries() -> dict[str, CachedSource]:
    found = {}
    for n in range(3):
        path = f"content/policies/p{n}.md"
        source = Source(
            path, f"policies/p{n}", {"title": f"第{n}号", "n": n}, {"title": 2, "n": 3}, f"正文{n}\n" * n, 5
        )
        fields = {"title": f"第{n}号", "kind": "policy", "topics": ("甲", "乙"), "odd": ([n], {"k": n}), "list": [n]}
        item = Item(source, "policy", fields) if n != 1 else None
        problems = [Problem(path, 1, "F101", "中", "en")] if n == 1 else []
        found[path] = CachedSource(f"{n:040x}", source, "key", problems, item, (n, 1, 2, 3, 4))
    found["content/odd.md"] = CachedSource("f" * 40, Source("content/odd.md", "odd", {}, {}, "\udcff 坏", 1))
    return found


def written(tmp_path: Path, given: dict[str, CachedSource] | None = None) -> Path:
    path = tmp_path / SOURCES
    source_file.write(path, ("engine",), given if given is not None else entries())
    return path


def test_what_is_read_is_what_was_written(tmp_path):
    given = entries()
    engine, read = source_file.read(written(tmp_path, given))
    assert engine == "engine" and read.keys() == given.keys()
    for rel, entry in read.items():
        before = given[rel]
        assert type(entry.source) is KeptSource and entry.source == before.source
        assert (entry.source.meta, entry.source.lines, entry.source.body) == (
            before.source.meta,
            before.source.lines,
            before.source.body,
        )
        assert entry.source.front == before.source.front
        assert (entry.digest, entry.checked_for, list(entry.problems), entry.stat) == (
            before.digest,
            before.checked_for,
            before.problems,
            before.stat,
        )
        assert all(type(getattr(entry, name)) is tuple for name in source_file.FINDINGS)  # no object when empty
        assert entry.item == before.item
        if entry.item is not None:
            assert entry.item.source is entry.source  # one object, as the build compares by identity
            assert entry.item.fields == before.item.fields
    assert type(given["content/odd.md"].source) is Source  # the entries written are left as they were


def test_meta_lines_and_body_are_read_when_first_asked_for(tmp_path):
    _, read = source_file.read(written(tmp_path))
    source = read["content/policies/p2.md"].source
    assert not any(name in source.__dict__ for name in LAZY)
    assert source.path == "content/policies/p2.md" and source.body_line == 5
    assert source.line("n") == 3
    assert "meta" in source.__dict__ and "body" not in source.__dict__
    assert source.body == "正文2\n正文2\n"


def test_a_kept_source_is_pickled_as_the_plain_source(tmp_path):
    _, read = source_file.read(written(tmp_path))
    source = read["content/policies/p2.md"].source
    again = pickle.loads(pickle.dumps(source))
    assert type(again) is Source and again == source and source == again


def test_written_again_untouched_or_not(tmp_path):
    """A source not asked for is copied as its bytes; one asked for is written from its values:
    both read back the same."""
    _, read = source_file.read(written(tmp_path))
    assert read["content/policies/p0.md"].source.body == ""
    again = tmp_path / "again"
    again.mkdir()
    _, reread = source_file.read(written(again, read))
    assert {rel: e.source for rel, e in reread.items()} == {rel: e.source for rel, e in entries().items()}


def test_a_replaced_file_still_serves_the_sources_read_from_it(tmp_path):
    path = written(tmp_path)
    _, read = source_file.read(path)
    other = entries()
    other["content/policies/p2.md"].source.__dict__["body"] = "另一个正文"  # a different file in its place
    source_file.write(path, ("engine",), other)
    assert read["content/policies/p2.md"].source.body == "正文2\n正文2\n"


@pytest.mark.parametrize("damage", ["cut", "extended", "garbage"])
def test_a_file_of_another_length_is_no_cache(tmp_path, damage):
    path = written(tmp_path)
    data = path.read_bytes()
    path.write_bytes({"cut": data[:-3], "extended": data + b"x", "garbage": b"garbage"}[damage])
    with pytest.raises(ValueError):
        source_file.read(path)


def test_a_cache_with_a_cut_sources_file_is_opened_empty(tmp_path):
    from disclose.build_cache import _engine_key

    path = tmp_path / SOURCES
    source_file.write(path, (_engine_key(),), entries())
    (tmp_path / "state.json").write_bytes(b'{"engine": "%s"}' % _engine_key().encode())
    assert len(BuildCache.open(tmp_path).sources) == 4
    path.write_bytes(path.read_bytes()[:-1])
    assert BuildCache.open(tmp_path).sources == {}


def test_a_damaged_byte_stops_the_build_instead_of_showing_other_text(tmp_path):
    path = written(tmp_path)
    data = bytearray(path.read_bytes())
    at = data.rindex("正文2".encode())
    data[at] ^= 1
    path.write_bytes(bytes(data))
    _, read = source_file.read(path)
    assert read["content/policies/p1.md"].source.body == "正文1\n"
    with pytest.raises(CacheDamaged):
        read["content/policies/p2.md"].source.body  # noqa: B018 - the access is the test


def test_a_place_in_the_tail_not_as_written_is_damage(tmp_path):
    """Where a source's part lies is packed in one bytes object; one of another size is damage."""
    _, read = source_file.read(written(tmp_path))
    source = read["content/policies/p2.md"].source
    source.__dict__["_at"] = source.__dict__["_at"][:-1]
    with pytest.raises(CacheDamaged):
        source.body  # noqa: B018 - the access is the test


def test_equal_field_values_are_read_as_one_object(tmp_path):
    _, read = source_file.read(written(tmp_path))
    first, second = (read[f"content/policies/p{n}.md"].item.fields for n in (0, 2))
    assert first["kind"] is second["kind"] and first["topics"] is second["topics"]
    assert first["list"] is not second["list"] and first["odd"][1] == {"k": 0}


def test_a_build_over_a_damaged_cache_builds_as_if_it_were_empty(sample, tmp_path):
    """A damaged byte costs a cold build, never other text and never a failed build."""
    today = datetime.date(2026, 11, 22)
    cold, out, cache = tmp_path / "cold", tmp_path / "out", tmp_path / "cache"
    assert not pipeline.build(sample, cold, today).errors
    assert not pipeline.build(sample, out, today, cache_dir=cache).errors
    path = cache / SOURCES
    data = bytearray(path.read_bytes())
    data[-10] ^= 1  # in the tail: the last source's body
    path.write_bytes(bytes(data))
    for changed in sorted(sample.rglob("*.md")):
        changed.touch()  # new stats: every source's bytes are asked for
    assert not pipeline.build(sample, out, today, cache_dir=cache).errors
    assert snapshot(out) == snapshot(cold)
