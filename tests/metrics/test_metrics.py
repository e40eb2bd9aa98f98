"""Reducing and accuracy metrics over several updates against NumPy; state, device, configs."""

import numpy as np
import pytest
import torch

from strata import metrics

RNG = np.random.default_rng(3)


def _batches(*arrays, n=3):
    idx = np.array_split(np.arange(len(arrays[0])), n)
    for part in idx:
        yield tuple(None if a is None else torch.from_numpy(a[part]) for a in arrays)


def test_mean_and_sum_accumulate_with_weights():
    values = RNG.normal(size=(10, 3)).astype("float32")
    weights = RNG.uniform(size=10).astype("float32")
    mean, total = metrics.Mean(), metrics.Sum()
    for v, w in _batches(values, weights):
        mean.update_state(v, sample_weight=w)
        total.update_state(v, sample_weight=w)
    per_sample = values.mean(-1)
    np.testing.assert_allclose(
        float(mean.result()), (per_sample * weights).sum() / weights.sum(), rtol=1e-5
    )
    np.testing.assert_allclose(float(total.result()), (values.sum(-1) * weights).sum(), rtol=1e-5)
    plain = metrics.Mean()
    for (v,) in _batches(values):
        plain.update_state(v)
    np.testing.assert_allclose(float(plain.result()), values.mean(), rtol=1e-5)


def test_reset_state_and_empty_result():
    m = metrics.Mean()
    assert float(m.result()) == 0.0
    m.update_state([1.0, 2.0])
    m.reset_state()
    assert float(m.result()) == 0.0 and [float(v) for v in m.variables] == [0.0, 0.0]
    m.update_state([4.0])
    assert float(m.result()) == 4.0


def test_state_is_float_tensors_and_follows_first_update():
    m = metrics.CategoricalAccuracy()
    assert all(isinstance(v, torch.Tensor) and v.dtype == torch.float32 for v in m.variables)
    # Meta tensors have no values: any host read in update_state would raise here.
    y = torch.rand(8, 3, device="meta")
    for metric, y_true in [
        (m, y),
        (metrics.AUC(), y),
        (metrics.Precision(top_k=2), y),
        (
            metrics.SparseTopKCategoricalAccuracy(k=2),
            torch.zeros(8, dtype=torch.long, device="meta"),
        ),
        (metrics.RootMeanSquaredError(), y),
    ]:
        metric.update_state(y_true, y, sample_weight=torch.ones(8, device="meta"))
        assert all(v.device.type == "meta" for v in metric.variables)


def test_call_updates_and_returns_result():
    m = metrics.BinaryAccuracy()
    assert float(m([[1], [0]], [[0.9], [0.9]])) == 0.5
    assert float(m([[1], [1]], [[0.9], [0.9]])) == 0.75


def test_accuracy_variants_vs_numpy():
    probs = RNG.uniform(size=(30, 5)).astype("float32")
    labels = RNG.integers(0, 5, size=30)
    onehot = np.eye(5, dtype="float32")[labels]
    weights = RNG.uniform(size=30).astype("float32")
    hits = (probs.argmax(-1) == labels).astype("float32")
    column = labels[:, None].astype("float32")
    for metric, y_true in [
        (metrics.CategoricalAccuracy(), onehot),
        (metrics.SparseCategoricalAccuracy(), labels),
        (metrics.SparseCategoricalAccuracy(), column),
    ]:
        for t, p, w in _batches(y_true, probs, weights):
            metric.update_state(t, p, sample_weight=w)
        np.testing.assert_allclose(
            float(metric.result()), (hits * weights).sum() / weights.sum(), rtol=1e-5
        )


def test_binary_accuracy_threshold_and_exact_accuracy():
    y_true = RNG.integers(0, 2, size=(20, 1)).astype("float32")
    y_pred = RNG.uniform(size=(20, 1)).astype("float32")
    for threshold in (0.5, 0.8):
        m = metrics.BinaryAccuracy(threshold=threshold)
        for t, p in _batches(y_true[:, 0], y_pred):
            m.update_state(t, p)
        expected = ((y_pred > threshold) == (y_true == 1)).mean()
        np.testing.assert_allclose(float(m.result()), expected, rtol=1e-6)
    acc = metrics.Accuracy()
    acc.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert float(acc.result()) == 0.75


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_vs_numpy(k):
    probs = RNG.uniform(size=(40, 6)).astype("float32")
    labels = RNG.integers(0, 6, size=40)
    onehot = np.eye(6, dtype="float32")[labels]
    rank = (probs > probs[np.arange(40), labels][:, None]).sum(-1)
    expected = (rank < k).mean()
    dense, sparse = metrics.TopKCategoricalAccuracy(k=k), metrics.SparseTopKCategoricalAccuracy(k=k)
    for t, s, p in _batches(onehot, labels, probs):
        dense.update_state(t, p)
        sparse.update_state(s, p)
    np.testing.assert_allclose(float(dense.result()), expected, rtol=1e-6)
    np.testing.assert_allclose(float(sparse.result()), expected, rtol=1e-6)


