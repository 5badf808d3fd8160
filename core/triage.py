"""Red-flag triage: plain Python (no Rasa imports), driven by ``core/kb/red_flags.yml``.

``assess(text, known_findings)`` returns the triage level, the rules that fired and a one-line
reason. Negated findings ("no fever", "I don't have a rash", "without numbness") and findings
placed in the past and denied now ("had a fever last month but not now") do not count.
Phrases are found with spaCy over lemmas, with common typos corrected (``core/lemma_matcher.py``).
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Pattern, Set, Tuple

from core import context, nearest, scope
from core.kb_loader import Checker
from core.lemma_matcher import NEAR, LemmaMatcher, english_share
from core.names import (
    CRISIS_INTENT,
    CRISIS_LINE_ENTITY,
    CRISIS_LINE_ENV,
    EMERGENCY,
    EMERGENCY_NUMBER_ENTITY,
    EMERGENCY_NUMBER_ENV,
    LEVELS,
    MAX_TEXT,
    RULE_LEVELS,
    SEE_DOCTOR,
    SELF_CARE,
    URGENT,
)
from core.text import normalise

RED_FLAGS_PATH = pathlib.Path(__file__).parent / "kb" / "red_flags.yml"
CRISIS_PATH = pathlib.Path(__file__).parent / "kb" / "crisis.yml"
CRISIS = CRISIS_INTENT  # the matcher label of crisis statements: the intent they set
# The default emergency number and crisis line are written once, as the initial values of their slots in
# domain.yml: the Rasa server needs them there for the replies it sends without the action server.
DOMAIN_PATH = pathlib.Path(__file__).resolve().parent.parent / "domain.yml"

# Findings that are a history by nature ("I had cancer", "on steroids for years"): a past time does not cancel them.
TIMELESS = frozenset({"cancer_history", "immunosuppressed", "osteoporosis_or_steroids", "older_age"})
# Findings that say what the conversation is about, not a symptom: no context cancels them ("my neck is
# not stiff" is still about the neck).
NECK_TOPIC = "neck_mention"
TOPICS = frozenset({NECK_TOPIC})


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    all: Tuple[str, ...]
    reason: str
    source: str
    unless: Tuple[str, ...] = ()  # findings that stop the rule ("my knee has hurt for weeks")
    any_of: Tuple[str, ...] = ()  # `any` in the file: when given, at least one of these too

    def fires(self, findings: FrozenSet[str]) -> bool:
        return (
            all(f in findings for f in self.all)
            and (not self.any_of or any(f in findings for f in self.any_of))
            and not any(f in findings for f in self.unless)
        )


@dataclass(frozen=True)
class Assessment:
    level: Optional[str]
    rules: Tuple[Rule, ...] = ()
    findings: FrozenSet[str] = frozenset()
    negated: FrozenSet[str] = frozenset()
    ask: Tuple[str, ...] = ()  # rules the message reads like, by meaning (core/nearest.py): ask, no level
    crisis: bool = False  # a crisis statement (by meaning, on the action server): the crisis answer, not a rule's

    @property
    def reason(self) -> str:
        top = [r for r in self.rules if r.level == self.level]
        return top[0].reason if top else ""

    @property
    def is_red_flag(self) -> bool:
        return self.level is not None


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    ask: str  # what the button shows
    says: str  # the plain words it sends
    rule: str  # the rule those words fire


@dataclass(frozen=True)
class Checklist:
    """The red flags to ask about when a message may hold one that no rule places (``checklist:``)."""

    items: Mapping[str, ChecklistItem]
    topics: Tuple[Tuple[Pattern[str], Tuple[str, ...], bool], ...]  # (words, item ids, warning)
    default: Tuple[str, ...]


@dataclass
class RedFlags:
    phrases: Dict[str, Tuple[str, ...]]
    rules: Tuple[Rule, ...]
    path: pathlib.Path
    subsumes: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    checklist: Checklist = field(default_factory=lambda: Checklist({}, (), ()))
    _matcher: Optional[LemmaMatcher] = field(default=None, repr=False)
    _cache: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def by_id(self) -> Dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @property
    def matcher(self) -> LemmaMatcher:
        """spaCy matcher over lemmas for every finding's phrases (built on first use)."""
        if self._matcher is None:
            self._matcher = LemmaMatcher(self.phrases)
        return self._matcher

    def detect(self, text: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The findings reported in ``text`` and the ones it denies (or puts in the past, or only
        asks about). Context comes from ``core.context``, the one algorithm every matcher uses.
        Cached per text: a turn asks about the same message more than once."""
        found = self._cache.get(text)
        if found is None:
            if len(self._cache) >= 4096:
                self._cache.clear()
            found = self._cache[text] = self._detect(text)
        return found

    def _detect(self, text: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        present: Set[str] = set()
        negated: Set[str] = set()
        for sentence in context.analyse(text[:MAX_TEXT]):
            matches = self.matcher.found(sentence.text)
            said = []  # (finding, put aside: denied, past, hypothetical)
            for label, start, _end, gap in matches:
                finding = label[: -len(NEAR)] if label.endswith(NEAR) else label
                inside = context.negated_inside(gap)
                kind = sentence.modifier(start)
                if kind == "historical" and finding in TIMELESS:
                    kind = None  # a history by nature; a denial between its words still counts
                if finding in TOPICS:
                    kind, inside = None, False
                said.append((finding, inside or kind is not None))
            # a finding hides others only where it is said as present ("I'm not trying to lose weight but I've
            # dropped 6 kilos": the denied diet hides nothing)
            hidden = {f for finding, aside in said if not aside for f in self.subsumes.get(finding, ())}
            for finding, aside in said:
                if finding not in hidden:
                    (negated if aside else present).add(finding)
        return frozenset(present), frozenset(negated - present)

    def assess(self, text: str, known: Iterable[str] = (), by_meaning: bool = True) -> Assessment:
        """The level, rules and findings of ``text`` with the ``known`` findings (``by_meaning=False``: the
        phrases alone, without ``core/nearest.py``)."""
        present, negated = self.detect(text)
        findings = (frozenset(known) - negated) | present
        fired = [r for r in self.rules if r.fires(findings)]
        ask: Tuple[str, ...] = ()
        if by_meaning and text.strip() and not any(r.level == EMERGENCY for r in fired):
            # By meaning (core/nearest.py): no level, but the person is asked about that red flag first.
            # The context algorithm keeps its word: a finding of the rule that it put aside here (denied,
            # past, asked about), or read as present without the rest of the rule, means it was not said.
            rule = self.by_id.get(nearest.resembles(text[:MAX_TEXT]) or "")
            if rule is not None and not (negated | (present - TOPICS)) & (set(rule.all) | set(rule.any_of)):
                ask = (rule.id,)
        if not fired:
            return Assessment(None, (), findings, negated, ask)
        level = max((r.level for r in fired), key=LEVELS.index)
        fired.sort(key=lambda r: -LEVELS.index(r.level))
        return Assessment(level, tuple(fired), findings, negated, ask)


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
        optional = {}
        for key in ("unless", "any"):
            optional[key] = raw.get(key) or []
            if not isinstance(optional[key], list) or any(fid not in findings for fid in optional[key]):
                raise fail(where, key, "must be a list of finding ids")
        reason, source = check.text(raw, "reason", where), check.text(raw, "source", where)
        rules.append(
            Rule(rid, raw["level"], tuple(needs), reason, source, tuple(optional["unless"]), tuple(optional["any"]))
        )
    # a finding that only hides others in its sentence (subsumes) is used too
    used = {f for r in rules for f in (*r.all, *r.unless, *r.any_of)} | set(data.get("subsumes") or {})
    unused = sorted(set(findings) - used)
    if unused:
        raise fail("top level", "findings", f"finding(s) no rule uses: {', '.join(unused)}")
    raw_subsumes = data.get("subsumes") or {}
    if not isinstance(raw_subsumes, dict):
        raise fail("top level", "subsumes", "must be a mapping of finding id to finding ids")
    subsumes: Dict[str, Tuple[str, ...]] = {}
    for fid, others in raw_subsumes.items():
        if fid not in findings or not isinstance(others, list) or not all(o in findings for o in others):
            raise fail("subsumes", str(fid), "must map a finding id to a list of finding ids")
        subsumes[fid] = tuple(others)
    for fid, items in phrases.items():
        for phrase in items:
            if phrase.count("~") + phrase.count(">") > 2 or ("~" in phrase and ">" in phrase):
                raise fail(
                    f"finding '{fid}'", "phrases", f"'{phrase}': at most three parts, joined by one kind of separator"
                )
    return RedFlags(phrases, tuple(rules), check.path, subsumes, _load_checklist(check, data, rules))


def _load_checklist(check: Checker, data: Mapping[str, object], rules: List[Rule]) -> Checklist:
    raw = data.get("checklist")
    if raw is None:  # a rules file without a checklist (tests of the loader): nothing to ask
        return Checklist({}, (), ())
    if not isinstance(raw, dict):
        raise check.fail("top level", "checklist", "must be a mapping with items, topics and default")
    rule_ids = {r.id for r in rules}
    items: Dict[str, ChecklistItem] = {}
    for iid, item in (raw.get("items") or {}).items():
        where = f"checklist item '{iid}'"
        if not isinstance(item, dict) or item.get("rule") not in rule_ids:
            raise check.fail(where, "rule", "must name a rule")
        items[iid] = ChecklistItem(iid, check.text(item, "ask", where), check.text(item, "says", where), item["rule"])
    topics = []
    for i, topic in enumerate(raw.get("topics") or []):
        ids = tuple(topic.get("items") or ()) if isinstance(topic, dict) else ()
        if not ids or any(x not in items for x in ids) or not isinstance(topic.get("words"), str):
            raise check.fail(f"checklist topics[{i}]", "items", "needs words and known item ids")
        topics.append((re.compile(rf"\b({topic['words']})\b"), ids, bool(topic.get("warning"))))
    default = tuple(raw.get("default") or ())
    if not default or any(x not in items for x in default):
        raise check.fail("checklist", "default", "must list known item ids")
    return Checklist(items, tuple(topics), default)


@functools.lru_cache(maxsize=1)
def get_red_flags() -> RedFlags:
    return load(RED_FLAGS_PATH)


@functools.cache
def domain_default(slot: str) -> str:
    """A slot's initial value in domain.yml (the default emergency number, the default crisis line)."""
    import yaml

    return str(yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))["slots"][slot]["initial_value"])


