"""spaCy matching over lemmas: inflections, typos (and common words left alone), near-phrases."""

from __future__ import annotations

import pytest

from core import context
from core.lemma_matcher import LemmaMatcher, PhraseTrie, edit_distance
from core.text import normalise
from core.triage import assess, crisis_matcher, get_red_flags
from scripts.eval_triage import EVAL_DIR, load_cases


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
    from core.kb_loader import get_kb

    flagged = []
    for cause in get_kb().causes:
        for name in (cause.name, *cause.aliases):
            for text in (f"tell me about {name}", f"can {name} cause neck spasms?"):
                if assess(text).level and name != "neck lump":  # a lump in the neck is itself a red flag
                    flagged.append(text)
    assert not flagged


def test_the_trie_finds_every_occurrence_once() -> None:
    trie = PhraseTrie()
    trie.add("a", [[{"NORM": "neck"}], [{"NORM": "neck"}, {"NORM": "stiff"}]])
    trie.add("b", [[{"NORM": "neck"}, {"NORM": "stiff"}], [{"NORM": "stiff"}]])
    trie.add("a", [[{"NORM": "neck"}]])  # the same sequence again under the same label: found once
    assert sorted(trie(["my", "neck", "stiff", "neck"])) == [
        ("a", 1, 2),
        ("a", 1, 3),
        ("a", 3, 4),
        ("b", 1, 3),
        ("b", 2, 3),
    ]
    assert trie([]) == []
    assert trie(["", "x"]) == []


@pytest.mark.parametrize("which", ["red flags", "crisis"])
def test_the_trie_finds_what_spacys_matcher_finds(which: str) -> None:
    """The project's phrases, matched by the trie and by spaCy's Matcher given the same patterns,
    on the sentences of the tuned triage cases: the same matches, each as often."""
    from collections import Counter

    from spacy.matcher import Matcher

    lemma = get_red_flags().matcher if which == "red flags" else crisis_matcher()
    spacy_matcher = Matcher(lemma._nlp.vocab)
    for label, patterns in lemma._matcher.patterns.items():
        spacy_matcher.add(label, patterns)
    strings = lemma._nlp.vocab.strings
    texts = [turn for case in load_cases([EVAL_DIR / "tuned"])[::5] for turn in case.messages]
    sentences = [s.text for text in texts for s in context.analyse(text)]
    assert len(sentences) > 500
    found = 0
    for sentence in sentences:
        doc = lemma.doc(sentence)
        ours = Counter(lemma._matcher([token.norm_ for token in doc]))
        theirs = Counter((strings[key], start, end) for key, start, end in spacy_matcher(doc))
        assert ours == theirs, sentence
        found += sum(ours.values())
    assert found > 100


def _correct_by_every_target(matcher: LemmaMatcher, word: str) -> str | None:
    """The typo correction as first written: the word against every vocabulary form of its first letter."""
    if len(word) < 3 or not word.isalpha() or word in matcher._known:
        return None
    limit = 2 if len(word) >= 7 else 1
    found = [(d, t) for t in matcher._targets if t[0] == word[0] for d in [edit_distance(word, t, limit)] if d <= limit]
    if not found:
        return None
    closest = {t for d, t in found if d == min(d for d, _ in found)}
    return closest.pop() if len(closest) == 1 else None


def test_typos_are_corrected_as_against_every_target() -> None:
    """Comparing a word only with the targets of a length within its limit corrects exactly as comparing it
    with all of them: over vocabulary words with a letter dropped, doubled or swapped or two dropped, and
    over typos as people type them."""
    fresh = get_red_flags().matcher
    words = set(MESSY.split())
    for target in fresh._targets[::1009]:
        for i in range(1, len(target)):
            words.add(target[:i] + target[i + 1 :])  # dropped
            words.add(target[:i] + target[i] + target[i:])  # doubled
            words.add(target[: i - 1] + target[i] + target[i - 1] + target[i + 1 :])  # swapped
        words.add(target[:1] + target[3:])  # two dropped
    assert sum(fresh.correct(w) is not None for w in words) > 20  # the set holds many real corrections
    assert {w: fresh.correct(w) for w in words} == {w: _correct_by_every_target(fresh, w) for w in words}


MESSY = (
    "fevr feverr siezure vomitting vomting nausia headache hedache stif stiffnes numbnes tingleing dizzyness "
    "breathin swolen swallowin slured droopy weaknes chestpain sweatin paralized unconcious confussion rashh "
    "meningitus tempreture temprature shouldr sholder nek neckk bak spinee faintin blury visiion jaww arrm"
)
