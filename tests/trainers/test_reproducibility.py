"""Seeded fits repeat exactly on the CPU; Dropout is active in fit and off in inference."""

import numpy as np
import pytest

import strata as keras
from strata import Input, layers
from strata.models import Sequential


def _data(rows=64, width=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype("float32")
    y = (x[:, :2].sum(1, keepdims=True) > 0).astype("float32")
    return x, y


def _seeded_run(seed, dropout=0.3):
    keras.set_random_seed(seed)
    model = Sequential(
        [
            Input(shape=(8,)),
            layers.Dense(16, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    x, y = _data()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
    return history.history, model.get_weights()


def test_same_seed_same_history_and_weights():
    first, weights_a = _seeded_run(42)
    second, weights_b = _seeded_run(42)
    assert first == second
    for a, b in zip(weights_a, weights_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_another_seed_gives_another_run():
    first, _ = _seeded_run(42)
    other, _ = _seeded_run(43)
    assert first["loss"] != other["loss"]


def _dropout_heavy():
    model = Sequential(
        [
            Input(shape=(8,)),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.8),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_dropout_is_active_in_fit_and_off_in_evaluate():
    x, y = _data()
    model = _dropout_heavy()
    model.optimizer.learning_rate = 0.0  # the weights stay put, so only the mode differs
    history = model.fit(x, y, epochs=1, batch_size=64, verbose=0, shuffle=False)
    evaluated = model.evaluate(x, y, batch_size=64, verbose=0)
    assert history.history["loss"][0] != pytest.approx(evaluated, rel=1e-3)
    # evaluate (and test_on_batch) are deterministic, in inference mode.
    assert model.evaluate(x, y, batch_size=64, verbose=0) == evaluated
    assert model.test_on_batch(x, y) == pytest.approx(evaluated, rel=1e-6)
    # train_on_batch draws a fresh mask each call.
    assert model.train_on_batch(x, y) != model.train_on_batch(x, y)


def test_dropout_is_off_in_predict_and_the_model_call():
    x, _ = _data()
    model = _dropout_heavy()
    first = model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, model.predict(x, verbose=0))
    np.testing.assert_array_equal(first, model.predict_on_batch(x))
    np.testing.assert_allclose(first, model(x).detach().numpy(), rtol=1e-6)
    # In training mode the same call drops units: a different output.
    assert not np.allclose(first, model(x, training=True).detach().numpy())


def test_fit_leaves_the_model_in_inference_mode():
    x, y = _data()
    model = _dropout_heavy()
    model.fit(x, y, epochs=1, verbose=0)
    assert not model.training
    np.testing.assert_array_equal(model(x).detach().numpy(), model(x).detach().numpy())
