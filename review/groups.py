"""Grouping of the messages not understood, so that one question asked in different words shows once
with its count: messages are compared by their character trigrams (robust to typos and word order) and
each joins the first, most frequent, group it is close enough to."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Set

from core.text import normalise
from review.figures import Missed

SIMILAR = 0.55  # Jaccard similarity of trigram sets above which two messages are one question
MAX_GROUPS = 5000  # groups new wordings are compared with; beyond it a wording groups only when identical
COMMON = 500  # trigrams found in more groups than this are not used to compare


def trigrams(key: str) -> Set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass
class Group:
    key: str
    grams: Set[str]
    examples: List[Missed] = field(default_factory=list)  # the first few, for the report
    count: int = 0
    texts: Counter = field(default_factory=Counter)  # normalised wording -> count
    guesses: Counter = field(default_factory=Counter)
    originals: Dict[str, Missed] = field(default_factory=dict)  # normalised wording -> its first message

    @property
    def first(self) -> Missed:
        return self.examples[0]


def group(messages: Iterable[Missed], keep_examples: int = 3) -> List[Group]:
    """Groups, most frequent first. Identical wordings are merged first (a dictionary), then similar ones."""
    exact: Dict[str, Group] = {}
    for message in messages:
        key = normalise(message.text)
        found = exact.get(key)
        if found is None:
            found = exact[key] = Group(key, trigrams(key))
        found.count += 1
        found.texts[key] += 1
        found.guesses[message.guess] += 1
        found.originals.setdefault(key, message)
        if len(found.examples) < keep_examples:
            found.examples.append(message)
    groups: List[Group] = []
    index: Dict[str, List[int]] = defaultdict(list)  # trigram -> groups that have it
    for candidate in sorted(exact.values(), key=lambda g: (-g.count, g.key)):
        shared: Counter = Counter()
        for gram in candidate.grams:
            postings = index.get(gram, ())
            if len(postings) <= COMMON:  # a trigram in very many groups says little and costs much
                shared.update(postings)
        home = next(
            (
                groups[i]
                for i in sorted(shared)
                if shared[i] / (len(groups[i].grams) + len(candidate.grams) - shared[i]) >= SIMILAR
            ),
            None,
        )
        if home is None:
            if len(groups) < MAX_GROUPS:
                for gram in candidate.grams:
                    index[gram].append(len(groups))
            groups.append(candidate)
            continue
        home.count += candidate.count
        home.texts.update(candidate.texts)
        home.guesses.update(candidate.guesses)
        home.originals.update(candidate.originals)
        home.examples.extend(candidate.examples[: max(0, keep_examples - len(home.examples))])
    return sorted(groups, key=lambda g: (-g.count, g.key))
