"""patches/nlu_parse.py and nlu_worker.py: messages parsed in a worker process, from recent parses or on the
NLU thread, one at a time, always with Rasa's own results.

Uses the model `make test` trains (models/neck-assistant.tar.gz).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import threading
import time
import types
import warnings
from typing import Any, Dict, Iterator, List, Optional

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from patches import nlu_parse, nlu_worker
from tests.samples import MESSAGES
from tests.servers import ROOT

UNIQUE = list(dict.fromkeys(m.strip() for m in MESSAGES))  # UserMessage strips its text

pytestmark = pytest.mark.model  # the trained model (make train)


@pytest.fixture(autouse=True)
def rasa_own_behaviour(agent: Any) -> Iterator[None]:
    nlu_parse.uninstall()  # Rasa's own behaviour unless a test installs the patch
    agent.processor.__dict__.pop("_nlu_parse_cache", None)  # each test starts with no parse kept
    yield
    nlu_parse.uninstall()
    agent.processor.__dict__.pop("_nlu_parse_cache", None)


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
    nlu_parse.install()
    assert await _parse_all(agent, MESSAGES) == expected
    assert len(threads) == len(UNIQUE)  # a text repeated in MESSAGES comes from the kept parses
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
    nlu_parse.install()
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
    nlu_parse.install()
    parsed, _ = await asyncio.gather(agent.processor.parse_message(UserMessage("hello", sender_id="t")), other_turn())
    assert parsed["intent"]["name"] == "greet"


async def test_a_failing_parse_raises_in_the_turn(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, *args: Any) -> Any:
        raise ValueError("broken component")

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", broken)
    nlu_parse.install()
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
    assert warned(nlu_parse._check_for_unseen_features) == stock
    assert warned(nlu_parse._check_for_unseen_features) == stock
    assert len(stock) == sum(
        name.startswith("no_such")
        for name in [parse_data["intent"]["name"] or ""] + [e["entity"] for e in parse_data["entities"] or []]
    )


async def test_a_text_parsed_before_comes_from_the_kept_parses_as_a_copy_of_its_own(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = await _parse_all(agent, MESSAGES)
    calls: List[str] = []
    original = MessageProcessor._parse_message_with_graph

    def recording(self: Any, message: Any, *args: Any) -> Any:
        calls.append(message.text)
        return original(self, message, *args)

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", recording)
    nlu_parse.install()
    assert await _parse_all(agent, MESSAGES) == expected
    assert calls == UNIQUE
    first = await agent.processor.parse_message(UserMessage(MESSAGES[0], sender_id="t"))
    first["intent"]["name"] = "changed by the caller"
    first["entities"].append({"entity": "changed"})
    assert await _parse_all(agent, MESSAGES) == expected  # no new graph call, and no caller's change kept
    assert calls == UNIQUE
    cache = nlu_parse.cache_of(agent.processor)
    assert cache.misses == len(UNIQUE) and cache.hits == 2 * len(MESSAGES) - len(UNIQUE) + 1


async def test_a_parse_with_every_property_is_not_kept(agent: Any) -> None:
    expected = await agent.processor.parse_message(UserMessage("hi", sender_id="t"), only_output_properties=False)
    nlu_parse.install()
    for _ in range(2):
        got = await agent.processor.parse_message(UserMessage("hi", sender_id="t"), only_output_properties=False)
        assert got.keys() == expected.keys() and got["intent"] == expected["intent"]
    assert len(nlu_parse.cache_of(agent.processor)) == 0


def test_the_kept_parses_drop_the_least_recently_used_first() -> None:
    cache = nlu_parse.ParseCache(size=2)
    for text in ("a", "b"):
        cache.put(text, pickle.dumps({"text": text}))
    assert cache.get("a") == {"text": "a"}  # "a" used: "b" is now the oldest
    cache.put("c", pickle.dumps({"text": "c"}))
    assert cache.get("b") is None and cache.get("a") == {"text": "a"} and cache.get("c") == {"text": "c"}
    assert len(cache) == 2


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 1), ("0", 0), ("2", 2), (" 3 ", 3), ("", 1), ("many", 1), ("-1", 0)]
)
def test_workers_setting(value: Optional[str], expected: int) -> None:
    assert nlu_worker.workers_setting({} if value is None else {"NLU_WORKERS": value}) == expected


@pytest.fixture(scope="module")
def worker() -> Iterator[nlu_worker.NLUWorker]:
    from scripts import nlu_metrics

    archive = nlu_worker.model_archive(nlu_metrics.MODEL)
    assert archive == str(nlu_metrics.MODEL)
    assert nlu_worker.model_archive(nlu_metrics.MODEL.parent) is not None  # a folder: its newest model
    started = nlu_worker.NLUWorker(archive)
    assert started.wait_ready(300), "the NLU worker did not load the model"
    yield started
    started.close()


async def test_the_worker_process_parses_as_rasa_does(agent: Any, worker: nlu_worker.NLUWorker) -> None:
    texts = [*MESSAGES, "I have a fever and my neck is very stiff", "", "x" * 3000, "ünïcödé 🙂 <b>neck</b>"]
    expected = [await agent.processor.parse_message(UserMessage(t, sender_id="t")) for t in texts]
    assert worker.ready and worker.pids and os.getpid() not in worker.pids
    got = [pickle.loads(await worker.parse(t)) for t in texts]  # type: ignore[arg-type]
    assert got == expected


async def test_the_server_parses_in_its_worker_once_it_is_ready(agent: Any, worker: nlu_worker.NLUWorker) -> None:
    expected = await _parse_all(agent, MESSAGES)
    nlu_parse.install()
    agent.processor.__dict__["_nlu_worker"] = worker
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(MessageProcessor, "_parse_message_with_graph", _not_on_the_thread)
            assert await _parse_all(agent, MESSAGES) == expected
    finally:
        agent.processor.__dict__.pop("_nlu_worker")


def _not_on_the_thread(*args: Any) -> Any:
    raise AssertionError("parsed on the server's thread although the worker is ready")


async def test_a_dead_worker_falls_back_to_the_thread_and_is_replaced(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scripts import nlu_metrics

    expected = await _parse_all(agent, MESSAGES)
    doomed = nlu_worker.NLUWorker(str(nlu_metrics.MODEL))
    assert doomed.wait_ready(300)
    nlu_parse.install()
    agent.processor.__dict__["_nlu_worker"] = doomed
    try:
        for pid in doomed.pids:
            os.kill(pid, signal.SIGKILL)
        assert await _parse_all(agent, MESSAGES) == expected  # the lost parse and the next ones: on the thread
        assert not doomed.ready
        monkeypatch.setattr(nlu_worker, "RESTART_AFTER_SECONDS", 0.0)
        doomed.ready  # noqa: B018 (the property starts a new worker once the pause has passed)
        assert doomed.wait_ready(300) or _wait(lambda: doomed.ready, 300)
        agent.processor.__dict__.pop("_nlu_parse_cache", None)
        monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", _not_on_the_thread)
        assert await _parse_all(agent, MESSAGES) == expected
    finally:
        agent.processor.__dict__.pop("_nlu_worker")
        doomed.close()


def _wait(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_worker_exits_when_its_server_is_killed() -> None:
    """A Rasa server killed without a goodbye (SIGKILL, an OOM kill) leaves no NLU worker behind."""
    from scripts import nlu_metrics

    code = (
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from patches import nlu_worker\n"
        f"worker = nlu_worker.NLUWorker({str(nlu_metrics.MODEL)!r})\n"
        "print(*worker._pool._processes, flush=True)\n"
        "time.sleep(600)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        pids = [int(p) for p in server.stdout.readline().split()]
        assert pids and all(_alive(p) for p in pids)
    finally:
        server.kill()
        server.wait()
    assert _wait(lambda: not any(_alive(p) for p in pids), 30), f"NLU worker(s) {pids} outlived their server"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


@pytest.mark.parametrize("workers", ["1", "0"])
async def test_a_server_loading_its_model_starts_its_worker_unless_told_not_to(
    workers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the patch installed, Rasa's own model loading (``Agent.load``, as the server does) starts the
    worker beside it and waits for it (``NLU_WORKERS=0``: none, parses on the thread)."""
    from rasa.core.agent import Agent

    from scripts import nlu_metrics

    monkeypatch.setenv("NLU_WORKERS", workers)
    nlu_parse.install()
    loaded = Agent.load(str(nlu_metrics.MODEL))
    try:
        worker = nlu_parse.worker_of(loaded.processor)
        if workers == "0":
            assert worker is None
            assert (await loaded.parse_message("hi"))["intent"]["name"] == "greet"
            return
        assert worker is not None and worker.ready  # ready when the model load returns
        monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", _not_on_the_thread)
        assert (await loaded.parse_message("what causes neck spasms?"))["intent"]["name"] == "ask_causes"
    finally:
        if nlu_parse.worker_of(loaded.processor) is not None:
            nlu_parse.worker_of(loaded.processor).close()  # type: ignore[union-attr]


def test_a_process_that_cannot_start_a_worker_parses_on_its_thread(
    agent: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Sanic's worker processes (SANIC_WORKERS=2) are daemonic and may not start children; any other
    failure to start the worker must not stop the server either."""
    from scripts import nlu_metrics

    started: List[Any] = []
    monkeypatch.setattr(nlu_worker, "NLUWorker", lambda *args: started.append(args))
    monkeypatch.setattr(
        nlu_parse.multiprocessing, "current_process", lambda: types.SimpleNamespace(daemon=True, name="sanic")
    )
    processor = types.SimpleNamespace()
    assert nlu_parse.start_worker(processor, nlu_metrics.MODEL) is None  # type: ignore[arg-type]
    assert started == []
    monkeypatch.undo()

    def failing(*args: Any) -> Any:
        raise OSError("no more processes")

    monkeypatch.setattr(nlu_worker, "NLUWorker", failing)
    with caplog.at_level("ERROR"):
        assert nlu_parse.start_worker(types.SimpleNamespace(), nlu_metrics.MODEL) is None  # type: ignore[arg-type]
    assert "no more processes" in caplog.text
