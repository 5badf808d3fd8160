"""A few conversation turns at a time per Rasa process, the others waiting in arrival order.

Rasa starts every incoming message as soon as it arrives. One turn is mostly CPU work in the one
Python thread (NLU, policies, the tracker store), with a pause while the action server answers, so
ten turns started together share the CPU in slices and finish together, late; a turn with several
custom actions waits for a slice after each one. Under ``make bench`` (10 concurrent conversations,
one process) p95 latency was 3-4 times the median for that reason. Letting ``RASA_CONCURRENT_TURNS``
turns run at once and queueing the rest first come, first served, kept throughput and cut p95 to about
1.3 times the median (README, "Benchmark"). The default is 4: one turn's message in TensorFlow on the
NLU thread (``patches/nlu_thread.py``), one turn on the event loop, others waiting for the action
server. Against 2, it gave about 9 % more messages per second at the same or lower p95 (five paired
``make bench`` runs).

The gate wraps ``Agent.handle_message``, which every channel (REST, socket.io, Telegram, ...) calls,
outside Rasa's per-conversation lock, so a queued message holds no lock. ``install()`` is called by
``patches.install`` when the project's Rasa server starts (``scripts/run_rasa.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from typing import Any, Optional

from rasa.core.agent import Agent

from patches.patching import Patch

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


async def handle_message(self: Agent, message: Any) -> Any:
    async with _gate():
        return await _original_handle_message(self, message)


_patch = Patch(Agent, "handle_message", handle_message)
_original_handle_message = _patch.original
install = _patch.install
