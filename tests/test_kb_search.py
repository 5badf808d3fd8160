"""core/kb_search.py: a cause named in other words is found from the knowledge base's own text."""

from __future__ import annotations

from typing import Optional

import pytest

from core.kb_loader import get_kb
from core.kb_search import index


@pytest.mark.parametrize(
    "question, cause",
    [
        ("can worrying a lot give you neck spasms", "stress_anxiety"),
        ("I'm always anxious, could that be it", "stress_anxiety"),
        ("could it be the height of my monitor", "poor_ergonomics"),
        ("is it wear and tear of the neck vertebrae", "cervical_spondylosis"),
        ("the discs in my neck breaking down", "degenerative_disc_disease"),
        ("can a growth on the spine cause neck spasms", "tumors"),
        ("could an old sports injury to my neck cause this", "neck_injury"),
        ("can drinking too little water cause spasms", "dehydration"),
        ("can cholesterol tablets cause neck cramps", "medication_side_effects"),
        # nothing in the knowledge base is close: "I don't have that one"
        ("can eating cheese cause neck spasms", None),
        ("does gluten cause neck spasms", None),
        ("could it be my thyroid", None),
    ],
)
def test_a_cause_in_other_words(question: str, cause: Optional[str]) -> None:
    best = index(get_kb()).best(question)
    assert (best.cause.id if best else None) == cause


def test_closest_causes_are_ranked_and_the_index_is_built_once() -> None:
    kb = get_kb()
    assert index(kb) is index(kb)
    ranked = index(kb).closest("can my phone cause neck spasms")
    assert [m.cause.id for m in ranked][:2] == ["poor_ergonomics", "poor_posture"]
    assert all(a.score >= b.score for a, b in zip(ranked, ranked[1:]))
