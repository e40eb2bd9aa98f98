"""Each loss against a NumPy computation, with sample weights, reductions and configs."""

import numpy as np
import pytest
import torch

from strata import losses

EPS = 1e-7
RNG = np.random.default_rng(0)
Y_REG_TRUE = RNG.normal(size=(4, 3)).astype("float32")
Y_REG_PRED = RNG.normal(size=(4, 3)).astype("float32")
Y_POS_TRUE = RNG.uniform(0.1, 2.0, size=(4, 3)).astype("float32")
Y_POS_PRED = RNG.uniform(0.1, 2.0, size=(4, 3)).astype("float32")
WEIGHTS = np.array([0.5, 1.0, 0.0, 2.0], dtype="float32")


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_mse(t, p):
    return ((t - p) ** 2).mean(-1)


def np_mae(t, p):
    return np.abs(t - p).mean(-1)


def np_mape(t, p):
    return 100.0 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1)


def np_msle(t, p):
    return ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1)


def np_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2).mean(-1)


def np_logcosh(t, p):
    return np.log(np.cosh(p - t)).mean(-1)


def np_kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return (t * np.log(t / p)).sum(-1)


def np_poisson(t, p):
    return (p - t * np.log(p + EPS)).mean(-1)


def np_hinge(t, p):
    t = 2 * t - 1 if np.isin(t, (0, 1)).all() else t
    return np.maximum(1 - t * p, 0).mean(-1)


def np_squared_hinge(t, p):
    t = 2 * t - 1 if np.isin(t, (0, 1)).all() else t
    return (np.maximum(1 - t * p, 0) ** 2).mean(-1)


def np_cat_hinge(t, p):
    pos = (t * p).sum(-1)
    neg = ((1 - t) * p).max(-1)
    return np.maximum(neg - pos + 1, 0)


def np_cosine(t, p):
    t = t / np.maximum(np.linalg.norm(t, axis=-1, keepdims=True), EPS)
    p = p / np.maximum(np.linalg.norm(p, axis=-1, keepdims=True), EPS)
    return -(t * p).sum(-1)


def np_bce(t, p, smoothing=0.0):
    t = t * (1 - smoothing) + 0.5 * smoothing
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def np_cce(t, p, smoothing=0.0):
    t = t * (1 - smoothing) + smoothing / t.shape[-1]
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def np_scce(labels, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -np.log(np.take_along_axis(p, labels[..., None].astype(int), -1)[..., 0])


ONE_HOT = np.eye(3, dtype="float32")[[0, 2, 1, 2]]
PROBS = _softmax(RNG.normal(size=(4, 3))).astype("float32")
BIN_TRUE = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]], dtype="float32")
BIN_PROB = RNG.uniform(0.05, 0.95, size=(4, 3)).astype("float32")
SIGNED = np.array([[1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, -1]], dtype="float32")

CASES = [
    (losses.MeanSquaredError, losses.mean_squared_error, np_mse, Y_REG_TRUE, Y_REG_PRED),
    (losses.MeanAbsoluteError, losses.mean_absolute_error, np_mae, Y_REG_TRUE, Y_REG_PRED),
    (
        losses.MeanAbsolutePercentageError,
        losses.mean_absolute_percentage_error,
        np_mape,
        Y_REG_TRUE,
        Y_REG_PRED,
    ),
    (
        losses.MeanSquaredLogarithmicError,
        losses.mean_squared_logarithmic_error,
        np_msle,
        Y_POS_TRUE,
        Y_POS_PRED,
    ),
    (losses.Huber, losses.huber, np_huber, Y_REG_TRUE, 2 * Y_REG_PRED),
    (losses.LogCosh, losses.log_cosh, np_logcosh, Y_REG_TRUE, Y_REG_PRED),
    (losses.KLDivergence, losses.kl_divergence, np_kld, PROBS, _softmax(Y_REG_PRED)),
    (losses.Poisson, losses.poisson, np_poisson, Y_POS_TRUE, Y_POS_PRED),
    (losses.Hinge, losses.hinge, np_hinge, BIN_TRUE, Y_REG_PRED),
    (losses.Hinge, losses.hinge, np_hinge, SIGNED, Y_REG_PRED),
    (losses.SquaredHinge, losses.squared_hinge, np_squared_hinge, BIN_TRUE, Y_REG_PRED),
    (losses.CategoricalHinge, losses.categorical_hinge, np_cat_hinge, ONE_HOT, Y_REG_PRED),
    (losses.CosineSimilarity, losses.cosine_similarity, np_cosine, Y_REG_TRUE, Y_REG_PRED),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, np_bce, BIN_TRUE, BIN_PROB),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, np_cce, ONE_HOT, PROBS),
]
IDS = [f"{case[0].__name__}-{i}" for i, case in enumerate(CASES)]


