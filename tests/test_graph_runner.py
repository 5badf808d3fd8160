"""patches/graph_runner.py: the cached-plan graph runner gives what Rasa's dask runner gives.

Runs the model `make test` trains (models/neck-assistant.tar.gz) both ways on the same inputs: the
shared ``agent`` loaded by stock Rasa (``DaskGraphRunner``), and ``planned``, the same model loaded by
Rasa's own ``MessageProcessor`` while the patch is installed (so through ``PlannedGraphRunner.create``).
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import rasa.core.processor
import rasa.model_training
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components import red_flags
from patches import graph_runner
from patches.graph_runner import PlannedGraphRunner
from tests.samples import MESSAGES

pytestmark = pytest.mark.model  # the trained model (make train)

DASK_RUN = DaskGraphRunner.run  # Rasa's own method: the patch must never replace it


@pytest.fixture(autouse=True)
def rasa_own_behaviour() -> Any:
    graph_runner.uninstall()  # Rasa's own behaviour unless a test installs the patch
    yield
    graph_runner.uninstall()


@pytest.fixture(scope="module")
def planned() -> Any:
    """The model loaded by Rasa's MessageProcessor with the patch installed (then uninstalled again)."""
    from scripts import nlu_metrics

    graph_runner.install()
    try:
        loaded = nlu_metrics.load_agent(nlu_metrics.MODEL)
    finally:
        graph_runner.uninstall()
    assert type(loaded.processor.graph_runner) is PlannedGraphRunner
    return loaded


@pytest.fixture
def stock(agent: Any) -> Any:
    """The shared agent, checked to run on Rasa's own dask runner."""
    assert type(agent.processor.graph_runner) is DaskGraphRunner
    return agent


def _parse(agent: Any, text: str) -> Dict[str, Any]:
    processor = agent.processor
    message = UserMessage(text, sender_id="graph-runner-test")
    tracker = DialogueStateTracker.from_events("graph-runner-test", [], processor.domain.slots)
    target = processor.model_metadata.nlu_target
    out = processor.graph_runner.run(inputs={"__message__": [message], "__tracker__": tracker}, targets=[target])
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


def _predict(agent: Any, tracker: DialogueStateTracker) -> Any:
    processor = agent.processor
    target = processor.model_metadata.core_target
    prediction = processor.graph_runner.run(inputs={"__tracker__": tracker}, targets=[target])[target]
    return prediction.policy_name, list(prediction.probabilities), prediction.events


def test_the_runner_is_a_graph_runner_of_its_own() -> None:
    assert issubclass(PlannedGraphRunner, GraphRunner)
    assert not issubclass(PlannedGraphRunner, DaskGraphRunner)
    assert not PlannedGraphRunner.__abstractmethods__


def test_install_points_the_servers_loader_at_it_and_uninstall_restores_dask() -> None:
    assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner
    graph_runner.install()
    assert rasa.core.processor.DaskGraphRunner is PlannedGraphRunner
    assert DaskGraphRunner.run is DASK_RUN  # Rasa's class untouched
    assert rasa.model_training.DaskGraphRunner is DaskGraphRunner  # training keeps dask
    graph_runner.uninstall()
    assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner
    assert DaskGraphRunner.run is DASK_RUN


def test_plan_has_the_nodes_rasa_would_run_each_after_what_it_needs(stock: Any) -> None:
    schema = stock.processor.graph_runner._graph_schema
    metadata = stock.processor.model_metadata
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


def test_both_runners_have_the_same_graph(stock: Any, planned: Any) -> None:
    dask_runner, planned_runner = stock.processor.graph_runner, planned.processor.graph_runner
    assert planned_runner._graph_schema == dask_runner._graph_schema
    assert set(planned_runner._instantiated_nodes) == set(dask_runner._instantiated_nodes)


@pytest.mark.parametrize("text", MESSAGES)
def test_parse_is_the_same_as_with_dask(stock: Any, planned: Any, text: str) -> None:
    expected = _parse(stock, text)
    assert expected["intent"] is not None
    assert _parse(planned, text) == expected


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
def test_policy_prediction_is_the_same_as_with_dask(stock: Any, planned: Any, intent: str, text: str) -> None:
    expected = _predict(stock, _tracker(stock, intent, text))
    assert expected[0] is not None
    assert _predict(planned, _tracker(planned, intent, text)) == expected


def test_plan_is_computed_once_per_target_set(planned: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []
    original = graph_runner.execution_plan
    monkeypatch.setattr(graph_runner, "execution_plan", lambda *a: calls.append(a) or original(*a))
    monkeypatch.setattr(planned.processor.graph_runner, "_plans", {})
    for text in ("hi", "what causes neck spasms?", "thanks"):
        _parse(planned, text)
    assert len(calls) == 1


async def test_the_planned_runner_serves_a_whole_turn(planned: Any) -> None:
    parsed = await planned.parse_message("what causes neck spasms?")
    assert parsed["intent"]["name"] == "ask_causes"


@pytest.mark.parametrize("which", ["stock", "planned"])
def test_a_runtime_error_in_a_node_is_a_graph_run_error(
    which: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = request.getfixturevalue(which)  # the planned runner as Rasa's own does
    runner = loaded.processor.graph_runner
    target = loaded.processor.model_metadata.nlu_target

    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(runner._instantiated_nodes, target, broken)
    with pytest.raises(GraphRunError):
        runner.run(inputs={"__message__": [UserMessage("hi")]}, targets=[target])


@pytest.mark.parametrize("which", ["stock", "planned"])
def test_an_input_named_like_a_node_is_refused(which: str, request: pytest.FixtureRequest) -> None:
    loaded = request.getfixturevalue(which)  # the planned runner as Rasa's own does
    target = loaded.processor.model_metadata.nlu_target
    with pytest.raises(GraphRunError, match="clashes"):
        loaded.processor.graph_runner.run(inputs={"__message__": target}, targets=[target])
