"""The sentence encoder's network (``core/encoder.py``) run by ONNX Runtime, the fastest way here.

Measured under ``make bench`` (README, "Benchmark"), the action server spent about half of its CPU in the
encoder, then an XLA-compiled TensorFlow function (replaced by this module): on this machine's CPU its
matrix products ran at about half the speed of ONNX Runtime's (which uses the AVX-512 instructions the CPU
has), and its input was padded to one of three compiled lengths. Here the same network, layer by layer as
``Encoder._one`` writes it, is an ONNX graph built in memory from the same weights when the encoder is
first used (no file, no converter, no TensorFlow), and each message runs at its own length, so nothing is
padded or masked. The vectors are the reference's to float rounding (``tests/test_encoder.py`` compares
them).

One thread per session, like the rest of the project's inference (a second one spins more than it helps
on two cores shared by two servers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from core.encoder import Encoder

SHARED_SIZE = 4096  # weights of this many numbers or more are read where they are, not copied into the model
OPSET = 17  # LayerNormalization is an operator from opset 17 on; ReduceMean still takes its axes as an attribute


def in_memory(name: str, value: np.ndarray) -> Any:
    """A float tensor that the model names as external data "in memory": the session is given the array
    itself (``session``), so the model holds no copy of it."""
    from onnx import TensorProto

    tensor = TensorProto(name=name, dims=list(value.shape), data_type=TensorProto.FLOAT)
    tensor.data_location = TensorProto.EXTERNAL
    for key, text in (("location", "memory"), ("offset", "0"), ("length", str(value.nbytes))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, text
    return tensor


def model_bytes(graph: Any) -> bytes:
    """A graph as a serialised model of this module's opset, in the IR version ONNX Runtime 1.16 reads."""
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="neck-assistant")
    model.ir_version = 8
    return bytes(model.SerializeToString())


