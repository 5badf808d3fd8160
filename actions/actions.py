"""The assistant's custom actions. Wording lives in ``replies``; knowledge in ``kb/``."""

from __future__ import annotations

import abc
from typing import ClassVar, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.base import MedicalAction, ask_checklist, message_text
from actions.interview import MAX_ANSWER, answers_in
from actions.replies import button
from core import kb_search, second_request
from core.checklist import may_be_a_warning_sign
from core.kb_loader import get_general
from core.knowledge_base import Cause, KnowledgeBase, Suggestion
from core.names import (
    ASK_CAUSE_INTENT,
    ASK_CAUSES_INTENT,
    ASK_PREVENTION_INTENT,
    ASK_TREATMENT_INTENT,
    ASK_WHEN_DOCTOR_INTENT,
    CRISIS_INTENT,
    DENY_INTENT,
    DESCRIBE_SYMPTOMS_INTENT,
    SUGGEST_CAUSES_ACTION,
    SYMPTOM_QUESTION_INTENT,
    TRIAGE_ACTION,
)
from core.triage import Assessment

# Quick replies when a description names no trigger: (title, trigger entity value). Each value
# must match a cue in the knowledge base (tests/test_actions.py checks it).
TRIGGER_BUTTONS = (
    ("Desk work", "desk work"),
    ("Slept awkwardly", "slept awkwardly"),
    ("An injury or fall", "injury"),
    ("Stress", "stress"),
    ("A new medicine", "new medicine"),
)

# Values of the `topic` slot: what "tell me more" / "yes" continue.
TOPIC_LIST = "causes_list"
TOPIC_CAUSE = "cause"


def _cause_buttons(cause: Cause) -> List[Dict[str, str]]:
    return [
        button("How is it treated?", ASK_TREATMENT_INTENT, cause=cause.id),
        button("When to see a doctor", ASK_WHEN_DOCTOR_INTENT, cause=cause.id),
        button("Other causes", ASK_CAUSES_INTENT),
    ]


class ActionListCauses(MedicalAction):
    """The list of causes, one page of whole groups at a time ("what else?" continues)."""

    def name(self) -> str:
        return "action_list_causes"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        return self.show_page(dispatcher, kb, 0) + answer_second_request(
            dispatcher, tracker, kb, second_request.CAUSES, None
        )

    @staticmethod
    def show_page(dispatcher: CollectingDispatcher, kb: KnowledgeBase, page: int) -> List[EventType]:
        pages = replies.list_pages(kb)
        page = max(0, min(page, len(pages) - 1))
        has_more = page + 1 < len(pages)
        dispatcher.utter_message(
            text=replies.causes_page(kb, page),
            buttons=[button("What else?", "tell_more")] if has_more else [],
            json_message={"causes": [c.id for c in pages[page]]},
        )
        return [
            SlotSet("topic", TOPIC_LIST if has_more else None),
            SlotSet("list_page", float(page)),
            SlotSet("pending_offer", "more_causes" if has_more else None),
        ]


class ActionExplainCause(MedicalAction):
    """What one cause is and how it leads to spasms (``custom.cause``)."""

    def name(self) -> str:
        return "action_explain_cause"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        cause = self.cause_from(tracker, use_slot=False)
        if cause is None:
            # Named in other words ("worrying a lot", "the height of my monitor"): the KB's own text.
            text = message_text(tracker)
            meant = kb_search.index(kb).best(text)
            if meant is None:
                return self.not_found(dispatcher, kb, kb_search.index(kb).closest(text))
            cause = meant.cause
            dispatcher.utter_message(text=replies.meant_cause(cause))
        return self.explain(dispatcher, cause) + answer_second_request(dispatcher, tracker, kb, "cause", cause)

    @staticmethod
    def not_found(
        dispatcher: CollectingDispatcher, kb: KnowledgeBase, closest: Sequence[kb_search.Match]
    ) -> List[EventType]:
        """ "I don't have that one", naming the closest causes when there are any."""
        if not closest:
            dispatcher.utter_message(
                text="I don't have that one in my knowledge base. Here are the causes I can explain:"
            )
            return ActionListCauses.show_page(dispatcher, kb, 0)
        dispatcher.utter_message(
            text=replies.closest_causes([m.cause for m in closest]),
            buttons=[button(m.cause.name, ASK_CAUSE_INTENT, cause=m.cause.id) for m in closest],
            json_message={"causes": [m.cause.id for m in closest]},
        )
        return []

    @staticmethod
    def explain(dispatcher: CollectingDispatcher, cause: Cause) -> List[EventType]:
        dispatcher.utter_message(
            text=replies.explain_cause(cause) + "\n\nWould you like to know how it is usually treated?",
            buttons=_cause_buttons(cause),
            json_message={"cause": cause.id},
        )
        return [SlotSet("cause", cause.id), SlotSet("topic", TOPIC_CAUSE), SlotSet("pending_offer", "treatment")]


