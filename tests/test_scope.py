"""core/scope.py and the Rasa-side gate's decision (components/scope_gate.decide): plain Python, no model."""

from __future__ import annotations

from typing import Optional

import pytest

from components.scope_gate import decide
from core import scope


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my neck is stiff", "neck"),
        ("pain in my left shoulder", "shoulder"),
        ("Yesterday I had a shouder pain", "shoulder"),
        ("ache between my shoulder blades", "upper_back"),
        ("my upper back is killing me", "upper_back"),
        ("my lower back hurts when I bend", "lower_back"),
        ("sciatica down my leg", "lower_back"),
        ("my back is sore", "back"),
        ("neck and lower back both ache", "neck"),
        ("the back of my head hurts", None),
        ("I'm back, sorry", None),
        ("what's the weather like", None),
    ],
)
def test_region(text: str, expected: Optional[str]) -> None:
    assert scope.region(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("i feel that is great pain in my left shoulder", True),
        ("i can't rotate my neck", True),
        ("my shoulder is hurting me", True),
        ("no pain at all now", False),  # denied: context.asserted_text drops it
        ("thanks so much", False),
        ("yes", False),
        ("thanks, my neck feels much better", False),
    ],
)
def test_medical_content(text: str, expected: bool) -> None:
    assert scope.medical_content(text) is expected


@pytest.mark.parametrize(
    "intent, text, expected",
    [
        # social intents only for social messages
        ("thank", "i feel that is great pain in my left shoulder", "describe_symptoms"),
        ("deny", "i can't rotate my neck", "describe_symptoms"),
        ("skip", "i can't move my shoulder because of pain", "describe_symptoms"),
        ("thank", "thanks so much", None),
        ("affirm", "yes please", None),
        ("deny", "no", None),
        ("deny", "no pain at all now", None),
        ("goodbye", "bye, my neck still hurts", "describe_symptoms"),
        ("thank", "I've tried reading books, but nothing can cheer me up", "nlu_fallback"),
        ("bot_challenge", "i was travelling by ship and i feel dizzy", "nlu_fallback"),
        ("goodbye", "When I drink a lot, I get a headache", "nlu_fallback"),
        ("thank", "cheers, that was really helpful", None),
        ("goodbye", "ok that's all for today, bye", None),
        ("bot_challenge", "am I talking to a real person?", None),
        ("thank", "much obliged", None),
        # a time of day greets at the start or as "good morning", not inside a report
        ("greet", "good morning to you", None),
        ("greet", "morning all, quick question", None),
        ("greet", "I fell over on the ice this morning", "nlu_fallback"),
        ("out_of_scope", "It hurts when I raise my arm up", "describe_symptoms"),
        ("nlu_fallback", "i have difficulty moving my neck", "describe_symptoms"),
        # the deletion prompt only for deletion requests
        ("forget_me", "delete my data", None),
        ("forget_me", "please forget this conversation", None),
        ("forget_me", "tbh everything is bad", "nlu_fallback"),
        ("forget_me", "what problems can you get after neck surgery", "symptom_question"),
        ("forget_me", "my neck is numb when I wipe it and I keep dropping my cup", "describe_symptoms"),
        ("forget_me", "delete this conversation, my neck is fine now", None),
        # a symptom asked about as a question is answered first (the interview is offered)
        ("describe_symptoms", "is it normal that my neck cracks when i turn my head", "symptom_question"),
        ("describe_symptoms", "why does my shoulder ache after swimming?", "symptom_question"),
        ("out_of_scope", "why is my shoulder aching when I pick up the laundry", "symptom_question"),
        ("describe_symptoms", "my neck cramps up after a long day at my desk", None),
        ("describe_symptoms", "is it because of how I slept?", "symptom_question"),
        ("describe_symptoms", "is it going to be sunny this weekend", "nlu_fallback"),
        ("describe_symptoms", "what's 15 times 12", "nlu_fallback"),
        ("forget_me", "please don't remember anything I said", None),
        # the shoulders and upper back are in scope
        ("out_of_scope", "my shoulder is hurting me", "describe_symptoms"),
        ("nlu_fallback", "I have severe shoulder pain", "describe_symptoms"),
        ("out_of_scope", "how do I treat a stiff shoulder", "ask_treatment"),
        ("out_of_scope", "should i see a doctor about my upper back pain", "ask_when_doctor"),
        ("out_of_scope", "a knot under my shoulder blade", "describe_symptoms"),
        # the lower back gets its own plain answer
        ("out_of_scope", "I feel pain in the lower back", "lower_back_pain"),
        ("describe_symptoms", "my lower back aches when I stand", "lower_back_pain"),
        ("out_of_scope", "my back is killing me", "lower_back_pain"),
        # other complaints stay out of scope
        ("out_of_scope", "I have pimples on my back and they hurt", None),
        ("out_of_scope", "my knee hurts when I run", None),
        ("out_of_scope", "what's the weather like", None),
        # a cause question about the lower back keeps its intent (the knowledge base names the cause)
        ("ask_cause", "can a herniated disc in my lower back cause this", None),
        ("greet", "", None),
    ],
)
def test_gate_decision(intent: str, text: str, expected: Optional[str]) -> None:
    assert decide(intent, text) == expected


@pytest.mark.parametrize(
    "text, ranking, expected",
    [
        ("what can cause spasms in the neck?", ["ask_causes", "ask_cause"], "ask_causes"),
        ("my neck cramps every morning", ["describe_symptoms", "ask_causes"], "describe_symptoms"),
        ("is it normal that my neck cracks", ["describe_symptoms", "ask_cause"], "symptom_question"),
        ("how do i learn guitar", ["ask_treatment", "out_of_scope"], None),  # nothing about the body
    ],
)
def test_a_fallback_between_two_medical_intents_takes_the_better(
    text: str, ranking: list, expected: Optional[str]
) -> None:
    assert decide("nlu_fallback", text, ranking) == expected
