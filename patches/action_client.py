"""How the Rasa server calls the action server: an apology when it is down, and faster result checks.

``install()`` patches Rasa's ``RemoteAction`` (the client side of every custom action) in the Rasa
server process. It is called by this project's REST channel and tracker store when they start, so it
is active wherever `make run`, the tests or docker-compose serve the assistant.

- **Action server down.** Rasa logs the error, drops the action and predicts on: the person gets no
  reply at all. Here the failed call returns a static apology from the domain instead. If the message
  may describe a warning sign (the always-on red-flag check recorded one in the parse data, or the
  intent or action says so), the apology starts with the emergency instruction (medical safety
  first). A rejection (``ActionExecutionRejection``, used by forms) is passed on unchanged. Only the
  live server runs actions, so conversation tests (`rasa test`) are not affected.
- **Result validation.** Rasa 3.6 calls ``jsonschema.validate`` on every action server response, which
  also checks the *schema itself* against the JSON Schema meta-schema each time, a large share of the
  server's time under load (README, "Benchmark"). Here the validators are built
  once, and each event is checked against the schema branch of its own type (``is_valid_result``);
  a response that fails is checked again with the whole schema and raises the same ``ValidationError``.
- **Smaller calls.** Rasa sends the whole conversation (every event, serialised anew on every call)
  to the action server. This project's actions read the slots, the latest message and the active
  form, never older events, so the call carries the events of the current turn only (from the
  latest user message on; the SDK's form validation reads the slots set at the end). Together with
  ``enable_selective_domain`` (endpoints.yml) a call no longer grows with the conversation.
"""

from __future__ import annotations

import copy
import functools
import logging
from typing import Any, Dict, List, Optional, Tuple

import rasa
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.exceptions import RasaException

from components import red_flags
from core.names import DESCRIBE_SYMPTOMS_INTENT, RED_FLAG_INTENT, SUGGEST_CAUSES_ACTION, TRIAGE_ACTION
from patches.patching import Patch

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_action_server_down"
RED_FLAG_RESPONSE = "utter_action_server_down_red_flag"
# Messages that may describe a warning sign: their apology starts with the emergency instruction.
RED_FLAG_INTENTS = frozenset({RED_FLAG_INTENT, DESCRIBE_SYMPTOMS_INTENT})
RED_FLAG_ACTIONS = frozenset({TRIAGE_ACTION, SUGGEST_CAUSES_ACTION})


def apology_for(action_name: str, intent: Optional[str], red_flag_level: Optional[str] = None) -> str:
    """Which static apology answers a failed action call. ``red_flag_level`` is what the always-on
    red-flag check (components/red_flags.py) recorded for the message, if it found anything."""
    if intent in (red_flags.EMERGENCY_INTENT, red_flags.CRISIS_INTENT):
        # Set by the red-flag check; a rule has already sent the static utter_emergency with the instruction.
        return APOLOGY_RESPONSE
    if red_flag_level is not None:
        return RED_FLAG_RESPONSE
    return RED_FLAG_RESPONSE if action_name in RED_FLAG_ACTIONS or intent in RED_FLAG_INTENTS else APOLOGY_RESPONSE


async def run_or_apologise(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    try:
        return await _original_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise
    except RasaException as error:
        latest = tracker.latest_message
        intent = (latest.intent or {}).get("name") if latest else None
        found = (latest.parse_data or {}).get(red_flags.PARSE_KEY) if latest else None
        level = found.get("level") if isinstance(found, dict) else None
        response = apology_for(self.name(), intent, level)
        logger.error(f"Custom action '{self.name()}' failed, answering with {response}: {error}")
        message = await nlg.generate(response, tracker, output_channel.name())
        if message is None:
            raise
        message["utter_action"] = response
        return [create_bot_utterance(message)]


def turn_events(tracker: Any) -> List[Dict[str, Any]]:
    """The events from the latest user message on (all events if there is none), serialised."""
    events = list(tracker.events)
    start = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
    return [event.as_dict() for event in events[start:]]


def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
    """Rasa's request body for the action server, with the current turn's events only."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = turn_events(tracker)
    body: Dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        body["domain"] = domain.as_dict()
    return body


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.lru_cache(maxsize=1)
def _event_validators() -> Optional[Tuple[Any, Dict[str, Any]]]:
    """The response schema split in two: the response without the events' ``oneOf``, and one validator
    per event type (the ``oneOf`` branch whose ``event`` is that type). None if the schema is not of
    that shape (then only the full check runs)."""
    from jsonschema.validators import validator_for

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    try:
        items = schema["properties"]["events"]["items"]
        branches = items.pop("oneOf")
        required = items["required"]
        types = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if "event" not in required or len(set(types)) != len(types):
        return None
    cls = validator_for(schema)
    return cls(schema), {name: cls(branch) for name, branch in zip(types, branches)}


def is_valid_result(result: Any) -> bool:
    """Whether the action server's response fits Rasa's schema, checked branch by branch.

    Every event must have an ``event`` string (``required``), and each ``oneOf`` branch fixes it to a
    different ``const``, so exactly one branch can match: the one of the event's type. Checking the
    response without the ``oneOf`` and then each event against its own branch therefore accepts and
    refuses exactly what the full schema does, without trying every branch on every event."""
    split = _event_validators()
    if split is None:
        return bool(_validator().is_valid(result))
    outer, by_type = split
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        branch = by_type.get(event["event"])
        if branch is None or not branch.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    from jsonschema import exceptions

    if is_valid_result(result):
        return True
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_patches = [
    Patch(RemoteAction, "run", run_or_apologise),
    Patch(RemoteAction, "_validate_action_result", validate_action_result),
    Patch(RemoteAction, "_action_call_format", action_call_format),
]
_original_run = _patches[0].original


def install() -> None:
    for patch in _patches:
        patch.install()
