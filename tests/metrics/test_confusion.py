"""Confusion counts, precision, recall and AUC against scikit-learn, over several batches."""

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from strata import metrics

RNG = np.random.default_rng(7)
N = 600
LABELS = RNG.integers(0, 2, size=N)
SCORES = np.clip(0.35 * LABELS + RNG.uniform(0, 0.65, size=N), 0, 1).astype("float32")
WEIGHTS = RNG.uniform(0, 2, size=N).astype("float32")


def _feed(metric, labels, scores, weights=None, batches=5):
    for idx in np.array_split(np.arange(len(labels)), batches):
        sw = None if weights is None else torch.from_numpy(weights[idx])
        metric.update_state(torch.from_numpy(labels[idx]), torch.from_numpy(scores[idx]), sw)
    return metric


@pytest.mark.parametrize("weighted", [False, True])
def test_precision_recall_exact_vs_sklearn(weighted):
    w = WEIGHTS if weighted else None
    pred = (SCORES > 0.5).astype(int)
    p = _feed(metrics.Precision(), LABELS, SCORES, w)
    r = _feed(metrics.Recall(), LABELS, SCORES, w)
    np.testing.assert_allclose(
        float(p.result()), skm.precision_score(LABELS, pred, sample_weight=w), rtol=1e-5
    )
    np.testing.assert_allclose(
        float(r.result()), skm.recall_score(LABELS, pred, sample_weight=w), rtol=1e-5
    )


def test_counts_vs_sklearn_confusion_matrix():
    thresholds = [0.7, 0.2, 0.5]
    got = {
        cls: _feed(cls(thresholds=thresholds), LABELS, SCORES).result().numpy()
        for cls in (
            metrics.TrueNegatives,
            metrics.FalsePositives,
            metrics.FalseNegatives,
            metrics.TruePositives,
        )
    }
    for i, t in enumerate(thresholds):
        tn, fp, fn, tp = skm.confusion_matrix(LABELS, (SCORES > t).astype(int)).ravel()
        assert got[metrics.TrueNegatives][i] == tn
        assert got[metrics.FalsePositives][i] == fp
        assert got[metrics.FalseNegatives][i] == fn
        assert got[metrics.TruePositives][i] == tp


def test_single_threshold_gives_scalar_and_strict_comparison():
    tp = metrics.TruePositives()
    tp.update_state([1, 1, 1, 0], [0.5, 0.51, 1.0, 0.9])
    assert tp.result().dim() == 0 and float(tp.result()) == 2.0
    p = metrics.Precision(thresholds=[0.3, 0.8])
    p.update_state([1, 0, 1, 0], [0.9, 0.85, 0.4, 0.1])
    np.testing.assert_allclose(p.result().numpy(), [2 / 3, 1 / 2])


def test_class_id_and_top_k():
    y_true = RNG.integers(0, 2, size=(50, 4))
    y_pred = RNG.uniform(size=(50, 4)).astype("float32")
    p = metrics.Precision(class_id=2)
    p.update_state(y_true, y_pred)
    expected = skm.precision_score(y_true[:, 2], (y_pred[:, 2] > 0.5).astype(int))
    np.testing.assert_allclose(float(p.result()), expected, rtol=1e-6)
    top = metrics.Precision(top_k=1)
    top.update_state(y_true, y_pred)
    best = y_pred.argmax(-1)
    np.testing.assert_allclose(float(top.result()), y_true[np.arange(50), best].mean(), rtol=1e-6)
    rec = metrics.Recall(top_k=2)
    rec.update_state(y_true, y_pred)
    in_top2 = np.zeros_like(y_true)
    np.put_along_axis(in_top2, np.argsort(-y_pred, -1)[:, :2], 1, -1)
    np.testing.assert_allclose(
        float(rec.result()), (in_top2 * y_true).sum() / y_true.sum(), rtol=1e-6
    )


def test_thresholds_out_of_range():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=1.5)


@pytest.mark.parametrize("weighted", [False, True])
def test_auc_roc_close_to_sklearn(weighted):
    w = WEIGHTS if weighted else None
    auc = _feed(metrics.AUC(), LABELS, SCORES, w)
    expected = skm.roc_auc_score(LABELS, SCORES, sample_weight=w)
    assert abs(float(auc.result()) - expected) < 1e-2


def test_auc_pr_close_to_average_precision():
    auc = _feed(metrics.AUC(curve="PR"), LABELS, SCORES)
    assert abs(float(auc.result()) - skm.average_precision_score(LABELS, SCORES)) < 2e-2


def test_auc_batches_equal_one_batch_and_reset():
    many = _feed(metrics.AUC(curve="PR"), LABELS, SCORES, batches=7)
    one = _feed(metrics.AUC(curve="PR"), LABELS, SCORES, batches=1)
    torch.testing.assert_close(many.result(), one.result())
    many.reset_state()
    assert all(float(v.abs().sum()) == 0 for v in many.variables)
    assert float(many.result()) == 0.0


def test_auc_from_logits_and_summation_methods():
    logits = np.log(SCORES.clip(1e-4, 1 - 1e-4) / (1 - SCORES.clip(1e-4, 1 - 1e-4)))
    a = _feed(metrics.AUC(from_logits=True), LABELS, logits.astype("float32"))
    b = _feed(metrics.AUC(), LABELS, SCORES)
    np.testing.assert_allclose(float(a.result()), float(b.result()), atol=2e-3)
    values = {
        m: float(_feed(metrics.AUC(summation_method=m), LABELS, SCORES).result())
        for m in ("minoring", "interpolation", "majoring")
    }
    assert values["minoring"] < values["interpolation"] < values["majoring"]


def test_auc_hand_computed_three_thresholds():
    auc = metrics.AUC(num_thresholds=3)
    auc.update_state([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9])
    # thresholds (-eps, 0.5, 1+eps): (fpr, tpr) = (1, 1), (0, 0.5), (0, 0): trapezoids give 0.75.
    assert float(auc.result()) == pytest.approx(0.75)


def test_auc_config_and_validation():
    auc = metrics.AUC(
        num_thresholds=50, curve="pr", summation_method="majoring", from_logits=True, name="prauc"
    )
    config = auc.get_config()
    clone = metrics.AUC.from_config(config)
    assert clone.get_config() == config and clone.curve == "PR" and clone.num_thresholds == 50
    custom = metrics.AUC(thresholds=[0.8, 0.2, 0.5])
    assert custom.num_thresholds == 5
    assert metrics.AUC.from_config(custom.get_config()).thresholds == custom.thresholds
    with pytest.raises(ValueError, match="num_thresholds expected an integer > 1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve expected 'ROC' or 'PR'"):
        metrics.AUC(curve="DET")
