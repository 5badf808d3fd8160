"""Two requests in one message ("what causes spasms and how do I treat them?") get both answers."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import actions as acts
from core import second_request
from core.kb_loader import get_general
from tests.conftest import TrackerFactory, customs

GENERAL = get_general()


@pytest.mark.parametrize(
    ("text", "answered", "expected"),
    [
        ("what causes spasms and how do I treat them?", second_request.CAUSES, second_request.TREATMENT),
        ("what causes spasms and how do I treat them?", second_request.TREATMENT, second_request.CAUSES),
        ("what is whiplash and how is it treated", "cause", second_request.TREATMENT),
        ("how do i treat it, and how can i prevent it?", second_request.TREATMENT, second_request.PREVENTION),
        ("why does my neck lock up and when should i see a doctor", second_request.CAUSES, second_request.SEE_DOCTOR),
        ("what causes neck spasms?", second_request.CAUSES, None),
        ("how do i treat a neck spasm", second_request.TREATMENT, None),
        ("my neck hurts and i am tired", second_request.CAUSES, None),
        ("/ask_causes", second_request.CAUSES, None),
        ("", second_request.CAUSES, None),
    ],
)
def test_second_request(text: str, answered: str, expected: Optional[str]) -> None:
    assert second_request.second_request(text, answered) == expected


def _texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def test_causes_and_treatment_in_one_message(make_tracker: TrackerFactory, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("what causes neck spasms and how do I treat them?", "ask_causes")
    acts.ActionListCauses().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[0]["causes"]  # the list first
    assert GENERAL.treatment.intro in _texts(dispatcher)  # then the treatment advice


def test_treatment_first_then_the_causes(make_tracker: TrackerFactory, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("how do I treat neck spasms and what causes them?", "ask_treatment")
    acts.ActionTreatment().run(dispatcher, tracker, domain)
    text = _texts(dispatcher)
    assert text.index(GENERAL.treatment.intro) < len(text)
    assert any("causes" in c for c in customs(dispatcher))


def test_one_cause_and_its_treatment(make_tracker: TrackerFactory, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "cause", "value": "neck_injury", "start": 8, "end": 16}]
    tracker = make_tracker("what is whiplash and how is it treated?", "ask_cause", entities)
    acts.ActionExplainCause().run(dispatcher, tracker, domain)
    payloads = customs(dispatcher)
    assert payloads[0] == {"cause": "neck_injury"}  # the explanation
    assert payloads[1] == {"cause": "neck_injury"}  # then the cause's treatment
    assert len([m for m in dispatcher.messages if m.get("text")]) >= 2


def test_a_single_question_gets_a_single_answer(make_tracker: TrackerFactory, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    acts.ActionListCauses().run(dispatcher, make_tracker("what causes neck spasms?", "ask_causes"), domain)
    assert GENERAL.treatment.intro not in _texts(dispatcher)


@pytest.mark.parametrize(
    "text",
    [
        "how do I treat neck spasms and what causes them?",
        "how can i treat neck pain",
        "what helps to treat neck cramps",
    ],
)
def test_treat_neck_is_not_a_misspelt_text_neck(kb: Any, text: str) -> None:
    # The fuzzy match for typos once read "treat neck" as "text neck" (poor posture).
    assert kb.find_in_text(text) == []
