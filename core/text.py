"""Text normalisation and phrase matching shared by the knowledge base and the red-flag rules."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

_CONTRACTION = re.compile(r"n['’]t(?![a-z])")


def normalise(text: str) -> str:
    """Lowercase, strip accents, fold "n't" ("don't" -> "dont"), drop punctuation, collapse spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _CONTRACTION.sub("nt", text)
    text = text.replace("’", "'").replace("'s ", " ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def words_regex(*alternatives: str) -> re.Pattern[str]:
    """One regex of regex ``alternatives`` that match whole words of normalised text."""
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")


def phrase_regex(phrase: str, inflect: bool) -> str:
    """Regex source for ``phrase`` in normalised text.

    With ``inflect``, a word of four letters or more may continue ("stress" matches "stressed",
    "numb" matches "numbness") and a shorter one may take a plural "s" ("arm" matches "arms",
    but "hiv" does not match "hives").
    """
    parts = []
    for word in normalise(phrase).split():
        suffix = "" if not inflect else (r"[a-z]*" if len(word) >= 4 else "s?")
        parts.append(re.escape(word) + suffix)
    return r"(?<![a-z0-9])" + " ".join(parts) + r"(?![a-z0-9])"


def compile_phrases(phrases: Iterable[str], inflect: bool = True) -> re.Pattern[str]:
    """One pattern matching any of ``phrases`` (longest first) in normalised text."""
    sources = sorted({phrase_regex(p, inflect) for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(f"(?:{s})" for s in sources))
