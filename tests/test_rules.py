"""Every rule in the catalogue is broken by its own example, and says so with its code and file."""

from __future__ import annotations

import os
import subprocess

import pytest

from disclose import pipeline
from disclose.cli import build_date
from disclose.rules import all_rules

from .conftest import TODAY, run, write

RULES = all_rules()
HEAD = "---\ntitle: 某决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n"


def _symlink(site):
    (site / "content/decisions").mkdir(parents=True, exist_ok=True)
    (site / "content/decisions/linked.md").symlink_to(site / "site.yaml")
    return {"content/decisions/linked.md": None}  # made here, not written


UNSHOWN_EXAMPLES = {
    "E002": lambda site: {"content/decisions/huge.md": "---\ntitle: x\n---\n" + "字" * (4 * 1024 * 1024)},
    "E013": _symlink,
    "E017": lambda site: {"content/decisions/stars.md": HEAD + "_a " * 4000 + " a_" * 4000 + "\n"},
    "E018": lambda site: {"content/decisions/table.md": HEAD + "|a|b|\n|-|-|\n" + "|1|2|\n" * 30_000},
}


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_example_breaks_the_rule(site, rule):
    examples = dict(rule.example)
    if rule.code in UNSHOWN_EXAMPLES:  # too big to ship as an example string, or not a text
        examples.update(UNSHOWN_EXAMPLES[rule.code](site))
    for rel, text in examples.items():
        if text is None:  # made by UNSHOWN_EXAMPLES
            continue
        if rel == "git commit":  # a change note: commit the site with this message
            _commit(site, text)
        elif text.startswith("@symlink "):
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).symlink_to(text.removeprefix("@symlink "))
        else:
            write(site, rel, text)
    report = pipeline.check(site, build_date(TODAY))
    hits = [p for p in report.problems if p.code == rule.code]
    assert hits, f"{rule.code} not raised by its example: {report.problems}"
    absent = {"Y703": {"reports/2023.yaml"}}.get(rule.code, set())  # a rule about a file not yet written
    assert {p.path for p in hits} <= set(examples) | absent | {
        "content/policies/rules.md",
        "content/interpretations/rules-jd.md",
    }, hits
    if not any(rel == "git commit" for rel in examples):
        assert {p.path for p in hits} <= set(examples) | absent, hits
    assert all(p.severity == rule.severity for p in hits)


def _commit(site, message: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@example.org", "PATH": os.environ["PATH"], "HOME": str(site)}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", message]):
        subprocess.run(["git", "-C", str(site), *args], check=True, capture_output=True, env=env)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(rule):
    from disclose.rules.explanations_zh import EXPLANATIONS

    assert rule.explanation and rule.title and rule.title_zh and rule.source
    assert EXPLANATIONS.get(rule.code), "editors read a Chinese explanation of every rule"
    assert rule.example or rule.code in UNSHOWN_EXAMPLES, "every rule ships an example that breaks it"


def test_minimal_site_is_clean(site):
    report = pipeline.check(site, build_date(TODAY))
    assert report.problems == []


def test_rules_command_lists_and_explains():
    listing = run("rules")
    assert listing.exit_code == 0
    for rule in RULES:
        assert rule.code in listing.output
    one = run("rules", "D201")
    assert "以公开为常态" in one.output and "disclosure: withheld" in one.output
    assert "must name its exception" not in one.output  # editors get the Chinese explanation
    assert "must name its exception" in run("rules", "D201", "--lang", "en").output
    assert run("rules", "Z999").exit_code == 2


def test_editor_rule_page_is_generated_from_the_catalogue():
    from pathlib import Path

    from disclose.rules.catalogue_doc import markdown

    page = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == markdown(), "run: disclose rules --markdown > docs/rules.md"


def test_a_rule_skipped_for_an_item_finds_nothing_there(tmp_path):
    """`kinds` and `fields` let validation skip a rule for items it can find nothing in: over the
    sample site and every item rule's example, the rule run on every item finds nothing in the
    items it is skipped for."""
    import shutil

    from .conftest import FIXTURES, copy_sample

    filtered = [rule for rule in RULES if rule.kinds or rule.fields]
    assert len(filtered) >= 10
    sites = [(copy_sample(tmp_path / "sample"), "2026-11-22")]
    for rule in RULES:
        if rule.scope != "item" or any(rel == "git commit" for rel in rule.example):
            continue
        site = tmp_path / rule.code
        shutil.copytree(FIXTURES / "minimal", site)
        for rel, text in rule.example.items():
            if text.startswith("@symlink "):
                (site / rel).parent.mkdir(parents=True, exist_ok=True)
                (site / rel).symlink_to(text.removeprefix("@symlink "))
            else:
                write(site, rel, text)
        sites.append((site, TODAY))
    applied = 0
    for site, today in sites:
        catalogue = pipeline.check(site, build_date(today)).catalogue
        assert catalogue is not None
        for rule in filtered:
            for item in catalogue.items:
                found = list(rule.check(item, catalogue))
                assert rule.applies(item) or not found, (rule.code, item.path, found)
                applied += bool(found)
    assert applied  # the examples do break the filtered rules
