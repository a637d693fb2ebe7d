"""The text gate's one rule, its two languages, and the escape every export applies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.text_gate import REFUSED, escape, escaped, refusal, refusals
from web.field_messages import chinese_message


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\x9f"])
def test_c0_and_c1_control_characters_are_refused(char: str) -> None:
    found = refusal(f"扣分{char}理由")
    assert found is not None and found.code == f"U+{ord(char):04X}"
    assert f"控制字符 {found.code}" in found.chinese


@pytest.mark.parametrize("char", ["\ud800", "\udfff", "\ufffe", "\uffff"])
def test_surrogates_and_the_two_noncharacters_are_refused(char: str) -> None:
    assert refusal(f"a{char}") is not None


def test_tabs_and_line_breaks_are_text_but_not_in_a_name() -> None:
    assert refusal("第一行\r\n第二行\t附注") is None
    assert refusal("证据\t.pdf", name=True) is not None
    assert refusal("证据\n.pdf", name=True) is not None
    assert refusal("证据 (1).pdf", name=True) is None


def test_refusals_name_each_path_keys_included() -> None:
    found = refusals({"a": ["ok", "x\x01"], "b\x02": {"c": "\x00"}})
    assert set(found) == {"a.1", "b\x02", "b\x02.c"}


def test_the_api_words_are_translated_by_the_problem_catalogue() -> None:
    for text in ("\x01", "\ud800", "\ufffe"):
        found = refusal(text)
        assert found is not None
        assert chinese_message(found.english) == found.chinese


def test_escaped_writes_out_each_refused_character_visibly() -> None:
    assert escape("a\x01b\x00\x85\ud800\ufffe") == "a\\x01b\\x00\\x85\\ud800\\ufffe"
    document = {"reason\x01": ["x\x07", ("y\x1b",)], "points": 1}
    assert escaped(document) == {"reason\\x01": ["x\\x07", ("y\\x1b",)], "points": 1}


@given(st.text())
def test_escaped_text_always_passes_the_gate_and_clean_text_is_unchanged(text: str) -> None:
    assert refusal(escape(text)) is None
    if REFUSED.search(text) is None:
        assert escape(text) == text
