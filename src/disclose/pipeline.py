"""The build as the data flows: load → validate → decide → render → index → write.

Reading git history (修订记录) is I/O at the edge too; it reaches rendering only through the gate.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .catalogue import Catalogue
from .config import SITE_FILE, load_config
from .gate import Publication, decide
from .history import read_history
from .load import load, load_reports
from .model import Problem
from .output import write_atomically
from .render import render_site, template_dirs
from .search_index import build_index
from .urls import attachment_output
from .validate import validate


class UsageError(Exception):
    """A problem with how disclose was called (exit status 2), not with the content."""


@dataclass
class Report:
    """What a check or build found and did."""

    problems: list[Problem] = field(default_factory=list)
    catalogue: Catalogue | None = None
    publication: Publication | None = None
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check(site: Path, today: date) -> Report:
    """Every rule over the whole site; nothing is written."""
    if not (site / SITE_FILE).is_file():
        raise UsageError(f"{site}: 找不到 {SITE_FILE}（用 --site 指向含 {SITE_FILE} 的目录）")
    report = Report()
    started = time.perf_counter()
    config, problems = load_config(site)
    report.problems.extend(problems)
    if config is None:
        report.problems.sort()
        return report
    sources, problems = load(site)
    report.problems.extend(problems)
    reports, problems = load_reports(site)
    report.problems.extend(problems)
    report.seconds["load"] = time.perf_counter() - started
    catalogue, problems = validate(site, config, today, sources, reports)
    report.problems.extend(problems)
    report.catalogue = catalogue
    report.problems.sort()
    report.seconds["validate"] = time.perf_counter() - started - report.seconds["load"]
    return report


def _guard_out(site: Path, out: Path) -> None:
    """Never let the atomic swap replace the site itself or a folder holding it."""
    site_abs, out_abs = site.resolve(), out.resolve()
    if out_abs == site_abs or site_abs.is_relative_to(out_abs):
        raise UsageError(f"--out {out} 会覆盖站点目录本身；请指定单独的输出目录，如 public/")
    if out_abs.is_relative_to((site / "content").resolve()):
        raise UsageError(f"--out {out} 位于 content/ 之内；请指定其他输出目录")


def _copy_assets(dirs: tuple[Path, ...], staging: Path) -> None:
    """Static assets from templates/assets, a site's own overriding the defaults by name."""
    for folder in reversed(dirs):
        assets = folder / "assets"
        if assets.is_dir():
            shutil.copytree(assets, staging / "assets", dirs_exist_ok=True)


def _copy_attachments(site: Path, pub: Publication, staging: Path) -> None:
    """Attachments of public items only; others' files never leave the repository."""
    for paths in pub.attachments.values():
        for rel in paths:
            target = staging / attachment_output(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / rel, target)


def build(site: Path, out: Path, today: date) -> Report:
    """Check, then write the whole site to `out` atomically; nothing is written on errors."""
    _guard_out(site, out)
    report = check(site, today)
    if report.errors or report.catalogue is None:
        return report
    started = time.perf_counter()
    pub = decide(report.catalogue, read_history(site))
    report.publication = pub
    dirs = tuple(template_dirs(site))

    def counted():
        for rel, data in render_site(pub, dirs):
            report.pages += rel.endswith(".html")
            yield rel, data

    def finish(staging: Path) -> None:
        _copy_assets(dirs, staging)
        _copy_attachments(site, pub, staging)
        report.seconds["render"] = time.perf_counter() - started
        build_index(staging)
        report.seconds["index"] = time.perf_counter() - started - report.seconds["render"]

    write_atomically(out, counted(), finish)
    return report
