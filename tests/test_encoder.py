"""The sentence encoder: ONNX Runtime's network and the XLA-compiled one give the NumPy reference's vectors."""

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


@pytest.fixture(scope="module", params=["onnx", "xla"])
def network(request: pytest.FixtureRequest, enc: encoder.Encoder) -> encoder.Network:
    return enc.compiled() if request.param == "onnx" else encoder.Compiled(enc)  # type: ignore[return-value]


@pytest.mark.parametrize("text", TEXTS)
def test_the_fast_networks_give_the_reference_vectors(
    enc: encoder.Encoder, network: encoder.Network, text: str
) -> None:
    ids = enc.tokenizer.encode(text)
    assert 2 <= len(ids) <= encoder.MAX_TOKENS
    ours, reference = network(ids), enc._one(ids)
    assert ours.shape == reference.shape == (encoder.HIDDEN,)
    assert np.abs(ours - reference).max() < 1e-5
    assert float(ours @ reference) > 0.99999
    assert abs(float(np.linalg.norm(ours)) - 1.0) < 1e-5


def test_onnx_and_xla_agree_on_the_worked_cases_order(enc: encoder.Encoder) -> None:
    """The nearest worked cases of a message are the same whichever network encodes it."""
    onnx, xla = enc.compiled(), encoder.Compiled(enc)
    assert onnx is not None
    texts = [t for t in TEXTS if t.strip()]
    a = np.stack([onnx(enc.tokenizer.encode(t)) for t in texts])
    b = np.stack([xla(enc.tokenizer.encode(t)) for t in texts])
    assert (np.argsort(-(a @ a.T), axis=1) == np.argsort(-(b @ b.T), axis=1)).all()


def test_padding_does_not_change_a_vector(enc: encoder.Encoder) -> None:
    """The same ids padded to two bucket lengths (the mask keeps the padding out)."""
    compiled = encoder.Compiled(enc)
    ids = enc.tokenizer.encode("stiff neck and a temperature")
    short = compiled(ids)
    longer = compiled._network(
        compiled._tf.constant(np.pad(np.asarray(ids, np.int32), (0, encoder.MAX_TOKENS - len(ids)))),
        compiled._tf.constant(len(ids), dtype=compiled._tf.int32),
    ).numpy()
    assert np.abs(short - longer).max() < 1e-5


def test_without_onnx_runtime_xla_is_used(enc: encoder.Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = encoder.Encoder(encoder.model_dir())
    monkeypatch.setattr(encoder, "onnx_network", _missing("onnxruntime"))
    assert isinstance(fresh.compiled(), encoder.Compiled)


def _missing(name: str) -> Callable[[encoder.Encoder], encoder.Network]:
    def build(_enc: encoder.Encoder) -> encoder.Network:
        raise ImportError(f"no {name}")

    return build


def test_without_either_runtime_the_reference_is_used(enc: encoder.Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = encoder.Encoder(encoder.model_dir())
    monkeypatch.setattr(encoder, "onnx_network", _missing("onnxruntime"))
    monkeypatch.setattr(encoder, "Compiled", _missing("tensorflow"))
    assert fresh.compiled() is None
    vector = fresh.encode(["my neck hurts"])[0]
    assert np.allclose(vector, enc._one(enc.tokenizer.encode("my neck hurts")), atol=1e-6)
