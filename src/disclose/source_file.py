"""The build cache's file of parsed sources, read lazily: what every build needs of a source is
unpickled when the file is opened, what few builds need is read only when asked for.

A rebuild needs of every cached source its path, id, digest, typed item and findings (the
catalogue, the gate and the checks of other items read them all), but the front matter as
written (`Source.meta`), the lines of its keys and the body only for the sources it parses,
checks or renders again: a few after an edit. Unpickling the whole file made about 40 objects a
source and decoded every body (a third of a second at 10,000 sources). So the file is written in
two parts:

- a head: a pickle of the cache entries whose sources are `KeptSource`s holding their path, id,
  body line and `front` digest, and where their other part lies in the tail;
- a tail: for each source, the pickle of (meta, lines) and the UTF-8 body, side by side.

Opening reads the head and maps the tail (`mmap`; read whole where mapping would keep a file
from being replaced, on Windows). A `KeptSource` unpacks its part the first time meta, lines or
body is asked for, and checks it against the CRC-32 recorded for it. One file holds both parts,
written whole and renamed into place, so a head is never paired with another write's tail; a tail
that is shorter or longer than the head says (a cut or appended file) makes the whole file
unreadable, hence an empty cache; a part whose CRC-32 differs (a damaged byte) stops the build
(`CacheDamaged`) instead of showing other text. A mapped tail is the file as opened: a build that
replaces the file keeps reading the old one, whose bytes its sources came from.
"""

from __future__ import annotations

import copyreg
import io
import mmap
import pickle
import struct
import sys
import zlib
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from .model import Item, Source

MAGIC = b"disclose-sources\n"
AT = struct.Struct("<QQQI")  # where a source's part lies in the tail, and its CRC-32
LENGTHS = 8  # bytes of each of the two lengths (head, tail) after MAGIC


FINDINGS = ("problems", "own", "dated")  # the lists of findings of a cache entry (almost all empty)


class CacheDamaged(RuntimeError):
    """A cached source's bytes are not those written: the cache folder is damaged."""


class Tail:
    """The tail of a sources file: the bytes of every source's meta, lines and body. Pickled as
    an empty marker (the head names it once); the reader gives it the file's bytes."""

    data: memoryview = memoryview(b"")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Tail, ())


class KeptSource(Source):
    """A `Source` read from the cache: meta, lines and body are read from the file's tail when
    first asked for, then kept. Equal to, and pickled as, the plain `Source` it stands for."""

    # The instance holds path, id, body_line, front, `_tail` and `_at`: start, meta end, end and
    # CRC-32 packed in one bytes object (`AT`: one object to unpickle, not five).

    def _part(self) -> tuple[bytes, int]:
        try:
            start, middle, end, crc = AT.unpack(self.__dict__["_at"])
        except (struct.error, TypeError):
            start = middle = end = crc = -1  # not what `write` wrote: damaged, as below
        data = bytes(self.__dict__["_tail"].data[start:end])
        if start < 0 or len(data) != end - start or zlib.crc32(data) != crc:
            raise CacheDamaged(
                f"{self.path}: 构建缓存已损坏，请删除缓存目录后重试 (the build cache is damaged: delete it)"
            )
        return data, middle - start

    def _unpack(self) -> None:
        data, split = self._part()
        meta, lines = pickle.loads(data[:split])  # noqa: S301 - the build cache is the build's own
        values = self.__dict__
        values.setdefault("meta", meta)
        values.setdefault("lines", lines)

    @cached_property
    def meta(self) -> Mapping[str, Any]:
        self._unpack()
        return self.__dict__["meta"]

    @cached_property
    def lines(self) -> Mapping[str, int]:
        self._unpack()
        return self.__dict__["lines"]

    @cached_property
    def body(self) -> str:
        data, split = self._part()
        return data[split:].decode("utf-8", "surrogatepass")

    def plain(self) -> Source:
        return Source(self.path, self.id, self.meta, self.lines, self.body, self.body_line)

    def __reduce__(self) -> tuple[Any, ...]:  # anywhere but the sources file: the plain source
        return (Source, (self.path, self.id, self.meta, self.lines, self.body, self.body_line))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Source):
            return NotImplemented
        if (self.path, self.id, self.body_line) != (other.path, other.id, other.body_line):
            return False  # without reading either's other part
        return (self.meta, self.lines, self.body) == (other.meta, other.lines, other.body)

    __hash__ = Source.__hash__


