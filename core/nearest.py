"""Red flags by meaning: a message compared with worked cases, beside the lexical matcher.

The lexical engine (``core/triage.py``) recognises the phrases of ``kb/red_flags.yml``. A person in
trouble often uses none of them ("did a headstand, now my left arm and leg are weak and I keep
stumbling"). This module embeds the message (``core/encoder.py``) and looks at its nearest worked
cases in ``kb/nearest_cases.yml``: short messages labelled with the triage level they need and, for
emergencies, the red-flag rules they fire (generated from the team's tuned evaluation cases by
``scripts/build_nearest_cases.py``; public material is left out: it serves evaluation only).

``crisis_like(text)`` says whether the message reads like the worked crisis statements (suicidal or
self-harm statements, direct or indirect) by the same vote with its own thresholds, ``CRISIS_THRESHOLD`` and
``CRISIS_SHARE`` (``scripts/experiments/crisis_lofo.py``): a crisis answer costs little, a missed one a life,
so a likeness gets the crisis answer, unlike a red flag, which is only asked about.

``resembles(text)`` returns the id of an emergency rule when the nearest case is an emergency at
cosine similarity >= ``THRESHOLD`` and the emergencies hold at least ``SHARE`` of the similarity of the
``K`` nearest (controls that read alike, "no fever, just a stiff neck", pull it down); the rule is the
one the emergencies among them fire most. The engine then counts it as a finding, with its reason, and
says how it was found. The thresholds were chosen on the tuned cases, each scored against the cases of
the other files (leave one file out), so that few controls are asked about; ``scripts/experiments/
nearest_lofo.py`` prints those figures.

Each message is encoded once and compared with every case once (``Index.similarities``: a product by
ONNX Runtime's kernel, ``core/encoder_onnx.OnnxProduct``, or NumPy's), and both votes are kept per text:
each action of a turn, and the Rasa server's crisis check, ask about the same message.

The case vectors are computed once and cached under ``build/nearest/`` (``python -m core.nearest``,
run by ``make install``). Without the encoder's weights, or with ``NEAREST_CASES=off``, the module
finds nothing and the lexical engine works alone. No Rasa imports.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import logging
import os
import pathlib
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import yaml

from core import encoder
from core.names import LEVELS

logger = logging.getLogger(__name__)

CASES_PATH = pathlib.Path(__file__).parent / "kb" / "nearest_cases.yml"
CACHE_DIR = pathlib.Path(__file__).resolve().parent.parent / "build" / "nearest"
EMERGENCY = LEVELS[-1]  # the highest triage level
THRESHOLD = 0.70  # cosine similarity of the nearest case
SHARE = 0.70  # share of the K nearest cases' similarity that emergencies hold
K = 5
CRISIS_THRESHOLD = 0.50  # cosine similarity of the nearest case, which must be a crisis statement
CRISIS_SHARE = 0.60  # share of the K nearest cases' similarity that crisis statements hold
MIN_WORDS = 3  # "help", "my neck": too short to compare by meaning


@dataclass(frozen=True)
class Index:
    emergency: np.ndarray  # bool per case
    rules: Tuple[Tuple[str, ...], ...]  # rule ids per case (emergencies)
    sources: Tuple[str, ...]  # the evaluation file a case comes from
    vectors: np.ndarray  # one L2-normalised row per case
    crisis: Optional[np.ndarray] = None  # bool per case: a crisis statement (None: no crisis cases)

    @property
    def crisis_rows(self) -> np.ndarray:
        return self.crisis if self.crisis is not None else np.zeros(len(self.vectors), dtype=bool)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of an L2-normalised ``vector`` to each case (``vectors @ vector``)."""
        return self._product(vector)

    @functools.cached_property
    def _product(self) -> Callable[[np.ndarray], np.ndarray]:
        """``vectors @ vector``, built on first use: ONNX Runtime's kernel, else NumPy's."""
        try:
            from core.encoder_onnx import OnnxProduct

            return OnnxProduct(self.vectors)
        except Exception:  # ImportError, or the runtime unavailable on this machine
            logger.warning("ONNX Runtime unavailable for the worked cases: using NumPy", exc_info=True)
            vectors = self.vectors
            return lambda vector: vectors @ vector


def enabled() -> bool:
    return os.environ.get("NEAREST_CASES", "on").lower() not in ("off", "0", "false", "no")


def read_cases(path: pathlib.Path = CASES_PATH) -> List[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = data.get("cases")
    if not isinstance(cases, list) or not cases:
        raise ValueError(f"{path}: 'cases' must be a non-empty list")
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("text"), str) or case.get("level") is None:
            raise ValueError(f"{path}: case {i} needs 'text' and 'level'")
        if case["level"] == EMERGENCY and not case.get("rules") and not case.get("crisis"):
            raise ValueError(f"{path}: case {i} is an emergency without 'rules'")
        if case.get("crisis") and case["level"] != EMERGENCY:
            raise ValueError(f"{path}: case {i} is a crisis statement whose level is not {EMERGENCY}")
    return cases


def cache_path(path: pathlib.Path = CASES_PATH) -> pathlib.Path:
    digest = hashlib.sha256(path.read_bytes() + str(encoder.MAX_TOKENS).encode()).hexdigest()[:16]
    return CACHE_DIR / f"vectors-{digest}.npy"