@pytest.mark.parametrize("cls,fn,ref,y_true,y_pred", CASES, ids=IDS)
def test_function_per_sample(cls, fn, ref, y_true, y_pred):
    out = fn(torch.from_numpy(y_true), torch.from_numpy(y_pred))
    assert out.shape == (4,)
    np.testing.assert_allclose(out.numpy(), ref(y_true, y_pred), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,fn,ref,y_true,y_pred", CASES, ids=IDS)
def test_class_reductions_and_weights(cls, fn, ref, y_true, y_pred):
    per_sample = ref(y_true, y_pred)
    t, p = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    np.testing.assert_allclose(float(cls()(t, p)), per_sample.mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        float(cls(reduction="sum")(t, p)), per_sample.sum(), rtol=1e-5, atol=1e-6
    )
    none = cls(reduction="none")(t, p, sample_weight=WEIGHTS)
    np.testing.assert_allclose(none.numpy(), per_sample * WEIGHTS, rtol=1e-5, atol=1e-6)
    # Keras 3: the weighted sum is divided by the number of samples, not the sum of weights.
    weighted = cls()(t, p, sample_weight=torch.from_numpy(WEIGHTS))
    np.testing.assert_allclose(
        float(weighted), (per_sample * WEIGHTS).sum() / 4, rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("cls,fn,ref,y_true,y_pred", CASES, ids=IDS)
def test_config_round_trip(cls, fn, ref, y_true, y_pred):
    loss = cls(reduction="sum", name="custom")
    config = loss.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    assert clone.name == "custom" and clone.reduction == "sum"
    rebuilt = losses.deserialize(losses.serialize(loss))
    assert type(rebuilt) is cls and rebuilt.get_config() == config
    t, p = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    assert torch.allclose(rebuilt(t, p), loss(t, p))


def test_sample_weight_column_and_rank_one_labels():
    t = np.array([1.0, 0.0, 1.0], dtype="float32")
    p = np.array([[0.9], [0.2], [0.3]], dtype="float32")
    w = np.array([[1.0], [2.0], [3.0]], dtype="float32")
    out = losses.BinaryCrossentropy()(t, p, sample_weight=w)
    expected = (np_bce(t[:, None], p) * w[:, 0]).sum() / 3
    np.testing.assert_allclose(float(out), expected, rtol=1e-5)


def test_per_sample_weight_broadcasts_over_timesteps():
    t = torch.zeros(2, 3, 4)
    p = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 10
    out = losses.MeanSquaredError(reduction="none")(t, p, sample_weight=torch.tensor([1.0, 0.0]))
    expected = ((p.numpy() ** 2).mean(-1)) * np.array([[1.0], [0.0]])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_huber_delta():
    out = losses.Huber(delta=0.3, reduction="none")(Y_REG_TRUE, Y_REG_PRED)
    np.testing.assert_allclose(out.numpy(), np_huber(Y_REG_TRUE, Y_REG_PRED, 0.3), rtol=1e-5)


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
def test_label_smoothing(smoothing):
    bce = losses.BinaryCrossentropy(label_smoothing=smoothing, reduction="none")
    np.testing.assert_allclose(
        bce(BIN_TRUE, BIN_PROB).numpy(), np_bce(BIN_TRUE, BIN_PROB, smoothing), rtol=1e-5
    )
    cce = losses.CategoricalCrossentropy(label_smoothing=smoothing, reduction="none")
    np.testing.assert_allclose(
        cce(ONE_HOT, PROBS).numpy(), np_cce(ONE_HOT, PROBS, smoothing), rtol=1e-5
    )
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.BinaryCrossentropy(label_smoothing=1.5)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_logits_paths_equal_probability_paths(smoothing):
    logits = RNG.normal(size=(5, 4)).astype("float32")
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4, dtype="float32")[labels]
    for cls, y_true, prob in [
        (losses.BinaryCrossentropy, (logits > 0).astype("float32"), _sigmoid(logits)),
        (losses.CategoricalCrossentropy, one_hot, _softmax(logits)),
    ]:
        a = cls(from_logits=True, label_smoothing=smoothing, reduction="none")(y_true, logits)
        b = cls(label_smoothing=smoothing, reduction="none")(y_true, prob.astype("float32"))
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6)
    a = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    b = losses.SparseCategoricalCrossentropy()(labels, _softmax(logits))
    np.testing.assert_allclose(float(a), float(b), rtol=1e-5)


