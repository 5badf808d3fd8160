"""End to end: emergencies with and without the action server, and the symptom interview.

Real servers on free ports (tests/servers.py). One Rasa server runs with its action
endpoint pointing at a closed port, as when the action server is down.
"""

from __future__ import annotations

from typing import Dict, Iterator, List

import pytest

from tests.servers import serve
from tests.test_e2e_rest import custom, say

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def no_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Rasa server alone: its action server is down. The deployment sets EMERGENCY_NUMBER=000."""
    yield from serve(tmp_path_factory.mktemp("no-actions"), with_actions=False, EMERGENCY_NUMBER="000")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("full"))


def texts(replies: List[Dict]) -> List[str]:
    return [r["text"] for r in replies if "text" in r]


# -- action server down ---------------------------------------------------------------------------
def test_emergency_reaches_the_user_when_the_action_server_is_down(no_actions: str) -> None:
    replies = say(no_actions, "down-1", "can stress cause neck spasms? also I have a fever and my neck is stiff")
    assert replies[0]["text"].startswith("Call your local emergency number (000) now.")
    assert custom(replies, "triage") == ["emergency"]


def test_without_the_action_server_small_talk_after_an_emergency_restates_it(no_actions: str) -> None:
    say(no_actions, "down-2", "my face is drooping on one side")
    for message in ("thanks", "hello", "bye"):
        first = texts(say(no_actions, "down-2", message))[0]
        assert "call your local emergency number (000) now" in first, (message, first)


# -- both servers -----------------------------------------------------------------------------------
def test_a_red_flag_inside_a_cause_question_escalates_first(full: str) -> None:
    replies = say(full, "full-1", "can stress cause neck spasms? also I have a fever and my neck is stiff")
    assert replies[0]["text"].startswith("Call your local emergency number (911 / 112 / 999) now.")
    assert custom(replies, "triage") == ["emergency"]
    assert any("meningitis" in t for t in texts(replies))
    thanks = texts(say(full, "full-1", "thank you"))
    assert thanks[0].startswith("You're welcome. Please remember")


def test_the_interview_from_description_to_advice(full: str) -> None:
    first = say(full, "full-2", "my neck keeps cramping after a day at my desk")
    assert custom(first, "causes")
    assert texts(first)[-1].endswith("How long have you had it?")
    assert texts(say(full, "full-2", "a few days"))[-1] == "How often do the spasms come?"
    assert texts(say(full, "full-2", "a few times a week"))[-1].startswith("How bad is it")
    # the trigger came with the description, so the checklist comes next
    assert texts(say(full, "full-2", "mild"))[-1].startswith("Last question")
    end = say(full, "full-2", "none of these")
    assert custom(end, "causes")[0][0] in {"muscle_strain", "poor_posture", "poor_ergonomics"}
    assert custom(end, "triage") == ["self_care"]
    assert any("warm pack" in t for t in texts(end))


def test_skip_a_question_then_stop(full: str) -> None:
    say(full, "full-3", "my neck has been spasming")
    assert texts(say(full, "full-3", "skip"))[-1] == "How often do the spasms come?"
    assert texts(say(full, "full-3", "every day"))[-1].startswith("How bad is it")
    end = say(full, "full-3", "stop")
    assert custom(end, "triage") == ["see_doctor"]  # daily spasms
    # the interview is over: a question is answered normally
    assert custom(say(full, "full-3", "what is torticollis?"), "cause") == ["cervical_dystonia"]


def test_an_emergency_during_the_interview_ends_it(full: str) -> None:
    say(full, "full-4", "my neck has been spasming")
    say(full, "full-4", "since yesterday")
    replies = say(full, "full-4", "I can't breathe properly")
    assert replies[0]["text"].startswith("Call your local emergency number")
    assert not any("How often" in t for t in texts(replies))
    # afterwards every answer restates the advice first
    later = texts(say(full, "full-4", "what helps with neck spasms?"))
    assert "call your local emergency number" in later[0].lower()
    assert "call your local emergency number" in texts(say(full, "full-4", "hello"))[0].lower()


def test_an_urgent_answer_in_the_checklist(full: str) -> None:
    for message in ("my neck has been spasming", "a few days", "now and then", "4", "stress"):
        say(full, "full-5", message)
    replies = say(full, "full-5", "I have a fever")
    assert replies[0]["text"].startswith("Please see a doctor today")
    assert custom(replies, "triage")[0] == "urgent"


# -- crisis, context, the interview listens ----------------------------------------------------------
def test_a_crisis_statement_gets_the_crisis_reply_when_the_action_server_is_down(no_actions: str) -> None:
    replies = say(no_actions, "down-crisis", "honestly everyone would be better off without me")
    assert replies[0]["text"].startswith("I'm really sorry you're feeling like this")
    assert "000" in replies[0]["text"]  # the deployment's emergency number
    assert "988" in replies[0]["text"] and "116 123" in replies[0]["text"]
    assert {"triage": "emergency", "crisis": True} in [r["custom"] for r in replies if "custom" in r]


def test_a_crisis_statement_comes_first_and_nothing_casual_follows(full: str) -> None:
    replies = say(full, "full-crisis", "my neck has hurt for months and I want to kill myself")
    assert replies[0]["text"].startswith("I'm really sorry you're feeling like this")
    assert custom(replies, "crisis") == [True]
    assert not any("neck spasms" in t for t in texts(replies)), texts(replies)
    later = texts(say(full, "full-crisis", "thanks"))
    assert later[0].startswith("You're welcome. Please remember: if you are in danger")


def test_idioms_get_no_crisis_and_no_alarm(full: str) -> None:
    for i, text in enumerate(("I'd rather die than go back to spin class", "my boss is a pain in the neck")):
        replies = say(full, f"full-idiom-{i}", text)
        assert not custom(replies, "crisis") and not custom(replies, "triage"), (text, replies)


def test_negated_entities_do_not_escalate(full: str) -> None:
    for i, text in enumerate(("no chest pain, just a tight neck", "my neck is stiff, I don't have a rash or a fever")):
        replies = say(full, f"full-neg-{i}", text)
        assert custom(replies, "triage") in ([], ["self_care"]), (text, texts(replies))


def test_a_label_alone_gives_no_level_but_a_checklist(full: str) -> None:
    replies = say(full, "full-label", "something feels really wrong with my chest")
    assert not custom(replies, "triage"), texts(replies)
    assert any(t.startswith("I want to be sure I understand") for t in texts(replies)), texts(replies)
    assert any("Chest pain or pressure" in t for t in texts(replies))


def test_the_interview_skips_what_the_first_message_said(full: str) -> None:
    replies = say(full, "full-6w", "my neck has been spasming for 6 weeks")
    assert not any("How long have you had it?" in t for t in texts(replies)), texts(replies)
    assert texts(replies)[-1] == "How often do the spasms come?"


def test_an_answer_in_the_interview_goes_through_the_triage(full: str) -> None:
    say(full, "full-answer", "my neck has been spasming")
    replies = say(full, "full-answer", "a few days, and I keep throwing up, my head is pounding and I'm burning up")
    assert replies[0]["text"].startswith("Call your local emergency number")
    assert custom(replies, "triage") == ["emergency"]