def _kept_state(source: KeptSource) -> tuple[Any, ...]:
    return (copyreg.__newobj__, (KeptSource,), source.__dict__)  # type: ignore[attr-defined]


class _Shared(dict):
    """Equal immutable values as one object: pickled once, then referred to (most fields repeat
    across items: kinds, issuers, dates, `public`), so reading makes far fewer objects."""

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is date:
            return self.setdefault((kind, value), value)
        if kind is tuple:
            parts = tuple(self.value(part) for part in value)
            try:
                return self.setdefault((kind, value), parts)
            except TypeError:  # holds something unhashable (a list, a mapping)
                return parts
        if kind is list:
            return [self.value(part) for part in value]
        return value

    def fields(self, fields: Mapping[str, Any]) -> Mapping[str, Any]:
        if type(fields) is not dict:
            return fields
        return {self.value(key): self.value(value) for key, value in fields.items()}


def write(path: Path, head: tuple, entries: Mapping[str, Any]) -> None:
    """Write `entries` (path -> build_cache.CachedSource) after `head` (what the reader checks
    first: the engine key) to `path`, atomically. The entries are not changed: each is written as
    a copy whose source (and its item's) is a `KeptSource` pointing into the tail, and whose
    item's fields share equal values (`_Shared`)."""
    tail = Tail()
    shared = _Shared()
    chunks: list[bytes] = []
    at = 0
    shadows: dict[str, Any] = {}
    for rel, entry in entries.items():
        source = entry.source
        if type(source) is KeptSource and "meta" not in source.__dict__ and "body" not in source.__dict__:
            data, split = source._part()  # untouched since read: its bytes as they are
        else:
            meta = pickle.dumps((dict(source.meta), dict(source.lines)), protocol=pickle.HIGHEST_PROTOCOL)
            data, split = meta + source.body.encode("utf-8", "surrogatepass"), len(meta)
        chunks.append(data)
        kept = KeptSource.__new__(KeptSource)
        kept.__dict__.update(
            path=source.path,
            id=source.id,
            body_line=source.body_line,
            front=source.front,
            _tail=tail,
            _at=AT.pack(at, at + split, at + len(data), zlib.crc32(data)),
        )
        at += len(data)
        shadow = entry.__class__.__new__(entry.__class__)
        shadow.__dict__.update(entry.__dict__, source=kept)
        for name in FINDINGS:  # read back as tuples: nothing changes them in place, and () is no new object
            shadow.__dict__[name] = tuple(entry.__dict__[name])
        if entry.item is not None:
            item = Item.__new__(Item)
            item.__dict__.update(entry.item.__dict__, source=kept, fields=shared.fields(entry.item.fields))
            shadow.__dict__["item"] = item
        shadows[rel] = shadow
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, KeptSource: _kept_state}
    pickler.dump((*head, tail, shadows))
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(MAGIC + len(buffer.getbuffer()).to_bytes(LENGTHS, "big") + at.to_bytes(LENGTHS, "big"))
        handle.write(buffer.getbuffer())
        for chunk in chunks:
            handle.write(chunk)
    temporary.replace(path)


def read(path: Path) -> tuple:
    """The head and the entries `write` wrote (head fields first, the entries last). Raises
    ValueError when the file is not one whole sources file (cut, extended, another format)."""
    with path.open("rb") as handle:
        start = handle.read(len(MAGIC) + 2 * LENGTHS)
        if len(start) != len(MAGIC) + 2 * LENGTHS or not start.startswith(MAGIC):
            raise ValueError("not a sources file")
        head = int.from_bytes(start[len(MAGIC) : len(MAGIC) + LENGTHS], "big")
        size = int.from_bytes(start[len(MAGIC) + LENGTHS :], "big")
        offset = len(start) + head
        handle.seek(0, io.SEEK_END)
        if handle.tell() != offset + size:
            raise ValueError("a sources file of another length than written")
        handle.seek(len(start))
        loaded = pickle.loads(handle.read(head))  # noqa: S301 - the build cache is the build's own
        if not isinstance(loaded, tuple) or len(loaded) < 2 or not isinstance(loaded[-2], Tail):
            raise ValueError("not a sources file")
        tail: Tail = loaded[-2]
        if size == 0:
            tail.data = memoryview(b"")
        elif sys.platform == "win32":  # a mapped file cannot be replaced there
            tail.data = memoryview(handle.read(size))
        else:  # mapped whole (a mapping starts at a page): the tail is its end
            tail.data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))[offset:]
    return (*loaded[:-2], loaded[-1])