def test_top_k_counts_ties_and_large_k():
    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state([0, 1], [[0.5, 0.5, 0.0], [0.2, 0.1, 0.7]])
    assert float(m.result()) == 0.5
    m = metrics.SparseTopKCategoricalAccuracy()  # k=5 > 3 classes: always a hit
    m.update_state([2], [[0.9, 0.1, 0.0]])
    assert float(m.result()) == 1.0


def test_regression_metrics_vs_numpy():
    t = RNG.uniform(0.5, 2, size=(12, 2)).astype("float32")
    p = RNG.uniform(0.5, 2, size=(12, 2)).astype("float32")
    w = RNG.uniform(size=12).astype("float32")
    expected = {
        metrics.MeanSquaredError: ((t - p) ** 2).mean(-1),
        metrics.MeanAbsoluteError: np.abs(t - p).mean(-1),
        metrics.MeanAbsolutePercentageError: 100 * (np.abs(t - p) / np.abs(t)).mean(-1),
        metrics.MeanSquaredLogarithmicError: ((np.log1p(p) - np.log1p(t)) ** 2).mean(-1),
    }
    for cls, per_sample in expected.items():
        m = cls()
        for tt, pp, ww in _batches(t, p, w):
            m.update_state(tt, pp, sample_weight=ww)
        np.testing.assert_allclose(float(m.result()), (per_sample * w).sum() / w.sum(), rtol=1e-5)
    rmse = metrics.RootMeanSquaredError()
    for tt, pp in _batches(t, p):
        rmse.update_state(tt, pp)
    np.testing.assert_allclose(float(rmse.result()), np.sqrt(((t - p) ** 2).mean()), rtol=1e-5)


def test_crossentropy_metrics_vs_numpy():
    logits = RNG.normal(size=(9, 4)).astype("float32")
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = RNG.integers(0, 4, size=9)
    nll = -np.log(probs[np.arange(9), labels]).mean()
    cce = metrics.CategoricalCrossentropy(from_logits=True)
    scce = metrics.SparseCategoricalCrossentropy()
    for t, s, lg, pr in _batches(np.eye(4, dtype="float32")[labels], labels, logits, probs):
        cce.update_state(t, lg)
        scce.update_state(s, pr)
    np.testing.assert_allclose(float(cce.result()), nll, rtol=1e-5)
    np.testing.assert_allclose(float(scce.result()), nll, rtol=1e-5)
    bce = metrics.BinaryCrossentropy()
    bce.update_state([[1.0], [0.0]], [[0.8], [0.4]])
    np.testing.assert_allclose(float(bce.result()), -(np.log(0.8) + np.log(0.6)) / 2, rtol=1e-5)


def test_mean_metric_wrapper_names_and_config():
    def mean_error(y_true, y_pred):
        return (y_pred - y_true).mean(-1)

    m = metrics.get(mean_error)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "mean_error"
    m.update_state(torch.zeros(2, 2), torch.ones(2, 2))
    assert float(m.result()) == 1.0
    builtin = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="ba", threshold=0.7)
    config = builtin.get_config()
    assert config["fn"] == "binary_accuracy" and config["threshold"] == 0.7
    clone = metrics.MeanMetricWrapper.from_config(config)
    clone.update_state([[1.0]], [[0.6]])
    assert clone.name == "ba" and float(clone.result()) == 0.0


CONFIG_CASES = [
    metrics.Mean(name="m"),
    metrics.Sum(),
    metrics.Accuracy(),
    metrics.BinaryAccuracy(threshold=0.3),
    metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(),
    metrics.TopKCategoricalAccuracy(k=3),
    metrics.SparseTopKCategoricalAccuracy(k=2),
    metrics.AUC(curve="PR"),
    metrics.Precision(thresholds=[0.2, 0.4], class_id=1),
    metrics.Recall(top_k=2),
    metrics.TruePositives(thresholds=0.3),
    metrics.FalsePositives(),
    metrics.TrueNegatives(),
    metrics.FalseNegatives(),
    metrics.MeanSquaredError(),
    metrics.MeanAbsoluteError(),
    metrics.RootMeanSquaredError(),
    metrics.MeanAbsolutePercentageError(),
    metrics.BinaryCrossentropy(label_smoothing=0.1),
    metrics.CategoricalCrossentropy(from_logits=True),
    metrics.SparseCategoricalCrossentropy(),
]


@pytest.mark.parametrize("metric", CONFIG_CASES, ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    config = metric.get_config()
    clone = type(metric).from_config(config)
    assert clone.get_config() == config
    rebuilt = metrics.deserialize(metrics.serialize(metric))
    assert type(rebuilt) is type(metric) and rebuilt.get_config() == config
