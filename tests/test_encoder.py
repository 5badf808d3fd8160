"""The sentence encoder: ONNX Runtime's network gives the NumPy reference's vectors."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from core import encoder
from core.encoder_onnx import OnnxNetwork

pytestmark = pytest.mark.skipif(not encoder.available(), reason="MiniLM weights not installed (make install)")

TEXTS = [
    "",
    "neck",
    "my neck is stiff and I have a fever",
    "the worst headache of my life came on in a second and now my neck is rigid, I feel sick",
    "Abeg my pikin dey hot, e no fit bend im neck",
    "🙂 <b>neck</b> ¿por qué?",
    "I slept on it funny " * 20,  # longer than the encoder reads: cut at MAX_TOKENS word pieces
]


@pytest.fixture(scope="module")
def enc() -> encoder.Encoder:
    found = encoder.get_encoder()
    assert found is not None
    return found


def test_onnx_runtime_runs_the_network(enc: encoder.Encoder) -> None:
    assert isinstance(enc.compiled(), OnnxNetwork)


@pytest.fixture(scope="module")
def network(enc: encoder.Encoder) -> encoder.Network:
    found = enc.compiled()
    assert found is not None
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_the_onnx_network_gives_the_reference_vectors(
    enc: encoder.Encoder, network: encoder.Network, text: str
) -> None:
    ids = enc.tokenizer.encode(text)
    assert 2 <= len(ids) <= encoder.MAX_TOKENS
    ours, reference = network(ids), enc._one(ids)
    assert ours.shape == reference.shape == (encoder.HIDDEN,)
    assert np.abs(ours - reference).max() < 1e-5
    assert float(ours @ reference) > 0.99999
    assert abs(float(np.linalg.norm(ours)) - 1.0) < 1e-5


def _missing(name: str) -> Callable[[encoder.Encoder], encoder.Network]:
    def build(_enc: encoder.Encoder) -> encoder.Network:
        raise ImportError(f"no {name}")

    return build


def test_without_onnx_runtime_the_reference_is_used(enc: encoder.Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = encoder.Encoder(encoder.model_dir())
    monkeypatch.setattr(encoder, "onnx_network", _missing("onnxruntime"))
    assert fresh.compiled() is None
    vector = fresh.encode(["my neck hurts"])[0]
    assert np.allclose(vector, enc._one(enc.tokenizer.encode("my neck hurts")), atol=1e-6)
