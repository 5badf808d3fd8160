"""The normalisation and phrase matching shared by the knowledge base and the red-flag rules."""

from __future__ import annotations

import re

import pytest

from core.text import compile_phrases, normalise, phrase_regex


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I DON'T have a fever!", "i dont have a fever"),
        ("can’t bend my neck", "cant bend my neck"),
        ("Fibromyalgía,  really?", "fibromyalgia really"),
        ("my neck's stiff", "my neck stiff"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("phrase", "text", "inflect", "matches"),
    [
        ("stress", "i am stressed", True, True),
        ("numb", "numbness in my arm", True, True),
        ("arm", "both arms", True, True),
        ("hiv", "i have hives", True, False),
        ("stress", "i am stressed", False, False),
        ("neck pain", "neck painful", True, True),
        ("rash", "brash decision", True, False),
    ],
)
def test_phrase_regex(phrase: str, text: str, inflect: bool, matches: bool) -> None:
    assert bool(re.search(phrase_regex(phrase, inflect), normalise(text))) is matches


def test_compile_phrases_prefers_the_longest_phrase() -> None:
    pattern = compile_phrases(["chest", "chest pain"])
    match = pattern.search(normalise("sudden chest pain"))
    assert match is not None and match.group(0) == "chest pain"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("A cannae feel ma legs", "a cant feel ma legs"),
        ("it didnae help", "it didnt help"),
        ("ma heid's pounding", "ma head pounding"),
        ("mi cyaan breathe", "mi cant breathe"),
        ("scanna the code", "scanna the code"),  # only whole words
        ("may lagnat at naninigas ang leeg", "may fever at stiff ang neck"),  # Tagalog-English
    ],
)
def test_other_englishes_words_are_folded(text: str, folded: str) -> None:
    assert normalise(text) == folded


def test_a_folded_negative_denies_like_the_english_one() -> None:
    from core.triage import assess

    assert "fever" in assess("my neck is stiff but I dinnae have a fever").negated
    assert assess("my neck is stiff but I dinnae have a fever").level is None
