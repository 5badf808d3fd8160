"""The symptom interview: reading answers, the form validation action, the first question, the summary."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.interview import (
    FORM,
    SKIPPED,
    SLOTS,
    ActionAskInterviewDuration,
    ActionInterviewSummary,
    ValidateSymptomInterviewForm,
    interview_level,
    is_none_answer,
    parse_duration,
    parse_frequency,
    parse_severity,
    trigger_of,
)
from tests.conftest import customs, slot_events


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("less than a day", "hours"),
        ("since this morning", "hours"),
        ("since yesterday", "days"),
        ("a few days", "days"),
        ("about 3 days", "days"),
        ("one or two weeks", "weeks"),
        ("10 days", "weeks"),
        ("more than three weeks", "long"),
        ("about 2 months", "long"),
        ("for years", "long"),
        ("banana", None),
        ("", None),
    ],
)
def test_parse_duration(text: str, expected: Optional[str]) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this is the first time", "first_time"),
        ("a few times a week", "sometimes"),
        ("now and then", "sometimes"),
        ("every day", "daily"),
        ("several times a day", "daily"),
        ("constantly", "constant"),
        ("it never stops", "constant"),
        ("purple", None),
    ],
)
def test_parse_frequency(text: str, expected: Optional[str]) -> None:
    assert parse_frequency(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mild", "mild"),
        ("2", "mild"),
        ("about 5 out of 10", "moderate"),
        ("moderate", "moderate"),
        ("8/10", "severe"),
        ("severe", "severe"),
        ("unbearable", "severe"),
        ("not too bad", "mild"),
        ("what?", None),
    ],
)
def test_parse_severity(text: str, expected: Optional[str]) -> None:
    assert parse_severity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("desk work", "desk_work"),
        ("the way I slept", "sleep"),
        ("an injury", "injury"),
        ("stress", "stress"),
        ("exercise", "exercise"),
        ("a new medicine", "new_medicine"),
        ("I don't know", "unknown"),
    ],
)
def test_every_trigger_button_is_recognised(text: str, expected: str) -> None:
    assert trigger_of(text) == expected


def test_none_answers() -> None:
    assert is_none_answer("none of these")
    assert is_none_answer("Nope")
    assert not is_none_answer("I have a fever")


def test_interview_level() -> None:
    assert interview_level({"interview_duration": "days", "interview_severity": "mild"}) == ("self_care", [])
    level, reasons = interview_level({"interview_duration": "long", "interview_frequency": "daily"})
    assert level == "see_doctor"
    assert len(reasons) == 2
    assert interview_level({"interview_trigger": "an injury"})[0] == "see_doctor"


# -- actions on trackers --------------------------------------------------------------------------
def form_tracker(
    domain: Dict[str, Any], text: str, requested: Optional[str], intent: str = "describe_symptoms", **slots: Any
) -> Tracker:
    """A tracker as the form validation action receives it: the user's message, then the slot
    candidate for ``requested`` (the answer text, or "skipped" for the skip intent)."""
    values = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    values["requested_slot"] = requested
    values.update(slots)
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": latest}]
    if requested and intent not in ("stop", "emergency"):
        value = SKIPPED if intent == "skip" else text
        values[requested] = value
        events.append({"event": "slot", "name": requested, "value": value})
    return Tracker("u", values, latest, events, False, None, {"name": FORM} if requested else {}, "action_listen")


async def validate(domain: Dict[str, Any], tracker: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = await ValidateSymptomInterviewForm().run(dispatcher, tracker, domain)
    return dispatcher, events


async def test_a_valid_answer_is_normalised(domain: Dict[str, Any]) -> None:
    dispatcher, events = await validate(domain, form_tracker(domain, "about 3 weeks", "interview_duration"))
    slots = slot_events(events)
    assert slots["interview_duration"] == "long"
    assert slots["red_flag_findings"] == ["weeks_of_pain"]  # kept for the summary
    # "book an appointment" is said at once: a person who leaves before the summary must not miss it
    assert [m["custom"] for m in dispatcher.messages if m.get("custom")] == [{"triage": "see_doctor"}]


async def test_an_answer_that_volunteers_more_than_was_asked_is_escalated_at_once(domain: Dict[str, Any]) -> None:
    """ "How long?" answered with the pain now running down the arm: "book an appointment" is said now, not
    only in the summary that a person who leaves early never sees."""
    text = "its been about 2 months and its gradually worse, and now the ache goes down into my arm"
    dispatcher, events = await validate(domain, form_tracker(domain, text, "interview_duration"))
    assert [m["custom"] for m in dispatcher.messages if m.get("custom")] == [{"triage": "see_doctor"}]
    assert dispatcher.messages[0]["text"].startswith("Please book an appointment")
    assert slot_events(events)["triage_level"] == "see_doctor"


async def test_an_answer_that_is_not_understood_is_asked_again(domain: Dict[str, Any]) -> None:
    dispatcher, events = await validate(domain, form_tracker(domain, "banana", "interview_severity"))
    assert slot_events(events) == {"interview_severity": None}
    assert "didn't catch" in dispatcher.messages[0]["text"]


async def test_skip_leaves_the_question_out(domain: Dict[str, Any]) -> None:
    _, events = await validate(domain, form_tracker(domain, "skip this one", "interview_frequency", intent="skip"))
    assert slot_events(events) == {"interview_frequency": SKIPPED}


@pytest.mark.parametrize("intent", ["stop", "emergency"])
async def test_stop_and_emergency_fill_nothing_so_the_rules_take_over(domain: Dict[str, Any], intent: str) -> None:
    tracker = form_tracker(domain, "I have a fever and a stiff neck", "interview_frequency", intent=intent)
    dispatcher, events = await validate(domain, tracker)
    assert events == []
    assert dispatcher.messages == []


async def test_an_urgent_answer_escalates_at_once_and_the_interview_goes_on(domain: Dict[str, Any]) -> None:
    tracker = form_tracker(
        domain, "I have a fever", "interview_checklist", interview_description="my neck has been spasming"
    )
    dispatcher, events = await validate(domain, tracker)
    assert customs(dispatcher) == [{"triage": "urgent"}]
    assert dispatcher.messages[0]["text"].startswith("Please see a doctor today")
    slots = slot_events(events)
    assert slots["triage_level"] == "urgent"
    assert "fever" in slots["red_flag_findings"]
    assert slots["interview_checklist"] == "I have a fever"


async def test_an_emergency_built_up_over_answers_ends_the_questions(domain: Dict[str, Any]) -> None:
    tracker = form_tracker(
        domain,
        "my neck is stiff",
        "interview_frequency",
        red_flag_findings=["fever"],
        triage_level="urgent",
        interview_duration="days",
    )
    dispatcher, events = await validate(domain, tracker)
    assert dispatcher.messages[0]["text"].startswith("Call your local emergency number")
    slots = slot_events(events)
    assert slots["triage_level"] == "emergency"
    assert all(slots.get(s) == SKIPPED for s in SLOTS if s != "interview_duration")


def test_first_question_suggests_causes_and_fills_a_named_trigger(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("my neck cramps after a long day at my desk", intent="describe_symptoms")
    events = ActionAskInterviewDuration().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["interview_trigger"] == "my neck cramps after a long day at my desk"
    assert slots["interview_description"].startswith("my neck cramps")
    assert customs(dispatcher)[0]["causes"][0] in {"muscle_strain", "poor_posture", "poor_ergonomics"}
    assert dispatcher.messages[-1]["text"].endswith("How long have you had it?")
    assert len(dispatcher.messages[-1]["buttons"]) == 4


def test_first_question_after_a_description_with_an_urgent_flag(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("neck spasms and night sweats", intent="describe_symptoms")
    events = ActionAskInterviewDuration().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Please see a doctor today")
    assert slot_events(events)["triage_level"] == "urgent"
    assert dispatcher.messages[-1]["text"].endswith("How long have you had it?")


def test_summary_self_care(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "none",
        interview_description="my neck is tight after sitting at my desk",
        interview_duration="days",
        interview_frequency="sometimes",
        interview_severity="mild",
        interview_trigger="desk work",
        interview_checklist="none",
    )
    events = ActionInterviewSummary().run(dispatcher, tracker, domain)
    payloads = customs(dispatcher)
    assert payloads[0]["causes"][0] in {"muscle_strain", "poor_posture", "poor_ergonomics"}
    assert payloads[1] == {"triage": "self_care"}
    advice = [m["text"] for m in dispatcher.messages if m.get("text")][-1]
    assert "warm pack" in advice
    slots = slot_events(events)
    assert slots["triage_level"] == "self_care"
    assert all(slots[s] is None for s in SLOTS)


def test_summary_without_a_likely_cause_names_the_most_common_ones(domain: Dict[str, Any], make_tracker) -> None:
    """The most common causes are general.yml's ids, said by their names in causes.yml."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("none", interview_duration="days", interview_severity="mild")
    ActionInterviewSummary().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == (
        "From what you told me I can't single out a cause. The most common ones are muscle strain, poor posture, "
        'and stress and anxiety; say "what causes neck spasms?" to see them all.'
    )
    assert customs(dispatcher)[0] == {"causes": ["muscle_strain", "poor_posture", "stress_anxiety"]}


