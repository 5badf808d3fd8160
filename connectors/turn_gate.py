"""A few conversation turns at a time per Rasa process, the others waiting in arrival order.

Rasa starts every incoming message as soon as it arrives. One turn is mostly CPU work in the one
Python thread (NLU, policies, the tracker store), with a pause while the action server answers, so
ten turns started together share the CPU in slices and finish together, late; a turn with several
custom actions waits for a slice after each one, so the slowest replies are several times the median.
Letting ``RASA_CONCURRENT_TURNS`` turns run at once and queueing the rest first come, first served,
keeps throughput and brings the slowest replies close to the median (README, "Benchmark", has the
measurements). The default is 4: one turn's message in the NLU worker process
(``patches/nlu_parse.py``), one turn on the event loop, others waiting for the action server.

The gate is part of the project's channels, Rasa's seam for how messages come in: each channel in
``connectors/`` (REST, web chat, Telegram, Slack, Facebook Messenger, Twilio) hands its ``blueprint``
the ``on_new_message`` callback wrapped by :func:`gated`. The wait happens before Rasa's
per-conversation lock, so a queued message holds no lock. One gate per event loop (per process).
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from typing import Any, Awaitable, Callable, Optional, TypeVar

logger = logging.getLogger(__name__)

ENV = "RASA_CONCURRENT_TURNS"
DEFAULT_TURNS = 4

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def concurrent_turns(value: Optional[str] = None) -> int:
    """How many turns may run at once: ``RASA_CONCURRENT_TURNS`` (a whole number >= 1) or the default."""
    raw = os.environ.get(ENV, "") if value is None else value
    if not raw.strip():
        return DEFAULT_TURNS
    try:
        turns = int(raw)
    except ValueError:
        turns = 0
    if turns < 1:
        logger.warning(f"{ENV}={raw!r} is not a whole number >= 1; using {DEFAULT_TURNS}")
        return DEFAULT_TURNS
    return turns


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(concurrent_turns())
    return gate


T = TypeVar("T")


def gated(on_new_message: Callable[[Any], Awaitable[T]]) -> Callable[[Any], Awaitable[T]]:
    """``on_new_message`` behind the process's turn gate: at most ``concurrent_turns()`` at once, the
    others started in arrival order."""

    async def on_new_message_gated(message: Any) -> T:
        async with _gate():
            return await on_new_message(message)

    on_new_message_gated.gated = True  # type: ignore[attr-defined]
    return on_new_message_gated
