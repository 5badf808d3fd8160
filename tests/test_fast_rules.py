"""policies/fast_rules.py: the RulePolicy subclass predicts what Rasa's RulePolicy predicts.

The look-up of which rules could match a message read by its text needs no model; the comparison with
Rasa's own predictions uses the model `make test` trains (models/neck-assistant.tar.gz).
"""

from __future__ import annotations

import pathlib
from typing import Any, Iterator, List

import pytest
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from core.lru import LRU
from policies.fast_rules import KEPT_LOOKUPS, FastRulePolicy, frozen, text_pass_may_match

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("last_state", "may_match"),
    [
        ({"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}, False),
        ({"prev_action": {"action_name": "action_listen"}, "user": {"entities": ("cause",)}}, False),
        ({"prev_action": {"action_name": "utter_greet"}}, False),
        ({"prev_action": {"action_name": "action_listen"}, "user": {"text": "hello"}}, True),
        ({"prev_action": {"action_name": "action_listen"}}, True),
        ({"user": {"intent": "should_not_be_set"}}, True),
        ({"active_loop": {"name": "symptom_interview_form"}}, True),
    ],
)
def test_which_rules_could_match_a_message_read_by_its_text(last_state: Any, may_match: bool) -> None:
    assert text_pass_may_match(last_state) is may_match


def _policy(agent: Any) -> FastRulePolicy:
    nodes = agent.processor.graph_runner._instantiated_nodes
    (node,) = [node for name, node in nodes.items() if "RulePolicy" in name]
    assert isinstance(node._component, FastRulePolicy)  # config.yml names the subclass
    return node._component


def _trackers(agent: Any) -> Iterator[DialogueStateTracker]:
    """The tracker before every action of the stories (data and conversation tests), and one new
    conversation per intent of the domain."""
    domain = agent.domain
    files = [ROOT / "tests" / "test_stories.yml", *sorted((ROOT / "data" / "stories").glob("*.yml"))]
    for path in files:
        for step in YAMLStoryReader(domain).read_from_file(path):
            events: List[Event] = [ActionExecuted("action_listen")]
            for event in step.events:
                if isinstance(event, ActionExecuted):
                    yield DialogueStateTracker.from_events("t", list(events), domain.slots)
                events.append(event)
    for intent in domain.intents:
        start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        yield DialogueStateTracker.from_events("t", [*start, UserUttered("x", {"name": intent})], domain.slots)


@pytest.mark.model
def test_predictions_are_rasas_and_the_text_pass_is_skipped(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = _policy(agent)
    assert not policy._text_pass_needed()  # the project's rules are all written with intents
    passes: List[bool] = []
    original = RulePolicy._find_action_from_rules

    def counting(self: Any, tracker: Any, domain: Any, use_text_for_last_user_input: bool) -> Any:
        passes.append(use_text_for_last_user_input)
        return original(self, tracker, domain, use_text_for_last_user_input)

    monkeypatch.setattr(RulePolicy, "_find_action_from_rules", counting)
    trackers = list(_trackers(agent))
    assert len(trackers) > 100
    ours_text = stock_text = 0
    assert policy._kept_keys is not None  # a loaded policy keeps its rule look-ups
    for _ in range(2):  # the second time round, every rule look-up comes from the kept results
        for tracker in trackers:
            passes.clear()
            ours = policy.predict_action_probabilities(tracker, agent.domain)
            ours_text += passes.count(True)
            passes.clear()
            kept = policy._kept_keys
            policy._text_rules = (policy.lookup[RULES], True)  # as stock RulePolicy: both passes,
            policy._kept_keys = None  # and every rule look-up made anew
            try:
                stock = policy.predict_action_probabilities(tracker, agent.domain)
            finally:
                policy._text_rules, policy._kept_keys = None, kept
            stock_text += passes.count(True)
            assert ours == stock, tracker.events
    assert ours_text == 0
    assert stock_text > 50  # the comparison covered messages that stock Rasa reads by their text too
    assert policy._kept_keys and len(policy._kept_keys) <= KEPT_LOOKUPS


def test_kept_rule_look_ups_are_the_look_ups_and_callers_get_their_own_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []

    def look_up(self: Any, lookup: Any, states: Any) -> Any:
        calls.append(states)
        return {key for key in lookup if key.startswith(states[-1]["user"]["intent"])}

    monkeypatch.setattr(RulePolicy, "_get_possible_keys", look_up)
    policy = FastRulePolicy.__new__(FastRulePolicy)
    table = {"greet-1": "utter_greet", "greet-2": "utter_greet", "thank": "utter_welcome"}
    greet = [{"user": {"intent": "greet", "entities": ("cause",)}, "slots": {"a": (1.0,)}}]
    assert policy._get_possible_keys(table, greet) == {"greet-1", "greet-2"}  # training: no kept look-ups
    assert policy._get_possible_keys(table, greet) == {"greet-1", "greet-2"} and len(calls) == 2
    policy._kept_keys = LRU(KEPT_LOOKUPS)
    first = policy._get_possible_keys(table, greet)
    first.add("changed by the caller")
    same_states = [{"slots": {"a": (1.0,)}, "user": {"entities": ("cause",), "intent": "greet"}}]
    assert policy._get_possible_keys(table, same_states) == {"greet-1", "greet-2"} and len(calls) == 3
    thank = [{"user": {"intent": "thank"}}]
    assert policy._get_possible_keys(table, thank) == {"thank"} and len(calls) == 4
    other_table = dict(table)
    assert policy._get_possible_keys(other_table, thank) == {"thank"} and len(calls) == 5


def test_frozen_states_are_equal_exactly_when_the_states_are() -> None:
    a = [{"user": {"intent": "greet", "entities": ("cause", "body_part")}, "slots": {"x": (1.0,)}}]
    b = [{"slots": {"x": (1.0,)}, "user": {"entities": ("cause", "body_part"), "intent": "greet"}}]
    c = [{"user": {"intent": "greet", "entities": ("body_part", "cause")}, "slots": {"x": (1.0,)}}]
    assert frozen(a) == frozen(b) and hash(frozen(a)) == hash(frozen(b))
    assert frozen(a) != frozen(c)  # the order of a tuple is part of the state
    assert frozen(a) != frozen([*a, {}])


@pytest.mark.model
def test_default_intents_still_trigger_their_actions(agent: Any) -> None:
    """Rasa's validator warns for a RulePolicy subclass that 'restart' will not trigger action_restart."""
    policy = _policy(agent)
    start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("t", [*start, UserUttered("/restart", {"name": "restart"})])
    prediction = policy.predict_action_probabilities(tracker, agent.domain)
    assert agent.domain.action_names_or_texts[prediction.max_confidence_index] == "action_restart"


def test_training_checks_that_the_fallback_action_is_in_the_domain(tmp_path: pathlib.Path) -> None:
    """Rasa's validator makes this check for RulePolicy itself only; RulePolicy's training makes it too."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.domain import Domain, InvalidDomain

    config = {**FastRulePolicy.get_default_config(), "core_fallback_action_name": "action_not_in_domain"}
    policy = FastRulePolicy.create(
        config, LocalModelStorage(tmp_path), Resource("rules"), ExecutionContext(GraphSchema({}), "test")
    )
    with pytest.raises(InvalidDomain, match="action_not_in_domain"):
        policy.train([], Domain.empty())
