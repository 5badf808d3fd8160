"""A message's sparse features combined in one step instead of one SciPy ``hstack`` per featurizer.

Before DIET classifies a message, Rasa combines the sparse features of every featurizer (the regex and
lexical featurizers, both count-vector featurizers: four matrices, for the token sequence and again for
the sentence) with ``Message._combine_features``: a deep copy of the first, then ``scipy.sparse.hstack``
with each of the others in turn. Each ``hstack`` goes through SciPy's general ``bmat`` (object arrays, a
COO matrix built and checked per block), which for these small matrices costs far more than the numbers
it moves: profiled under ``make bench``, an eighth of the NLU worker's time per message.

:func:`combine_features` builds the same COO matrix directly: the blocks' values, rows and columns
concatenated in order (each block's columns shifted by the widths before it), the index type SciPy would
choose for the shape, one ``coo_matrix`` at the end, as ``bmat`` does. It takes this path only when every
feature is a sparse COO matrix with the same number of rows (what the count-vector, regex and lexical
featurizers produce: counts as integers, the others as floats); anything else is combined by Rasa's code.
``tests/test_features.py`` compares the result with Rasa's, array by array, on the held-out messages.

Installed in the NLU worker and the Rasa server (``patches.install``); training runs stock Rasa, whose
combined features are the same.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse._sputils import get_index_dtype, upcast

from patches.patching import Patch


def _stacks_directly(features: Sequence[Features]) -> bool:
    rows = features[0].features.shape[0]
    return all(isinstance(f.features, scipy.sparse.coo_matrix) and f.features.shape[0] == rows for f in features)


def combine_features(features: List[Features], featurizers: List[str]) -> Optional[Features]:
    """``Message._combine_features``: one COO matrix from several sparse ones, else Rasa's way."""
    if len(features) < 2 or not _stacks_directly(features):
        return _patch.original.__func__(features, featurizers)  # Rasa's static method
    blocks = [f.features for f in features]
    widths = np.cumsum([0] + [b.shape[1] for b in blocks])
    shape = (blocks[0].shape[0], int(widths[-1]))
    index = get_index_dtype(maxval=max(shape))
    # bmat's value type (SciPy's upcast of the blocks' types), each block's values copied into it
    data = np.concatenate([b.data for b in blocks], dtype=upcast(*(b.dtype for b in blocks)), casting="unsafe")
    row = np.concatenate([b.row for b in blocks]).astype(index, copy=False)
    col = np.concatenate([b.col.astype(index) + index(offset) for b, offset in zip(blocks, widths)])
    first = features[0]
    return Features(scipy.sparse.coo_matrix((data, (row, col)), shape=shape), first.type, first.attribute, featurizers)


_patch = Patch(Message, "_combine_features", staticmethod(combine_features))
install, uninstall = _patch.install, _patch.uninstall
