"""The next free 索引号 for `disclose new`: {organization.code}/{year}-{serial}, serial one above the
highest of that year in any content file (public or not, valid or not), so a number once written is
never handed out again. The number lives in the file, so it stays as it is when others are added.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .config import SiteConfig
from .identifiers import canonical
from .identity import IndexForm, index_form
from .load import load

WIDTH = 5  # 00001: the serial's digits when the site has none yet


def next_index_no(form: IndexForm, year: int, existing: list[str]) -> str:
    """The next serial of `year` after every 索引号 in `existing`, as wide as the widest in use."""
    pattern = form.pattern()
    highest, width = 0, WIDTH
    for value in existing:
        found = pattern.match(canonical(value))
        if found is None:
            continue
        width = max(width, len(found.group("serial")))
        found_year = found.groupdict().get("year")
        if found_year is None or int(found_year) == year:
            highest = max(highest, int(found.group("serial")))
    return form.format(year, highest + 1, width)


def assign(site: Path, config: SiteConfig, published: date | None, today: date) -> str | None:
    """The 索引号 for a new file of `site`, or None when the site gives no organization.code (nor a form)."""
    form = index_form(config.organization, config.index_no_form)
    if form is None:
        return None
    sources, _ = load(site)
    existing = [str(s.meta["index_no"]) for s in sources if s.meta.get("index_no") not in (None, "")]
    return next_index_no(form, (published or today).year, existing)
