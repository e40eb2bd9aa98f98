"""strata.ops on symbolic tensors: graph nodes (OpLayer) with Keras's shapes and dtypes, and
functional models built with ops that fit, save and load back."""

import numpy as np
import pytest
import torch

import strata
from strata import layers, ops
from strata.layers.core.op_layer import OpLayer


def _inputs():
    return strata.Input(shape=(4,)), strata.Input(shape=(4,))


def test_binary_op_builds_a_node_with_the_broadcast_shape():
    a, b = _inputs()
    out = ops.add(a, b)
    layer = out._keras_history[0]
    assert isinstance(layer, OpLayer) and layer.op_name == "numpy.add"
    assert out.shape == (None, 4) and out.dtype == "float32"


@pytest.mark.parametrize(
    "build, shape, dtype",
    [
        (lambda a, b: ops.mean(a, axis=1), (None,), "float32"),
        (lambda a, b: ops.mean(a, axis=1, keepdims=True), (None, 1), "float32"),
        (lambda a, b: ops.concatenate([a, b], axis=-1), (None, 8), "float32"),
        (lambda a, b: ops.stack([a, b], axis=1), (None, 2, 4), "float32"),
        (lambda a, b: ops.reshape(a, (-1, 2, 2)), (None, 2, 2), "float32"),
        (lambda a, b: ops.argmax(a, axis=-1), (None,), "int32"),
        (lambda a, b: ops.greater(a, 0.5), (None, 4), "bool"),
        (lambda a, b: ops.cast(a, "int32"), (None, 4), "int32"),
        (lambda a, b: ops.matmul(a, ops.ones((4, 3))), (None, 3), "float32"),
        (lambda a, b: ops.where(ops.greater(a, b), a, 0.0), (None, 4), "float32"),
        (lambda a, b: ops.expand_dims(a, 1), (None, 1, 4), "float32"),
        (lambda a, b: ops.take(a, [0, 2], axis=1), (None, 2), "float32"),
    ],
)
def test_symbolic_shapes_and_dtypes(build, shape, dtype):
    out = build(*_inputs())
    assert out.shape == shape
    assert out.dtype == dtype


def test_multi_output_op_gives_one_tensor_per_output():
    a, _ = _inputs()
    first, second = ops.split(a, [1], axis=-1)
    assert first.shape == (None, 1) and second.shape == (None, 3)


def test_shape_of_a_symbolic_tensor_is_static():
    a, _ = _inputs()
    assert ops.shape(a) == (None, 4)
    assert ops.shape(ops.concatenate([a, a])) == (None, 4)
    assert ops.dtype(a) == "float32"


def _model():
    a, b = _inputs()
    hidden = layers.Dense(4)(a)
    summed = ops.add(hidden, b)
    scaled = ops.multiply(summed, np.array([1.0, 2.0, 3.0, 4.0], dtype="float32"))
    joined = ops.concatenate([scaled, ops.mean(summed, axis=1, keepdims=True)], axis=-1)
    squashed = ops.tanh(ops.clip(joined, -3.0, 3.0))
    return strata.Model([a, b], layers.Dense(1)(squashed))


def _data():
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=(16, 4)).astype("float32")
    x2 = rng.normal(size=(16, 4)).astype("float32")
    return x1, x2, (x1.sum(1, keepdims=True) - x2[:, :1]).astype("float32")


def test_model_with_ops_fits_and_trains_the_weights_before_the_ops():
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    x1, x2, y = _data()
    first_dense = next(layer for layer in model.layers if isinstance(layer, layers.Dense))
    before = first_dense.get_weights()[0].copy()
    history = model.fit([x1, x2], y, epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert not np.allclose(first_dense.get_weights()[0], before)


def test_model_with_ops_saves_and_loads_with_equal_predictions(tmp_path):
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    x1, x2, y = _data()
    model.fit([x1, x2], y, epochs=1, verbose=0)
    expected = model.predict([x1, x2], verbose=0)
    path = tmp_path / "ops_model.keras"
    model.save(path)
    loaded = strata.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict([x1, x2], verbose=0), expected, rtol=1e-6)
    ops_layers = [layer for layer in loaded.layers if isinstance(layer, OpLayer)]
    assert sorted(layer.op_name for layer in ops_layers) == sorted(
        [
            "numpy.add",
            "numpy.multiply",
            "numpy.mean",
            "numpy.concatenate",
            "numpy.clip",
            "numpy.tanh",
        ]
    )


def test_model_config_round_trip_keeps_the_op_arguments():
    model = _model()
    clone = strata.Model.from_config(model.get_config())
    x1, x2, _ = _data()
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(
        clone.predict([x1, x2], verbose=0), model.predict([x1, x2], verbose=0), rtol=1e-6
    )


