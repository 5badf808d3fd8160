"""components/fast_diet.py: DIET through its concrete graph gives Rasa's outputs, array for array.

Uses the model `make test` trains (models/neck-assistant.tar.gz) and held-out messages.
"""

from __future__ import annotations

from typing import Any, List

import numpy as np
import pytest
from rasa.utils.tensorflow.models import RasaModel

from components import fast_diet
from scripts import nlu_metrics as m
from tests.samples import MESSAGES

pytestmark = pytest.mark.model  # the trained model (make train)


def _diet(agent: Any) -> Any:
    nodes = agent.processor.graph_runner._instantiated_nodes
    (node,) = [node for name, node in nodes.items() if "DIETClassifier" in name]
    assert isinstance(node._component, fast_diet.FastDIETClassifier)  # config.yml names the subclass
    return node._component.model


def _texts() -> List[str]:
    return [example.text for example in m.load_examples()][:150] + MESSAGES


@pytest.fixture(scope="module")
def batches(agent: Any) -> List[Any]:
    """DIET's input batches for the held-out messages, captured from real parses."""
    import asyncio

    model = _diet(agent)
    captured: List[Any] = []
    original = model._rasa_predict

    def capture(batch_in: Any) -> Any:
        captured.append(batch_in)
        return original(batch_in)

    model._rasa_predict = capture
    try:

        async def parse_all() -> None:
            for text in _texts():
                await agent.parse_message(text)

        asyncio.run(parse_all())
    finally:
        model._rasa_predict = original
    return captured


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    return bool(a == b)


def test_outputs_are_identical_and_the_fast_path_is_taken(
    agent: Any, batches: List[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _diet(agent)
    assert len(batches) > 100
    expected = [RasaModel._rasa_predict(model, batch) for batch in batches]  # Rasa's own method
    fallbacks: List[Any] = []
    original = RasaModel._rasa_predict
    monkeypatch.setattr(RasaModel, "_rasa_predict", lambda *a: fallbacks.append(a) or original(*a))
    got = [model._rasa_predict(batch) for batch in batches]  # the loaded component's fast path
    assert not fallbacks
    assert all(_same(e, g) for e, g in zip(expected, got))
    assert "i_scores" in expected[0]  # the intent outputs (entities come from the CRF, config.yml)
    assert set(expected[0]) == set(got[0])  # and every other output DIET gives


def test_a_batch_that_does_not_fit_the_signature_goes_the_usual_way(
    agent: Any, batches: List[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _diet(agent)
    calls: List[Any] = []
    monkeypatch.setattr(RasaModel, "_rasa_predict", lambda *a: calls.append(a) or {"usual": True})
    wrong_dtype = tuple(v.astype(np.float64) if v.dtype == np.float32 else v for v in batches[0])
    assert fast_diet.rasa_predict(model, wrong_dtype) == {"usual": True}
    assert fast_diet.rasa_predict(model, tuple(batches[0])[:-1]) == {"usual": True}
    assert len(calls) == 2


async def test_parses_are_those_of_stock_diet(agent: Any) -> None:
    model = _diet(agent)
    texts = _texts()[::5]
    fast = [await agent.parse_message(text) for text in texts]
    faster = model.__dict__.pop("_rasa_predict")  # back to Rasa's class method
    try:
        stock = [await agent.parse_message(text) for text in texts]
    finally:
        model._rasa_predict = faster
    assert fast == stock
    assert len({parse["intent"]["name"] for parse in fast}) >= 3  # real, varied parses


def test_rasa_is_not_patched() -> None:
    assert RasaModel._rasa_predict is not fast_diet.rasa_predict
