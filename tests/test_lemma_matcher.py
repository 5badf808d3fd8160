"""spaCy matching over lemmas: inflections, typos (and common words left alone), near-phrases."""

from __future__ import annotations

import pytest

from actions.lemma_matcher import LemmaMatcher, edit_distance
from actions.text import normalise
from actions.triage import assess


@pytest.fixture(scope="module")
def matcher() -> LemmaMatcher:
    return LemmaMatcher(
        {
            "vomiting": ["vomit", "throw up"],
            "stiff_neck": ["neck ~ stiff|rigid"],
            "fever": ["fever"],
            "breathing": ["cant breathe"],
            "weak_arm": ["arms are weak"],
        }
    )


def labels(matcher: LemmaMatcher, text: str) -> set:
    return {label.split("#")[0] for label, _, _ in matcher.matches(normalise(text))}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I threw up twice", "vomiting"),  # lemma of "threw"
        ("she keeps throwing up", "vomiting"),
        ("vomitting all night", "vomiting"),  # typo
        ("fevr since this morning", "fever"),  # typo
        ("feaver", "fever"),
        ("my neck is rigid", "stiff_neck"),  # either order, words between
        ("stiffness in the neck", "stiff_neck"),
        ("I cannot breathe", "breathing"),  # "cannot" and "can't" read alike
        ("I can't breathe", "breathing"),
        ("my arm is weak", "weak_arm"),  # "arms are" -> "arm be"
    ],
)
def test_finds_inflections_typos_and_lay_wording(matcher: LemmaMatcher, text: str, label: str) -> None:
    assert label in labels(matcher, text)


@pytest.mark.parametrize("word", ["deck", "fiver", "stuff", "heck", "neck", "fevers"])
def test_common_words_are_never_corrected_into_something_else(matcher: LemmaMatcher, word: str) -> None:
    corrected = matcher.correct(word)
    assert corrected is None or corrected == word


def test_ambiguous_or_distant_typos_are_left_alone(matcher: LemmaMatcher) -> None:
    assert matcher.correct("fxvxr") is None  # two edits in a five-letter word
    assert matcher.correct("zever") is None  # a different first letter


def test_edit_distance() -> None:
    assert edit_distance("fevr", "fever", 2) == 1
    assert edit_distance("siezure", "seizure", 2) == 1  # transposition counts once
    assert edit_distance("abc", "xyzxyz", 2) == 3


def test_a_negation_between_the_words_of_a_near_phrase_counts() -> None:
    assert "stiff_neck" in assess("my neck is not stiff").negated
    assert assess("my neck is not stiff and I have a fever").level == "urgent"


def test_asking_about_a_cause_by_any_name_is_not_a_red_flag() -> None:
    from actions.kb_loader import get_kb

    flagged = []
    for cause in get_kb().causes:
        for name in (cause.name, *cause.aliases):
            for text in (f"tell me about {name}", f"can {name} cause neck spasms?"):
                if assess(text).level and name != "neck lump":  # a lump in the neck is itself a red flag
                    flagged.append(text)
    assert not flagged
