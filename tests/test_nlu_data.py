"""NLU data hygiene: the held-out set stays out of training, and intents do not share examples.

No model is needed. The held-out set (tests/nlu_heldout/) is evaluated by tests/test_nlu_heldout.py.
"""

from __future__ import annotations

import difflib
import itertools
from typing import Dict, List, Set, Tuple

import pytest
import yaml

from core.knowledge_base import KnowledgeBase
from scripts import nlu_metrics as m

NEAR_DUPLICATE = 0.9  # difflib ratio of the normalised texts


def _training() -> List[Tuple[str, str, str]]:
    return m.plain_texts(m.TRAINING_DIR)


def _heldout() -> List[Tuple[str, str, str]]:
    return m.plain_texts(m.HELDOUT_DIR)


def test_heldout_set_is_large_and_covers_every_trained_intent() -> None:
    heldout = _heldout()
    assert len(heldout) >= 300
    domain = yaml.safe_load((m.ROOT / "domain.yml").read_text(encoding="utf-8"))
    trained = {intent for intent, _, _ in _training()}
    covered = {intent for intent, _, _ in heldout}
    # Every intent that has training examples (all of the domain's, generically) is tested.
    assert trained <= covered, f"intents without held-out examples: {sorted(trained - covered)}"
    assert covered <= set(domain["intents"]), f"held-out intents not in the domain: {sorted(covered - trained)}"


def test_no_heldout_text_is_in_the_training_data() -> None:
    training = {m.normalised(text): (intent, name) for intent, text, name in _training()}
    leaked = [(text, training[m.normalised(text)]) for _, text, _ in _heldout() if m.normalised(text) in training]
    assert not leaked, f"held-out texts found in data/nlu: {leaked}"


def test_no_duplicates_within_the_heldout_set() -> None:
    seen: Dict[str, str] = {}
    duplicates = []
    for _, text, _ in _heldout():
        key = m.normalised(text)
        if key in seen:
            duplicates.append(text)
        seen[key] = text
    assert not duplicates


def _near_duplicate_pairs(examples: List[Tuple[str, str, str]]) -> List[Tuple[str, str, str, str]]:
    keyed = [(intent, text, m.normalised(text), set(m.normalised(text).split())) for intent, text, _ in examples]
    found = []
    for (i1, t1, n1, w1), (i2, t2, n2, w2) in itertools.combinations(keyed, 2):
        if i1 == i2 or not w1 or not w2:
            continue
        # Cheap filter first: texts that share few words cannot be near-duplicates.
        if len(w1 & w2) / len(w1 | w2) < 0.5:
            continue
        if n1 == n2 or difflib.SequenceMatcher(None, n1, n2).ratio() >= NEAR_DUPLICATE:
            found.append((i1, t1, i2, t2))
    return found


def test_no_duplicate_or_near_duplicate_examples_across_intents() -> None:
    pairs = _near_duplicate_pairs(_training())
    assert not pairs, "examples of different intents that are (nearly) the same:\n" + "\n".join(map(str, pairs))


def test_near_duplicate_check_catches_what_it_should() -> None:
    examples = [
        ("ask_causes", "what causes neck spasms?", "a"),
        ("ask_cause", "What causes neck spasms", "b"),  # exact after normalisation
        ("ask_treatment", "how do i treat a neck spasm", "c"),
        ("ask_prevention", "how do i treat neck spasms", "d"),  # near duplicate
        ("greet", "hello", "e"),
    ]
    pairs = {(a, b) for a, _, b, _ in _near_duplicate_pairs(examples)}
    assert pairs == {("ask_causes", "ask_cause"), ("ask_treatment", "ask_prevention")}


def test_heldout_cause_annotations_name_knowledge_base_causes(kb: KnowledgeBase) -> None:
    unresolved: Set[str] = set()
    count = 0
    for example in m.load_examples():
        for entity, _start, _end, value in example.entities:
            if entity == "cause":
                count += 1
                if kb.resolve(value) is None:
                    unresolved.add(value)
    assert count >= 50, "the held-out set should test the cause vocabulary broadly"
    assert not unresolved, f"held-out cause values that are not KB ids or aliases: {sorted(unresolved)}"


@pytest.mark.parametrize("intent", ["out_of_scope"])
def test_heldout_has_enough_examples_for_robustness_checks(intent: str) -> None:
    assert sum(1 for i, _, _ in _heldout() if i == intent) >= 30
