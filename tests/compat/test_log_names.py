"""History keys, `metrics_names` and the order of `evaluate`'s values, as Keras names them.

The expected names were recorded with Keras 3.15.1 on the torch backend by
tools/keras_fixtures/record_log_names.py (the same models and compile arguments as here).
"""

import numpy as np
import pytest

import strata as keras
from strata import layers


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((8, 3)).astype("float32")
    ya = rng.random((8, 1)).astype("float32")
    yb = np.eye(2)[rng.integers(0, 2, 8)].astype("float32")
    return x, ya, yb


def _two_output_model():
    inputs = keras.Input((3,), name="x")
    a = layers.Dense(1, name="out_a")(inputs)
    b = layers.Dense(2, activation="softmax", name="out_b")(inputs)
    return keras.Model(inputs, [a, b])


def _order_of(listed, named):
    """The dict keys in the order of the list's values (values are distinct floats)."""
    return [next(k for k, v in named.items() if np.isclose(v, value)) for value in listed]


def test_two_outputs_with_per_output_losses_and_metrics():
    x, ya, yb = _data()
    model = _two_output_model()
    model.compile(
        "sgd",
        loss=["mse", "categorical_crossentropy"],
        metrics=[["mae"], ["accuracy", "mse"]],
        loss_weights=[1.0, 0.5],
    )
    history = model.fit(x, [ya, yb], epochs=1, verbose=0, validation_data=(x, [ya, yb]))
    # Keras 3.15.1 (torch backend):
    assert list(history.history) == [
        "loss",
        "out_a_loss",
        "out_a_mae",
        "out_b_accuracy",
        "out_b_loss",
        "out_b_mse",
        "val_loss",
        "val_out_a_loss",
        "val_out_a_mae",
        "val_out_b_accuracy",
        "val_out_b_loss",
        "val_out_b_mse",
    ]
    assert model.metrics_names == ["loss", "compile_metrics", "out_a_loss", "out_b_loss"]
    named = model.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert list(named) == [
        "loss",
        "out_a_loss",
        "out_a_mae",
        "out_b_accuracy",
        "out_b_loss",
        "out_b_mse",
    ]
    listed = model.evaluate(x, [ya, yb], verbose=0)
    assert _order_of(listed, named) == [
        "loss",
        "out_a_loss",
        "out_b_loss",
        "out_a_mae",
        "out_b_accuracy",
        "out_b_mse",
    ]
    # The total is the weighted sum of the outputs' losses.
    assert named["loss"] == pytest.approx(named["out_a_loss"] + 0.5 * named["out_b_loss"], 1e-5)
    on_batch = model.test_on_batch(x, [ya, yb])
    assert on_batch == pytest.approx(listed, rel=1e-5)


def test_one_output_lists_the_metrics_in_compile_order_after_the_loss():
    x, _, yb = _data()
    model = _two_output_model()
    single = keras.Model(model.input, model.outputs[1])
    single.compile("sgd", loss="categorical_crossentropy", metrics=["mse", "accuracy", "mae"])
    history = single.fit(x, yb, epochs=1, verbose=0, validation_data=(x, yb))
    # Keras 3.15.1 (torch backend):
    assert list(history.history) == [
        "accuracy",
        "loss",
        "mae",
        "mse",
        "val_accuracy",
        "val_loss",
        "val_mae",
        "val_mse",
    ]
    assert single.metrics_names == ["loss", "compile_metrics"]
    named = single.evaluate(x, yb, verbose=0, return_dict=True)
    assert list(named) == ["accuracy", "loss", "mae", "mse"]
    listed = single.evaluate(x, yb, verbose=0)
    assert _order_of(listed, named) == ["loss", "mse", "accuracy", "mae"]


def test_without_metrics_only_the_loss_is_tracked():
    x, ya, _ = _data()
    model = _two_output_model()
    plain = keras.Model(model.input, model.outputs[0])
    plain.compile("sgd", loss="mse")
    assert plain.metrics_names == ["loss"]
    plain.fit(x, ya, epochs=1, verbose=0)
    assert plain.metrics_names == ["loss"]
    assert isinstance(plain.evaluate(x, ya, verbose=0), float)
