"""patches/graph_runner.py: the cached-plan graph runner gives what Rasa's dask runner gives.

Runs the model `make test` trains (models/neck-assistant.tar.gz) both ways on the same inputs.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components import red_flags
from patches import graph_runner
from tests.samples import MESSAGES

pytestmark = pytest.mark.model  # the trained model (make train)


@pytest.fixture(autouse=True)
def rasa_own_behaviour() -> Any:
    graph_runner.uninstall()  # Rasa's own behaviour unless a test installs the patch
    yield
    graph_runner.uninstall()


def _parse(agent: Any, text: str, runner_run: Any) -> Dict[str, Any]:
    processor = agent.processor
    message = UserMessage(text, sender_id="graph-runner-test")
    tracker = DialogueStateTracker.from_events("graph-runner-test", [], processor.domain.slots)
    target = processor.model_metadata.nlu_target
    out = runner_run(
        processor.graph_runner,
        inputs={"__message__": [message], "__tracker__": tracker},
        targets=[target],
    )
    parsed = out[target][0]
    return {key: parsed.get(key) for key in ("intent", "entities", "intent_ranking", red_flags.PARSE_KEY)}


def _tracker(agent: Any, intent: str, text: str) -> DialogueStateTracker:
    slots = agent.processor.domain.slots
    events: List[Any] = [
        ActionExecuted("action_session_start"),
        SlotSet("session_started_metadata", None),
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": intent, "confidence": 0.9}),
    ]
    return DialogueStateTracker.from_events("graph-runner-test", events, slots)


def _predict(agent: Any, tracker: DialogueStateTracker, runner_run: Any) -> Any:
    processor = agent.processor
    target = processor.model_metadata.core_target
    prediction = runner_run(processor.graph_runner, inputs={"__tracker__": tracker}, targets=[target])[target]
    return prediction.policy_name, list(prediction.probabilities), prediction.events


def test_plan_has_the_nodes_rasa_would_run_each_after_what_it_needs(agent: Any) -> None:
    schema = agent.processor.graph_runner._graph_schema
    metadata = agent.processor.model_metadata
    for targets in ([metadata.nlu_target], [metadata.core_target], schema.target_names):
        plan = graph_runner.execution_plan(schema, targets)
        names = [name for name, _ in plan]
        assert len(names) == len(set(names))
        assert set(names) == set(schema.minimal_graph_schema(targets).nodes)
        seen: set = set()
        for name, needs in plan:
            assert all(need in seen for need in needs if need in schema.nodes), name
            assert needs == list(schema.nodes[name].needs.values())
            seen.add(name)


@pytest.mark.parametrize("text", MESSAGES)
def test_parse_is_the_same_as_with_dask(agent: Any, text: str) -> None:
    expected = _parse(agent, text, graph_runner._original_run)
    assert expected["intent"] is not None
    assert _parse(agent, text, graph_runner.run) == expected


@pytest.mark.parametrize(
    "intent,text",
    [
        ("greet", "hello"),
        ("ask_causes", "what causes neck spasms?"),
        ("emergency", "I can't feel my arms after a fall"),
        ("forget_me", "delete my data"),
        ("nonsense_intent_not_in_domain", "blah"),
    ],
)
def test_policy_prediction_is_the_same_as_with_dask(agent: Any, intent: str, text: str) -> None:
    expected = _predict(agent, _tracker(agent, intent, text), graph_runner._original_run)
    assert expected[0] is not None
    assert _predict(agent, _tracker(agent, intent, text), graph_runner.run) == expected


def test_plan_is_computed_once_per_target_set(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []
    original = graph_runner.execution_plan
    monkeypatch.setattr(graph_runner, "execution_plan", lambda *a: calls.append(a) or original(*a))
    runner = agent.processor.graph_runner
    runner.__dict__.pop(graph_runner.PLAN, None)
    for text in ("hi", "what causes neck spasms?", "thanks"):
        _parse(agent, text, graph_runner.run)
    assert len(calls) == 1


async def test_installed_runner_serves_a_whole_turn(agent: Any) -> None:
    graph_runner.install()
    assert DaskGraphRunner.run is graph_runner.run
    parsed = await agent.parse_message("what causes neck spasms?")
    assert parsed["intent"]["name"] == "ask_causes"


def test_a_runtime_error_in_a_node_is_a_graph_run_error(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target

    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(runner._instantiated_nodes, target, broken)
    with pytest.raises(GraphRunError):
        graph_runner.run(runner, inputs={"__message__": [UserMessage("hi")]}, targets=[target])
    with pytest.raises(GraphRunError):  # as Rasa's own runner does
        graph_runner._original_run(runner, inputs={"__message__": [UserMessage("hi")]}, targets=[target])


def test_an_input_named_like_a_node_is_refused(agent: Any) -> None:
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    with pytest.raises(GraphRunError, match="clashes"):
        graph_runner.run(runner, inputs={"__message__": target}, targets=[target])
