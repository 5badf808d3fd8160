"""The turn gate (connectors/turn_gate.py): at most RASA_CONCURRENT_TURNS turns at once, the rest in
arrival order, in front of every project channel."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any, List

import pytest
from rasa.core.run import _create_single_channel

from connectors import turn_gate
from scripts.channels import build
from tests import live_servers


@pytest.fixture(autouse=True)
def fresh_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turn_gate, "_gates", type(turn_gate._gates)())  # a gate with this test's setting


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 4), ("1", 1), ("2", 2), (" 3 ", 3), ("0", 4), ("-1", 4), ("many", 4)],
)
def test_concurrent_turns_setting(value: str, expected: int) -> None:
    assert turn_gate.concurrent_turns(value) == expected


@pytest.mark.parametrize("turns", [1, 2, 3])
async def test_at_most_n_turns_run_at_once_and_the_rest_start_in_arrival_order(
    turns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(turn_gate.ENV, str(turns))
    running, peak = 0, 0
    started: List[Any] = []

    async def processing(message: Any) -> List[str]:  # stands in for Rasa's whole turn
        nonlocal running, peak
        started.append(message)
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)  # e.g. waiting for the action server
        running -= 1
        return [f"reply to {message}"]

    handle = turn_gate.gated(processing)
    replies = await asyncio.gather(*(handle(i) for i in range(12)))
    assert replies == [[f"reply to {i}"] for i in range(12)]
    assert peak == turns
    assert started == list(range(12))


async def test_a_failing_turn_frees_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(turn_gate.ENV, "1")

    async def processing(message: Any) -> str:
        if message == "bad":
            raise RuntimeError("boom")
        return "ok"

    handle = turn_gate.gated(processing)
    with pytest.raises(RuntimeError):
        await handle("bad")
    assert await asyncio.wait_for(handle("next"), 1) == "ok"


def test_every_project_channel_puts_its_messages_behind_the_gate(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Each channel the credentials generator can switch on (all platforms configured), created as Rasa
    creates it, hands its routes the gated ``on_new_message``."""
    fake = live_servers.FakePlatforms()  # Telegram registers its webhook when its routes are built
    server = fake.serve()
    request.addfinalizer(server.shutdown)
    env = live_servers.platform_env(fake, 5005)
    for variable, value in env.items():  # the API URLs are read from the environment, as in the server
        monkeypatch.setenv(variable, value)
    credentials, enabled = build(env)
    assert len(credentials) == 6 and len(enabled) == 4
    wrapped: List[Any] = []

    def recording(on_new_message: Any) -> Any:
        wrapped.append(on_new_message)
        return turn_gate.gated(on_new_message)

    for name in credentials:
        monkeypatch.setattr(importlib.import_module(name.rsplit(".", 1)[0]), "gated", recording)

    async def on_new_message(message: Any) -> None:
        return None

    for name, settings in credentials.items():
        before = len(wrapped)
        _create_single_channel(name, settings).blueprint(on_new_message)
        assert wrapped[before:] == [on_new_message], f"{name} does not gate its messages"