def test_summary_see_doctor_for_long_frequent_spasms(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("none", interview_duration="long", interview_frequency="daily", interview_trigger="stress")
    ActionInterviewSummary().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[-1] == {"triage": "see_doctor"}
    assert dispatcher.messages[-1]["text"].startswith("Please book an appointment")


def test_summary_leads_with_an_urgent_level(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("none", interview_duration="days", red_flag_findings=["fever"], triage_level="urgent")
    ActionInterviewSummary().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[0] == {"triage": "urgent"}
    assert dispatcher.messages[0]["text"].startswith("Please see a doctor today")


def test_stopping_before_any_answer_says_so_without_a_verdict(domain: Dict[str, Any], make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionInterviewSummary().run(dispatcher, make_tracker("stop", intent="stop"), domain)
    assert customs(dispatcher) == []
    assert dispatcher.messages[0]["text"].startswith("Okay, no more questions")
    assert "triage_level" not in slot_events(events)


async def test_an_answer_that_reads_like_a_crisis_statement_gets_the_crisis_answer(
    domain: Dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No crisis phrase in it, so the Rasa side set no crisis intent; the answer still goes through the same
    check as any message, and the crisis answer comes first, with no more questions."""
    monkeypatch.setenv("NEAREST_CASES", "on")
    text = "what would happen if I took all my sleeping tablets at once"
    dispatcher, events = await validate(domain, form_tracker(domain, text, "interview_duration"))
    assert dispatcher.messages[0].get("response") == "utter_crisis"
    slots = slot_events(events)
    assert slots["crisis"] is True and slots["triage_level"] == "emergency"
