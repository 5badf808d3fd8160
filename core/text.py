"""Text normalisation and phrase matching shared by the knowledge base and the red-flag rules."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

_CONTRACTION = re.compile(r"n['’]t(?![a-z])")


# Words of other Englishes that stand for a common English word, folded before any matcher sees them:
# Scots negatives ("a cannae feel", "didnae help") and words ("ma heid", "doon", "masel"), Jamaican
# Patois "cyaan", and the Tagalog words of Tagalog-English below.
DIALECT = {
    "cannae": "cant",
    "canna": "cant",
    "cyaan": "cant",
    "cyan": "cant",
    "dinnae": "dont",
    "dinna": "dont",
    "didnae": "didnt",
    "doesnae": "doesnt",
    "isnae": "isnt",
    "wasnae": "wasnt",
    "wouldnae": "wouldnt",
    "couldnae": "couldnt",
    "shouldnae": "shouldnt",
    "havnae": "havent",
    "havenae": "havent",
    "hivnae": "havent",
    "willnae": "wont",
    "wullnae": "wont",
    "heid": "head",
    "doon": "down",
    "masel": "myself",
    "hersel": "herself",
    "himsel": "himself",
    "gonnae": "gonna",
    "wantae": "want to",
    "anymair": "anymore",
    "nae": "no",  # Scots "nae fever"
    "nuh": "no",  # Jamaican Patois "mi nuh have nuh fever"
    "waan": "want",
    "siddung": "sit down",
    # African American and Southern English "ion wanna" (I don't want to)
    "ion": "i dont",
    # Tagalog words of the body and of red flags, in the Tagalog-English people mix ("may lagnat at naninigas
    # ang leeg"): only words that are not also English words
    "lagnat": "fever",
    "nilalagnat": "feverish",
    "leeg": "neck",
    "batok": "neck",
    "ulo": "head",
    "masakit": "hurts",
    "sakit": "pain",
    "sumasakit": "hurts",
    "naninigas": "stiff",
    "matigas": "stiff",
    "dibdib": "chest",
    "pinagpapawisan": "sweating",
    "nagpapawis": "sweating",
    "huminga": "breathe",
    "hininga": "breath",
    "hirap": "hard",
    "nahimatay": "fainted",
    "kombulsyon": "seizure",
    "kumbulsyon": "seizure",
    "pantal": "rash",
    "sanggol": "baby",
    "nagsusuka": "vomiting",
    "sumusuka": "vomiting",
    "manhid": "numb",
    "namamanhid": "numb",
    "braso": "arm",
    "binti": "leg",
    "mukha": "face",
    "bibig": "mouth",
    "dila": "tongue",
    "lalamunan": "throat",
    "namamaga": "swollen",
    "biglaan": "sudden",
    "pinakamalala": "worst",
    "pinakamasakit": "worst",
    "nahihilo": "dizzy",
    "umiikot": "spinning",
    "likod": "back",
    "dumudugo": "bleeding",
    "nahulog": "fell",
    "umihi": "pee",
    "kaliwang": "left",
    "kanang": "right",
    "tabingi": "lopsided",
    "ngiwi": "lopsided",
    "panga": "jaw",
    "nasusuka": "feel sick",
    "naduduwal": "feel sick",
    "pawis": "sweat",
}
# Phrases of other Englishes folded before the words above: Tagalog "hindi na niya maigalaw" (he can't move
# it any more), "pawis na pawis" (sweating buckets); Patois "mi batty" (my bottom); Scots "the noo" (just now).
PHRASES = (
    (
        re.compile(
            r"(?<![a-z])(hindi|hinde|di)( na| ko| niya| nya| mo| siya| sya| po| pa)* (mai|ma)?galaw(in)?(?![a-z])"
        ),
        "cant move",
    ),
    (re.compile(r"(?<![a-z])pawis na pawis(?![a-z])"), "sweating buckets"),
    (re.compile(r"(?<![a-z])(mi|my|me|him|her|ar) batty(?![a-z])"), "my bottom"),
    (re.compile(r"(?<![a-z])the noo(?![a-z])"), "just now"),
    (re.compile(r"(?<![a-z])o ma(?= life| days| year| years)"), "of my"),  # Scots: "worst o ma life"
    # a baby's age in weeks said without "old" ("baby 9 wks", "daughter 10 weeks is hot")
    # (with the context model's comma marks: "baby (9 wks)")
    (
        re.compile(
            r"(?<![a-z])(?P<who>baby|babys|daughter|son|infant|newborn|little one|boy|girl|grandson|granddaughter)"
            r"( qq0)?( is| who is| aged| age| of)?( qq0)? (?P<n>\d{1,2}) (wks|wk|weeks|week)"
            r"(?! ago| old)(?![a-z])"
        ),
        r"\g<who> \g<n> weeks old",
    ),
)
_DEGREES = re.compile(r"(?<![a-z0-9])(\d{1,3})(c|f)(?![a-z0-9])")
_DIALECT = re.compile(r"(?<![a-z0-9])(" + "|".join(DIALECT) + r")(?![a-z0-9])")


def fold_phrases(text: str) -> str:
    """``PHRASES`` of other Englishes in normalised text, in English (idempotent; the context model folds its
    sentences again once their comma parts are joined)."""
    for phrase, english in PHRASES:
        text = phrase.sub(english, text)
    return text


def normalise(text: str) -> str:
    """Lowercase, strip accents, fold "n't" ("don't" -> "dont") and other Englishes' words (``DIALECT``),
    drop punctuation, collapse spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _CONTRACTION.sub("nt", text)
    text = text.replace("’", "'").replace("'s ", " ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _DEGREES.sub(r"\1 \2", text)  # "102f", "40c": a number and its unit
    text = fold_phrases(text)
    text = _DIALECT.sub(lambda m: DIALECT[m.group()], text)
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
