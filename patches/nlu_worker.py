"""A process of its own that parses messages with the Rasa server's model (used by ``patches/nlu_parse.py``).

The Rasa server is one Python process: its event loop (HTTP, tracker store, policies, action calls)
and the NLU graph (spaCy, featurizers, DIET, the red-flag check) share one GIL, and under load that
GIL, not the machine, is the limit. An :class:`NLUWorker` runs the same NLU graph in a separate
process, started with ``spawn`` (a fresh interpreter; TensorFlow is not safe to fork), which loads the
same model archive with the same graph runner and returns Rasa's own parse result
(``MessageProcessor._parse_message_with_graph`` on the loaded runner). Parses are sent one at a time,
in arrival order, to ``workers`` processes (``NLU_WORKERS``; 1 by default).

The worker loads its model in the background (some seconds): until it is ready, and whenever it fails
(a killed process, a model that would not load), the caller parses on its own thread as before, so no
message waits for or is lost with a worker. A worker exits by itself when the Rasa server that started
it is gone, even if that server was killed without a goodbye.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import pickle
import threading
import time
import types
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Dict, List, Optional

from core.names import NLU_WORKERS_ENV

logger = logging.getLogger(__name__)

# How long to wait before starting a new worker after one failed.
RESTART_AFTER_SECONDS = 30.0

# -- in the worker process (Rasa and TensorFlow are imported there by _load, once, after the log setting) ------
_parse_loaded: Any = None  # text -> Rasa's parse data, set by _load


def _load(model_archive: str, parent_pid: int) -> None:
    """Initializer of a worker process: load the model's prediction graph, as the Rasa server does."""
    global _parse_loaded
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the server has printed TensorFlow's start-up notes once
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="parent-watch").start()
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    from patches import features, graph_runner  # the same graph runner and feature combination as the server's

    graph_runner.install()
    features.install()
    _, metadata, runner = MessageProcessor._load_model(model_archive)
    loaded = types.SimpleNamespace(graph_runner=runner, model_metadata=metadata)

    def parse(text: str) -> Dict[str, Any]:
        message = UserMessage(text, sender_id="nlu-worker")
        # The NLU graph reads only the message; the tracker placeholder is filled as Rasa fills it without one.
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
        return MessageProcessor._parse_message_with_graph(loaded, message, tracker, True)

    _parse_loaded = parse


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _ready() -> int:
    return os.getpid()


def _parse(text: str) -> bytes:
    """Rasa's parse of ``text`` (output properties only), pickled once here so that the caller can keep it."""
    return pickle.dumps(_parse_loaded(text), protocol=pickle.HIGHEST_PROTOCOL)


# -- in the Rasa server ------------------------------------------------------------------------------------------
def model_archive(model_path: Any) -> Optional[str]:
    """The archive Rasa loads for ``model_path`` (as ``MessageProcessor._load_model`` finds it, which runs
    only after the worker has started): the file itself, or the newest model in a folder."""
    from rasa.model import get_latest_model

    path = Path(str(model_path or ""))
    if path.is_file():
        return str(path)
    if path.is_dir():
        latest = get_latest_model(path)
        return str(latest) if latest else None
    return None


class NLUWorker:
    """``workers`` processes parsing with the model in ``archive``; :meth:`parse` once :attr:`ready`."""

    def __init__(self, archive: str, workers: int = 1) -> None:
        self.archive, self.workers = archive, workers
        self.pids: List[int] = []
        self._ready = False
        self._settled = threading.Event()  # set once the first start succeeded or failed
        self._failed_at: Optional[float] = None
        self._pool: Optional[concurrent.futures.ProcessPoolExecutor] = None
        self._start()

    def _start(self) -> None:
        self._ready = False
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(self.archive, os.getpid()),
        )
        pool = self._pool
        futures = [pool.submit(_ready) for _ in range(self.workers)]

        def done(_: Any) -> None:
            if all(f.done() for f in futures):
                errors = [error for error in (f.exception() for f in futures) if error is not None]
                if errors:
                    self._failed(errors[0])
                elif pool is self._pool:
                    self.pids = [f.result() for f in futures]
                    self._ready = True
                    self._settled.set()
                    logger.info(f"NLU worker process(es) {self.pids} ready: messages are parsed there.")

        for future in futures:
            future.add_done_callback(done)

    def wait_ready(self, timeout: float) -> bool:
        """Wait (``timeout`` seconds at most) for the worker to load its model; True when it did."""
        self._settled.wait(timeout)
        return self._ready

    @property
    def ready(self) -> bool:
        """True when messages go to the worker; False while it starts or after it failed (a new one is
        started on the next call after ``RESTART_AFTER_SECONDS``)."""
        failed_at = self._failed_at
        if not self._ready and failed_at is not None and time.monotonic() - failed_at > RESTART_AFTER_SECONDS:
            self._failed_at = None
            self._start()
        return self._ready

    def _failed(self, error: BaseException) -> None:
        if self._failed_at is None:
            logger.error(f"NLU worker failed, parsing on the server's own thread meanwhile: {error!r}")
        self._ready = False
        self._settled.set()
        self._failed_at = time.monotonic()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    async def parse(self, text: str) -> Optional[bytes]:
        """The pickled parse of ``text``, or None when the worker is not there (the caller parses itself).
        An exception raised by the NLU graph itself is raised here, as it would be in the server."""
        pool = self._pool
        if not self._ready or pool is None:
            return None
        try:
            future = pool.submit(_parse, text)
        except (BrokenProcessPool, RuntimeError) as error:  # RuntimeError: the pool was shut down
            self._lost(pool, error)
            return None
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as error:  # the worker died during this parse
            self._lost(pool, error)
            return None

    def _lost(self, pool: concurrent.futures.ProcessPoolExecutor, error: BaseException) -> None:
        if pool is self._pool:
            self._failed(error)

    def close(self) -> None:
        self._ready = False
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def workers_setting(environ: Optional[Dict[str, str]] = None) -> int:
    """How many NLU worker processes (``NLU_WORKERS``, default 1; 0: parse on the server's own thread)."""
    value = (environ if environ is not None else os.environ).get(NLU_WORKERS_ENV, "1").strip() or "1"
    try:
        return max(0, int(value))
    except ValueError:
        logger.warning(f"{NLU_WORKERS_ENV}={value!r} is not a number: using 1.")
        return 1
