"""Red-flag triage: plain Python (no Rasa imports), driven by ``actions/kb/red_flags.yml``.

``assess(text, known_findings)`` returns the triage level, the rules that fired and a one-line
reason. Negated findings ("no fever", "I don't have a rash", "without numbness") and findings
placed in the past and denied now ("had a fever last month but not now") do not count.
Phrases are found with spaCy over lemmas, with common typos corrected (``actions/lemma_matcher.py``).
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from actions.kb_loader import Checker
from actions.knowledge_base import LEVELS
from actions.lemma_matcher import NEAR, LemmaMatcher
from actions.text import normalise

RED_FLAGS_PATH = pathlib.Path(__file__).parent / "kb" / "red_flags.yml"
RULE_LEVELS = ("see_doctor", "urgent", "emergency")
DEFAULT_EMERGENCY_NUMBER = "911 / 112 / 999"

# Words that deny a finding when they come shortly before it in the same clause.
_NEGATORS = re.compile(
    r"(?<![a-z])(no|not|never|without|nor|neither|denies|deny|dont|doesnt|didnt|havent|hasnt|"
    r"isnt|arent|wasnt|werent|cant say|free of|negative for|ruled out|no sign of|none|nothing)(?![a-z])"
)
# Words that end a negation's reach ("no fever but a stiff neck").
_CLAUSE_BREAK = re.compile(r"(?<![a-z])(but|however|although|though|yet|except|and now|now i|now my)(?![a-z])")
# A finding placed in the past and said to be over.
_PAST = re.compile(
    r"(?<![a-z])(last (week|month|year|summer|winter)|years? ago|months? ago|weeks? ago|used to|"
    r"when i was (a )?(kid|child|young)|as a (kid|child|teenager|baby)|in childhood|in the past|back in)(?![a-z])"
)
_OVER_NOW = re.compile(
    r"(?<![a-z])(not now|not any ?more|no longer|gone now|went away|cleared up|recovered|fine now)(?![a-z])"
)
_NEGATION_WINDOW = 5  # words


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    all: Tuple[str, ...]
    reason: str
    source: str


@dataclass(frozen=True)
class Assessment:
    level: Optional[str]
    rules: Tuple[Rule, ...] = ()
    findings: FrozenSet[str] = frozenset()
    negated: FrozenSet[str] = frozenset()

    @property
    def reason(self) -> str:
        top = [r for r in self.rules if r.level == self.level]
        return top[0].reason if top else ""

    @property
    def is_red_flag(self) -> bool:
        return self.level is not None


@dataclass
class RedFlags:
    phrases: Dict[str, Tuple[str, ...]]
    rules: Tuple[Rule, ...]
    path: pathlib.Path
    _matcher: Optional[LemmaMatcher] = field(default=None, repr=False)

    @property
    def matcher(self) -> LemmaMatcher:
        """spaCy matcher over lemmas for every finding's phrases (built on first use)."""
        if self._matcher is None:
            self._matcher = LemmaMatcher(self.phrases)
        return self._matcher

    def detect(self, text: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The findings reported in ``text`` and the ones it denies."""
        present, negated = set(), set()
        for clause in re.split(r"[.;!?\n]+", text):
            clause_norm = normalise(clause)
            if not clause_norm:
                continue
            past = _is_past(clause_norm)
            for label, start, end in self.matcher.matches(clause_norm):
                finding = label[: -len(NEAR)] if label.endswith(NEAR) else label
                inside = label.endswith(NEAR) and bool(_NEGATORS.search(clause_norm[start:end]))
                if past or inside or _is_negated(clause_norm, start):
                    negated.add(finding)
                else:
                    present.add(finding)
        return frozenset(present), frozenset(negated - present)

    def assess(self, text: str, known: Iterable[str] = ()) -> Assessment:
        present, negated = self.detect(text)
        findings = (frozenset(known) - negated) | present
        fired = [r for r in self.rules if all(f in findings for f in r.all)]
        if not fired:
            return Assessment(None, (), findings, negated)
        level = max((r.level for r in fired), key=LEVELS.index)
        fired.sort(key=lambda r: -LEVELS.index(r.level))
        return Assessment(level, tuple(fired), findings, negated)


def _is_negated(clause: str, start: int) -> bool:
    before = clause[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    window = " ".join(before.split()[-_NEGATION_WINDOW:])
    return bool(_NEGATORS.search(window))


def _is_past(clause: str) -> bool:
    return bool(_PAST.search(clause)) and bool(_OVER_NOW.search(clause))


def load(path: pathlib.Path = RED_FLAGS_PATH) -> RedFlags:
    check = Checker(path)
    fail = check.fail
    data = check.read("the red-flag rules", "'findings' and 'rules'")
    raw_findings = data.get("findings")
    if not isinstance(raw_findings, dict) or not raw_findings:
        raise fail("top level", "findings", "must be a non-empty mapping of finding id to phrases")
    phrases: Dict[str, Tuple[str, ...]] = {}
    for fid, items in raw_findings.items():
        if not isinstance(items, list) or not items or not all(isinstance(p, str) and normalise(p) for p in items):
            raise fail(f"finding '{fid}'", "phrases", "must be a non-empty list of phrases")
        phrases[fid] = tuple(items)
    findings = phrases
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise fail("top level", "rules", "must be a non-empty list")
    rules: List[Rule] = []
    for i, raw in enumerate(raw_rules):
        where = f"rules[{i}]"
        if not isinstance(raw, dict):
            raise fail(where, "-", "must be a mapping")
        rid = raw.get("id")
        if not isinstance(rid, str) or not rid:
            raise fail(where, "id", "must be a non-empty string")
        where = f"rule '{rid}'"
        if rid in {r.id for r in rules}:
            raise fail(where, "id", "appears twice")
        if raw.get("level") not in RULE_LEVELS:
            raise fail(where, "level", f"must be one of {', '.join(RULE_LEVELS)}")
        needs = raw.get("all")
        if not isinstance(needs, list) or not needs:
            raise fail(where, "all", "must be a non-empty list of finding ids")
        for fid in needs:
            if fid not in findings:
                raise fail(where, "all", f"unknown finding '{fid}'")
        reason, source = check.text(raw, "reason", where), check.text(raw, "source", where)
        rules.append(Rule(rid, raw["level"], tuple(needs), reason, source))
    used = {f for r in rules for f in r.all}
    unused = sorted(set(findings) - used)
    if unused:
        raise fail("top level", "findings", f"finding(s) no rule uses: {', '.join(unused)}")
    return RedFlags(phrases, tuple(rules), check.path)


@functools.lru_cache(maxsize=1)
def get_red_flags() -> RedFlags:
    return load(RED_FLAGS_PATH)


def emergency_number(env: Optional[Mapping[str, str]] = None) -> str:
    """The emergency number(s) named in replies; set ``EMERGENCY_NUMBER`` per deployment."""
    env = os.environ if env is None else env
    return env.get("EMERGENCY_NUMBER", "").strip() or DEFAULT_EMERGENCY_NUMBER


def first_line(level: str, number: Optional[str] = None) -> str:
    """The action to take, said first and plainly."""
    number = number or emergency_number()
    return {
        "emergency": f"Call your local emergency number ({number}) now.",
        "urgent": "Please see a doctor today (within 24 hours).",
        "see_doctor": "Please book an appointment with a doctor or physiotherapist.",
        "self_care": "This can usually be looked after at home.",
    }[level]


def assess(text: str, known: Iterable[str] = ()) -> Assessment:
    return get_red_flags().assess(text, known)
