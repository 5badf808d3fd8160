"""The symptom interview (``symptom_interview_form``): how long, how often, how bad, what brings it
on, and a short red-flag checklist; then likely causes, a triage level and self-care advice.

Any answer may be skipped ("skip") and the interview stopped ("stop", rule in data/rules/interview.yml).
Every answer goes through the red-flag engine: a new level is said at once, and an emergency ends
the questions (an emergency in a single message is caught earlier, by components/red_flags.py).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.base import (
    INTERVIEW_SLOTS,
    escalate,
    findings_events,
    higher_level,
    message_text,
    red_flags_in,
)
from core.kb_loader import get_general, get_kb, most_common_causes
from core.knowledge_base import Suggestion
from core.names import (
    BOT_CHALLENGE_INTENT,
    CRISIS_INTENT,
    EMERGENCY,
    EMERGENCY_INTENT,
    FINDINGS_SLOT,
    FORGET_INTENT,
    HELP_INTENT,
    LEVELS,
    NON_ENGLISH_INTENT,
    QUESTION_INTENTS,
    SEE_DOCTOR,
    SELF_CARE,
    STOP_INTENT,
    TRIAGE_KEY,
    TRIAGE_LEVEL_SLOT,
    URGENT,
)
from core.text import normalise
from core.triage import assess, first_line, get_red_flags

FORM = "symptom_interview_form"
SLOTS = INTERVIEW_SLOTS[:5]  # the questions, in order (the sixth slot keeps the description)
SKIPPED = "skipped"
MAX_ANSWER = 300
# What parse_duration, parse_frequency and parse_severity give: a slot holding one has been read.
READ_VALUES = frozenset(
    {"hours", "days", "weeks", "long", "first_time", "sometimes", "daily", "constant", "mild", "moderate", "severe"}
)

DURATION_BUTTONS = (
    ("Less than a day", "less than a day"),
    ("A few days", "a few days"),
    ("1-2 weeks", "one or two weeks"),
    ("3 weeks or more", "more than three weeks"),
)

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "couple": 2, "three": 3, "few": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": 4, "many": 6,
}  # fmt: skip
_UNIT_DAYS = {"hour": 0.04, "day": 1, "week": 7, "month": 30, "year": 365}


def duration_buttons() -> List[Dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in DURATION_BUTTONS]


# -- reading the answers (pure functions) --------------------------------------------------------
def parse_duration(text: str) -> Optional[str]:
    """``hours``, ``days``, ``weeks`` (1-2) or ``long`` (3 weeks or more); None if not understood."""
    norm = normalise(text)
    if re.search(r"\b(less than|under) (a|one) day\b", norm):
        return "hours"
    today = re.search(r"\b(today|this morning|tonight|last night|just now|less than a day|an hour|hours?)\b", norm)
    if today and not re.search(r"\b(days?|weeks?|months?|years?)\b", norm):
        return "hours"
    if re.search(r"\b(yesterday|since (monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", norm):
        return "days"
    longest = None
    for m in re.finditer(r"(\d+|[a-z]+)\s+(?:of\s+)?(hour|day|week|month|year)s?\b", norm):
        qty = m.group(1)
        number = float(qty) if qty.isdigit() else _NUMBER_WORDS.get(qty)
        if number is None:
            continue
        days = number * _UNIT_DAYS[m.group(2)]
        longest = days if longest is None else max(longest, days)
    if longest is None:
        vague = re.search(r"\b(hours|days|weeks|months|years|ages|forever|long time)\b", norm)
        if not vague:
            return None
        longest = {"hours": 0.1, "days": 3, "weeks": 21, "months": 60}.get(vague.group(1), 365)
    if re.search(r"\b(more than|over|longer than)\b", norm):
        longest += 0.5
    if longest < 1:
        return "hours"
    if longest < 7:
        return "days"
    if longest < 21:
        return "weeks"
    return "long"


def parse_frequency(text: str) -> Optional[str]:
    """``first_time``, ``sometimes``, ``daily`` or ``constant``; None if not understood."""
    norm = normalise(text)
    checks = (
        ("constant", r"\b(constant\w*|all the time|non ?stop|never stops?|always|continuous\w*|nonstop)\b"),
        ("daily", r"\b(every ?day|daily|each day|every morning|every night|times a day|many times|every hour)\b"),
        ("first_time", r"\b(first time|once|never before|just (this|the) once|only today)\b"),
        ("sometimes", r"\b(sometimes|times a (week|month)|now and (then|again)|occasional\w*|every (few|other)|"
         r"weekly|monthly|once in a while|rarely|off and on|on and off|comes and goes|a few times)\b"),
    )  # fmt: skip
    for value, pattern in checks:
        if re.search(pattern, norm):
            return value
    return None


def parse_severity(text: str) -> Optional[str]:
    """``mild``, ``moderate`` or ``severe`` from 0-10 or words; None if not understood."""
    norm = normalise(text)
    m = re.search(r"\b(10|[0-9])(?: ?(?:out of|of|over) ?10)?\b", norm)
    if m:
        score = int(m.group(1))
        return "mild" if score <= 3 else "moderate" if score <= 6 else "severe"
    if re.search(r"\bnot (too |that |very |so )?bad\b", norm):
        return "mild"
    checks = (
        ("severe", r"\b(severe\w*|terrible|unbearable|excruciating|agony|worst|really bad|very bad|awful|"
         r"extreme\w*|intense|horrible|killing me)\b"),
        ("moderate", r"\b(moderate\w*|medium|quite bad|pretty bad|bad|annoying|noticeable|middling)\b"),
        ("mild", r"\b(mild\w*|slight\w*|not (too |that |very )?bad|a (little|bit)|minor|barely|ok|okay|light)\b"),
    )  # fmt: skip
    for value, pattern in checks:
        if re.search(pattern, norm):
            return value
    return None


_TRIGGERS = (
    ("injury", r"\b(injur\w*|fall|fell|accident|crash|whiplash|hit|knock\w*|bump\w*|trauma)\b"),
    ("new_medicine", r"\b(medicine|medication|pills?|tablets?|drugs?|statins?|started taking|prescription)\b"),
    ("desk_work", r"\b(desk|computer|laptop|screen|office|typing|work|phone|looking down)\b"),
    ("sleep", r"\b(sle(e|)pt?|sleeping|pillow|bed|woke|waking|night)\b"),
    ("stress", r"\b(stress\w*|anxi\w*|worr\w*|tense|tension|nervous|panic)\b"),
    ("exercise", r"\b(exercis\w*|gym|sports?|running|run|workout|lifting|lift\w*|training|swim\w*|yoga)\b"),
    ("unknown", r"\b(dont know|not sure|no idea|nothing|unsure|cant tell|no reason)\b"),
)


def trigger_of(text: str) -> Optional[str]:
    """The trigger category an answer names (desk_work, sleep, injury, ...), or None."""
    norm = normalise(text)
    for value, pattern in _TRIGGERS:
        if re.search(pattern, norm):
            return value
    return None


def is_none_answer(text: str) -> bool:
    return bool(
        re.fullmatch(r"(none( of (these|them|those))?|no|nope|nothing|neither|no none|none at all)", normalise(text))
    )


# -- the triage the interview gives -------------------------------------------------------------
def interview_level(slots: Dict[str, Any]) -> Tuple[str, List[str]]:
    """Triage level and reasons from the interview answers alone (red flags are added separately)."""
    rules = {r.id: r for r in get_red_flags().rules}
    reasons = []
    if slots.get("interview_duration") == "long":
        reasons.append(rules["weeks_of_pain"].reason)
    if slots.get("interview_frequency") in ("daily", "constant") or slots.get("interview_severity") == "severe":
        reasons.append(rules["frequent_or_severe_spasms"].reason)
    if trigger_of(str(slots.get("interview_trigger") or "")) == "injury":
        reasons.append("Spasms that started after an injury should be checked by a professional.")
    return (SEE_DOCTOR if reasons else SELF_CARE), reasons


# -- actions -------------------------------------------------------------------------------------
class ActionAskInterviewDuration(Action):
    """The first question. Checks the description for red flags, shows first likely causes when the
    description names something to go on, and fills the trigger when it already names one."""

    def name(self) -> str:
        return "action_ask_interview_duration"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        events: List[EventType] = []
        if tracker.get_slot("interview_description"):
            # Asked again (the answer was not understood): the question only.
            dispatcher.utter_message(text="How long have you had it?", buttons=duration_buttons())
            return []
        if tracker.get_slot(TRIAGE_LEVEL_SLOT) == EMERGENCY:
            dispatcher.utter_message(text=replies.emergency_reminder(tracker))
        description = message_text(tracker)[: MAX_ANSWER * 4] or "-"
        assessment = red_flags_in(tracker)
        if assessment.is_red_flag:
            events += escalate(dispatcher, tracker, assessment)
            if assessment.level == EMERGENCY:
                return events
        else:
            events += findings_events(tracker, assessment)
        link = replies.shoulder_link(description)
        if link:
            dispatcher.utter_message(text=link)
        found = get_kb().suggest(description)
        if found:
            dispatcher.utter_message(
                text=replies.suggestions(found), json_message={"causes": [s.cause.id for s in found]}
            )
        events.append(SlotSet("interview_description", description))
        known = answers_in(description)
        if tracker.get_slot("interview_trigger"):
            known.pop("interview_trigger", None)
        events += [SlotSet(slot, value) for slot, value in known.items()]
        intro = (
            "A few quick questions will help me point you in the right direction "
            '(say "skip" to leave one out, or "stop" at any time).'
        )
        if "interview_duration" not in known:
            dispatcher.utter_message(text=f"{intro} How long have you had it?", buttons=duration_buttons())
            return events
        # Already said how long ("for 6 weeks"): go straight to the first question not yet answered.
        following = next((slot for slot in SLOTS if slot not in known and not tracker.get_slot(slot)), None)
        if following is None:
            return events
        dispatcher.utter_message(text=intro)
        dispatcher.utter_message(response=f"utter_ask_{following}")
        return [*events, SlotSet("requested_slot", following)]


_STATED_DURATION = re.compile(
    r"\b(for|since|past|last|over|about|around|almost|nearly|been|going on|lasted|had it)\b(\s+\w+){0,3}?\s+"
    r"(days?|weeks?|months?|years?|ages)\b|\b(days?|weeks?|months?|years?) (now|ago)\b|\bsince (yesterday|last)\b"
)


def answers_in(description: str) -> Dict[str, str]:
    """Interview answers the opening message already gives: how long, how often, what brings it on."""
    known: Dict[str, str] = {}
    if trigger_of(description) not in (None, "unknown"):
        known["interview_trigger"] = description[:MAX_ANSWER]
    duration = parse_duration(description)
    if duration is not None and _STATED_DURATION.search(normalise(description)):
        known["interview_duration"] = duration
    frequency = parse_frequency(description)
    if frequency is not None:
        known["interview_frequency"] = frequency
    return known


# Questions and requests during the interview are not answers: the form steps aside, a rule
# (data/rules/interview.yml) answers them and the interview asks its question again. Keep this in
# step with the `not_intent` lists of the interview slots in domain.yml.
INTERRUPTING_INTENTS = frozenset(
    {
        *QUESTION_INTENTS,
        HELP_INTENT,
        BOT_CHALLENGE_INTENT,
        FORGET_INTENT,
        NON_ENGLISH_INTENT,
    }
)


class ValidateSymptomInterviewForm(FormValidationAction):
    """Reads each answer, and checks it for red flags before anything else."""

    def name(self) -> str:
        return "validate_symptom_interview_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        events: List[EventType] = []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in (EMERGENCY_INTENT, CRISIS_INTENT, STOP_INTENT) or intent in INTERRUPTING_INTENTS:
            return []  # nothing filled: the form steps aside and the rules answer (emergency, stop, questions)
        assessment = red_flags_in(tracker)
        current = tracker.get_slot(TRIAGE_LEVEL_SLOT)
        if assessment.is_red_flag:
            # A level above the one already given is said at once, "book an appointment" included: a person who
            # leaves before the last question must not miss it (the summary says it again, with its reasons).
            if higher_level(current, assessment.level) != current:
                events += escalate(dispatcher, tracker, assessment)
            else:
                events += findings_events(tracker, assessment)
            if assessment.level == EMERGENCY:
                # No more questions: fill what is left so the form ends and the summary leads with it.
                requested = tracker.get_slot("requested_slot")
                return events + [SlotSet(s, SKIPPED) for s in SLOTS if s == requested or not tracker.get_slot(s)]
        else:
            events += findings_events(tracker, assessment)
        events += await super().run(dispatcher, tracker, domain)
        return events

    @staticmethod
    def _read(value: Any, parse: Any, dispatcher: CollectingDispatcher, hint: str, slot: str) -> Dict[str, Any]:
        text = str(value or "")[:MAX_ANSWER]
        if text == SKIPPED or text in READ_VALUES:
            # Skipped, or already read (an answer the opening question gave, validated again when a
            # "yes" to the offered interview starts the form).
            return {slot: text}
        parsed = parse(text)
        if parsed is None:
            dispatcher.utter_message(text=f'Sorry, I didn\'t catch that. {hint} (Or say "skip" or "stop".)')
            return {slot: None}
        return {slot: parsed}

    def validate_interview_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._read(
            value, parse_duration, dispatcher, 'For example "since yesterday" or "about 3 weeks".', "interview_duration"
        )

    def validate_interview_frequency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._read(
            value,
            parse_frequency,
            dispatcher,
            'For example "every day" or "a few times a week".',
            "interview_frequency",
        )

    def validate_interview_severity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._read(
            value,
            parse_severity,
            dispatcher,
            'A number from 0 to 10, or "mild", "moderate" or "severe".',
            "interview_severity",
        )

    def validate_interview_trigger(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "").strip()[:MAX_ANSWER]
        return {"interview_trigger": text or SKIPPED}

    def validate_interview_checklist(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "").strip()[:MAX_ANSWER]
        if text == SKIPPED or not text:
            return {"interview_checklist": SKIPPED}
        if is_none_answer(text) or not assess(text).findings:
            return {"interview_checklist": "none" if is_none_answer(text) else text}
        return {"interview_checklist": text}


class ActionInterviewSummary(Action):
    """The end of the interview (or "stop"): likely causes with reasons, the triage level, advice."""

    def name(self) -> str:
        return "action_interview_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        slots = {s: tracker.get_slot(s) for s in SLOTS}
        reset = [SlotSet(s, None) for s in INTERVIEW_SLOTS]
        level, reasons = interview_level(slots)
        known = tracker.get_slot(FINDINGS_SLOT) or []
        flags = assess("", known)
        answered = [v for v in slots.values() if v and v != SKIPPED]
        if not answered and flags.level is None and not tracker.get_slot(TRIAGE_LEVEL_SLOT):
            dispatcher.utter_message(
                text=(
                    "Okay, no more questions. Ask me anything else about neck spasms, or describe your "
                    "symptoms again whenever you like."
                )
            )
            return reset
        if flags.level is not None and LEVELS.index(flags.level) > LEVELS.index(level):
            level, reasons = flags.level, [flags.reason]
        level = higher_level(tracker.get_slot(TRIAGE_LEVEL_SLOT), level) or level
        if level != SELF_CARE and not reasons:
            reasons = [flags.reason or "Of what you told me earlier."]
        if level == EMERGENCY and tracker.get_slot(TRIAGE_LEVEL_SLOT) == EMERGENCY:
            dispatcher.utter_message(text=replies.emergency_reminder(tracker), json_message={TRIAGE_KEY: level})
            self._causes(dispatcher, tracker, slots)
        elif LEVELS.index(level) >= LEVELS.index(URGENT):
            self._triage(dispatcher, level, reasons)
            self._causes(dispatcher, tracker, slots)
        else:
            self._causes(dispatcher, tracker, slots)
            self._triage(dispatcher, level, reasons)
        return [SlotSet(TRIAGE_LEVEL_SLOT, level), *reset]

    @staticmethod
    def _causes(dispatcher: CollectingDispatcher, tracker: Tracker, slots: Dict[str, Any]) -> List[Suggestion]:
        answers = [str(v) for v in slots.values() if v and v not in (SKIPPED, "none")]
        text = " ".join([str(tracker.get_slot("interview_description") or ""), *answers])
        found = get_kb().suggest(text)
        if not found:
            most_common = most_common_causes()
            dispatcher.utter_message(
                text=replies.no_single_cause(most_common), json_message={"causes": [c.id for c in most_common]}
            )
            return []
        dispatcher.utter_message(text=replies.suggestions(found), json_message={"causes": [s.cause.id for s in found]})
        return found

    @staticmethod
    def _triage(dispatcher: CollectingDispatcher, level: str, reasons: Sequence[str]) -> None:
        lines = [first_line(level)]
        lines += reasons
        if level == SELF_CARE:
            general = get_general().treatment
            lines.append(f"{general.intro}\n{replies.bullets(general.steps)}")
            lines.append("If it gets worse, lasts more than a couple of weeks or new symptoms appear, see a doctor.")
        elif level == EMERGENCY:
            lines.append("Do not wait to see if it gets better, and do not drive yourself.")
        dispatcher.utter_message(text="\n".join(lines), json_message={TRIAGE_KEY: level})