class ActionSuggestCauses(MedicalAction):
    """Likely causes from a description of symptoms and triggers, ranked, each with its reason."""

    def name(self) -> str:
        return SUGGEST_CAUSES_ACTION

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        text = message_text(tracker)
        found = kb.suggest(text)
        asked = (tracker.latest_message.get("intent") or {}).get("name") == SYMPTOM_QUESTION_INTENT
        if found and asked:
            return self.answer_then_offer(dispatcher, tracker, text, found)
        if not found:
            dispatcher.utter_message(
                text=(
                    "I'm sorry you're dealing with that. To point you to possible causes, tell me a bit "
                    "more: what seems to bring it on? For example desk work, the way you slept, an "
                    "injury, stress, exercise or a new medicine."
                ),
                buttons=[button(title, DESCRIBE_SYMPTOMS_INTENT, trigger=value) for title, value in TRIGGER_BUTTONS],
            )
            return []
        top = found[0].cause
        link = replies.shoulder_link(text)
        if link:
            dispatcher.utter_message(text=link)
        dispatcher.utter_message(
            text=replies.suggestions(found) + f'\n\nSay "tell me more" to hear more about {top.name.lower()}.',
            buttons=[button(f"More on {s.cause.name.lower()}", ASK_CAUSE_INTENT, cause=s.cause.id) for s in found],
            json_message={"causes": [s.cause.id for s in found]},
        )
        return [
            SlotSet("cause", top.id),
            SlotSet("topic", TOPIC_CAUSE),
            SlotSet("suggested_causes", [s.cause.id for s in found]),
            SlotSet("pending_offer", "more_cause"),
            *answer_second_request(dispatcher, tracker, kb, second_request.CAUSES, None),
        ]

    @staticmethod
    def answer_then_offer(
        dispatcher: CollectingDispatcher, tracker: Tracker, text: str, found: Sequence[Suggestion]
    ) -> List[EventType]:
        """A question about a symptom: the likely causes first, then the interview offered, not started.
        What the question already says (how long, what brings it on) is kept for the interview."""
        link = replies.shoulder_link(text)
        if link:
            dispatcher.utter_message(text=link)
        dispatcher.utter_message(text=replies.suggestions(found), json_message={"causes": [s.cause.id for s in found]})
        dispatcher.utter_message(
            text=replies.interview_offer(),
            buttons=[button("Yes, ask me", DESCRIBE_SYMPTOMS_INTENT), button("No, thanks", DENY_INTENT)],
        )
        known = answers_in(text)
        return [
            SlotSet("cause", found[0].cause.id),
            SlotSet("topic", TOPIC_CAUSE),
            SlotSet("suggested_causes", [s.cause.id for s in found]),
            SlotSet("pending_offer", "interview"),
            SlotSet("interview_description", text[: MAX_ANSWER * 4]),
            *[SlotSet(slot, value) for slot, value in known.items()],
        ]


class ActionLowerBack(MedicalAction):
    """The lower back: said plainly that it is not covered, with general advice (red flags checked first)."""

    def name(self) -> str:
        return "action_lower_back"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        dispatcher.utter_message(text=replies.lower_back())
        return []


# Advice topics: how to word them, and what a "yes" afterwards accepts.
ADVICE = {
    second_request.TREATMENT: (replies.treatment, second_request.PREVENTION),
    second_request.PREVENTION: (replies.prevention, None),
    second_request.SEE_DOCTOR: (replies.when_to_see_doctor, None),
}


def give_advice(dispatcher: CollectingDispatcher, topic: str, cause: Optional[Cause]) -> List[EventType]:
    """Treatment, prevention or when to see a doctor: for one cause (``custom.cause``) or in general."""
    render, next_offer = ADVICE[topic]
    entity = {"cause": cause.id} if cause else {}
    offers_prevention = next_offer == second_request.PREVENTION
    dispatcher.utter_message(
        text=render(cause, getattr(get_general(), topic)),
        buttons=[button("How to prevent it", ASK_PREVENTION_INTENT, **entity)] if offers_prevention else [],
        **({"json_message": entity} if cause else {}),
    )
    return [SlotSet("pending_offer", next_offer)]


def answer_second_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, answered: str, cause: Optional[Cause]
) -> List[EventType]:
    """Answer the second question of a two-part message ("what causes it and how is it treated?")."""
    second = second_request.second_request(tracker.latest_message.get("text") or "", answered)
    if second is None or (second == second_request.CAUSES and answered == "cause"):
        return []
    if second == second_request.CAUSES:
        if cause is not None:
            return ActionExplainCause.explain(dispatcher, cause)
        return ActionListCauses.show_page(dispatcher, kb, 0)
    return give_advice(dispatcher, second, cause)


