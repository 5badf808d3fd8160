"""patches/nlu_thread.py: messages are parsed on the NLU thread, one at a time, with Rasa's results.

Uses the model `make test` trains (models/neck-assistant.tar.gz).
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from patches import nlu_thread
from tests.samples import MESSAGES

pytestmark = pytest.mark.model  # the trained model (make train)


@pytest.fixture(autouse=True)
def rasa_own_behaviour() -> Iterator[None]:
    nlu_thread.uninstall()  # Rasa's own behaviour unless a test installs the patch
    yield
    nlu_thread.uninstall()


async def _parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    return [await agent.processor.parse_message(UserMessage(text, sender_id="t")) for text in texts]


async def test_parses_are_rasas_and_run_on_the_nlu_thread(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = await _parse_all(agent, MESSAGES)
    threads: List[str] = []
    original = MessageProcessor._parse_message_with_graph

    def recording(self: Any, *args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(self, *args)

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", recording)
    nlu_thread.install()
    assert await _parse_all(agent, MESSAGES) == expected
    assert len(threads) == len(MESSAGES)
    assert all(name.startswith("nlu") for name in threads)
    assert threading.current_thread().name not in threads


async def test_concurrent_parses_run_one_at_a_time_and_keep_their_own_results(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = MESSAGES * 3
    expected = await _parse_all(agent, texts)
    running, peak = 0, 0
    lock = threading.Lock()
    original = MessageProcessor._parse_message_with_graph

    def counting(self: Any, *args: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return original(self, *args)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", counting)
    nlu_thread.install()
    got = await asyncio.gather(*(agent.processor.parse_message(UserMessage(t, sender_id="t")) for t in texts))
    assert list(got) == expected
    assert peak == 1


async def test_the_event_loop_runs_while_a_message_is_parsed(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse waits for a signal that only the event loop can give: with the parse in the loop's
    thread (Rasa's own behaviour) this would time out."""
    loop_ran = threading.Event()
    original = MessageProcessor._parse_message_with_graph

    def waiting(self: Any, *args: Any) -> Any:
        assert loop_ran.wait(timeout=10), "the event loop was blocked during the parse"
        return original(self, *args)

    async def other_turn() -> None:
        await asyncio.sleep(0.05)
        loop_ran.set()

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", waiting)
    nlu_thread.install()
    parsed, _ = await asyncio.gather(agent.processor.parse_message(UserMessage("hello", sender_id="t")), other_turn())
    assert parsed["intent"]["name"] == "greet"


async def test_a_failing_parse_raises_in_the_turn(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, *args: Any) -> Any:
        raise ValueError("broken component")

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", broken)
    nlu_thread.install()
    with pytest.raises(ValueError, match="broken component"):
        await agent.processor.parse_message(UserMessage("hello", sender_id="t"))
    monkeypatch.undo()
    assert (await agent.processor.parse_message(UserMessage("hello", sender_id="t")))["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    "parse_data",
    [
        {"intent": {"name": "greet"}, "entities": []},
        {"intent": {"name": "no_such_intent"}, "entities": [{"entity": "cause"}]},
        {"intent": {"name": "greet"}, "entities": [{"entity": "no_such_entity"}, {"entity": "body_part"}]},
        {"intent": {"name": None}, "entities": None},
    ],
)
def test_unseen_feature_warnings_are_rasas(agent: Any, parse_data: Dict[str, Any]) -> None:
    """The check with the domain's emptiness worked out once warns exactly as Rasa's own method, on the
    first call and on later ones (the cached emptiness)."""

    def warned(check: Any) -> List[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check(agent.processor, parse_data)
        return [str(w.message) for w in caught]

    stock = warned(MessageProcessor._check_for_unseen_features)
    assert warned(nlu_thread._check_for_unseen_features) == stock
    assert warned(nlu_thread._check_for_unseen_features) == stock
    assert len(stock) == sum(
        name.startswith("no_such")
        for name in [parse_data["intent"]["name"] or ""] + [e["entity"] for e in parse_data["entities"] or []]
    )