def build_index(path: pathlib.Path = CASES_PATH, save: bool = True) -> Optional[Index]:
    """The cases and their vectors (from the cache when it is current); None without the encoder."""
    enc = encoder.get_encoder()
    if enc is None:
        logger.warning("no MiniLM weights in %s: red flags are recognised by their phrases only", encoder.model_dir())
        return None
    cases = read_cases(path)
    cached = cache_path(path)
    vectors = np.load(cached) if cached.is_file() else None
    if vectors is None or len(vectors) != len(cases):
        start = time.perf_counter()
        logger.warning("embedding %d worked cases (once; cached in %s)...", len(cases), cached.parent)
        vectors = enc.encode([c["text"] for c in cases])
        logger.warning("embedded them in %.0f s", time.perf_counter() - start)
        if save:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(cached)
    crisis = np.array([bool(c.get("crisis")) for c in cases])
    return Index(
        emergency=np.array([c["level"] == EMERGENCY for c in cases]) & ~crisis,
        rules=tuple(tuple(c.get("rules") or ()) for c in cases),
        sources=tuple(str(c.get("source", "")) for c in cases),
        vectors=vectors.astype(np.float32),
        crisis=crisis,
    )


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _index() -> Optional[Index]:
    with _lock:
        return build_index()


def get_index() -> Optional[Index]:
    return _index() if enabled() else None


def top_k(sims: np.ndarray, k: int = K) -> np.ndarray:
    """Indices of the ``k`` largest similarities, largest first (the same set and order as a full
    ``argsort``, ties aside, without sorting every case)."""
    if len(sims) <= k:
        return np.argsort(-sims)
    part = np.argpartition(-sims, k - 1)[:k]
    return part[np.argsort(-sims[part])]


def nearest_rule(
    vector: np.ndarray, index: Index, exclude_source: str = "", threshold: float = THRESHOLD, share: float = SHARE
) -> Optional[str]:
    """The emergency rule that the nearest cases of ``vector`` point to, or None."""
    return rule_from(index.similarities(vector), index, exclude_source, threshold, share)


def rule_from(
    sims: np.ndarray, index: Index, exclude_source: str = "", threshold: float = THRESHOLD, share: float = SHARE
) -> Optional[str]:
    """The emergency rule that the nearest cases point to (``sims``: cosine similarity to each case), or None."""
    sims = np.where(index.crisis_rows, -1.0, sims)  # crisis statements have their own vote
    if exclude_source:
        sims = np.where(np.array(index.sources) == exclude_source, -1.0, sims)
    top = top_k(sims)
    weights = np.clip(sims[top], 1e-6, None)
    if sims[top[0]] < threshold or not index.emergency[top[0]]:
        return None
    if float((weights * index.emergency[top]).sum() / weights.sum()) < share:
        return None
    votes: Dict[str, float] = collections.defaultdict(float)
    for i, w in zip(top, weights):
        if index.emergency[i]:
            for rule in index.rules[i]:
                votes[rule] += float(w)
    return max(votes, key=lambda r: votes[r]) if votes else None


def crisis_vote(sims: np.ndarray, crisis: np.ndarray, threshold: float, share: float) -> bool:
    """Whether the nearest cases (``sims``: cosine similarity to each case) make a crisis statement: the
    nearest is one at ``threshold`` or more, and crisis statements hold ``share`` of the K nearest's
    similarity."""
    top = top_k(sims)
    if sims[top[0]] < threshold or not crisis[top[0]]:
        return False
    weights = np.clip(sims[top], 1e-6, None)
    return float((weights * crisis[top]).sum() / weights.sum()) >= share


@functools.lru_cache(maxsize=4096)
def _vector(text: str) -> Optional[np.ndarray]:
    """The message's vector (one encoder pass per message), or None (too short, switched off, no weights)."""
    if len(text.split()) < MIN_WORDS or get_index() is None:
        return None
    enc = encoder.get_encoder()
    return None if enc is None else enc.encode([text])[0]


@dataclass(frozen=True)
class Reading:
    """What the worked cases say of one message: the emergency rule it reads like, and whether it reads
    like a crisis statement."""

    rule: Optional[str]
    crisis: bool


@functools.lru_cache(maxsize=4096)
def _reading(text: str) -> Optional[Reading]:
    """Both votes from one encoder pass and one comparison with every case (cached per text: each action
    of a turn asks about the same message, and so do both servers' checks), or None."""
    vector = _vector(text)
    index = get_index()
    if vector is None or index is None:
        return None
    sims = index.similarities(vector)
    crisis = bool(index.crisis_rows.any()) and crisis_vote(sims, index.crisis_rows, CRISIS_THRESHOLD, CRISIS_SHARE)
    return Reading(rule_from(sims, index), crisis)


def clear_caches(index: bool = False) -> None:
    """Forget the per-text results (tests that switch the comparison off and on) and, with ``index``, the
    loaded cases (tests that switch the encoder's weights)."""
    _vector.cache_clear()
    _reading.cache_clear()
    if index:
        _index.cache_clear()


def resembles(text: str) -> Optional[str]:
    """The id of the emergency rule that ``text`` reads like, by meaning, or None."""
    reading = _reading(text) if enabled() else None
    return None if reading is None else reading.rule


def crisis_like(text: str) -> bool:
    """Whether ``text`` reads like the worked crisis statements, by meaning."""
    reading = _reading(text) if enabled() else None
    return reading is not None and reading.crisis


if __name__ == "__main__":  # `python -m core.nearest`: compute and cache the case vectors
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    built = build_index()
    if built is None:
        raise SystemExit("MiniLM weights missing (make install): nothing to embed")
    print(f"[install] {len(built.rules)} worked cases embedded in {time.perf_counter() - start:.0f} s: {cache_path()}")
