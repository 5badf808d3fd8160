"""Red flags by meaning: a message compared with worked cases, beside the lexical matcher.

The lexical engine (``core/triage.py``) recognises the phrases of ``kb/red_flags.yml``. A person in
trouble often uses none of them ("did a headstand, now my left arm and leg are weak and I keep
stumbling"). This module embeds the message (``core/encoder.py``) and looks at its nearest worked
cases in ``kb/nearest_cases.yml``: short messages labelled with the triage level they need and, for
emergencies, the red-flag rules they fire (generated from the team's tuned evaluation cases by
``scripts/build_nearest_cases.py``; public material is left out: it serves evaluation only).

``resembles(text)`` returns the id of an emergency rule when the nearest case is an emergency at
cosine similarity >= ``THRESHOLD`` and the emergencies hold at least ``SHARE`` of the similarity of the
``K`` nearest (controls that read alike, "no fever, just a stiff neck", pull it down); the rule is the
one the emergencies among them fire most. The engine then counts it as a finding, with its reason, and
says how it was found. The thresholds were chosen on the tuned cases, each scored against the cases of
the other files (leave one file out), so that few controls are asked about; ``scripts/experiments/
nearest_lofo.py`` prints those figures.

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
from typing import Dict, List, Optional, Tuple

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
MIN_WORDS = 3  # "help", "my neck": too short to compare by meaning


@dataclass(frozen=True)
class Index:
    emergency: np.ndarray  # bool per case
    rules: Tuple[Tuple[str, ...], ...]  # rule ids per case (emergencies)
    sources: Tuple[str, ...]  # the evaluation file a case comes from
    vectors: np.ndarray  # one L2-normalised row per case


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
        if case["level"] == EMERGENCY and not case.get("rules"):
            raise ValueError(f"{path}: case {i} is an emergency without 'rules'")
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
    return Index(
        emergency=np.array([c["level"] == EMERGENCY for c in cases]),
        rules=tuple(tuple(c.get("rules") or ()) for c in cases),
        sources=tuple(str(c.get("source", "")) for c in cases),
        vectors=vectors.astype(np.float32),
    )


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _index() -> Optional[Index]:
    with _lock:
        return build_index()


def get_index() -> Optional[Index]:
    return _index() if enabled() else None


def nearest_rule(
    vector: np.ndarray, index: Index, exclude_source: str = "", threshold: float = THRESHOLD, share: float = SHARE
) -> Optional[str]:
    """The emergency rule that the nearest cases of ``vector`` point to, or None."""
    sims = index.vectors @ vector
    if exclude_source:
        sims = np.where(np.array(index.sources) == exclude_source, -1.0, sims)
    top = np.argsort(-sims)[:K]
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


@functools.lru_cache(maxsize=4096)
def resembles(text: str) -> Optional[str]:
    """The id of the emergency rule that ``text`` reads like, by meaning, or None."""
    if len(text.split()) < MIN_WORDS:
        return None
    index = get_index()
    enc = encoder.get_encoder()
    if index is None or enc is None:
        return None
    return nearest_rule(enc.encode([text])[0], index)


if __name__ == "__main__":  # `python -m core.nearest`: compute and cache the case vectors
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    built = build_index()
    if built is None:
        raise SystemExit("MiniLM weights missing (make install): nothing to embed")
    print(f"[install] {len(built.rules)} worked cases embedded in {time.perf_counter() - start:.0f} s: {cache_path()}")
