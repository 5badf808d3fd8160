"""The always-on red-flag NLU component (components/red_flags.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.red_flags import RedFlagDetector


def parsed(text: str, intent: str = "ask_cause") -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.8}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.8}], add_to_output=True)
    return message


def test_an_emergency_overrides_the_intent_and_keeps_the_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMERGENCY_NUMBER", raising=False)
    [message] = RedFlagDetector({}).process(
        [parsed("can stress cause neck spasms? also I have a fever and my neck is stiff")]
    )
    assert message.get(INTENT) == {"name": "emergency", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "ask_cause"
    info = message.get("red_flags")
    assert info["level"] == "emergency"
    assert info["predicted_intent"] == "ask_cause"
    assert "meningitis_fever_stiff_neck" in info["rules"]
    assert not message.get(ENTITIES)  # the slot keeps its default wording


def test_the_configured_number_comes_as_an_entity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMERGENCY_NUMBER", "000")
    [message] = RedFlagDetector({}).process([parsed("I can't breathe")])
    assert {"entity": "emergency_number", "value": "000"}.items() <= message.get(ENTITIES)[0].items()


@pytest.mark.parametrize(
    ("text", "level"),
    [("my neck hurts and I have a fever", "urgent"), ("painkillers don't help", "see_doctor")],
)
def test_lower_levels_are_recorded_but_the_intent_is_kept(text: str, level: str) -> None:
    [message] = RedFlagDetector({}).process([parsed(text, "describe_symptoms")])
    assert message.get(INTENT)["name"] == "describe_symptoms"
    assert message.get("red_flags")["level"] == level


@pytest.mark.parametrize("text", ["no fever and no stiff neck", "what causes neck spasms?", "", "/greet", "😀" * 50])
def test_other_messages_are_left_alone(text: str) -> None:
    [message] = RedFlagDetector({}).process([parsed(text)])
    assert message.get(INTENT)["name"] == "ask_cause"
    assert message.get("red_flags") is None


def test_a_failing_engine_never_breaks_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("components.red_flags.assess", broken)
    [message] = RedFlagDetector({}).process([parsed("I have a fever and a stiff neck")])
    assert message.get(INTENT)["name"] == "ask_cause"


@pytest.mark.parametrize("intent", ["thank", "greet", "affirm", "out_of_scope", "nlu_fallback"])
def test_a_finding_in_small_talk_turns_it_into_a_red_flag_report(intent: str) -> None:
    [message] = RedFlagDetector({}).process([parsed("thanks, and my neck pain wakes me up every night", intent)])
    assert message.get(INTENT) == {"name": "report_red_flag", "confidence": 1.0}
    assert message.get("red_flags")["level"] == "urgent"


@pytest.mark.parametrize(
    "text",
    ["I want to kill myself", "everyone would be better off without me", "I have the pills ready", "i want to die lol"],
)
def test_a_crisis_statement_sets_the_crisis_intent(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRISIS_LINE", "call Lifeline on 13 11 14")
    monkeypatch.delenv("EMERGENCY_NUMBER", raising=False)
    [message] = RedFlagDetector({}).process([parsed(text)])
    assert message.get(INTENT) == {"name": "crisis", "confidence": 1.0}
    assert message.get("red_flags")["crisis"] is True
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [("crisis_line", "call Lifeline on 13 11 14")]


@pytest.mark.parametrize(
    "text",
    ["I'd rather die than go back to spin class", "I'm not suicidal, just sore", "dying to know why my neck cracks"],
)
def test_idioms_and_denials_are_not_crises(text: str) -> None:
    [message] = RedFlagDetector({}).process([parsed(text)])
    assert message.get(INTENT)["name"] == "ask_cause"


@pytest.mark.parametrize(
    ("text", "predicted", "intent"),
    [
        # no crisis phrase, but it reads like the worked crisis statements, in a message a static response
        # alone would answer: the crisis answer
        ("thinking about the bridge near my house a lot lately", "thank", "crisis"),
        # the same after a medical intent: left to the action server, which compares it by meaning
        ("thinking about the bridge near my house a lot lately", "ask_cause", "ask_cause"),
        # an emergency the phrases place is answered as that emergency, not as a statement of intent
        ("took 25 iron pills last night, what do I do", "thank", "emergency"),
        # a denied statement stays denied
        ("I'm not suicidal, just fed up with this neck", "thank", "thank"),
    ],
)
def test_crisis_by_meaning_where_the_phrases_found_no_emergency(
    monkeypatch: pytest.MonkeyPatch, text: str, predicted: str, intent: str
) -> None:
    monkeypatch.setenv("NEAREST_CASES", "on")
    [message] = RedFlagDetector({}).process([parsed(text, predicted)])
    assert message.get(INTENT)["name"] == intent
