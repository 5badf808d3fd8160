"""action_triage after the static emergency reply, and restating the advice after an emergency."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionTellMore, ActionTriage
from actions.base import red_flags_in
from tests.conftest import customs, slot_events


def after_static_reply(
    domain: Dict[str, Any], text: str, loop: bool = False, intent: str = "emergency", **slots: Any
) -> Tracker:
    values = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    values.update(slots)
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    static = "utter_crisis" if intent == "crisis" else "utter_emergency"
    custom = {"triage": "emergency", "crisis": True} if intent == "crisis" else {"triage": "emergency"}
    return Tracker(
        "u",
        values,
        latest,
        [
            {"event": "user", "text": text, "parse_data": latest},
            {"event": "action", "name": static},
            {"event": "bot", "text": "(the static reply)", "data": {"custom": custom}},
        ],
        False,
        None,
        {"name": "symptom_interview_form"} if loop else {},
        static,
    )


def test_after_the_static_reply_the_action_adds_only_the_reason(domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionTriage().run(dispatcher, after_static_reply(domain, "I have a fever and a stiff neck"), domain)
    assert [m["text"] for m in dispatcher.messages] == [
        "Why: A fever together with a stiff neck can be a sign of meningitis. "
        "If you are not sure, call anyway: they will tell you what to do."
    ]
    assert customs(dispatcher) == []  # the static reply carried custom.triage already
    slots = slot_events(events)
    assert slots["triage_level"] == "emergency"
    assert {"fever", "stiff_neck"} <= set(slots["red_flag_findings"])


def test_an_emergency_ends_a_running_interview(domain: Dict[str, Any]) -> None:
    tracker = after_static_reply(domain, "I can't breathe", loop=True, interview_duration="days")
    events = ActionTriage().run(CollectingDispatcher(), tracker, domain)
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    slots = slot_events(events)
    assert slots["requested_slot"] is None
    assert slots["interview_duration"] is None


def test_answers_after_an_emergency_restate_it_first(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("what else?", intent="tell_more", triage_level="emergency", topic="causes_list")
    ActionTellMore().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Please remember what I said: if you have not called yet, call")
    assert len(dispatcher.messages) > 1  # and then the answer


def test_after_the_static_crisis_reply_nothing_casual_follows(domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = after_static_reply(domain, "I want to end it all", loop=True, intent="crisis", triage_level="emergency")
    events = ActionTriage().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []  # no reminder, no disclaimer, no checklist: the crisis reply stands alone
    slots = slot_events(events)
    assert slots["crisis"] is True
    assert slots["requested_slot"] is None  # the interview ends


def test_a_crisis_with_an_emergency_adds_the_emergency_once(domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = after_static_reply(domain, "I want to die and I just took all my pills, I can't breathe", intent="crisis")
    ActionTriage().run(dispatcher, tracker, domain)
    assert customs(dispatcher) == [{"triage": "emergency"}]
    assert dispatcher.messages[0]["text"].startswith("Call your local emergency number")


def test_after_a_crisis_answers_restate_the_crisis_line(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("what else?", intent="tell_more", triage_level="emergency", crisis=True, topic="causes_list")
    ActionTellMore().run(dispatcher, tracker, domain)
    first = dispatcher.messages[0]["text"]
    assert first.startswith("Please remember: if you are in danger")
    assert "988" in first and "116 123" in first


def test_the_defaults_are_the_domains_slot_values(domain: Dict[str, Any]) -> None:
    from core.triage import crisis_line, emergency_number

    assert crisis_line({}) == domain["slots"]["crisis_line"]["initial_value"]
    assert emergency_number({}) == domain["slots"]["emergency_number"]["initial_value"] == "911 / 112 / 999"
    assert emergency_number({"EMERGENCY_NUMBER": " 000 "}) == "000"
    assert crisis_line({"CRISIS_LINE": "call Lifeline on 13 11 14"}) == "call Lifeline on 13 11 14"
    crisis = domain["responses"]["utter_crisis"][0]
    assert crisis["custom"] == {"triage": "emergency", "crisis": True}
    assert "{emergency_number}" in crisis["text"] and "{crisis_line}" in crisis["text"]


def test_an_out_of_scope_complaint_gets_a_pointer_and_no_level(domain: Dict[str, Any], make_tracker) -> None:
    from actions.actions import ActionOutOfScope

    for text, asks in (("I have a cold and a runny nose", False), ("something is badly wrong with my chest", True)):
        dispatcher = CollectingDispatcher()
        ActionOutOfScope().run(dispatcher, make_tracker(text, intent="out_of_scope"), domain)
        assert dispatcher.messages[0]["response"] == "utter_out_of_scope"
        assert customs(dispatcher) == []
        assert any((m.get("text") or "").startswith("I want to be sure") for m in dispatcher.messages) is asks, text


def one_message(domain: Dict[str, Any], text: str, intent: str) -> Tracker:
    values = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("u", values, latest, events, False, None, {}, "action_listen")


def test_a_crisis_statement_by_meaning_gets_the_crisis_answer_from_the_action(
    domain: Dict[str, Any], monkeypatch
) -> None:
    """No crisis phrase placed it (the Rasa side set no crisis intent), but it reads like one: the action
    answers with the crisis response first and alone, and records the crisis."""
    monkeypatch.setenv("NEAREST_CASES", "on")
    dispatcher = CollectingDispatcher()
    tracker = one_message(domain, "what would happen if I took all my sleeping tablets at once", "ask_cause")
    events = ActionTriage().run(dispatcher, tracker, domain)
    assert [m.get("response") for m in dispatcher.messages] == ["utter_crisis"]
    slots = slot_events(events)
    assert slots["crisis"] is True and slots["triage_level"] == "emergency"


def test_an_ordinary_message_gets_no_crisis_answer_from_the_action(domain: Dict[str, Any], monkeypatch) -> None:
    monkeypatch.setenv("NEAREST_CASES", "on")
    dispatcher = CollectingDispatcher()
    tracker = one_message(domain, "my neck is sore after a long day at the desk", "describe_symptoms")
    ActionTriage().run(dispatcher, tracker, domain)
    assert "utter_crisis" not in [m.get("response") for m in dispatcher.messages]


def test_a_turn_that_places_the_earlier_report_in_the_past_drops_its_findings(make_tracker) -> None:
    earlier = ["chest_pain", "heart_site_pain", "neck_mention", "neck_pain"]
    back = make_tracker(
        "that was 3 years ago and they said it was reflux, today it's only a stiff neck from the gym",
        intent="describe_symptoms",
        red_flag_findings=earlier,
    )
    assert red_flags_in(back).level is None
    assert "chest_pain" not in red_flags_in(back).findings
    recent = make_tracker(
        "that was an hour ago and now I'm sweating", intent="describe_symptoms", red_flag_findings=earlier
    )
    assert red_flags_in(recent).level == "emergency"
