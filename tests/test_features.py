"""patches/features.py: a message's sparse features combined in one step are Rasa's, array for array.

Uses the model `make test` trains (models/neck-assistant.tar.gz), held-out messages and odd input.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any, Iterator, List, Tuple

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from patches import features as patch
from scripts import nlu_metrics as m
from tests.samples import MESSAGES

STOCK = Message.__dict__["_combine_features"]


@pytest.fixture(autouse=True)
def rasa_own_behaviour() -> Iterator[None]:
    patch.uninstall()
    yield
    patch.uninstall()


def _texts() -> List[str]:
    return [example.text for example in m.load_examples()][:150] + MESSAGES


def _same(ours: Any, stock: Any) -> bool:
    if stock is None or ours is None:
        return ours is stock
    a, b = ours.features, stock.features
    return (
        (ours.type, ours.attribute, ours._cached_fingerprint)
        == (stock.type, stock.attribute, stock._cached_fingerprint)
        and ours.origin is stock.origin
        and type(a) is type(b)
        and a.shape == b.shape
        and a.dtype == b.dtype
        and (a.row.dtype, a.col.dtype) == (b.row.dtype, b.col.dtype)
        and np.array_equal(a.data, b.data)
        and np.array_equal(a.row, b.row)
        and np.array_equal(a.col, b.col)
    )


@pytest.mark.model
def test_the_combined_features_of_real_parses_are_rasas(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Tuple[List[Features], List[str]]] = []

    def recording(features: List[Features], featurizers: List[str]) -> Any:
        calls.append((copy.deepcopy(features), featurizers))
        return STOCK.__func__(features, featurizers)

    monkeypatch.setattr(Message, "_combine_features", staticmethod(recording))

    async def parse_all() -> None:
        for text in _texts():
            await agent.parse_message(text)

    asyncio.run(parse_all())
    monkeypatch.undo()
    several = [c for c in calls if len(c[0]) > 1]
    assert len(several) > 300  # the sequence and sentence features of every message, from several featurizers
    for features, featurizers in calls:
        stock = STOCK.__func__(copy.deepcopy(features), featurizers)
        assert _same(patch.combine_features(copy.deepcopy(features), featurizers), stock)


@pytest.mark.model
async def test_parses_with_the_patch_are_rasas(agent: Any) -> None:
    stock = [await agent.parse_message(text) for text in _texts()]
    patch.install()
    assert Message.__dict__["_combine_features"].__func__ is patch.combine_features
    ours = [await agent.parse_message(text) for text in _texts()]
    assert ours == stock


def _coo(rows: int, columns: int, seed: int, dtype: Any = np.float64) -> Features:
    matrix = scipy.sparse.random(rows, columns, density=0.3, format="coo", random_state=seed, dtype=dtype)
    return Features(matrix, "sequence", "text", f"f{seed}")


@pytest.mark.parametrize(
    "blocks",
    [
        [(3, 5), (3, 7)],
        [(1, 4), (1, 1), (1, 9), (1, 2)],
        [(4, 0), (4, 3)],
        [(2, 70000), (2, 5)],
    ],
)
@pytest.mark.parametrize(
    "dtypes", [(np.float64,), (np.int64, np.float64), (np.float32, np.int64), (np.int32, np.float32)]
)
def test_coo_blocks_combine_as_rasa_combines_them(blocks: List[Tuple[int, int]], dtypes: Tuple[Any, ...]) -> None:
    features = [_coo(rows, columns, i, dtypes[i % len(dtypes)]) for i, (rows, columns) in enumerate(blocks)]
    origin = ["a", "b"]
    stock = STOCK.__func__(copy.deepcopy(features), origin)
    assert _same(patch.combine_features(copy.deepcopy(features), origin), stock)


@pytest.mark.parametrize(
    "features",
    [
        [_coo(3, 4, 0)],
        [Features(scipy.sparse.csr_matrix(np.eye(3)), "sequence", "text", "c"), _coo(3, 4, 1)],
        [Features(np.ones((3, 2)), "sequence", "text", "d"), Features(np.ones((3, 1)), "sequence", "text", "e")],
        [],
    ],
)
def test_anything_else_is_combined_by_rasas_code(features: List[Features]) -> None:
    stock = STOCK.__func__(copy.deepcopy(features), ["x"])
    ours = patch.combine_features(copy.deepcopy(features), ["x"])
    if stock is None:
        assert ours is None
    else:
        assert ours.origin == stock.origin and type(ours.features) is type(stock.features)
        assert np.array_equal(
            scipy.sparse.csr_matrix(ours.features).toarray(), scipy.sparse.csr_matrix(stock.features).toarray()
        )


def test_rows_that_differ_are_refused_as_rasa_refuses_them() -> None:
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        patch.combine_features([_coo(3, 4, 0), _coo(2, 4, 1)], ["x"])


def test_uninstall_puts_rasas_static_method_back() -> None:
    patch.install()
    patch.uninstall()
    assert Message.__dict__["_combine_features"] is STOCK
    message = Message(data={"text": "hi"})
    assert message._combine_features([_coo(2, 3, 0)], ["x"]) is not None  # still static: no self passed
