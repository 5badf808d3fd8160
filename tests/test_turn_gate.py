"""The turn gate (patches/turn_gate.py): at most RASA_CONCURRENT_TURNS turns at once, the rest in arrival order."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest

from patches import turn_gate


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

    async def processing(agent: Any, message: Any) -> List[str]:  # stands in for Rasa's whole turn
        nonlocal running, peak
        started.append(message)
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)  # e.g. waiting for the action server
        running -= 1
        return [f"reply to {message}"]

    monkeypatch.setattr(turn_gate, "_original_handle_message", processing)
    monkeypatch.setattr(turn_gate, "_gates", type(turn_gate._gates)())  # a fresh gate with this setting
    replies = await asyncio.gather(*(turn_gate.handle_message(None, i) for i in range(12)))
    assert replies == [[f"reply to {i}"] for i in range(12)]
    assert peak == turns
    assert started == list(range(12))


async def test_a_failing_turn_frees_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(turn_gate.ENV, "1")

    async def processing(agent: Any, message: Any) -> str:
        if message == "bad":
            raise RuntimeError("boom")
        return "ok"

    monkeypatch.setattr(turn_gate, "_original_handle_message", processing)
    monkeypatch.setattr(turn_gate, "_gates", type(turn_gate._gates)())
    with pytest.raises(RuntimeError):
        await turn_gate.handle_message(None, "bad")
    assert await asyncio.wait_for(turn_gate.handle_message(None, "next"), 1) == "ok"
