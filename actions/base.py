"""The shared base of the assistant's medical actions: red flags first, the not-a-diagnosis note once."""

from __future__ import annotations

import abc
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from core.checklist import checklist_buttons, checklist_for, checklist_text
from core.kb_loader import get_general, get_kb
from core.knowledge_base import Cause, KnowledgeBase
from core.names import (
    CRISIS_INTENT,
    CRISIS_KEY,
    CRISIS_SLOT,
    EMERGENCY,
    FINDINGS_SLOT,
    LEVELS,
    MAX_TEXT,
    TRIAGE_KEY,
    TRIAGE_LEVEL_SLOT,
)
from core.triage import NECK_TOPIC, Assessment, assess_turn, crisis_in

logger = logging.getLogger(__name__)

CRISIS_RESPONSE = "utter_crisis"  # the static crisis answer (domain.yml), also sent by the actions

# Entities whose values a button payload carries as what the person means ("A new medicine").
BUTTON_ENTITIES = frozenset({"trigger", "symptom", "body_part", "duration"})
# The symptom interview's slots (actions/interview.py): an emergency ends the interview and clears them.
INTERVIEW_SLOTS = (
    "interview_duration",
    "interview_frequency",
    "interview_severity",
    "interview_trigger",
    "interview_checklist",
    "interview_description",
)


def message_text(tracker: Tracker) -> str:
    """What the person said in the latest message, as typed. Entity values never stand in for typed
    text (they would bypass the context check: "no chest pain" has the entity "chest pain"). A button
    payload ("/describe_symptoms{"trigger": "desk work"}") has no typed text: its values are what the
    button says, and they go through the same checks as any text."""
    text = (tracker.latest_message.get("text") or "")[:MAX_TEXT].strip()
    if not text.startswith("/"):
        return text
    values = [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities", [])
        if e.get("value") and e.get("entity") in BUTTON_ENTITIES
    ]
    return " ".join(values)[:MAX_TEXT]


def red_flags_in(tracker: Tracker) -> Assessment:
    """Findings in the latest message, with those already established in the conversation.

    Only a message that itself reports a finding escalates, so "thanks" after an escalation does
    not repeat it, while a stiff neck after an earlier fever does.
    """
    text = message_text(tracker)
    known = list(tracker.get_slot(FINDINGS_SLOT) or [])
    if tracker.get_slot("interview_description") and NECK_TOPIC not in known:
        known.append(NECK_TOPIC)  # an answer in the symptom interview is about the neck
    found = assess_turn(text, known)
    if found.level != EMERGENCY and crisis_by_meaning(tracker, text):
        return Assessment(EMERGENCY, (), found.findings, found.negated, crisis=True)
    return found


def crisis_by_meaning(tracker: Tracker, text: str) -> bool:
    """A message that reads like a crisis statement although no crisis phrase placed it (the Rasa-side check
    looked for those and set the intent ``crisis``); the same encoder pass as the red flags by meaning."""
    if (tracker.latest_message.get("intent") or {}).get("name") == CRISIS_INTENT or not text:
        return False
    return crisis_in(text, by_meaning=True)


def ask_checklist(dispatcher: CollectingDispatcher, text: str, assessment: Assessment) -> None:
    """Ask about the red flags that fit the message, as text and as buttons that send plain words."""
    items = checklist_for(text, assessment.findings, assessment.ask)
    dispatcher.utter_message(text=checklist_text(items), buttons=checklist_buttons(items))


def findings_events(tracker: Tracker, assessment: Assessment) -> List[EventType]:
    """Record the findings established so far when they changed (a new one, or one now denied)."""
    if set(assessment.findings) != set(tracker.get_slot(FINDINGS_SLOT) or []):
        return [SlotSet(FINDINGS_SLOT, sorted(assessment.findings))]
    return []