def emergency_number(env: Optional[Mapping[str, str]] = None) -> str:
    """The emergency number(s) named in replies; set ``EMERGENCY_NUMBER`` per deployment."""
    env = os.environ if env is None else env
    return env.get(EMERGENCY_NUMBER_ENV, "").strip() or domain_default(EMERGENCY_NUMBER_ENTITY)


def crisis_line(env: Optional[Mapping[str, str]] = None) -> str:
    """The crisis line(s) named in the crisis response; set ``CRISIS_LINE`` per deployment."""
    env = os.environ if env is None else env
    return env.get(CRISIS_LINE_ENV, "").strip() or domain_default(CRISIS_LINE_ENTITY)


def first_line(level: str, number: Optional[str] = None) -> str:
    """The action to take, said first and plainly."""
    number = number or emergency_number()
    return {
        EMERGENCY: f"Call your local emergency number ({number}) now.",
        URGENT: "Please see a doctor today (within 24 hours).",
        SEE_DOCTOR: "Please book an appointment with a doctor or physiotherapist.",
        SELF_CARE: "This can usually be looked after at home.",
    }[level]


def assess(text: str, known: Iterable[str] = (), by_meaning: bool = True) -> Assessment:
    return get_red_flags().assess(text, known, by_meaning)


def assess_turn(text: str, known: Iterable[str] = ()) -> Assessment:
    """One message of a conversation with the findings ``known`` from its earlier turns. Only a message that
    itself reports a finding combines with them, so "thanks" after an escalation does not repeat it while a
    stiff neck after an earlier fever does; a message that opens by placing the earlier report in the past
    ("that was 3 years ago") keeps none of them but the topic."""
    if context.looks_back(text):
        known = [k for k in known if k == NECK_TOPIC]
    new = assess(text)
    if not new.findings:
        return Assessment(None, findings=frozenset(known) - new.negated, negated=new.negated, ask=new.ask)
    return assess(text, known)


