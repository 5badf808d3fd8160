"""spaCy phrase matching over lemmas, with correction of common typos (no Rasa imports).

The pipeline is ``spacy.blank("en")`` with the lookup lemmatiser tables of ``spacy-lookups-data``
(the same parts as the project's Rasa pipeline), built once per process. Text is normalised first
(``core.text.normalise``: lowercase, "can't" -> "cant", no punctuation), then every token is
reduced to a canonical form:

1. spaCy's norm (so "cant", "can't" and "cannot" all read "can not");
2. a typo correction: a word that is neither in the matcher's vocabulary nor a common English word
   (``en_lexeme_prob`` above ``KNOWN_LOG_PROB``) and that is one edit (two for words of 7+
   letters) from a vocabulary word with the same first letter becomes that word ("fevr",
   "siezure", "vomitting"). Common words are never corrected, so "deck" or "fiver" stay;
3. its lemma ("arms" -> "arm", "threw" -> "throw", "is" -> "be").

A phrase word of four letters or more also matches longer words that start with it ("numb" matches
"numbness"), a shorter one its plural; so phrases match as before, on lemmas.

"A ~ B" phrases (A and B in either order, at most ``NEAR_GAP`` words apart; "A ~ B ~ C" chains three)
match each part as exact token sequences and pair the parts here: the same matches as patterns with
optional gap tokens, and faster.

Every pattern is a sequence of exact token keys, so the sequences are kept in a trie (``PhraseTrie``)
walked from each token: the same matches as spaCy's ``Matcher`` given the same patterns (a test
compares the two), without trying every pattern at every token.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import pathlib
import re
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from core.text import normalise

KNOWN_LOG_PROB = -16.0  # words more frequent than this in English are taken as meant
NEAR_GAP = 5  # words allowed between the two parts of an "A ~ B" phrase
NEAR = "#near"  # label suffix of matches of "A ~ B" phrases
_LETTERS = re.compile("[a-z]*")


@functools.lru_cache(maxsize=1)
def nlp() -> Any:
    """Blank English with the lookup lemmatiser (tables from spacy-lookups-data)."""
    import spacy

    pipeline = spacy.blank("en")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()
    return pipeline


@functools.lru_cache(maxsize=1)
def _lemma_table() -> Any:
    return nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


@functools.lru_cache(maxsize=1)
def common_words() -> FrozenSet[str]:
    """English words frequent enough to be taken as meant (never "corrected")."""
    import spacy_lookups_data

    path = pathlib.Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        probs: Dict[str, float] = json.load(handle)
    return frozenset(w for w, p in probs.items() if p > KNOWN_LOG_PROB and w.isalpha())


def english_share(text: str) -> float:
    """The share of the words of ``text`` that are common English words (0.0 for no words)."""
    words = normalise(text).split()
    return sum(w in common_words() for w in words) / len(words) if words else 0.0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or ``limit + 1`` when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _is_near(phrase: str) -> bool:
    return "~" in phrase or ">" in phrase


# Longer words that start with a phrase word but are other words ("numb" is not "number", "week" not
# "weekend"): they match only themselves.
# fmt: off
OTHER_WORDS = frozenset(
    [
        "weekend", "weekends", "weekday", "weekdays", "number", "numbers", "numbered", "painting", "paintings",
        "painter", "painters", "paint", "paints", "painted", "sweater", "sweaters", "sweatshirt", "sweatshirts",
        "heartburn", "chesty", "chestnut", "chestnuts", "handle", "handles", "handled", "handling", "handy", "handbag",
        "handbags", "headphone", "headphones", "headset", "headsets", "headline", "headlines", "headteacher",
        "headmaster", "headband", "facebook", "facetime", "spotify", "feverfew", "backpack", "backpacks",
        "footy", "footie", "football", "footballer", "footage", "footpath", "footwear", "footstool",
        "pillow", "pillows", "pillowcase",
    ]
)
# fmt: on


def _word_matches(word: str, token: str) -> bool:
    """Whether phrase word ``word`` matches a token's canonical form: a word of four letters or more
    also matches longer words that start with it (not ``OTHER_WORDS``), a shorter one its plural."""
    if len(word) >= 4:
        if token != word and token in OTHER_WORDS:
            return False
        return token.startswith(word) and _LETTERS.fullmatch(token[len(word) :]) is not None
    return token == word or token == word + "s"


def _candidates(token: str) -> Iterable[str]:
    """Every phrase word that could match ``token``: the token, its prefixes of 4+ letters, the token
    without a plural "s"."""
    yield token
    if token in OTHER_WORDS:
        return
    for length in range(len(token) - 1, 3, -1):
        yield token[:length]
    if token.endswith("s"):
        yield token[:-1]


def _forms(word: str) -> Tuple[str, ...]:
    """A word and its common inflections, so that a typo in "vomiting" is still recognised."""
    stem = word[:-1] if word.endswith("e") else word
    return (word, word + "s", stem + "ing", stem + "ed", word + "ness")


Gap = Tuple[int, int]  # tokens between two parts of an "A ~ B" match


def _chains(parts: Sequence[Sequence[Tuple[int, int]]]) -> List[Tuple[int, int, Tuple[Gap, ...]]]:
    """(first token, end token, gaps) of every run of the parts' spans in order, each starting at most
    ``NEAR_GAP`` tokens after the previous one ends."""
    runs: List[Tuple[int, int, Tuple[Gap, ...]]] = [(start, end, ()) for start, end in parts[0]]
    for spans in parts[1:]:
        runs = [(f, e, (*g, (last, s))) for f, last, g in runs for s, e in spans if 0 <= s - last <= NEAR_GAP]
        if not runs:
            return []
    return runs


class Match(NamedTuple):
    label: str
    start: int  # character offsets in the normalised text
    end: int
    gap: str = ""  # the words between the parts of an "A ~ B" match (they can deny it: "neck is not stiff")


class _Node:
    __slots__ = ("children", "labels")

    def __init__(self) -> None:
        self.children: Dict[str, _Node] = {}
        self.labels: List[str] = []  # the labels of the sequences that end here


class PhraseTrie:
    """Labelled sequences of exact token keys, found in a sequence of token keys: every (label, start,
    end) where a sequence occurs, each once, as spaCy's ``Matcher`` finds ``[{"NORM": key}, ...]``
    patterns."""

    def __init__(self) -> None:
        self._root = _Node()
        self.patterns: Dict[str, List[List[Dict[str, Any]]]] = {}  # label -> the same, as spaCy patterns

    def add(self, label: str, patterns: Sequence[List[Dict[str, Any]]]) -> None:
        for pattern in patterns:
            node = self._root
            for token in pattern:
                node = node.children.setdefault(str(token["NORM"]), _Node())
            if label not in node.labels:
                node.labels.append(label)
        self.patterns.setdefault(label, []).extend(patterns)

    def __call__(self, keys: Sequence[str]) -> List[Tuple[str, int, int]]:
        out = []
        root, n = self._root.children, len(keys)
        for start in range(n):
            node = root.get(keys[start])
            end = start + 1
            while node is not None:
                for label in node.labels:
                    out.append((label, start, end))
                if end == n:
                    break
                node = node.children.get(keys[end])
                end += 1
        return out


class LemmaMatcher:
    """Find labelled phrases in text; ``matches`` gives (label, start, end) character offsets."""

    def __init__(self, phrases: Mapping[str, Sequence[str]]):
        self._nlp = nlp()
        self._table = _lemma_table()
        self.vocabulary = sorted(
            {w for items in phrases.values() for p in items for w in normalise(p.replace("|", " ")).split()}
        )
        self._known = common_words() | set(self.vocabulary)
        self._targets = sorted({f for w in self.vocabulary if len(w) >= 4 and w.isalpha() for f in _forms(w)})
        # the targets by first letter and length: a typo is compared only with those it can be within its limit
        self._targets_by: Dict[Tuple[str, int], List[str]] = {}
        for target in self._targets:
            self._targets_by.setdefault((target[0], len(target)), []).append(target)
        self._corrections: Dict[str, Optional[str]] = {}
        # Each phrase word as a canonical form; tokens are later given the longest of these they match.
        self._words = frozenset(c for items in phrases.values() for p in items for c in self._phrase_words(p))
        self._keys: Dict[str, str] = {}
        self._expansions: Dict[str, Tuple[str, ...]] = {}
        self._matcher = PhraseTrie()
        # "A ~ B" phrases: each part is matched as exact token sequences (key "<n>#<i>": phrase n, part i)
        # and the parts are paired in Python, which is much faster than patterns with optional gap tokens.
        self._near: List[Tuple[str, str, int]] = []  # (label, separator, number of parts)
        for label, items in phrases.items():
            exact = [pat for p in items if not _is_near(p) for pat in self._alternatives(p)]
            if exact:
                self._matcher.add(label, exact)
            for p in items:
                if not _is_near(p):
                    continue
                sep = "~" if "~" in p else ">"
                parts = p.split(sep)
                n = len(self._near)
                for i, part in enumerate(parts):
                    self._matcher.add(f"{n}#{i}", self._alternatives(part))
                self._near.append((label, sep, len(parts)))

    # -- canonical forms ----------------------------------------------------------------------
    def correct(self, word: str) -> Optional[str]:
        """The vocabulary word a typo stands for, or None (cached)."""
        if word in self._corrections:
            return self._corrections[word]
        best: Optional[str] = None
        if len(word) >= 3 and word.isalpha() and word not in self._known:
            limit = 2 if len(word) >= 7 else 1
            found: List[Tuple[int, str]] = []
            for length in range(len(word) - limit, len(word) + limit + 1):
                for target in self._targets_by.get((word[0], length), ()):
                    d = edit_distance(word, target, limit)
                    if d <= limit:
                        found.append((d, target))
            if found:
                low = min(d for d, _ in found)
                closest = {t for d, t in found if d == low}
                if len(closest) == 1:
                    best = closest.pop()
        if len(self._corrections) < 50_000:
            self._corrections[word] = best
        return best

    def canonical(self, word: str, fix_typos: bool = True) -> str:
        if fix_typos:
            word = self.correct(word) or word
        lemma = self._table.get(word, word)
        return str(lemma) if lemma else word

    def _words_of(self, words: str) -> List[str]:
        """Canonical forms of the words of a phrase part, in order ("cant" is two tokens: "ca", "nt")."""
        return [self.canonical(token.norm_, fix_typos=False) for token in self._nlp.make_doc(normalise(words))]

    def _phrase_words(self, phrase: str) -> List[str]:
        return [c for part in re.split(r"[~>|]", phrase) for c in self._words_of(part)]

    def _expansion(self, word: str) -> Tuple[str, ...]:
        """The phrase words a token key can be for ``word`` to match it: a word of four letters or more
        matches words that start with it ("numb": "numbness"), a shorter one itself and its plural."""
        if word not in self._expansions:
            self._expansions[word] = tuple(sorted(w for w in self._words if _word_matches(word, w)))
        return self._expansions[word]

    def _sequences(self, words: str) -> List[List[Dict[str, Any]]]:
        """Token patterns for words in order, one per combination of the phrase words each can be.

        Every pattern token is an exact NORM value (checked inside spaCy's matcher, no Python per
        token and pattern); ``doc`` gives each token the longest phrase word it matches as its NORM.
        """
        choices = [self._expansion(c) for c in self._words_of(words)]  # never empty: c matches itself
        return [[{"NORM": w} for w in combination] for combination in itertools.product(*choices)]

    def _alternatives(self, part: str) -> List[List[Dict[str, Any]]]:
        return [seq for alt in part.split("|") for seq in self._sequences(alt) if seq]

    def key(self, canonical: str) -> str:
        """The longest phrase word that matches a token's canonical form, or the form itself (cached)."""
        found = self._keys.get(canonical)
        if found is None:
            candidates = [w for w in _candidates(canonical) if w in self._words and _word_matches(w, canonical)]
            found = max(candidates, key=len) if candidates else canonical
            if len(self._keys) < 50_000:
                self._keys[canonical] = found
        return found

    # -- matching -------------------------------------------------------------------------------
    def doc(self, normalised: str) -> Any:
        doc = self._nlp.make_doc(normalised)
        for token in doc:
            token.norm_ = self.key(self.canonical(token.norm_))
        return doc

    def matches(self, normalised: str) -> List[Tuple[str, int, int]]:
        """(label, start char, end char) of every phrase found in already normalised text."""
        return [(m.label, m.start, m.end) for m in self.found(normalised)]

    def found(self, normalised: str) -> List[Match]:
        """Every phrase found in already normalised text. Matches of "A ~ B" phrases carry the label
        with the ``NEAR`` suffix and the words between their parts."""
        if not normalised:
            return []
        doc = self.doc(normalised)
        out = []
        parts: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
        for key, start, end in self._matcher([token.norm_ for token in doc]):
            if "#" in key and key.split("#", 1)[0].isdigit():
                phrase, part = key.split("#", 1)
                parts.setdefault((int(phrase), int(part)), []).append((start, end))
            else:
                span = doc[start:end]
                out.append(Match(key, span.start_char, span.end_char))
        for n in sorted({phrase for phrase, _part in parts}):  # the "A ~ B" phrases with a part found
            label, sep, count = self._near[n]
            found = [parts.get((n, i)) for i in range(count)]
            if not all(found):
                continue
            orders = [found] if sep == ">" else [found, found[::-1]]
            for order in orders:
                for first, last, gaps in _chains(order):  # type: ignore[arg-type]
                    gap = " ".join(doc[a:b].text for a, b in gaps if b > a)
                    out.append(Match(label + NEAR, doc[first].idx, doc[last - 1].idx + len(doc[last - 1].text), gap))
        return out

    def labels_in(self, text: str) -> Iterable[str]:
        return {label for label, _, _ in self.matches(normalise(text))}
