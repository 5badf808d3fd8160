"""Find the cause a question means when it names none of the aliases (no Rasa imports).

"can worrying a lot give you neck spasms", "is it the height of my monitor", "the discs in my neck
breaking down": the knowledge base's own text (name, aliases, what the cause is, how it leads to
spasms, its symptoms, triggers and cue words) is indexed once with BM25 over lemmas, and a question
is scored against every cause. ``closest`` gives the causes ranked; ``best`` the one the question
most likely means, only when it stands out, so that "I don't have that one" is said when nothing is
close and then names the closest ones.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Tuple

from core.knowledge_base import Cause, KnowledgeBase
from core.text import normalise

K1, B = 1.2, 0.75
# How much each part of a cause counts: its names most, its explanation least.
WEIGHTS = {"names": 3, "cues": 2, "text": 1}
MIN_SCORE = 4.0  # below this no cause is close
MIN_LEAD = 1.25  # the best must beat the second by this factor to be taken as meant
# Words every cause shares, or that only say what is asked, not what about.
GENERIC = frozenset(
    {
        "neck",
        "spasm",
        "spasms",
        "pain",
        "painful",
        "hurt",
        "cause",
        "causes",
        "causing",
        "muscle",
        "muscles",
        "can",
        "could",
        "might",
        "give",
        "get",
        "make",
        "bad",
        "thing",
        "something",
        "lot",
        "really",
        "disease",
        "condition",
        "problem",
        "old",
    }
)


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@functools.lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    """spaCy's lookup lemma (the tables the red-flag matcher uses), then a plain -ing/-s stem."""
    from core.lemma_matcher import _lemma_table

    lemma = str(_lemma_table().get(word, word) or word)
    for suffix in ("ing", "ful", "ed", "s"):
        if lemma.endswith(suffix) and len(lemma) - len(suffix) >= 4:
            return lemma[: -len(suffix)]
    return lemma


def terms(text: str) -> List[str]:
    """Lemmas of the content words of ``text``."""
    stop = _stop_words()
    out = []
    for word in normalise(text).split():
        if len(word) < 3 or word in stop or not word.isalpha():
            continue
        lemma = _lemma(word)
        if lemma in GENERIC or word in GENERIC:
            continue
        out.append(lemma)
    return out


@dataclass(frozen=True)
class Match:
    cause: Cause
    score: float


class CauseIndex:
    """BM25 over each cause's text, built once per knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.causes: Tuple[Cause, ...] = kb.causes
        self.docs: List[Counter] = [self._document(c) for c in self.causes]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / len(self.lengths)
        df: Counter = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    @staticmethod
    def _document(cause: Cause) -> Counter:
        doc: Counter = Counter()
        parts = {
            "names": [cause.name, cause.id.replace("_", " "), *cause.aliases],
            "cues": [w for cue in cause.cues for w in cue.words],
            "text": [cause.what_it_is, cause.how_it_causes_spasms, *cause.symptoms, *cause.triggers],
        }
        for part, texts in parts.items():
            for text in texts:
                for term in terms(text):
                    doc[term] += WEIGHTS[part]
        return doc

    def closest(self, text: str, limit: int = 3) -> List[Match]:
        query = set(terms(text))
        scored = []
        for cause, doc, length in zip(self.causes, self.docs, self.lengths):
            score = 0.0
            for term in query:
                tf = doc.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.average))
            if score > 0:
                scored.append(Match(cause, round(score, 3)))
        scored.sort(key=lambda m: -m.score)
        return scored[:limit]

    def best(self, text: str) -> Optional[Match]:
        """The cause ``text`` most likely means, when one stands out; else None."""
        ranked = self.closest(text, limit=2)
        if not ranked or ranked[0].score < MIN_SCORE:
            return None
        if len(ranked) > 1 and ranked[0].score < MIN_LEAD * ranked[1].score:
            return None
        return ranked[0]


@functools.lru_cache(maxsize=4)
def index(kb: KnowledgeBase) -> CauseIndex:
    """The index of ``kb`` (built on first use, then reused)."""
    return CauseIndex(kb)
