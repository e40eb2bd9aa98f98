"""Record Keras 3.15's metric and loss values on fixed inputs, for strata's comparison tests.

Run with the reference Keras (never a test dependency):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/metrics_losses.py

Writes tests/metrics/fixtures/keras_metrics.npz and tests/losses/fixtures/keras_losses.npz.
Each file holds a JSON string `cases` (class, constructor arguments, Keras's get_config), and
the inputs and the values Keras gave, all in one float32 array `values` located by the JSON
`index` (key -> offset, shape). Metric cases record the result after every
`update_state` (streaming), then after `reset_state` and one more update; loss cases record
every reduction, with and without sample weights.
"""

import json
import os
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(20261201)
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


def f32(x):
    return np.asarray(x, dtype="float32")


def to_np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def probs(*shape):
    return f32(RNG.uniform(0.02, 0.98, size=shape))


def onehot(n, k):
    return f32(np.eye(k)[RNG.integers(0, k, size=n)])


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return f32(e / e.sum(-1, keepdims=True))


def labels01(*shape):
    return f32(RNG.integers(0, 2, size=shape))


def weights(n, integer=False):
    if integer:
        return f32(RNG.integers(0, 4, size=n))
    return f32(RNG.uniform(0.0, 2.0, size=n))


class Recorder:
    def __init__(self):
        self.cases = []
        self.arrays = {}

    def put(self, key, value):
        self.arrays[key] = np.asarray(value)

    def save(self, path):
        """One float32 array holds every value; `index` maps each key to (offset, shape)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        index, offset, parts = {}, 0, []
        for key, value in self.arrays.items():
            flat = value.astype("float32").reshape(-1)
            index[key] = [offset, list(value.shape)]
            parts.append(flat)
            offset += flat.size
        np.savez_compressed(
            path,
            cases=np.array(json.dumps(self.cases)),
            index=np.array(json.dumps(index)),
            values=np.concatenate(parts),
        )
        print(f"wrote {path} ({path.stat().st_size} bytes, {len(self.cases)} cases)")


def metric_case(rec, case_id, cls_name, kwargs, data):
    """data: (y_true, y_pred, sample_weight or None), fed in three uneven batches."""
    y_true, y_pred, weight = data
    cuts = batch_cuts(len(y_true))
    metric = getattr(keras.metrics, cls_name)(**kwargs)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b in zip(cuts[:-1], cuts[1:]):
            w = None if weight is None else weight[a:b]
            metric.update_state(y_true[a:b], y_pred[a:b], sample_weight=w)
            results.append(to_np(metric.result()))
        metric.reset_state()
        a, b = cuts[-2], cuts[-1]
        w = None if weight is None else weight[a:b]
        metric.update_state(y_true[a:b], y_pred[a:b], sample_weight=w)
        rec.put(f"{case_id}/after_reset", to_np(metric.result()))
    rec.put(f"{case_id}/y_true", y_true)
    rec.put(f"{case_id}/y_pred", y_pred)
    if weight is not None:
        rec.put(f"{case_id}/sample_weight", weight)
    rec.put(f"{case_id}/results", np.stack(results))
    rec.cases.append(
        {
            "id": case_id,
            "class": cls_name,
            "kwargs": kwargs,
            "cuts": cuts,
            "name": metric.name,
            "keras_config": metric.get_config(),
            "keras_serialized": keras.saving.serialize_keras_object(metric),
        }
    )


def function_case(rec, case_id, module, fn_name, kwargs, y_true, y_pred):
    fn = getattr(getattr(keras, module), fn_name)
    rec.put(f"{case_id}/y_true", y_true)
    rec.put(f"{case_id}/y_pred", y_pred)
    tensors = keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred)
    rec.put(f"{case_id}/value", to_np(fn(*tensors, **kwargs)))
    rec.cases.append({"id": case_id, "function": fn_name, "kwargs": kwargs})


def loss_case(rec, case_id, cls_name, kwargs, y_true, y_pred, sample_weight):
    rec.put(f"{case_id}/y_true", y_true)
    rec.put(f"{case_id}/y_pred", y_pred)
    rec.put(f"{case_id}/sample_weight", sample_weight)
    for reduction in REDUCTIONS:
        loss = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
        rec.put(f"{case_id}/{reduction}/plain", to_np(loss(y_true, y_pred)))
        rec.put(
            f"{case_id}/{reduction}/weighted",
            to_np(loss(y_true, y_pred, sample_weight=sample_weight)),
        )
    loss = getattr(keras.losses, cls_name)(**kwargs)
    rec.cases.append(
        {
            "id": case_id,
            "class": cls_name,
            "kwargs": kwargs,
            "name": loss.name,
            "keras_config": loss.get_config(),
            "keras_serialized": keras.saving.serialize_keras_object(loss),
        }
    )


def batch_cuts(n):
    """Where three uneven batches start and end (streaming updates)."""
    return [0, n // 3, n // 3 + n // 2, n]


def metric_cases(rec):
    n = 12
    W = weights
    yb, pb = labels01(n, 3), f32(RNG.normal(size=(n, 3)))
    w = W(n)
    yh, ph = onehot(n, 4), probs(n, 4)
    yk, pk = softmax(RNG.normal(size=(n, 4))), softmax(RNG.normal(size=(n, 4)))
    yp, pp = f32(RNG.poisson(2.0, size=(n, 2))), f32(RNG.uniform(0.5, 3, size=(n, 2)))
    yr, pr = f32(RNG.normal(size=(n, 4))), f32(RNG.normal(size=(n, 4)))
    y2, p2 = f32(RNG.normal(size=(n, 3))), f32(RNG.normal(size=(n, 3)))
    p2 = f32(y2 + 0.5 * p2)
    yl, pl = labels01(n, 4), probs(n, 4)
    pl[3] = 0.0  # an all-zero row predicts nothing under the arg-max rule
    yc, pc, wc = labels01(30), probs(30), W(30)
    pc[:4] = [0.0, 1.0, 0.5, 0.25]  # predictions exactly on thresholds
    ym, pm = onehot(30, 3), probs(30, 3)
    yi, pi = f32(RNG.integers(0, 3, size=24)), f32(RNG.integers(0, 3, size=24))
    yi[:3] = [-1, 3, 1]  # out-of-range labels are left out
    wi = W(24, integer=True)
    seg_t, seg_p = f32(RNG.integers(0, 3, size=(6, 4, 4))), probs(6, 4, 4, 3)
    seg_w = f32(RNG.integers(0, 3, size=(6, 4, 4)))
    yb1, pb1 = labels01(24), probs(24)
    yo, po = onehot(24, 4), probs(24, 4)
    f1 = [
        (f"F1Score_{a}{t}", "F1Score", {"average": a, **({"threshold": 0.4} if t else {})}, d)
        for a in (None, "micro", "macro", "weighted")
        for t, d in (("", (yl, pl, w)), ("_t", (yl, pl, None)))
    ]
    cases = [
        ("Hinge", "Hinge", {}, (yb, pb, w)),
        ("SquaredHinge", "SquaredHinge", {}, (yb, pb, w)),
        ("CategoricalHinge", "CategoricalHinge", {}, (yh, ph, w)),
        ("KLDivergence", "KLDivergence", {}, (yk, pk, w)),
        ("Poisson", "Poisson", {}, (yp, pp, w)),
        ("CosineSimilarity", "CosineSimilarity", {}, (yr, pr, w)),
        ("CosineSimilarity_axis0", "CosineSimilarity", {"name": "cos", "axis": 0}, (yr, pr, None)),
        ("LogCoshError", "LogCoshError", {}, (yr, pr, w)),
        ("PearsonCorrelation", "PearsonCorrelation", {}, (yr, yr + 0.5 * pr, w)),
        ("ConcordanceCorrelation", "ConcordanceCorrelation", {}, (yr, 0.8 * yr + 0.3 * pr, w)),
        ("R2Score", "R2Score", {}, (y2, p2, w)),
        (
            "R2Score_variance",
            "R2Score",
            {"class_aggregation": "variance_weighted_average"},
            (y2, p2, None),
        ),
        ("R2Score_none", "R2Score", {"class_aggregation": None}, (y2, p2, w)),
        ("R2Score_adjusted", "R2Score", {"num_regressors": 2}, (y2[:, :1], p2[:, :1], None)),
        *f1,
        (
            "FBetaScore",
            "FBetaScore",
            {"beta": 2.0, "average": "macro", "threshold": 0.5},
            (yl, pl, w),
        ),
        ("FBetaScore_none", "FBetaScore", {"beta": 0.5}, (onehot(n, 4), pl, None)),
        ("PrecisionAtRecall", "PrecisionAtRecall", {"recall": 0.6}, (yc, pc, wc)),
        (
            "RecallAtPrecision",
            "RecallAtPrecision",
            {"precision": 0.7, "num_thresholds": 50},
            (yc, pc, None),
        ),
        (
            "SensitivityAtSpecificity",
            "SensitivityAtSpecificity",
            {"specificity": 0.5},
            (yc, pc, wc),
        ),
        (
            "SpecificityAtSensitivity",
            "SpecificityAtSensitivity",
            {"sensitivity": 0.7, "num_thresholds": 1},
            (yc, pc, None),
        ),
        (
            "SpecificityAtSensitivity_3",
            "SpecificityAtSensitivity",
            {"sensitivity": 0.4, "num_thresholds": 3},
            (yc, pc, wc),
        ),
        (
            "PrecisionAtRecall_class",
            "PrecisionAtRecall",
            {"recall": 0.5, "class_id": 1, "num_thresholds": 20},
            (ym, pm, wc),
        ),
        ("IoU", "IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, (yi, pi, wi)),
        (
            "IoU_ignore",
            "IoU",
            {"num_classes": 3, "target_class_ids": [1], "ignore_class": 0},
            (yi, pi, None),
        ),
        ("MeanIoU", "MeanIoU", {"num_classes": 3}, (yi, pi, wi)),
        ("MeanIoU_float", "MeanIoU", {"num_classes": 3, "dtype": "float32"}, (yi, pi, W(24))),
        (
            "MeanIoU_int_fractional",
            "MeanIoU",
            {"num_classes": 3},
            (yi, pi, f32(RNG.uniform(0.5, 2.5, size=24))),
        ),
        (
            "MeanIoU_scores",
            "MeanIoU",
            {"num_classes": 3, "sparse_y_pred": False, "ignore_class": 2},
            (seg_t, seg_p, seg_w),
        ),
        ("BinaryIoU", "BinaryIoU", {}, (yb1, pb1, wi)),
        (
            "BinaryIoU_0",
            "BinaryIoU",
            {"target_class_ids": [0], "threshold": 0.3, "dtype": "float32"},
            (yb1, pb1, W(24)),
        ),
        ("OneHotIoU", "OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, (yo, po, wi)),
        ("OneHotMeanIoU", "OneHotMeanIoU", {"num_classes": 4, "dtype": "float32"}, (yo, po, W(24))),
        (
            "OneHotMeanIoU_sparse_pred",
            "OneHotMeanIoU",
            {"num_classes": 4, "sparse_y_pred": True},
            (yo, f32(RNG.integers(0, 4, size=24)), None),
        ),
    ]
    for case_id, cls_name, kwargs, data in cases:
        metric_case(rec, case_id, cls_name, kwargs, data)
    # Functions exported by keras.metrics.
    for case_id, fn, kwargs, y_true, y_pred in [
        ("fn_pearson", "pearson_correlation", {}, yr, yr + pr),
        ("fn_pearson_axis0", "pearson_correlation", {"axis": 0}, yr, yr + pr),
        ("fn_concordance", "concordance_correlation", {}, yr, 0.5 * yr + pr + 1.0),
        ("fn_metrics_bfce", "binary_focal_crossentropy", {"gamma": 1.0}, yb, probs(n, 3)),
        ("fn_metrics_cfce", "categorical_focal_crossentropy", {}, onehot(n, 4), probs(n, 4)),
    ]:
        function_case(rec, case_id, "metrics", fn, kwargs, f32(y_true), f32(y_pred))


def loss_cases(rec):
    n = 6
    w = weights(n)
    yb, pb, lb = labels01(n, 3), probs(n, 3), f32(RNG.normal(size=(n, 3)) * 2)
    yc, pc, lc = onehot(n, 4), probs(n, 4), f32(RNG.normal(size=(n, 4)) * 2)
    ys = f32(RNG.integers(0, 4, size=n))
    masks_t, masks_p = labels01(n, 4, 4, 1), probs(n, 4, 4, 1)
    emb = f32(RNG.normal(size=(8, 5)))
    emb = f32(emb / np.linalg.norm(emb, axis=-1, keepdims=True))
    ids = f32([0, 0, 1, 1, 1, 2, 3, 3])  # class 2 has one member: no positive pair, masked out
    w8 = weights(8)
    y_ctc = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 0, 0, 0]], dtype="int32")
    p_ctc = f32(RNG.normal(size=(3, 7, 5)))
    focal_all = {"gamma": 1.5, "from_logits": True, "label_smoothing": 0.1}
    cases = [
        ("BinaryFocalCrossentropy", {}, yb, pb, w),
        (
            "BinaryFocalCrossentropy",
            {"apply_class_balancing": True, "alpha": 0.4, **focal_all},
            yb,
            lb,
            w,
        ),
        ("CategoricalFocalCrossentropy", {}, yc, pc, w),
        ("CategoricalFocalCrossentropy", {"alpha": [0.1, 0.2, 0.3, 0.4], **focal_all}, yc, lc, w),
        ("CategoricalGeneralizedCrossEntropy", {"q": 0.7}, ys, softmax(lc), w),
        ("Dice", {}, masks_t, masks_p, w),
        ("Dice", {"axis": [1, 2, 3]}, masks_t, masks_p, w),
        ("Tversky", {"alpha": 0.3, "beta": 0.7}, masks_t, masks_p, w),
        ("Tversky", {"alpha": 0.6, "beta": 0.2, "axis": [1, 2]}, masks_t, masks_p, w),
        ("Circle", {}, ids, emb, w8),
        ("Circle", {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False}, ids, emb, w8),
        ("CTC", {}, y_ctc, p_ctc, weights(3)),
    ]
    for i, (cls_name, kwargs, y_true, y_pred, weight) in enumerate(cases):
        case_id = cls_name if not kwargs else f"{cls_name}_{i}"
        loss_case(rec, case_id, cls_name, kwargs, y_true, y_pred, weight)
    # The functions, with their defaults and with arguments.
    for case_id, fn, kwargs, y_true, y_pred in [
        ("fn_bfce", "binary_focal_crossentropy", {}, yb, pb),
        (
            "fn_bfce_args",
            "binary_focal_crossentropy",
            {"apply_class_balancing": True, "gamma": 0.0, "label_smoothing": 0.3},
            yb,
            pb,
        ),
        ("fn_cfce", "categorical_focal_crossentropy", {"alpha": 0.5, "gamma": 1.0}, yc, pc),
        ("fn_gce", "categorical_generalized_cross_entropy", {"q": 0.3}, ys, softmax(lc)),
        ("fn_dice", "dice", {}, masks_t, masks_p),
        ("fn_dice_axis", "dice", {"axis": [1, 2, 3]}, masks_t, masks_p),
        ("fn_tversky", "tversky", {"alpha": 0.2, "beta": 0.8, "axis": [1, 2, 3]}, masks_t, masks_p),
        ("fn_circle", "circle", {"gamma": 20, "margin": 0.3}, ids, emb),
        ("fn_ctc", "ctc", {}, y_ctc, p_ctc),
    ]:
        function_case(rec, case_id, "losses", fn, kwargs, y_true, y_pred)


def fit_case(rec):
    """A tiny fit with a new loss and a new metric: initial weights, data and history."""
    keras.utils.set_random_seed(3)
    x = f32(RNG.normal(size=(16, 5)))
    y = onehot(16, 3)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="softmax")])
    rec.put("fit/x", x)
    rec.put("fit/y", y)
    for i, weight in enumerate(model.get_weights()):
        rec.put(f"fit/weight/{i}", weight)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.5),
        loss=keras.losses.CategoricalFocalCrossentropy(),
        metrics=[keras.metrics.F1Score(average="macro"), "r2_score"],
    )
    history = model.fit(
        x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(x, y)
    )
    keys = sorted(history.history)
    for key in keys:
        rec.put(f"fit/history/{key}", f32(history.history[key]))
    rec.cases.append({"id": "fit", "history_keys": keys})


def main():
    metrics_rec = Recorder()
    metric_cases(metrics_rec)
    fit_case(metrics_rec)
    metrics_rec.save(ROOT / "tests/metrics/fixtures/keras_metrics.npz")
    losses_rec = Recorder()
    loss_cases(losses_rec)
    losses_rec.save(ROOT / "tests/losses/fixtures/keras_losses.npz")


if __name__ == "__main__":
    main()