def test_op_layer_config_is_json_with_tensor_placeholders():
    a, _ = _inputs()
    out = ops.sum(a, axis=(0, 1), keepdims=True)
    config = out._keras_history[0].get_config()
    assert config["op_name"] == "numpy.sum"
    assert config["arguments"] == {
        "args": [{"__tensor__": 0}],
        "kwargs": {"axis": {"__tuple__": [0, 1]}, "keepdims": True},
    }


def test_op_with_a_python_function_runs_but_does_not_serialize():
    a, _ = _inputs()
    doubled = ops.map(lambda row: row * 2, a)
    assert doubled.shape == (None, 4)
    model = strata.Model(a, doubled)
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(model.predict(x, verbose=0), x * 2)
    with pytest.raises(ValueError, match="Python function"):
        doubled._keras_history[0].get_config()


def test_unknown_op_names_are_refused():
    with pytest.raises(ValueError, match="op_name"):
        OpLayer("numpy.no_such_op", {"args": [], "kwargs": {}})
    with pytest.raises(ValueError, match="op_name"):
        OpLayer("os.system", {"args": [], "kwargs": {}})


def test_eager_calls_on_tensors_make_no_nodes():
    result = ops.add(torch.ones(2), 1)
    assert isinstance(result, torch.Tensor)
    assert result.tolist() == [2.0, 2.0]


def test_data_dependent_ops_have_unknown_sizes_and_run_in_a_model():
    a, _ = _inputs()
    rows = ops.nonzero(a)
    assert rows.shape == (2, None) and rows.dtype == "int32"
    values, counts = ops.unique(a, return_counts=True)
    assert values.shape == (None,) and counts.dtype == "int64"
    counts, edges = ops.histogram(a, bins=3)
    assert counts.shape == (3,) and edges.shape == (4,)
    model = strata.Model(a, ops.nonzero(a))
    found = model.predict(np.array([[0.0, 1.0, 0.0, 2.0]], dtype="float32"), verbose=0)
    np.testing.assert_array_equal(found, [[0, 0], [1, 3]])


def test_ndim_of_a_symbolic_tensor_is_static():
    a, _ = _inputs()
    assert ops.ndim(a) == 2
    assert ops.ndim(ops.expand_dims(a, -1)) == 3


def test_saving_a_model_with_a_function_argument_names_the_op(tmp_path):
    a, _ = _inputs()
    model = strata.Model(a, ops.map(lambda row: row * 2, a))
    with pytest.raises(ValueError, match=r"map.*Python function"):
        model.save(tmp_path / "with_function.keras")


@pytest.mark.parametrize(
    "expression, shape, dtype",
    [
        (lambda x: -x, (None, 3, 4), "float32"),
        (lambda x: x**2, (None, 3, 4), "float32"),
        (lambda x: 2**x, (None, 3, 4), "float32"),
        (lambda x: abs(x), (None, 3, 4), "float32"),
        (lambda x: x[:, 0], (None, 4), "float32"),
        (lambda x: x[..., 1:3], (None, 3, 2), "float32"),
        (lambda x: x[:, None, 0], (None, 1, 4), "float32"),
        (lambda x: x @ np.ones((4, 2), dtype="float32"), (None, 3, 2), "float32"),
        (lambda x: x // 2, (None, 3, 4), "float32"),
        (lambda x: x % 2, (None, 3, 4), "float32"),
        (lambda x: x > 0, (None, 3, 4), "bool"),
        (lambda x: ~(x <= 0), (None, 3, 4), "bool"),
        (lambda x: (x >= 0) & (x < 1), (None, 3, 4), "bool"),
        (lambda x: (x > 0) | (x < -1), (None, 3, 4), "bool"),
    ],
)
def test_operators_on_symbolic_tensors(expression, shape, dtype):
    out = expression(strata.Input(shape=(3, 4)))
    assert out.shape == shape and out.dtype == dtype


def test_operator_model_saves_and_loads(tmp_path):
    x = strata.Input(shape=(3, 4))
    model = strata.Model(x, x[:, 0] ** 2 - abs(x[:, 1]) + (x[:, 2] > 0))
    data = np.arange(24, dtype="float32").reshape(2, 3, 4) - 10
    expected = data[:, 0] ** 2 - np.abs(data[:, 1]) + (data[:, 2] > 0)
    np.testing.assert_allclose(model.predict(data, verbose=0), expected)
    model.save(tmp_path / "operators.keras")
    loaded = strata.saving.load_model(tmp_path / "operators.keras")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected)


def test_symbolic_tensors_are_not_iterable():
    with pytest.raises(TypeError, match="not iterable"):
        list(strata.Input(shape=(3,)))
