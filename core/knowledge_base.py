"""The knowledge base of neck-spasm causes: its data model and its queries (aliases, suggestions).

The YAML file ``core/kb/causes.yml`` is the single source of truth for the 21 causes of
``../shared/design.md`` section 2; ``core/kb_loader.py`` validates and loads it once per process.
Entity synonyms, lookup tables and spaCy patterns are generated from it
(``scripts/generate_nlu.py``, ``scripts/build_spacy_model.py``).
"""

from __future__ import annotations

import difflib
import pathlib
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from core.context import asserted_text
from core.text import normalise, phrase_regex

SECTIONS: Tuple[str, ...] = ("Causes of Neck Spasms", "More Informations")

FUZZY_MAX_WORDS = 40
WORD_SIMILARITY = 0.85  # each word of a fuzzy multi-word match


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is malformed; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Cue:
    words: Tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Cause:
    id: str
    name: str
    group: str
    section: str
    item: int
    aliases: Tuple[str, ...]
    what_it_is: str
    how_it_causes_spasms: str
    symptoms: Tuple[str, ...]
    triggers: Tuple[str, ...]
    treatment: Tuple[str, ...]
    prevention: Tuple[str, ...]
    see_doctor: str
    typical_level: str
    cues: Tuple[Cue, ...]


@dataclass(frozen=True)
class Group:
    id: str
    title: str


@dataclass(frozen=True)
class Suggestion:
    cause: Cause
    score: float
    reasons: Tuple[str, ...]
    matched: Tuple[str, ...]  # the person's own words that matched the cues


def _words_agree(text: str, alias: str) -> bool:
    """A misspelt alias of several words is misspelt word by word: "treat neck" is not "text neck"."""
    words, alias_words = text.split(), alias.split()
    if len(words) != len(alias_words):
        return True
    return all(difflib.SequenceMatcher(None, a, b).ratio() >= WORD_SIMILARITY for a, b in zip(words, alias_words))


class KnowledgeBase:
    """All causes, indexed by id and by alias."""

    def __init__(self, groups: Sequence[Group], causes: Sequence[Cause], path: pathlib.Path):
        self.path = path
        self.groups: Tuple[Group, ...] = tuple(groups)
        self.causes: Tuple[Cause, ...] = tuple(causes)
        self._by_id: Dict[str, Cause] = {c.id: c for c in causes}
        self._alias_to_id: Dict[str, str] = {}
        for cause in causes:
            for name in (cause.id.replace("_", " "), cause.name, *cause.aliases):
                self._alias_to_id.setdefault(normalise(name), cause.id)
        # Longest aliases first, so "spinal cord injury" wins over "injury"-like shorter ones.
        self._alias_patterns = [
            (alias, self._alias_to_id[alias], re.compile(phrase_regex(alias, inflect=False)))
            for alias in sorted(self._alias_to_id, key=len, reverse=True)
        ]
        self._cue_patterns = [
            (cause, cue, term, re.compile(phrase_regex(term, inflect=True)))
            for cause in causes
            for cue in cause.cues
            for term in cue.words
        ]

    # -- lookup -------------------------------------------------------------------------------
    def get(self, cause_id: str) -> Cause:
        return self._by_id[cause_id]

    def by_group(self) -> List[Tuple[Group, List[Cause]]]:
        return [(g, [c for c in self.causes if c.group == g.id]) for g in self.groups]

    def resolve(self, value: Optional[str]) -> Optional[str]:
        """Map an entity value, an id, an alias or a misspelling of one to a cause id."""
        if not value:
            return None
        if value in self._by_id:
            return value
        key = normalise(value)
        if key in self._alias_to_id:
            return self._alias_to_id[key]
        found = self.find_in_text(value)
        if found:
            return found[0]
        return self._fuzzy(key)

    def _fuzzy(self, key: str) -> Optional[str]:
        if len(key) < 5:
            return None
        for match in difflib.get_close_matches(key, self._alias_to_id.keys(), n=3, cutoff=0.84):
            if _words_agree(key, match):
                return self._alias_to_id[match]
        return None

    def find_in_text(self, text: str, fuzzy: bool = True) -> List[str]:
        """Cause ids named in free text, in order of appearance, longest alias first on overlap.

        With ``fuzzy``, a text that names no cause exactly is searched for a misspelt one."""
        norm = normalise(text)
        taken: List[Tuple[int, int]] = []
        hits: List[Tuple[int, str]] = []
        for _alias, cause_id, pattern in self._alias_patterns:
            for m in pattern.finditer(norm):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                hits.append((m.start(), cause_id))
        if not hits and fuzzy:
            # One misspelt word or pair of words ("fibromyalga", "cervical distonia").
            # Only the first words: fuzzy matching is slow, and a question names its subject early.
            tokens = norm.split()[:FUZZY_MAX_WORDS]
            for n in (3, 2, 1):
                for i in range(len(tokens) - n + 1):
                    fuzzy_id = self._fuzzy(" ".join(tokens[i : i + n]))
                    if fuzzy_id:
                        hits.append((i, fuzzy_id))
                if hits:
                    break
        ordered: List[str] = []
        for _pos, cause_id in sorted(hits):
            if cause_id not in ordered:
                ordered.append(cause_id)
        return ordered

    def suggest(self, text: str, limit: int = 3) -> List[Suggestion]:
        """Rank causes by the cues found in a person's description of their symptoms. What the text
        denies, puts in the past or only asks about is left out first (``core.context``, the same
        algorithm as the red-flag check): "I don't have a rash or a temperature" suggests no infection."""
        text = asserted_text(text)
        norm = normalise(text)
        scores: Dict[str, float] = {}
        reasons: Dict[str, List[str]] = {}
        matched: Dict[str, List[str]] = {}
        for cause, cue, _term, pattern in self._cue_patterns:
            match = pattern.search(norm)
            if match:
                if match.group(0) not in matched.setdefault(cause.id, []):
                    matched[cause.id].append(match.group(0))
                if cue.reason not in reasons.setdefault(cause.id, []):
                    reasons[cause.id].append(cue.reason)
                    scores[cause.id] = scores.get(cause.id, 0.0) + 1.0
                else:
                    scores[cause.id] += 0.25
        for cause_id in self.find_in_text(text, fuzzy=False):
            scores[cause_id] = scores.get(cause_id, 0.0) + 2.0
            name = self._by_id[cause_id].name.lower()
            reasons.setdefault(cause_id, []).insert(0, f"You mentioned {name}.")
            matched.setdefault(cause_id, [])
        order = {c.id: i for i, c in enumerate(self.causes)}
        ranked = sorted(scores, key=lambda cid: (-scores[cid], order[cid]))
        return [
            Suggestion(self._by_id[cid], scores[cid], tuple(reasons[cid]), tuple(matched[cid]))
            for cid in ranked[:limit]
        ]


# -- general advice (questions that name no cause) ---------------------------------------------
@dataclass(frozen=True)
class Advice:
    intro: str
    steps: Tuple[str, ...]


@dataclass(frozen=True)
class GeneralAdvice:
    disclaimer: str
    treatment: Advice
    prevention: Advice
    see_doctor: Advice
    most_common: Tuple[str, ...]  # ids of the most common causes (``most_common`` in general.yml)
