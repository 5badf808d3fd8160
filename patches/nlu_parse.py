"""Message parsing off the event loop: in a worker process, or on a thread, with recent parses kept.

Rasa parses a message (the NLU graph: spaCy, featurizers, DIET, the red-flag check) synchronously in
the event loop's thread, and the Rasa server is one Python process: under load, its GIL is the limit
while the machine's second core waits. ``install()`` changes two methods of ``MessageProcessor``:

- ``__init__``: after Rasa has loaded the model, start an NLU worker process with the same model
  archive (``patches/nlu_worker.py``; ``NLU_WORKERS`` processes, 1 by default, 0 for none).
- ``parse_message``: Rasa's method with the graph call made
  1. from the recent parses, when the same text was parsed before (``NLU_CACHE_SIZE`` texts, least
     recently used dropped first; "hi", "yes", "thanks" are most of a chat's repeats). The NLU graph's
     output depends on the text alone (its only input is the message; no component reads the
     conversation, a clock or a random number), and each caller gets its own copy;
  2. else in the worker process, once it has loaded the model;
  3. else on one dedicated thread (``concurrent.futures``, one worker, so parses run one at a time, in
     arrival order), where TensorFlow, which releases the GIL, runs beside the event loop.

Everything else is unchanged: the same graph, inputs and outputs (the tests compare each path with
Rasa's own). Parses asked with every property (``only_output_properties=False``, which include the
message id and metadata) always take the thread. The conversation's tracker is not touched meanwhile,
because the turn holds the conversation's lock while it waits for its parse.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import inspect
import logging
import multiprocessing
import pickle
import weakref
from typing import Any, Dict, Optional

import rasa.shared.utils.io
import structlog
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_URL_DOMAINS
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from core.lru import LRU
from core.names import NLU_CACHE_SIZE
from patches import nlu_worker
from patches.patching import Patch

structlogger = structlog.get_logger()
logger = logging.getLogger(__name__)

_executor: Optional[concurrent.futures.ThreadPoolExecutor] = None
WORKER_START_SECONDS = 120.0  # the longest the server's start waits for its NLU worker


def _nlu_executor() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
    return _executor


class ParseCache(LRU[str, bytes]):
    """The latest ``size`` parses by exact text, pickled (each ``get`` returns a fresh copy)."""

    def __init__(self, size: int = NLU_CACHE_SIZE) -> None:
        super().__init__(size)
        self.hits = self.misses = 0

    def get(self, text: str) -> Optional[Dict[str, Any]]:  # type: ignore[override]
        pickled = super().get(text)
        if pickled is None:
            self.misses += 1
            return None
        self.hits += 1
        return pickle.loads(pickled)


def cache_of(processor: MessageProcessor) -> ParseCache:
    """The processor's own cache (a new model comes with a new processor, so with an empty cache)."""
    cache = processor.__dict__.get("_nlu_parse_cache")
    if cache is None:
        cache = processor.__dict__["_nlu_parse_cache"] = ParseCache()
    return cache


def worker_of(processor: MessageProcessor) -> Optional[nlu_worker.NLUWorker]:
    return processor.__dict__.get("_nlu_worker")


def start_worker(processor: MessageProcessor, model_path: Any) -> Optional[nlu_worker.NLUWorker]:
    """Start the processor's NLU worker for the model at ``model_path`` (``NLU_WORKERS`` processes),
    closed with the processor."""
    workers = nlu_worker.workers_setting()
    archive = nlu_worker.model_archive(model_path)
    if workers < 1 or archive is None or worker_of(processor) is not None:
        return worker_of(processor)
    if multiprocessing.current_process().daemon:
        # Sanic's worker processes (SANIC_WORKERS > 1) are daemonic, and Python lets no daemonic process start
        # a child: each of them already is a process of its own, so it parses on its own thread.
        logger.info("Rasa runs in a Sanic worker process, which cannot start an NLU worker: parsing on a thread.")
        return None
    try:
        worker = nlu_worker.NLUWorker(archive, workers)
    except Exception as error:  # the server must start whatever happens here: it then parses on its thread
        logger.error(f"Could not start the NLU worker, parsing on the server's own thread: {error!r}")
        return None
    processor.__dict__["_nlu_worker"] = worker
    weakref.finalize(processor, worker.close)
    return worker


def processor_init(self: MessageProcessor, model_path: Any, *args: Any, **kwargs: Any) -> None:
    """Rasa's ``MessageProcessor.__init__``, which loads the model, while the NLU worker loads the same
    model on the other core; then a wait (``WORKER_START_SECONDS`` at most) for the worker, so that the
    server answers its first messages at full speed. A server with a remote NLU (``http_interpreter``)
    starts none."""
    arguments = inspect.signature(_init_patch.original).bind(self, model_path, *args, **kwargs).arguments
    if arguments.get("http_interpreter") is None:
        start_worker(self, model_path)
    _init_patch.original(self, model_path, *args, **kwargs)
    worker = worker_of(self)
    if worker is not None and not worker.wait_ready(WORKER_START_SECONDS):
        structlogger.warning("nlu_parse.worker.not_ready", seconds=WORKER_START_SECONDS)


async def _parse_with_graph(
    self: MessageProcessor, message: UserMessage, tracker: DialogueStateTracker, only_output_properties: bool
) -> Dict[str, Any]:
    text = message.text
    if not only_output_properties or not isinstance(text, str):
        return await asyncio.get_running_loop().run_in_executor(
            _nlu_executor(), self._parse_message_with_graph, message, tracker, only_output_properties
        )
    cache = cache_of(self)
    kept = cache.get(text)
    if kept is not None:
        return kept
    worker = worker_of(self)
    pickled = await worker.parse(text) if worker is not None else None
    if pickled is not None:
        parse_data = pickle.loads(pickled)
    else:
        parse_data = await asyncio.get_running_loop().run_in_executor(
            _nlu_executor(), self._parse_message_with_graph, message, tracker, True
        )
        pickled = pickle.dumps(parse_data, protocol=pickle.HIGHEST_PROTOCOL)
    cache.put(text, pickled)
    return parse_data


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """Rasa 3.6's ``MessageProcessor.parse_message``, with the NLU graph run off the event loop."""
    if self.http_interpreter:
        parse_data = await self.http_interpreter.parse(message)
    else:
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        parse_data = await _parse_with_graph(self, message, tracker, only_output_properties)

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
_init_patch = Patch(MessageProcessor, "__init__", processor_init)


def install() -> None:
    _patch.install()
    _init_patch.install()


def uninstall() -> None:
    _patch.uninstall()
    _init_patch.uninstall()
