"""Make Pagefind's bundle byte-identical between builds of the same content.

Pagefind 1.5 writes its filter indexes from a hash map, so the order of filter
values (and with it the file hashes, the meta index and pagefind-entry.json)
changes from run to run (upstream issue Pagefind/pagefind#638: "filter/metadata
indexes" still vary). We sort each filter's values, re-encode, and rename the
files by a hash of their new content. The formats are Pagefind's own: gzip of
the signature `pagefind_dcd` followed by CBOR.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


def _decode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    """Decode the CBOR subset Pagefind's index files use: unsigned ints, bytes, text, arrays."""
    head = data[pos]
    major, info = head >> 5, head & 0x1F
    pos += 1
    if info < 24:
        value = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    if major == 0:
        return value, pos
    if major == 2:
        return data[pos : pos + value], pos + value
    if major == 3:
        return data[pos : pos + value].decode("utf-8"), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    raise ValueError(f"unexpected CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt, limit in ((24, ">B", 1 << 8), (25, ">H", 1 << 16), (26, ">I", 1 << 32)):
        if value < limit:
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    return bytes([major << 5 | 27]) + struct.pack(">Q", value)


def _encode(value: Any) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(value)) + b"".join(_encode(v) for v in value)


def _read(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    return data[len(SIGNATURE) :] if data.startswith(SIGNATURE) else data


def _write(path: Path, payload: bytes) -> None:
    path.write_bytes(gzip.compress(SIGNATURE + payload, compresslevel=9, mtime=0))


def _digest(payload: bytes, length: int) -> str:
    return hashlib.sha256(payload).hexdigest()[:length]


def _sorted_filters(meta: list[Any], renames: dict[str, str]) -> list[Any]:
    """The meta index with its list of (filter name, file hash) renamed and sorted by name."""
    out = []
    for part in meta:
        is_filter_list = (
            isinstance(part, list)
            and part
            and all(isinstance(p, list) and len(p) == 2 and p[1] in renames for p in part)
        )
        out.append(sorted([name, renames[h]] for name, h in part) if is_filter_list else part)
    return out


def stabilize(bundle: Path) -> None:
    """Rewrite filter files in sorted order and update the names that point at them."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        renames: dict[str, str] = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            name, values = _decode(_read(path))[0]
            values = sorted(([value, sorted(pages)] for value, pages in values), key=lambda v: v[0])
            payload = _encode([name, values])
            old = path.name.removesuffix(".pf_filter")
            new = f"{language}_{_digest(payload, len(old) - len(language) - 1)}"
            path.unlink()
            _write(bundle / "filter" / f"{new}.pf_filter", payload)
            renames[old] = new
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _encode(_sorted_filters(_decode(_read(meta_path))[0], renames))
        new_hash = f"{language}_{_digest(meta, len(info['hash']) - len(language) - 1)}"
        meta_path.unlink()
        _write(bundle / f"pagefind.{new_hash}.pf_meta", meta)
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def filter_counts(bundle: Path) -> dict[str, dict[str, int]]:
    """Each filter's values in a bundle with the number of pages that have them."""
    counts: dict[str, dict[str, int]] = {}
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        name, values = _decode(_read(path))[0]
        found = counts.setdefault(name, {})
        for value, pages in values:
            found[value] = found.get(value, 0) + len(pages)
    return counts
