"""The shared base of the assistant's medical actions: red flags first, the not-a-diagnosis note once."""

from __future__ import annotations

import abc
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.kb_loader import get_general, get_kb
from actions.knowledge_base import LEVELS, Cause, KnowledgeBase
from actions.triage import Assessment, assess

logger = logging.getLogger(__name__)

MAX_TEXT = 5000  # characters of a message that the matchers look at


def message_text(tracker: Tracker) -> str:
    """The user's latest text plus the values of its entities (button payloads carry only those)."""
    text = (tracker.latest_message.get("text") or "")[:MAX_TEXT]
    if text.startswith("/"):
        text = ""
    values = [str(e.get("value")) for e in tracker.latest_message.get("entities", []) if e.get("value")]
    return " ".join([text, *values]).strip()


class MedicalAction(Action, metaclass=abc.ABCMeta):
    """Checks every message for red flags before answering; shows the disclaimer the first time.

    Subclasses implement ``answer``. An emergency is said first and replaces the answer.
    """

    gives_medical_information = True

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
        if assessment.is_red_flag:
            events += self.escalate(dispatcher, tracker, assessment)
            if assessment.level == "emergency":
                return events
        elif set(assessment.findings) != set(tracker.get_slot("red_flag_findings") or []):
            # The message denies a finding established earlier ("actually, no fever").
            events.append(SlotSet("red_flag_findings", sorted(assessment.findings)))
        events += self.answer(dispatcher, tracker, self.kb, assessment)
        if self.gives_medical_information and not tracker.get_slot("disclaimer_shown"):
            dispatcher.utter_message(text=get_general().disclaimer)
            events.append(SlotSet("disclaimer_shown", True))
        return events

    # -- red flags --------------------------------------------------------------------------
    def check_red_flags(self, tracker: Tracker) -> Assessment:
        """Findings in this message, with those already established in the conversation.

        Only a message that itself reports a finding escalates, so "thanks" after an
        escalation does not repeat it, while a stiff neck after an earlier fever does.
        """
        text = message_text(tracker)
        known = tracker.get_slot("red_flag_findings") or []
        new = assess(text)
        if not new.findings:
            return Assessment(None, findings=frozenset(known) - new.negated)
        return assess(text, known)

    def escalate(self, dispatcher: CollectingDispatcher, tracker: Tracker, assessment: Assessment) -> List[EventType]:
        assert assessment.level is not None
        dispatcher.utter_message(text=replies.escalation(assessment), json_message={"triage": assessment.level})
        logger.info("triage %s: rules %s", assessment.level, [r.id for r in assessment.rules])
        previous = tracker.get_slot("triage_level")
        level = assessment.level
        if previous in LEVELS and LEVELS.index(previous) > LEVELS.index(level):
            level = previous
        return [
            SlotSet("red_flag_findings", sorted(assessment.findings)),
            SlotSet("triage_level", level),
        ]

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
