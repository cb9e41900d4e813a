"""One scan for state-secret marks and personal information, over any text that will be published.

Every rule that looks for a 密级 mark, an ID number or a mobile number calls `secrets` or
`personal` here, so the forms an editor or an attacker might use are folded in one place:
Unicode compatibility forms (NFKC: full-width digits and stars, mathematical digits, the
ideographic space), HTML entities (`&#26426;&#23494;`), zero-width characters, HTML tags and
Markdown markup between the characters (`**机密**★1年`, `138**0013**8000`), link and image
targets (percent-encoded), traditional characters of the secrecy words (機密, 祕密, 絕密, 密級),
substitutes for ★ (☆, ＊, *, ⭐) and separators inside digit runs (spaces, dashes, dots).

Most texts need none of that: cheap checks (`密` or `&` present, a compatibility character
present, a `1` followed by a 3–9) decide whether a text is normalised and searched at all, so
the scan costs little on a site of 100,000 documents.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import unquote

# Characters that matter to the patterns: digits and their separators, the letter X of an ID
# number, a plus sign, stars, and the characters of the secrecy words.
_TARGET = set("0123456789+*-.Xx &#★☆") | set("绝机秘密级年月个长期絕機祕級長個")
# Ranges of the BMP holding compatibility characters that NFKC folds into those (full-width
# forms, superscripts, circled digits, compatibility ideographs, Kangxi radicals).
_COMPAT_RANGES = ((0x00A0, 0x00FF), (0x2000, 0x33FF), (0xF900, 0xFAFF), (0xFE10, 0xFE6F), (0xFF00, 0xFFEF))


def _compat_class() -> str:
    chars = []
    for low, high in _COMPAT_RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            if folded != char and any(c in _TARGET for c in folded):
                chars.append(re.escape(char))
    return "".join(chars)


# Traditional and variant characters of the secrecy words, folded to the simplified ones.
TRADITIONAL = str.maketrans("機祕絕絶級長個", "机秘绝绝级长个")
# Substitutes for ★; the ASCII asterisk is also Markdown's emphasis, so the patterns treat it apart.
_STAR_LIKE = "☆✩✪✫✬✭✮✯✰⭐✱✲✳✴✵✶✷✸✹✺⁎∗⋆﹡＊🟊"
STARS = str.maketrans(dict.fromkeys(_STAR_LIKE, "★"))

# A text holding none of these needs no folding (NFKC alone costs more than every rule of a plain
# file): the BMP characters NFKC folds into a digit, a star or a secrecy word, invisible
# characters, traditional secrecy characters and star substitutes; and, in a second pattern (one
# range beyond the BMP in a class makes the engine test ranges for every character), any character
# beyond the BMP (mathematical and other digits there; rare enough to fold always).
SPECIAL = re.compile(f"[{_compat_class()}\u200b-\u200f\u2060-\u2064\ufeff\u00ad機祕絕絶級長個{_STAR_LIKE[:-1]}]")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def exotic(text: str) -> bool:
    """Whether `text` holds a character the normalisation would change (besides markup)."""
    return not text.isascii() and (SPECIAL.search(text) is not None or ASTRAL.search(text) is not None)


INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)")
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>")
ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
LINK_TARGET = re.compile(
    r"\]\([^\S\n]*<?([^()\s<>]+(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:[^\S\n]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[^\S\n]*\)"
)


# Between the characters of a mark or the digits of a number: spaces and Markdown markup.
_SEP = r"[^\S\n]|[*_~`\[\]]"
_GAP = rf"(?:{_SEP}|[-.·‐‑‒–—]){{0,3}}"  # inside digit runs also dashes and dots, at most three
_S = rf"(?:{_SEP})*"
SEPARATORS = re.compile(_SEP)
_CLASS = rf"(?:绝{_S}密|机{_S}密|秘{_S}密)"
_PERIOD = rf"(?:\d+{_S}(?:年|个{_S}月|月)|长{_S}期)"
# 机密★1年, 秘密★, 机密*5年 (an asterisk counts as a star only before a period), 密级：机密,
# and a 密级 word standing alone on its line or as a whole value (机密, 【秘密】, 机密 1年).
SECRET_MARK = re.compile(rf"{_CLASS}{_S}(?:★|\*+{_S}(?={_PERIOD}))|密{_S}级{_S}[:：]?{_S}{_CLASS}")
SECRET_LINE = re.compile(rf"^{_S}[【\[(（]?{_S}{_CLASS}{_S}[】\])）]?{_S}(?:{_PERIOD}{_S})?$", re.MULTILINE)
# Every mark holds a 密级 word: a text without one is not searched further (the patterns above
# begin with a line start or a lookahead the engine cannot skip ahead to).
SECRET_WORD = re.compile(_CLASS)
ID_NUMBER = re.compile(rf"(?<!\d)(\d(?:{_GAP}\d){{16}}{_GAP}[\dXx])(?!\d)")
MOBILE = re.compile(rf"(?<!\d)(?:\(?(?:\+|00){_GAP}86\)?{_GAP})?(1{_GAP}[3-9](?:{_GAP}\d){{9}})(?!\d)")
# A run of digits and separators that could hold a number (no look-behind: a fast scan).
RUN = re.compile(r"\d(?:[ \t*_~`\[\]\-.·‐‑‒–—]{0,3}\d){10,}[Xx]?")
DIGIT = re.compile(r"\D")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Hit:
    """One mark or number found: what it is, how to show it (numbers masked), its line."""

    kind: str  # secret | id | mobile
    shown: str  # the mark as normalised, or the masked number
    digits: str  # the number's digits (to compare with site.yaml's pii_allow); "" for a mark
    line: int  # 0-based line within the scanned text


def normalize(text: str) -> str:
    """The text as a reader sees it: compatibility forms, entities, tags, escapes and invisible
    characters folded away, secrecy words in simplified characters, every star a ★.

    Line breaks are kept where they were, so a hit's line is the line in the source.
    """
    if "&" in text:
        text = ENTITY.sub(lambda m: html.unescape(m.group()).replace("\n", " "), text)
    if exotic(text):
        text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(TRADITIONAL).translate(STARS)
    if "<" in text:
        text = TAG.sub("", text)
    if "\\" in text:
        text = ESCAPE.sub("", text)
    return text


def _views(text: str, gate: bool) -> tuple[str, list[tuple[str, int]]]:
    """The normalised text with link targets taken out, and the targets (percent-decoded) with
    their lines: `[机密](x)★1年` reads 机密★1年, `[附件](files/%E6%9C%BA%E5%AF%86.pdf)` names 机密."""
    clean = normalize(text) if gate else text
    if "](" not in clean:
        return clean, []
    targets = [
        (normalize(unquote(m.group(1))) if "%" in m.group(1) else m.group(1), clean.count("\n", 0, m.start()))
        for m in LINK_TARGET.finditer(clean)
    ]
    return LINK_TARGET.sub("]", clean), targets


def _needs_secret_scan(text: str) -> bool:
    """Every mark holds 密 (no compatibility character folds into it), unless it is written as
    entities or percent-escapes."""
    return "密" in text or "&" in text or "%" in text


def _marks(text: str, line_of: Callable[[int], int]) -> list[Hit]:
    if SECRET_WORD.search(text) is None:
        return []
    found: dict[int, Hit] = {}  # one per line: 机密*1年 alone on its line matches both patterns
    for m in sorted([*SECRET_MARK.finditer(text), *SECRET_LINE.finditer(text)], key=lambda m: m.start()):
        line = line_of(m.start())
        found.setdefault(line, Hit("secret", SEPARATORS.sub("", m.group()), "", line))
    return list(found.values())


def _at_line(line: int) -> Callable[[int], int]:
    """A `line_of` for a text that stands on one line of the file."""
    return lambda _: line


def secrets(text: str) -> list[Hit]:
    """Every secrecy mark in `text` (机密★1年 and its disguises)."""
    if not _needs_secret_scan(text):
        return []
    clean, targets = _views(text, True)
    found = _marks(clean, lambda pos: clean.count("\n", 0, pos))
    for target, line in targets:
        found += _marks(target, _at_line(line))
    return found


@lru_cache(maxsize=1024)
def is_secret_word(text: str) -> bool:
    """Whether a value names a secret class (a `classification` value such as 機 密)."""
    return SECRET_WORD.search(normalize(text)) is not None


@lru_cache(maxsize=4096)
def is_id_number(digits: str) -> bool:
    """GB 11643 check digit and a real birth date: a real 居民身份证号码, not any 18 digits."""
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == digits[17].upper()


def mask_id(number: str) -> str:
    return number[:2] + "*" * 13 + number[-3:]


def mask_mobile(digits: str) -> str:
    return digits[:3] + "****" + digits[-4:]


def _numbers(clean: str, line_of: Callable[[int], int]) -> list[Hit]:
    """ID and mobile numbers in a normalised text: the patterns run only on the runs of digits and
    separators long enough to hold one, found by a pattern without look-behind (many times faster
    than the patterns over the whole text)."""
    found: list[Hit] = []
    for run in RUN.finditer(clean):
        part = run.group()
        spans: list[tuple[int, int]] = []
        for m in ID_NUMBER.finditer(part) if _digit_count(part) >= 17 else ():
            number = re.sub(r"[^\dXx]", "", m.group(1)).upper()
            if is_id_number(number):
                found.append(Hit("id", mask_id(number), number, line_of(run.start())))
                spans.append(m.span())
        start = run.start()
        for m in MOBILE.finditer(clean, max(0, start - 6), run.end()):
            if any(a < m.end() - start and m.start() - start < b for a, b in spans):
                continue  # the digits of an ID number grouped as 6-8-4 are not a mobile number
            digits = DIGIT.sub("", m.group(1))
            found.append(Hit("mobile", mask_mobile(digits), digits, line_of(m.start())))
    return found


def _digit_count(text: str) -> int:
    return sum(map(text.count, "0123456789"))


def personal(text: str) -> list[Hit]:
    """Every resident ID number (check digit verified) and mobile number in `text`."""
    odd = exotic(text)
    if not odd and _digit_count(text) < 11:
        return []
    clean, targets = _views(text, odd or "&" in text or "<" in text or "\\" in text)
    found = _numbers(clean, lambda pos: clean.count("\n", 0, pos))
    for target, line in targets:
        found += _numbers(target, _at_line(line))
    return found


def in_texts(find: Callable[[str], list[Hit]], texts: list[tuple[str, str]]) -> list[tuple[str, Hit]]:
    """(key, hit) for `find` (secrets or personal) over many short texts, searched as one: the
    texts are joined by line breaks, which no mark or number spans."""
    if not texts:
        return []
    joined = "\n".join(text for _, text in texts)
    hits = find(joined)
    if not hits:
        return []
    starts, line = [], 0
    for _, text in texts:
        starts.append(line)
        line += text.count("\n") + 1
    return [(texts[bisect.bisect_right(starts, hit.line) - 1][0], hit) for hit in hits]


def allowed(hit: Hit, allow: tuple[str, ...] | list[str]) -> bool:
    """Whether site.yaml's pii_allow lists the number (an official hotline, say)."""
    return any(DIGIT.sub("", a).removeprefix("0086").removeprefix("86") == hit.digits for a in allow)


def front_matter_texts(meta: object, key: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """(key, text) for every string of a front matter, nested maps and lists too, field names
    included; numbers count as text (an ID or a mobile number written unquoted is an int).

    `key` is the dotted path the front-matter reader records lines for (`review.by`,
    `attachments.0`); deeper values carry their top-level key, whose line is known.
    """
    found: list[tuple[str, str]] = []
    if isinstance(meta, str):
        found.append((key, meta))
    elif isinstance(meta, int | float) and not isinstance(meta, bool):
        found.append((key, str(meta)))
    elif isinstance(meta, dict | list | tuple):
        pairs = meta.items() if isinstance(meta, dict) else enumerate(meta)
        top = key.split(".", 1)[0]
        for name, value in pairs:
            sub = str(name) if depth == 0 else f"{top}.{name}" if depth == 1 else top
            if isinstance(meta, dict):
                found.append((sub, str(name)))
            found.extend(front_matter_texts(value, sub, depth + 1))
    return found