def session(model: bytes, shared: Dict[str, np.ndarray]) -> Tuple[Any, List[Any]]:
    """An ONNX Runtime session on one thread for ``model``, given its ``in_memory`` tensors, and the values
    handed to it (the caller keeps them alive as long as the session)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    values = [onnxruntime.OrtValue.ortvalue_from_numpy(value) for value in shared.values()]
    options.add_external_initializers(list(shared), values)
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"]), values


def build_model(encoder: Encoder) -> Tuple[bytes, Dict[str, np.ndarray]]:
    """The network of ``encoder`` as a serialised ONNX model (token ids ``[n]``, int64 -> vector ``[384]``)
    and its weight matrices, which the model names as external data: the session reads them where they
    are (``SessionOptions.add_external_initializers``) instead of from copies inside the model, so loading
    needs about half the memory (peak 347 MB in a process holding 164 MB of weights, against 782 MB)."""
    from onnx import TensorProto, helper, numpy_helper

    from core.encoder import HEADS, HIDDEN

    size = HIDDEN // HEADS
    nodes: List[Any] = []
    weights: List[Any] = []
    shared: Dict[str, np.ndarray] = {}
    count = [0]

    def const(array: Any, dtype: Any = np.float32) -> str:
        count[0] += 1
        name = f"c{count[0]}"
        value = np.ascontiguousarray(np.asarray(array, dtype=dtype))
        if value.size >= SHARED_SIZE:  # named in the model as external data, given to the session in memory
            shared[name] = value
            weights.append(in_memory(name, value))
        else:
            weights.append(numpy_helper.from_array(value, name))
        return name

    def ops(kind: str, inputs: List[str], outputs: int, **attributes: Any) -> List[str]:
        count[0] += 1
        names = [f"t{count[0]}_{i}" for i in range(outputs)]
        nodes.append(helper.make_node(kind, inputs, names, **attributes))
        return names

    def op(kind: str, inputs: List[str], **attributes: Any) -> str:
        return ops(kind, inputs, 1, **attributes)[0]

    def layer_norm(x: str, weight: Any, bias: Any) -> str:
        return op("LayerNormalization", [x, const(weight), const(bias)], axis=-1, epsilon=1e-12)

    def dense(x: str, weight: Any, bias: Any) -> str:
        return op("Add", [op("MatMul", [x, const(weight)]), const(bias)])

    n = op("Shape", ["ids"])  # [n]
    positions = op("Slice", [const(encoder.position), const([0], np.int64), n, const([0], np.int64)])
    words = op("Gather", [const(encoder.word), "ids"], axis=0)
    x = op("Add", [op("Add", [words, positions]), const(encoder.token_type)])
    x = layer_norm(x, *encoder.ln)
    heads_shape = const([-1, HEADS, size], np.int64)
    flat_shape = const([-1, HIDDEN], np.int64)
    scale, half, one, root2 = (const(np.float32(v)) for v in (1.0 / np.sqrt(size), 0.5, 1.0, np.sqrt(2.0)))
    thirds = const([HIDDEN, HIDDEN, HIDDEN], np.int64)
    for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, f_w, f_b, ln2 in encoder.layers:
        parts = ops("Split", [dense(x, qkv_w, qkv_b), thirds], 3, axis=1)
        q, k, v = (op("Transpose", [op("Reshape", [p, heads_shape])], perm=[1, 0, 2]) for p in parts)  # [h, n, d]
        scores = op("Mul", [op("MatMul", [q, op("Transpose", [k], perm=[0, 2, 1])]), scale])
        attention = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [attention], perm=[1, 0, 2]), flat_shape])
        x = layer_norm(op("Add", [dense(context, o_w, o_b), x]), *ln1)
        h = dense(x, i_w, i_b)
        h = op("Mul", [op("Mul", [h, half]), op("Add", [one, op("Erf", [op("Div", [h, root2])])])])
        x = layer_norm(op("Add", [dense(h, f_w, f_b), x]), *ln2)
    vector = op("ReduceMean", [x], axes=[0], keepdims=0)
    norm = op("Add", [op("ReduceL2", [vector], axes=[0], keepdims=1), const(np.float32(1e-12))])
    nodes.append(helper.make_node("Div", [vector, norm], ["vector"]))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [HIDDEN])],
        weights,
    )
    return model_bytes(graph), shared


class OnnxNetwork:
    """``Encoder._one`` as an ONNX Runtime session: token ids -> the L2-normalised vector."""

    def __init__(self, encoder: Encoder) -> None:
        self._session, self._weights = session(*build_model(encoder))  # the weights kept alive with it
        self([encoder.tokenizer.cls, encoder.tokenizer.sep])  # any failure is here, not on a message

    def __call__(self, ids: List[int]) -> np.ndarray:
        (vector,) = self._session.run(None, {"ids": np.asarray(ids, dtype=np.int64)})
        return np.asarray(vector, dtype=np.float32)


class OnnxProduct:
    """``matrix @ vector`` for one fixed matrix (the worked cases' vectors, ``core/nearest.py``) as an ONNX
    Runtime session on one thread: about twice as fast here as NumPy's BLAS for a few thousand rows of 384
    (its AVX-512 kernel). The matrix is given to the session where it is, not copied."""

    def __init__(self, matrix: np.ndarray) -> None:
        from onnx import TensorProto, helper

        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        rows, columns = matrix.shape
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["matrix", "vector"], ["product"])],  # a column: MatMul's GEMV kernel
            "product",
            [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [columns, 1])],
            [helper.make_tensor_value_info("product", TensorProto.FLOAT, [rows, 1])],
            [in_memory("matrix", matrix)],
        )
        self._matrix = matrix
        self._session, self._values = session(model_bytes(graph), {"matrix": matrix})  # kept alive with it
        self(np.zeros(columns, dtype=np.float32))  # any failure is here, not on a message

    def __call__(self, vector: np.ndarray) -> np.ndarray:
        column = np.asarray(vector, dtype=np.float32).reshape(-1, 1)
        (product,) = self._session.run(None, {"vector": column})
        return np.asarray(product, dtype=np.float32).reshape(-1)