class AdviceAction(MedicalAction, metaclass=abc.ABCMeta):
    """Advice on one topic, for the cause in question or the last one discussed."""

    topic: ClassVar[str]

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        cause = self.cause_from(tracker)
        return give_advice(dispatcher, self.topic, cause) + answer_second_request(
            dispatcher, tracker, kb, self.topic, cause
        )


class ActionTreatment(AdviceAction):
    """What usually helps."""

    topic = second_request.TREATMENT

    def name(self) -> str:
        return "action_treatment"


class ActionPrevention(AdviceAction):
    """How to make spasms less likely."""

    topic = second_request.PREVENTION

    def name(self) -> str:
        return "action_prevention"


class ActionWhenDoctor(AdviceAction):
    """When to book an appointment, see a doctor today or call emergency services."""

    topic = second_request.SEE_DOCTOR

    def name(self) -> str:
        return "action_when_doctor"


class ActionTriage(MedicalAction):
    """A possible warning sign (DIET's ``report_red_flag``), an emergency or a crisis statement.

    The base class escalates what the rules recognise. A level never comes from the intent label
    alone: when the rules recognise nothing, the person is asked about the red flags that fit what
    they wrote (``core/checklist.py``). After the static crisis reply nothing casual follows."""

    gives_medical_information = False
    asks_about_red_flags = True

    def name(self) -> str:
        return TRIAGE_ACTION

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if assessment.is_red_flag or intent == CRISIS_INTENT:
            return []  # escalated by run(); the crisis reply stands alone
        ask_checklist(dispatcher, message_text(tracker), assessment)
        return [SlotSet("pending_offer", None)]


class ActionTellMore(MedicalAction):
    """ "Tell me more" / "what else?": continues the list or the cause under discussion."""

    def name(self) -> str:
        return "action_tell_more"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        cause = self.cause_from(tracker)
        listing = tracker.get_slot("topic") == TOPIC_LIST or cause is None
        events = continue_topic(dispatcher, tracker, kb, cause)
        # "what causes it and how do I treat it?" read as "tell me more": answer the second part too.
        return events + answer_second_request(
            dispatcher, tracker, kb, second_request.CAUSES if listing else "cause", cause
        )


def continue_topic(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, cause: Optional[Cause]
) -> List[EventType]:
    topic = tracker.get_slot("topic")
    if topic == TOPIC_LIST:
        page = int(tracker.get_slot("list_page") or 0) + 1
        return ActionListCauses.show_page(dispatcher, kb, page)
    if cause is not None:
        dispatcher.utter_message(
            text=replies.more_about_cause(cause), buttons=_cause_buttons(cause)[1:], json_message={"cause": cause.id}
        )
        return [SlotSet("pending_offer", None), SlotSet("topic", None)]
    return ActionListCauses.show_page(dispatcher, kb, 0)


class ActionAffirm(MedicalAction):
    """ "Yes": accept what the last reply offered."""

    def name(self) -> str:
        return "action_affirm"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        offer = tracker.get_slot("pending_offer")
        if offer in ADVICE:
            return give_advice(dispatcher, offer, self.cause_from(tracker))
        if offer in ("more_causes", "more_cause"):
            return continue_topic(dispatcher, tracker, kb, self.cause_from(tracker))
        if offer == "interview":
            return [SlotSet("pending_offer", None), FollowupAction("symptom_interview_form")]
        dispatcher.utter_message(response="utter_anything_else")
        return []


class ActionDeny(MedicalAction):
    """ "No": drop the offer and ask what else."""

    gives_medical_information = False

    def name(self) -> str:
        return "action_deny"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("pending_offer", None), SlotSet("topic", None)]


class ActionFallback(MedicalAction):
    """Not understood: still check for red flags, then say what the assistant can answer."""

    gives_medical_information = False

    def name(self) -> str:
        return "action_fallback"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        if not text:
            dispatcher.utter_message(response="utter_empty")
        else:
            dispatcher.utter_message(response="utter_fallback")
        return []


class ActionOutOfScope(MedicalAction):
    """Outside what the assistant covers: still check for red flags, then say so politely."""

    gives_medical_information = False
    asks_about_red_flags = True

    def name(self) -> str:
        return "action_out_of_scope"

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, assessment: Assessment
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_out_of_scope")
        text = message_text(tracker)
        if may_be_a_warning_sign(text) or assessment.ask:
            # "something feels really wrong with my chest": no level from a guess, but ask.
            ask_checklist(dispatcher, text, assessment)
        return []
