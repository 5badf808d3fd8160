"""policies/rule_states.py: the kept conversation states are Rasa's own, however the conversation goes on."""

from __future__ import annotations

import copy
import pathlib
from typing import Any, Iterator, List

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from policies.rule_states import StateHistory

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def stories(domain: Domain) -> Iterator[List[Event]]:
    """The events of every story, rule and conversation test, each opened as a live conversation is."""
    files = [ROOT / "tests" / "test_stories.yml", *sorted((ROOT / "data").glob("[rs]*/*.yml"))]
    for path in files:
        for step in YAMLStoryReader(domain).read_from_file(path):
            yield [
                ActionExecuted("action_session_start"),
                SessionStarted(),
                ActionExecuted("action_listen"),
                *step.events,
            ]


def rasas(tracker: DialogueStateTracker, domain: Domain) -> List[Any]:
    return domain.states_for_tracker_history(tracker)


def test_the_states_after_every_event_of_every_story_are_rasas(rasa_domain: Domain) -> None:
    history = StateHistory()
    checked = 0
    for events in stories(rasa_domain):
        tracker = DialogueStateTracker("s", rasa_domain.slots)
        for event in events:
            tracker.update(event)
            assert history.states(tracker, rasa_domain) == rasas(tracker, rasa_domain)
            checked += 1
    assert checked > 400


def test_the_known_events_are_not_replayed_again(rasa_domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    history = StateHistory()
    tracker = DialogueStateTracker("s", rasa_domain.slots)
    events = next(stories(rasa_domain))
    for event in events:
        tracker.update(event)
    history.states(tracker, rasa_domain)
    replayed: List[Event] = []
    original = DialogueStateTracker.update

    def counting(self: DialogueStateTracker, event: Event, domain: Any = None) -> None:
        replayed.append(event)
        original(self, event, domain)

    monkeypatch.setattr(DialogueStateTracker, "update", counting)
    new = [ActionExecuted("utter_greet"), ActionExecuted("action_listen")]
    for event in new:
        tracker.update(event)
    replayed.clear()
    ours = history.states(tracker, rasa_domain)
    assert replayed == new  # the new events only
    replayed.clear()
    assert ours == rasas(tracker, rasa_domain)
    assert len(replayed) == len(tracker.applied_events())  # Rasa's: all of them
    replayed.clear()
    history.states(tracker, rasa_domain)
    assert replayed == []


@pytest.mark.parametrize(
    "turn",
    [
        [UserUtteranceReverted()],
        [ActionReverted()],
        [Restarted(), ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [SlotSet("cause", "stress"), ActiveLoop("symptom_interview_form"), ActionExecuted("symptom_interview_form")],
        [UserUttered("hi", {"name": "greet"}, [{"entity": "cause", "value": "stress", "start": 0, "end": 2}])],
    ],
)
def test_rewinds_restarts_and_new_sessions_give_rasas_states(rasa_domain: Domain, turn: List[Event]) -> None:
    history = StateHistory()
    for events in list(stories(rasa_domain))[:40]:
        tracker = DialogueStateTracker("s", rasa_domain.slots)
        for event in events:
            tracker.update(event)
        history.states(tracker, rasa_domain)
        for event in copy.deepcopy(turn):
            tracker.update(event)
            assert history.states(tracker, rasa_domain) == rasas(tracker, rasa_domain)


def test_a_conversation_read_again_from_the_database_is_replayed_whole(rasa_domain: Domain) -> None:
    history = StateHistory()
    events = next(stories(rasa_domain))
    first = DialogueStateTracker.from_events("s", events, rasa_domain.slots)
    history.states(first, rasa_domain)
    # the same conversation with other event objects, one of them different: the kept states do not apply
    changed = [copy.deepcopy(e) for e in events]
    index = next(i for i, e in enumerate(changed) if isinstance(e, UserUttered))
    changed[index] = UserUttered("hello", {"name": "thank"})
    again = DialogueStateTracker.from_events("s", changed, rasa_domain.slots)
    assert history.states(again, rasa_domain) == rasas(again, rasa_domain) != rasas(first, rasa_domain)


def test_callers_changing_the_states_change_nothing_kept(rasa_domain: Domain) -> None:
    history = StateHistory()
    tracker = DialogueStateTracker.from_events("s", next(stories(rasa_domain)), rasa_domain.slots)
    expected = rasas(tracker, rasa_domain)
    states = history.states(tracker, rasa_domain)
    states[-1].clear()  # as RulePolicy's featurizer does to the last state
    states.append({})
    assert history.states(tracker, rasa_domain) == expected


def test_conversations_are_kept_apart_and_the_oldest_dropped(rasa_domain: Domain) -> None:
    history = StateHistory(size=2)
    all_events = list(stories(rasa_domain))[:3]
    trackers = [DialogueStateTracker.from_events(f"s{i}", e, rasa_domain.slots) for i, e in enumerate(all_events)]
    for tracker in trackers:
        assert history.states(tracker, rasa_domain) == rasas(tracker, rasa_domain)
    assert len(history._kept) == 2
    for tracker in reversed(trackers):
        assert history.states(tracker, rasa_domain) == rasas(tracker, rasa_domain)


@pytest.mark.model
def test_the_loaded_policy_gives_rasas_prediction_states(agent: Any) -> None:
    nodes = agent.processor.graph_runner._instantiated_nodes
    (node,) = [node for name, node in nodes.items() if "RulePolicy" in name]
    policy = node._component
    assert policy._state_history is not None  # a loaded policy keeps the states
    domain = agent.domain
    checked = 0
    for events in stories(domain):
        tracker = DialogueStateTracker("s", domain.slots)
        for event in events:
            tracker.update(event)
            for text in (False, True):
                ours = policy._prediction_states(tracker, domain, text, policy._get_rule_only_data())
                stock = RulePolicy._prediction_states(policy, tracker, domain, text, policy._get_rule_only_data())
                assert ours == stock
                checked += 1
    assert checked > 800
