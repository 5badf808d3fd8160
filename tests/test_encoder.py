"""The sentence encoder: the compiled network gives the NumPy reference's vectors."""

from __future__ import annotations

import numpy as np
import pytest

from core import encoder

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


def test_the_compiled_network_is_used_when_tensorflow_is_there(enc: encoder.Encoder) -> None:
    assert enc.compiled() is not None


@pytest.mark.parametrize("text", TEXTS)
def test_the_compiled_network_gives_the_reference_vectors(enc: encoder.Encoder, text: str) -> None:
    ids = enc.tokenizer.encode(text)
    assert 2 <= len(ids) <= encoder.MAX_TOKENS
    compiled = enc.compiled()
    assert compiled is not None
    ours, reference = compiled(ids), enc._one(ids)
    assert ours.shape == reference.shape == (encoder.HIDDEN,)
    assert np.abs(ours - reference).max() < 1e-5
    assert float(ours @ reference) > 0.99999
    assert abs(float(np.linalg.norm(ours)) - 1.0) < 1e-5


def test_padding_does_not_change_a_vector(enc: encoder.Encoder) -> None:
    """The same ids padded to two bucket lengths (the mask keeps the padding out)."""
    compiled = enc.compiled()
    assert compiled is not None
    ids = enc.tokenizer.encode("stiff neck and a temperature")
    short = compiled(ids)
    longer = compiled._network(
        compiled._tf.constant(np.pad(np.asarray(ids, np.int32), (0, encoder.MAX_TOKENS - len(ids)))),
        compiled._tf.constant(len(ids), dtype=compiled._tf.int32),
    ).numpy()
    assert np.abs(short - longer).max() < 1e-5


def test_without_tensorflow_the_reference_is_used(enc: encoder.Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = encoder.Encoder(encoder.model_dir())
    monkeypatch.setattr(encoder, "Compiled", lambda _enc: (_ for _ in ()).throw(ImportError("no tensorflow")))
    assert fresh.compiled() is None
    vector = fresh.encode(["my neck hurts"])[0]
    assert np.allclose(vector, enc._one(enc.tokenizer.encode("my neck hurts")), atol=1e-6)
