"""Normal forms of 文号, 索引号 and 申请编号, so look-alikes compare equal.

Editors paste identifiers from Word, PDFs and web pages: full-width digits,
zero-width spaces and five kinds of year brackets all occur. Uniqueness and
references compare the normal form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
YEAR_BRACKETS = re.compile(r"[\[\(（【〔［]\s*(\d{4})\s*[\]\)）】〕］]")
DOC_NO = re.compile(r"^[\u4e00-\u9fa5A-Za-z]+〔\d{4}〕[1-9]\d*号$")


# What canonical() removes or may change besides an NFKC change: spaces and zero-width characters.
UNCANONICAL = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# And what normalize_doc_no() may change besides: year brackets other than 〔〕.
UNNORMAL = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad\[\]\(\)（）【】［］]")


def canonical(value: str) -> str:
    """NFKC, zero-width characters removed, surrounding and inner spaces dropped."""
    text = str(value)
    if not UNCANONICAL.search(text) and unicodedata.is_normalized("NFKC", text):
        return text  # already canonical (most identifiers are): the same, without the rewriting
    text = unicodedata.normalize("NFKC", text.translate(ZERO_WIDTH))
    return re.sub(r"\s+", "", text)


def normalize_doc_no(value: str) -> str:
    """绍政发[2022]5号 -> 绍政发〔2022〕5号 (GB/T 9704-2012 7.2.5 六角括号)."""
    text = str(value)
    if not UNNORMAL.search(text) and unicodedata.is_normalized("NFKC", text):
        # canonical() leaves it as it is, and the only year brackets are 〔〕 with no space
        # inside (none is left), which YEAR_BRACKETS would put back as they are
        return text
    return YEAR_BRACKETS.sub(r"〔\1〕", canonical(text))


def is_valid_doc_no(value: str) -> bool:
    """机关代字〔年份〕序号号, the serial without leading zeros or 第."""
    return bool(DOC_NO.match(value))


@lru_cache(maxsize=65536)  # the same references are resolved by many rules and pages
def reference_key(ref: str) -> tuple[str, str]:
    """(id, 文号) a reference may name: `policies/a`, `content/policies/a.md` or 示政规〔2026〕2号."""
    clean = str(ref).strip().removesuffix(".md").removeprefix("content/").strip("/")
    return clean, normalize_doc_no(clean)