@functools.lru_cache(maxsize=1)
def crisis_matcher() -> LemmaMatcher:
    """The matcher of suicidal and self-harm statements (``kb/crisis.yml``), built once."""
    check = Checker(CRISIS_PATH)
    data = check.read("the crisis phrases", "'phrases'")
    phrases = data.get("phrases")
    if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and normalise(p) for p in phrases):
        raise check.fail("top level", "phrases", "must be a non-empty list of phrases")
    table = {CRISIS: tuple(phrases)}
    for key, label in ((MEANS_KEY, MEANS), (TURNED_KEY, TURNED), (NOT_MEANS_KEY, NOT_MEANS)):
        extra = data.get(key) or []
        if not isinstance(extra, list) or not all(isinstance(p, str) and normalise(p) for p in extra):
            raise check.fail("top level", key, "must be a list of phrases")
        table[label] = tuple(extra)
    return LemmaMatcher(table)


# A lethal means in the message and its use turned on oneself anywhere in it, each asserted ("I have a gun at
# home and some days I think about using it on myself"): one statement, however far apart its parts are.
MEANS, MEANS_KEY = "crisis_means", "means"
TURNED, TURNED_KEY = "crisis_turned_on_oneself", "turned_on_oneself"
NOT_MEANS, NOT_MEANS_KEY = "crisis_not_means", "not_means"  # "a massage gun", "a skipping rope"


