"""Message parsing on its own thread, so TensorFlow runs beside the event loop instead of inside it.

Rasa parses a message (the NLU graph: spaCy, featurizers, DIET, the red-flag check) synchronously in
the event loop's thread. DIET's TensorFlow graph, a good part of a turn's CPU time, does not hold
Python's GIL while it runs, but nothing else can use that time: the loop is blocked in the call.

``install()`` replaces ``MessageProcessor.parse_message`` with :func:`parse_message`, which is Rasa's
method with the graph call handed to one dedicated thread (``concurrent.futures``, one worker, so
parses still run one at a time, in arrival order, as before). While one turn's message is in
TensorFlow on that thread, the loop serves the other turns (policies, tracker store, action calls)
on the second core. Everything else is unchanged: the same graph, inputs and outputs. The
conversation's tracker is not touched meanwhile, because the turn holds the conversation's lock while
it waits for its parse.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
from typing import Any, Dict, Optional

import rasa.shared.utils.io
import structlog
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_URL_DOMAINS
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from patches.patching import Patch

structlogger = structlog.get_logger()

_executor: Optional[concurrent.futures.ThreadPoolExecutor] = None


def _nlu_executor() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
    return _executor


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """Rasa 3.6's ``MessageProcessor.parse_message``, with the NLU graph run on the NLU thread."""
    if self.http_interpreter:
        parse_data = await self.http_interpreter.parse(message)
    else:
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        parse_data = await asyncio.get_running_loop().run_in_executor(
            _nlu_executor(), self._parse_message_with_graph, message, tracker, only_output_properties
        )

    self._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    _check_for_unseen_features(self, parse_data)
    return parse_data


def _check_for_unseen_features(self: MessageProcessor, parse_data: Dict[str, Any]) -> None:
    """Rasa 3.6's ``MessageProcessor._check_for_unseen_features``, with the domain's emptiness worked
    out once per domain: Rasa's ``Domain.is_empty`` builds an empty Domain and serialises both on every
    message."""
    domain = self.domain
    known = getattr(self, "_domain_emptiness", None)
    if known is None or known[0] is not domain:
        known = (domain, not domain or domain.is_empty())
        self._domain_emptiness = known
    if known[1]:
        return
    intent = parse_data["intent"][INTENT_NAME_KEY]
    if intent and intent not in domain.intents:
        rasa.shared.utils.io.raise_warning(
            f"Parsed an intent '{intent}' which is not defined in the domain. "
            f"Please make sure all intents are listed in the domain.",
            docs=DOCS_URL_DOMAINS,
        )
    for element in parse_data["entities"] or []:
        entity = element["entity"]
        if entity and entity not in domain.entities:
            rasa.shared.utils.io.raise_warning(
                f"Parsed an entity '{entity}' which is not defined in the domain. "
                f"Please make sure all entities are listed in the domain.",
                docs=DOCS_URL_DOMAINS,
            )


_patch = Patch(MessageProcessor, "parse_message", parse_message)
install, uninstall = _patch.install, _patch.uninstall
