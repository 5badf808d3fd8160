"""How the Rasa server calls the action server (patches/action_client.py): the apology when it cannot be
reached, and what a call carries."""

from __future__ import annotations

import datetime
import pathlib
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from patches.action_client import APOLOGY_RESPONSE, RED_FLAG_RESPONSE, action_call_format, apology_for


@pytest.mark.parametrize(
    ("action", "intent", "expected"),
    [
        ("action_list_causes", "ask_causes", APOLOGY_RESPONSE),
        ("action_triage", "report_red_flag", RED_FLAG_RESPONSE),
        ("action_explain_cause", "describe_symptoms", RED_FLAG_RESPONSE),
        ("action_suggest_causes", None, RED_FLAG_RESPONSE),
        # The static emergency reply has already told the person what to do: no second instruction.
        ("action_triage", "emergency", APOLOGY_RESPONSE),
    ],
)
def test_apology_for(action: str, intent: Optional[str], expected: str) -> None:
    assert apology_for(action, intent) == expected


@pytest.mark.parametrize("level", ["urgent", "see_doctor"])
def test_a_warning_sign_found_in_any_message_gets_the_red_flag_apology(level: str) -> None:
    """The red-flag check found something in a question DIET read as a plain cause question."""
    assert apology_for("action_explain_cause", "ask_cause", level) == RED_FLAG_RESPONSE
    assert apology_for("action_explain_cause", "ask_cause", None) == APOLOGY_RESPONSE


# -- what a call to the action server carries ----------------------------------------------------------
ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def long_conversation() -> DialogueStateTracker:
    events: List[Event] = [ActionExecuted("action_listen")]
    for i in range(20):
        events += [
            UserUttered(f"question {i}", {"name": "ask_causes", "confidence": 1.0}),
            ActionExecuted("action_list_causes"),
            BotUttered(f"answer {i}"),
            ActionExecuted("action_listen"),
        ]
    events += [UserUttered("latest", {"name": "ask_treatment", "confidence": 1.0}), SlotSet("interview_severity", "5")]
    return DialogueStateTracker.from_events("someone", events)


def body(rasa_domain: Domain, action: str) -> Dict[str, Any]:
    endpoint = EndpointConfig(**yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"])
    return action_call_format(RemoteAction(action, endpoint), long_conversation(), rasa_domain)


def test_a_call_carries_only_the_current_turn(rasa_domain: Domain) -> None:
    sent = body(rasa_domain, "action_treatment")
    assert [e["event"] for e in sent["tracker"]["events"]] == ["user", "slot"]
    assert sent["tracker"]["latest_message"]["text"] == "latest"
    assert sent["tracker"]["slots"]["interview_severity"] == "5"
    assert sent["next_action"] == "action_treatment" and sent["sender_id"] == "someone"
    assert "domain" not in sent  # endpoints.yml enables the selective domain


def test_the_form_validation_still_gets_the_domain(rasa_domain: Domain) -> None:
    sent = body(rasa_domain, "validate_symptom_interview_form")
    assert "symptom_interview_form" in sent["domain"]["forms"]


def test_the_sdk_reads_the_trimmed_call_as_before(rasa_domain: Domain) -> None:
    """rasa_sdk's Tracker built from the trimmed call: same latest message, slots and slots to validate."""
    from rasa_sdk import Tracker

    tracker = Tracker.from_dict(body(rasa_domain, "validate_symptom_interview_form")["tracker"])
    assert tracker.latest_message["intent"]["name"] == "ask_treatment"
    assert tracker.get_slot("interview_severity") == "5"
    assert tracker.slots_to_validate() == {"interview_severity": "5"}


# -- result validation: the per-type check accepts and refuses exactly what Rasa's whole schema does --
def _valid_responses() -> List[Dict[str, Any]]:
    from rasa_sdk import events as sdk

    reply = {"text": "Neck spasms have many possible causes; a doctor should confirm.", "buttons": [], "custom": {}}
    every_kind = [
        sdk.SlotSet("interview_severity", "5"),
        sdk.SlotSet("requested_slot", None),
        sdk.ActiveLoop(None),
        sdk.ActiveLoop("symptom_interview"),
        sdk.FollowupAction("action_listen"),
        sdk.AllSlotsReset(),
        sdk.Restarted(),
        sdk.ConversationPaused(),
        sdk.ConversationResumed(),
        sdk.UserUtteranceReverted(),
        sdk.ActionReverted(),
        sdk.SessionStarted(),
        sdk.BotUttered("hello", metadata={"x": 1}),
        sdk.UserUttered("hi", {"intent": {"name": "greet", "confidence": 1.0}, "entities": []}),
        sdk.ActionExecuted("action_listen"),
        sdk.ActionExecutionRejected("action_triage"),
        sdk.LoopInterrupted(True),
        sdk.ReminderScheduled("EXTERNAL_x", datetime.datetime(2026, 11, 24, 10)),
        sdk.ReminderCancelled("reminder"),
        sdk.StoryExported(),
        sdk.Form("symptom_interview"),
        sdk.FormValidation(False),
        sdk.AgentUttered("text"),
    ]
    return [
        {"events": [], "responses": []},
        {"responses": [reply]},
        {"events": every_kind[:3], "responses": [reply]},
        {"events": every_kind, "responses": [reply, reply]},
        {},
    ]


def _invalid_responses() -> List[Any]:
    slot = {"event": "slot", "timestamp": None, "name": "interview_severity", "value": "5"}
    return [
        None,
        [],
        "events",
        {"events": None},
        {"events": {"event": "slot"}},
        {"events": [slot, "slot"]},
        {"events": [{"timestamp": None, "name": "x", "value": 1}]},  # no event type
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": 5}]},
        {"events": [{**slot, "timestamp": "yesterday"}]},
        {"events": [{k: v for k, v in slot.items() if k != "name"}]},  # a slot needs its name
        {"events": [{"event": "entities"}]},  # and an entities event its entities
        {"events": [slot], "responses": "hello"},
        {"events": [slot], "responses": ["hello"]},
        {"events": [{**slot, "metadata": "x"}]},
    ]


def test_per_type_validation_agrees_with_the_whole_schema() -> None:
    from patches.action_client import _validator, is_valid_result

    full = _validator()
    valid, invalid = _valid_responses(), _invalid_responses()
    assert all(full.is_valid(response) for response in valid)
    assert not any(full.is_valid(response) for response in invalid)
    assert [is_valid_result(r) for r in valid] == [True] * len(valid)
    assert [is_valid_result(r) for r in invalid] == [False] * len(invalid)


def test_an_invalid_result_raises_rasas_validation_error() -> None:
    from jsonschema import ValidationError

    from patches.action_client import validate_action_result

    assert validate_action_result(None, _valid_responses()[3]) is True  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, {"events": [{"event": "no_such_event"}]})  # type: ignore[arg-type]