def crisis_in(text: str, by_meaning: bool = False) -> bool:
    """Whether ``text`` holds a suicidal or self-harm statement (not denied: "I'm not suicidal"; not a
    past one that the message says is over: "overdosed 20 years ago, been well since"). Other past and
    hypothetical statements count. With ``by_meaning``, a message that reads like the worked crisis
    statements counts too (``core/nearest.crisis_like``), unless the phrases found one that the context
    put aside: the context model keeps its word."""
    matcher = crisis_matcher()
    sentences = context.analyse(text[:MAX_TEXT])
    put_aside = False
    parts = set()
    for sentence in sentences:
        matches = matcher.found(sentence.text)
        tools = [(m.start, m.end) for m in matches if m.label == NOT_MEANS]
        for match in matches:
            if match.label == NOT_MEANS or any(lo < match.end and match.start < hi for lo, hi in tools):
                continue  # "a massage gun", "a rope swing": a tool, not a means
            part = match.label.split("#")[0]
            if part in (MEANS, TURNED):
                if sentence.modifier(match.start) is None and not context.negated_inside(match.gap):
                    parts.add(part)
                    if parts == {MEANS, TURNED}:
                        return True
                continue
            kind = sentence.modifier(match.start)
            if kind == "negated" or context.negated_inside(match.gap):
                put_aside = True
                continue
            if kind == "historical" and context.recovered(sentences):
                put_aside = True
                continue
            return True
    return by_meaning and not put_aside and crisis_meaning_may_speak(text) and nearest.crisis_like(text[:MAX_TEXT])


ENGLISH_SHARE = 0.7  # below this share of common English words the encoder (English only) is not asked


def crisis_meaning_may_speak(text: str) -> bool:
    """Whether a likeness by meaning may make ``text`` a crisis statement: the message is mostly English
    words (the English encoder puts all Tagalog messages, say, close together), and the context model
    found no figure of speech in it ("I'd rather die than sit through another zoom call")."""
    sentences = context.analyse(text[:MAX_TEXT])
    if not sentences or any(context.MASK in s.text for s in sentences) or scope.only_a_goodbye(text):
        return False
    return english_share(text[:MAX_TEXT]) >= ENGLISH_SHARE