def said_this_turn(tracker: Tracker, level: str) -> bool:
    """Whether a reply of this turn already carried ``custom.triage: level`` (a repeated escalation in
    one turn is sent once)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if custom.get(TRIAGE_KEY) == level and not custom.get(CRISIS_KEY):
                return True
    return False


def higher_level(a: Optional[str], b: Optional[str]) -> Optional[str]:
    """The higher of two triage levels (None counts as lowest)."""
    levels = [x for x in (a, b) if x in LEVELS]
    return max(levels, key=LEVELS.index) if levels else None


class MedicalAction(Action, metaclass=abc.ABCMeta):
    """Checks every message for red flags before answering; shows the disclaimer the first time.

    Subclasses implement ``answer``. An emergency is said first and replaces the answer.
    """

    gives_medical_information = True
    asks_about_red_flags = False  # the action's own answer asks about red flags (the checklist)

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abc.abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        """Send the action's own reply and return its events (``assessment``: this message's red flags)."""

    @property
    def kb(self) -> KnowledgeBase:
        return get_kb()

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        events: List[EventType] = []
        assessment = self.check_red_flags(tracker)
        crisis_now = (tracker.latest_message.get("intent") or {}).get("name") == CRISIS_INTENT
        if crisis_now:
            # The static crisis reply came first; end a running interview, then only an emergency follows.
            events += [SlotSet(CRISIS_SLOT, True), *end_interview(tracker)]
        if tracker.get_slot(TRIAGE_LEVEL_SLOT) == EMERGENCY and assessment.level != EMERGENCY and not crisis_now:
            # After an emergency, every answer restates the advice before anything else.
            dispatcher.utter_message(text=replies.emergency_reminder(tracker))
        if assessment.is_red_flag:
            events += self.escalate(dispatcher, tracker, assessment)
            if assessment.level == EMERGENCY:
                return events
        else:
            # New findings below any rule ("my neck hurts"), or one denied now ("actually, no fever").
            events += findings_events(tracker, assessment)
        if assessment.ask and not self.asks_about_red_flags:  # an emergency has returned above
            # The message reads like an emergency that no phrase placed: ask about it first, no level.
            ask_checklist(dispatcher, message_text(tracker), assessment)
        events += self.answer(dispatcher, tracker, self.kb, assessment)
        if self.gives_medical_information and not tracker.get_slot("disclaimer_shown"):
            dispatcher.utter_message(text=get_general().disclaimer)
            events.append(SlotSet("disclaimer_shown", True))
        return events

    # -- red flags --------------------------------------------------------------------------
    def check_red_flags(self, tracker: Tracker) -> Assessment:
        return red_flags_in(tracker)

    def escalate(self, dispatcher: CollectingDispatcher, tracker: Tracker, assessment: Assessment) -> List[EventType]:
        return escalate(dispatcher, tracker, assessment)

    # -- helpers for subclasses -------------------------------------------------------------
    def cause_from(self, tracker: Tracker, use_slot: bool = True) -> Optional[Cause]:
        """The cause this message is about: its entity, a cause named in its text, or the last one."""
        kb = self.kb
        for entity in tracker.latest_message.get("entities", []):
            if entity.get("entity") == "cause":
                cause_id = kb.resolve(str(entity.get("value") or ""))
                if cause_id:
                    return kb.get(cause_id)
        named = kb.find_in_text(message_text(tracker))
        if named:
            return kb.get(named[0])
        if use_slot:
            cause_id = kb.resolve(tracker.get_slot("cause"))
            if cause_id:
                return kb.get(cause_id)
        return None


def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, assessment: Assessment) -> List[EventType]:
    """Say what to do first, then why (``custom.triage``); record the findings and the level.

    When the static ``utter_emergency`` has just said it (intent ``emergency``), add only the
    reason. An emergency ends a running interview.
    """
    assert assessment.level is not None
    logger.info("triage %s: rules %s", assessment.level, [r.id for r in assessment.rules])
    if assessment.crisis:
        # The crisis answer first and alone, as the static one (utter_crisis: the emergency number, the line).
        dispatcher.utter_message(response=CRISIS_RESPONSE)
        return [
            SlotSet(CRISIS_SLOT, True),
            SlotSet(FINDINGS_SLOT, sorted(assessment.findings)),
            SlotSet(TRIAGE_LEVEL_SLOT, EMERGENCY),
            *end_interview(tracker),
        ]
    if not said_this_turn(tracker, assessment.level):
        dispatcher.utter_message(text=replies.escalation(assessment), json_message={TRIAGE_KEY: assessment.level})
    elif tracker.latest_action_name == "utter_emergency":
        # The static reply said what to do; add why.
        dispatcher.utter_message(text=replies.emergency_details(assessment))
    events: List[EventType] = [
        SlotSet(FINDINGS_SLOT, sorted(assessment.findings)),
        SlotSet(TRIAGE_LEVEL_SLOT, higher_level(tracker.get_slot(TRIAGE_LEVEL_SLOT), assessment.level)),
    ]
    if assessment.level == EMERGENCY:
        events += end_interview(tracker)
    return events


def end_interview(tracker: Tracker) -> List[EventType]:
    """End a running symptom interview and forget its answers (after an emergency or a crisis)."""
    if not tracker.active_loop.get("name"):
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None), *[SlotSet(s, None) for s in INTERVIEW_SLOTS]]
