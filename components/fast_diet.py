"""``FastDIETClassifier``: Rasa's DIETClassifier, named in config.yml, whose loaded model predicts without
TensorFlow's per-call argument handling.

Rasa wraps a model's ``predict_step`` in a ``tf.function`` with one input signature (every dimension
but the last left open), so one concrete TensorFlow graph serves every message. Calling the
``tf.function`` still canonicalises, checks and casts the nested inputs against that signature on
every call, a large share of the time of a DIET prediction for one short message (README, "Benchmark").

When the component is loaded for prediction, its model's ``_rasa_predict`` (an attribute of that one
model object, not of Rasa's class) becomes :func:`rasa_predict`, which calls the same concrete graph
directly with the batch converted to tensors, then post-processes the outputs exactly as Rasa does. It
takes this path only when the batch matches the signature (same number of inputs, same dtypes and
ranks) and the model has already been called once the usual way (which builds the ``tf.function``);
otherwise it uses Rasa's method. Training is DIET's own: the subclass changes nothing there.
``tests/test_fast_diet.py`` checks that the outputs are identical, array by array, on held-out messages.
"""

from __future__ import annotations

import types
from typing import Any, Dict, Tuple

import numpy as np
import tensorflow as tf
from keras.utils import tf_utils
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel

CONCRETE = "_neck_concrete_predict"  # model.__dict__ key: (concrete function, [(dtype, rank)])


def _concrete(model: RasaModel) -> Tuple[Any, list]:
    cached = model.__dict__.get(CONCRETE)
    if cached is None:
        concrete = model._tf_predict_step.get_concrete_function()
        specs = concrete.structured_input_signature[0][0]
        cached = (concrete, [(spec.dtype.as_numpy_dtype, spec.shape.rank) for spec in specs])
        model.__dict__[CONCRETE] = cached  # plain attribute: not tracked by Keras
    return cached


def _matches(batch_in: Tuple[Any, ...], signature: list) -> bool:
    return len(batch_in) == len(signature) and all(
        isinstance(value, np.ndarray) and value.dtype == dtype and value.ndim == rank
        for value, (dtype, rank) in zip(batch_in, signature)
    )


def rasa_predict(self: RasaModel, batch_in: Tuple[Any, ...]) -> Dict[str, Any]:
    """``RasaModel._rasa_predict`` through the concrete graph when the batch fits its signature."""
    if self._run_eagerly or not self.prepared_for_prediction or self._tf_predict_step is None:
        return RasaModel._rasa_predict(self, batch_in)
    concrete, signature = _concrete(self)
    if not _matches(batch_in, signature):
        return RasaModel._rasa_predict(self, batch_in)
    self._training = False
    tensors = [tf.convert_to_tensor(value) for value in batch_in]
    outputs = tf_utils.sync_to_numpy_or_python_type(concrete._call_flat(tensors, concrete.captured_inputs))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class FastDIETClassifier(DIETClassifier):
    """DIETClassifier whose loaded model calls its concrete prediction graph directly."""

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> FastDIETClassifier:
        component = super().load(*args, **kwargs)
        if component.model is not None:
            component.model._rasa_predict = types.MethodType(rasa_predict, component.model)
        return component