@pytest.mark.parametrize(
    "shape_fn",
    [
        lambda y: y,
        lambda y: y[:, None],
        lambda y: y.astype("float32"),
        lambda y: torch.from_numpy(y).int(),
    ],
)
def test_sparse_labels_in_any_form(shape_fn):
    labels = np.array([0, 2, 1, 2])
    expected = np_scce(labels, PROBS)
    out = losses.sparse_categorical_crossentropy(shape_fn(labels), PROBS)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5)
    onehot = losses.categorical_crossentropy(ONE_HOT, PROBS)
    np.testing.assert_allclose(out.numpy(), onehot.numpy(), rtol=1e-5)


def test_sparse_sequence_labels_and_bad_shape():
    probs = _softmax(RNG.normal(size=(2, 5, 3))).astype("float32")
    labels = RNG.integers(0, 3, size=(2, 5))
    out = losses.sparse_categorical_crossentropy(labels, probs)
    np.testing.assert_allclose(out.numpy(), np_scce(labels, probs), rtol=1e-5)
    with pytest.raises(ValueError, match=r"expected labels of shape \(2, 5\)"):
        losses.sparse_categorical_crossentropy(labels[:, :3], probs)


def test_sparse_ignore_class_averages_over_valid_entries():
    labels = np.array([0, -1, 1, 2, -1])
    logits = RNG.normal(size=(5, 3)).astype("float32")
    per = -np.log(_softmax(logits))[np.arange(5), np.maximum(labels, 0)]
    valid = labels != -1
    none = losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, reduction="none"
    )(labels, logits)
    np.testing.assert_allclose(none.numpy(), np.where(valid, per, 0.0), rtol=1e-5)
    mean = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(labels, logits)
    np.testing.assert_allclose(float(mean), per[valid].mean(), rtol=1e-5)
    total = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction="sum")(
        labels, _softmax(logits)
    )
    np.testing.assert_allclose(float(total), per[valid].sum(), rtol=1e-5)


def test_from_logits_round_trips_through_config():
    for loss in (
        losses.BinaryCrossentropy(label_smoothing=0.1, axis=-1),
        losses.CategoricalCrossentropy(),
        losses.SparseCategoricalCrossentropy(),
    ):
        switched = type(loss).from_config({**loss.get_config(), "from_logits": True})
        assert switched.from_logits is True and loss.from_logits is False
        assert switched.get_config()["from_logits"] is True
        assert switched.name == loss.name


def test_bad_reduction_and_bad_axis():
    with pytest.raises(ValueError, match="reduction expected one of"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="integer axis"):
        losses.categorical_crossentropy(ONE_HOT, PROBS, axis=True)


def test_loss_keeps_gradients_and_device():
    p = torch.tensor(PROBS, requires_grad=True)
    loss = losses.CategoricalCrossentropy()(ONE_HOT, p)
    loss.backward()
    assert loss.dim() == 0 and p.grad is not None and p.grad.abs().sum() > 0


@pytest.mark.parametrize(
    "loss",
    [
        losses.BinaryCrossentropy(from_logits=True),
        losses.Hinge(),
        losses.SparseCategoricalCrossentropy(ignore_class=0),
        losses.CategoricalCrossentropy(label_smoothing=0.1),
    ],
    ids=lambda loss: type(loss).__name__,
)
def test_no_host_reads(loss):
    # Meta tensors have no values: any host synchronisation (.item(), bool(tensor)) would raise.
    y_pred = torch.rand(6, 4, device="meta")
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        y_true = torch.zeros(6, dtype=torch.long, device="meta")
    else:
        y_true = torch.rand(6, 4, device="meta")
    out = loss(y_true, y_pred, sample_weight=torch.ones(6, device="meta"))
    assert out.device.type == "meta" and out.dim() == 0
