"""Losses reported by evaluate / train_on_batch against hand computations in NumPy.

The engine trains softmax and sigmoid outputs from their logits; the values must still agree
with Keras's formula on clipped probabilities (epsilon 1e-7) for moderate logits.
"""

import numpy as np
import pytest

from strata import Input, layers, regularizers
from strata.models import Model, Sequential

EPS = 1e-7


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _fixed_dense(units, activation, in_dim=4, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    kernel = rng.normal(scale=0.8, size=(in_dim, units)).astype("float32")
    bias = rng.normal(scale=0.3, size=(units,)).astype("float32")
    model = Sequential(
        [Input(shape=(in_dim,)), layers.Dense(units, activation=activation, **kwargs)]
    )
    model.set_weights([kernel, bias])
    return model, kernel, bias


def _x(rows=12, in_dim=4, seed=1):
    return np.random.default_rng(seed).normal(size=(rows, in_dim)).astype("float32")


def _keras_cce(y, p):
    p = p / p.sum(-1, keepdims=True)
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p)).sum(-1)


def _keras_bce(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def _evaluate_loss(model, x, y, **kwargs):
    return model.evaluate(x, y, verbose=0, batch_size=5, **kwargs)


def test_mse_matches_numpy():
    model, kernel, bias = _fixed_dense(2, None)
    model.compile(optimizer="sgd", loss="mse")
    x = _x()
    y = np.random.default_rng(2).normal(size=(12, 2)).astype("float32")
    expected = ((x @ kernel + bias - y) ** 2).mean(-1).mean()
    assert _evaluate_loss(model, x, y) == pytest.approx(expected, rel=1e-5)


def test_categorical_crossentropy_from_softmax_matches_keras_formula():
    model, kernel, bias = _fixed_dense(5, "softmax")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = _x()
    labels = np.random.default_rng(3).integers(0, 5, size=12)
    y = np.eye(5, dtype="float32")[labels]
    expected = _keras_cce(y, _softmax(x @ kernel + bias)).mean()
    assert _evaluate_loss(model, x, y) == pytest.approx(expected, abs=1e-5)


def test_sparse_categorical_crossentropy_from_softmax_matches_keras_formula():
    model, kernel, bias = _fixed_dense(5, "softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = _x()
    labels = np.random.default_rng(3).integers(0, 5, size=12)
    expected = _keras_cce(np.eye(5)[labels], _softmax(x @ kernel + bias)).mean()
    assert _evaluate_loss(model, x, labels) == pytest.approx(expected, abs=1e-5)
    # Labels as a column (Keras accepts (n,) and (n, 1)).
    assert _evaluate_loss(model, x, labels[:, None]) == pytest.approx(expected, abs=1e-5)


def test_binary_crossentropy_with_sigmoid_matches_keras_formula():
    model, kernel, bias = _fixed_dense(1, "sigmoid")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = _x()
    y = np.random.default_rng(4).integers(0, 2, size=(12, 1)).astype("float32")
    expected = _keras_bce(y, _sigmoid(x @ kernel + bias)).mean()
    assert _evaluate_loss(model, x, y) == pytest.approx(expected, abs=1e-5)
    # Targets given as a flat vector are reshaped to the output's (n, 1).
    assert _evaluate_loss(model, x, y[:, 0]) == pytest.approx(expected, abs=1e-5)


def test_first_train_on_batch_reports_the_loss_before_the_update():
    model, kernel, bias = _fixed_dense(5, "softmax")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = _x()
    y = np.eye(5, dtype="float32")[np.arange(12) % 5]
    expected = _keras_cce(y, _softmax(x @ kernel + bias)).mean()
    assert model.train_on_batch(x, y) == pytest.approx(expected, abs=1e-5)
    assert not np.allclose(model.get_weights()[0], kernel)


def test_sample_weight_scales_each_row_over_the_batch_size():
    model, kernel, bias = _fixed_dense(1, "sigmoid")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = _x()
    y = np.random.default_rng(4).integers(0, 2, size=(12, 1)).astype("float32")
    weights = np.linspace(0.0, 2.0, 12).astype("float32")
    per_row = _keras_bce(y, _sigmoid(x @ kernel + bias))
    # Keras's "sum_over_batch_size": sum(w * loss) / rows, one batch at a time, then the mean of
    # the batch losses weighted by batch size; with one batch that is the plain formula.
    expected = (weights * per_row).sum() / 12
    got = model.evaluate(x, y, sample_weight=weights, batch_size=12, verbose=0)
    assert got == pytest.approx(expected, abs=1e-5)
    got_batched = model.evaluate(x, y, sample_weight=weights, batch_size=5, verbose=0)
    batches = [slice(0, 5), slice(5, 10), slice(10, 12)]
    expected_batched = sum((weights[s] * per_row[s]).sum() for s in batches) / 12
    assert got_batched == pytest.approx(expected_batched, abs=1e-5)


def test_class_weight_weights_rows_by_their_class_in_fit():
    model, kernel, bias = _fixed_dense(3, "softmax")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = _x()
    labels = np.arange(12) % 3
    y = np.eye(3, dtype="float32")[labels]
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    per_row = _keras_cce(y, _softmax(x @ kernel + bias))
    expected = (np.array([class_weight[c] for c in labels]) * per_row).mean()
    # fit's epoch loss over one batch is the loss before that batch's update.
    history = model.fit(x, y, batch_size=12, epochs=1, verbose=0, class_weight=class_weight)
    assert history.history["loss"][0] == pytest.approx(expected, abs=1e-5)


def test_class_weight_on_binary_targets_and_train_on_batch():
    model, kernel, bias = _fixed_dense(1, "sigmoid")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = _x()
    y = (np.arange(12) % 2).astype("float32")[:, None]
    per_row = _keras_bce(y, _sigmoid(x @ kernel + bias))
    expected = (np.where(y[:, 0] == 1, 4.0, 1.0) * per_row).mean()
    got = model.train_on_batch(x, y, class_weight={0: 1.0, 1: 4.0})
    assert got == pytest.approx(expected, abs=1e-5)


def test_multi_output_total_is_the_weighted_sum_plus_the_l2_penalty():
    rng = np.random.default_rng(5)
    inputs = Input(shape=(4,), name="x")
    hidden = layers.Dense(6, kernel_regularizer=regularizers.l2(0.01), name="hidden")(inputs)
    reg_out = layers.Dense(1, name="reg")(hidden)
    cls_out = layers.Dense(3, activation="softmax", name="cls")(hidden)
    model = Model(inputs, [reg_out, cls_out])
    weights = [
        w.astype("float32")
        for w in (rng.normal(scale=0.5, size=w.shape) for w in model.get_weights())
    ]
    model.set_weights(weights)
    k_hidden, b_hidden, k_reg, b_reg, k_cls, b_cls = weights
    model.compile(
        optimizer="sgd",
        loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
        loss_weights={"reg": 0.3, "cls": 2.0},
    )
    x = _x()
    y_reg = rng.normal(size=(12, 1)).astype("float32")
    y_cls = rng.integers(0, 3, size=12)
    h = x @ k_hidden + b_hidden
    mse = ((h @ k_reg + b_reg - y_reg) ** 2).mean()
    cce = _keras_cce(np.eye(3)[y_cls], _softmax(h @ k_cls + b_cls)).mean()
    penalty = 0.01 * (k_hidden**2).sum()
    logs = model.evaluate(x, [y_reg, y_cls], batch_size=12, verbose=0, return_dict=True)
    assert logs["reg_loss"] == pytest.approx(mse, rel=1e-5)
    assert logs["cls_loss"] == pytest.approx(cce, abs=1e-5)
    assert logs["loss"] == pytest.approx(0.3 * mse + 2.0 * cce + penalty, rel=1e-5)


def test_l2_penalty_is_part_of_the_single_output_loss():
    model, kernel, bias = _fixed_dense(2, None, kernel_regularizer=regularizers.l2(0.1))
    model.compile(optimizer="sgd", loss="mse")
    x = _x()
    y = np.zeros((12, 2), dtype="float32")
    expected = ((x @ kernel + bias) ** 2).mean() + 0.1 * (kernel**2).sum()
    assert _evaluate_loss(model, x, y) == pytest.approx(expected, rel=1e-5)


def test_metrics_are_computed_on_probabilities_not_logits():
    model, kernel, bias = _fixed_dense(1, "sigmoid")
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc", "mse"])
    x = _x()
    y = np.random.default_rng(6).integers(0, 2, size=(12, 1)).astype("float32")
    p = _sigmoid(x @ kernel + bias)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["acc"] == pytest.approx(((p > 0.5) == y).mean(), abs=1e-6)
    assert logs["mse"] == pytest.approx(((p - y) ** 2).mean(), abs=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), p, rtol=1e-5)
