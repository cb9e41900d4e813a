"""文号 normalization and look-alike identifiers."""

from __future__ import annotations

import pytest

from disclose.identifiers import canonical, is_valid_doc_no, normalize_doc_no
from disclose.rules.personal_info import is_id_number


@pytest.mark.parametrize(
    "raw",
    [
        "绍政发[2022]5号",
        "绍政发(2022)5号",
        "绍政发（2022）5号",
        "绍政发【2022】5号",
        "绍政发〔2022〕5号",
        "绍政发〔２０２２〕５号",
        "绍政发\u200b〔2022〕5号",
        " 绍政发〔2022〕5号 ",
    ],
)
def test_brackets_and_widths_normalize(raw):
    assert normalize_doc_no(raw) == "绍政发〔2022〕5号"


@pytest.mark.parametrize("bad", ["绍政发〔2022〕05号", "绍政发〔2022〕第5号", "绍政发〔22〕5号", "〔2022〕5号"])
def test_malformed_doc_numbers(bad):
    assert not is_valid_doc_no(normalize_doc_no(bad))


def test_canonical_drops_zero_width_and_folds_width():
    assert canonical("ＹＳＱ-2024\u200b-001") == "YSQ-2024-001"


def test_id_number_checksum():
    assert is_id_number("11010519491231002X")
    assert not is_id_number("110105194912310021")  # wrong check digit
    assert not is_id_number("110105194913310020")  # no 13th month


def test_reference_by_doc_no_in_another_bracket_form(site):
    from .conftest import TODAY, run, write

    write(
        site,
        "content/interpretations/second.md",
        "---\ntitle: 问答解读\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "interprets: 示政发[2024]1号\nform: qa\n---\n问答。\n",
    )
    assert run("check", "--site", str(site), "--today", TODAY).exit_code == 0
