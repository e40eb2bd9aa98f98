"""Contrastive, Triplet and MarginRanking: formulas against NumPy and PyTorch, configs, training."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import strata
from strata import layers, losses


def _rng():
    return np.random.default_rng(7)


def _contrastive_reference(y, d, margin):
    return y * d**2 + (1 - y) * np.maximum(margin - d, 0.0) ** 2


@pytest.mark.parametrize("margin", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("shape", [(12,), (12, 1)])
def test_contrastive_equals_numpy_reference(margin, shape):
    rng = _rng()
    y = rng.integers(0, 2, 12).astype("float32")
    d = rng.uniform(0, 2.5, 12).astype("float32")
    expected = _contrastive_reference(y, d, margin)
    got = losses.contrastive(y.reshape(shape), d.reshape(shape), margin=margin)
    assert tuple(got.shape) == (12,)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
    reduced = losses.Contrastive(margin=margin)(y.reshape(shape), d.reshape(shape))
    np.testing.assert_allclose(float(reduced), expected.mean(), rtol=1e-6)
    # Labels (batch,) with distances (batch, 1) and the other way round pair up per sample.
    mixed = losses.contrastive(y, d.reshape(12, 1), margin=margin)
    np.testing.assert_allclose(mixed.numpy(), expected, rtol=1e-6)


def test_contrastive_sample_weight_and_sum_reduction():
    y, d = np.array([1.0, 0.0, 0.0]), np.array([0.5, 0.25, 2.0])
    per = _contrastive_reference(y, d, 1.0)
    w = np.array([2.0, 1.0, 0.0])
    loss = losses.Contrastive(reduction="sum")
    np.testing.assert_allclose(float(loss(y, d, sample_weight=w)), (per * w).sum(), rtol=1e-6)
    none = losses.Contrastive(reduction="none")(y, d)
    np.testing.assert_allclose(none.numpy(), per, rtol=1e-6)


@pytest.mark.parametrize("margin", [0.2, 1.0, 3.0])
def test_triplet_euclidean_equals_torch(margin):
    rng = _rng()
    a, p, n = (torch.tensor(rng.normal(size=(10, 4)), dtype=torch.float32) for _ in range(3))
    y_pred = torch.cat([a, p, n], dim=-1)
    expected = F.triplet_margin_loss(a, p, n, margin=margin, reduction="none")
    got = losses.triplet(None, y_pred, margin=margin, distance="euclidean")
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    loss = losses.Triplet(margin=margin, distance="euclidean")
    np.testing.assert_allclose(
        float(loss(np.zeros(10), y_pred)), float(expected.mean()), rtol=1e-5, atol=1e-5
    )


def test_triplet_squared_distance_equals_numpy():
    rng = _rng()
    a, p, n = (rng.normal(size=(8, 3)).astype("float32") for _ in range(3))
    expected = np.maximum(((a - p) ** 2).sum(-1) - ((a - n) ** 2).sum(-1) + 1.0, 0.0)
    got = losses.Triplet()(np.zeros((8, 1)), np.concatenate([a, p, n], -1))
    np.testing.assert_allclose(float(got), expected.mean(), rtol=1e-5)
    assert float(got) > 0  # the random triplets are not all separated: the test can fail


def test_triplet_rejects_a_last_axis_not_divisible_by_three():
    with pytest.raises(ValueError, match=r"divisible by 3.*\(4, 5\)"):
        losses.Triplet()(np.zeros(4), np.zeros((4, 5), "float32"))
    with pytest.raises(ValueError, match="distance"):
        losses.Triplet(distance="cosine")


def test_triplet_euclidean_gradient_is_finite_when_embeddings_coincide():
    y_pred = torch.zeros(2, 6, requires_grad=True)
    losses.Triplet(distance="euclidean")(np.zeros(2), y_pred).backward()
    assert torch.isfinite(y_pred.grad).all()


@pytest.mark.parametrize("margin", [0.0, 0.5, 1.0])
def test_margin_ranking_equals_torch(margin):
    rng = _rng()
    s1, s2 = (torch.tensor(rng.normal(size=16), dtype=torch.float32) for _ in range(2))
    y = torch.tensor(rng.choice([-1.0, 1.0], 16), dtype=torch.float32)
    expected = F.margin_ranking_loss(s1, s2, y, margin=margin, reduction="none")
    y_pred = torch.stack([s1, s2], dim=-1)
    got = losses.margin_ranking(y, y_pred, margin=margin)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    reduced = losses.MarginRanking(margin=margin)(y.reshape(16, 1), y_pred)
    np.testing.assert_allclose(float(reduced), float(expected.mean()), rtol=1e-6)
    zeros_for_minus = losses.margin_ranking(torch.where(y < 0, 0.0, y), y_pred, margin=margin)
    np.testing.assert_allclose(zeros_for_minus.numpy(), expected.numpy(), rtol=1e-6)


def test_margin_ranking_rejects_other_than_two_scores():
    with pytest.raises(ValueError, match=r"two scores.*\(4, 3\)"):
        losses.MarginRanking()(np.ones(4), np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match="margin >= 0"):
        losses.MarginRanking(margin=-1)
    with pytest.raises(ValueError, match="margin >= 0"):
        losses.Contrastive(margin="1")


@pytest.mark.parametrize(
    "name, cls, kwargs",
    [
        ("contrastive", losses.Contrastive, {"margin": 2.0}),
        ("triplet", losses.Triplet, {"margin": 0.5, "distance": "euclidean"}),
        ("margin_ranking", losses.MarginRanking, {"margin": 0.3}),
    ],
)
def test_names_and_config_round_trip(name, cls, kwargs):
    assert losses.get(name) is getattr(losses, name)
    assert isinstance(losses.get(cls.__name__), cls)
    loss = cls(**kwargs)
    assert loss.name == name
    config = loss.get_config()
    assert {k: config[k] for k in kwargs} == kwargs
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is cls and again.get_config() == config
    as_loss = losses.to_loss(name)
    assert type(as_loss) is cls


def _siamese():
    """Two 6-feature inputs through one shared encoder; the output is their distance."""
    a, b = strata.Input((6,)), strata.Input((6,))
    encoder = layers.Dense(3, name="encoder")
    diff = layers.Subtract()([encoder(a), encoder(b)])
    squared = layers.Multiply()([diff, diff])
    distance = layers.Dense(1, use_bias=False, trainable=False, kernel_initializer="ones")(squared)
    return strata.Model([a, b], distance)


def test_contrastive_trains_a_siamese_model_and_survives_save_and_load(tmp_path):
    rng = _rng()
    x_a = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 2, 64).astype("float32")
    # Similar pairs are small perturbations, dissimilar ones independent draws.
    x_b = np.where(y[:, None] == 1, x_a + 0.05, rng.normal(size=(64, 6))).astype("float32")
    model = _siamese()
    model.compile(optimizer="adam", loss=losses.Contrastive(margin=2.0))
    history = model.fit([x_a, x_b], y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "siamese.keras"
    model.save(path)
    loaded = strata.models.load_model(path)
    config = loaded.get_compile_config()["loss"]
    assert config == model.get_compile_config()["loss"]
    assert config["class_name"] == "Contrastive" and config["config"]["margin"] == 2.0
    np.testing.assert_allclose(
        loaded.evaluate([x_a, x_b], y, verbose=0), model.evaluate([x_a, x_b], y, verbose=0)
    )


def test_triplet_and_margin_ranking_train_with_fit(tmp_path):
    rng = _rng()
    x = rng.normal(size=(48, 3, 5)).astype("float32")  # (anchor, positive, negative) rows
    inputs = [strata.Input((5,)) for _ in range(3)]
    encoder = layers.Dense(4)
    embedded = layers.Concatenate()([encoder(i) for i in inputs])
    model = strata.Model(inputs, embedded)
    model.compile(optimizer="adam", loss="triplet")
    history = model.fit([x[:, 0], x[:, 1], x[:, 2]], np.zeros(48), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    good, bad = strata.Input((5,)), strata.Input((5,))
    scorer = layers.Dense(1)
    scores = layers.Concatenate()([scorer(good), scorer(bad)])
    ranker = strata.Model([good, bad], scores)
    ranker.compile(optimizer="adam", loss=losses.MarginRanking(margin=1.0))
    x_good, x_bad = x[:, 0] + 1.0, x[:, 1] - 1.0
    history = ranker.fit([x_good, x_bad], np.ones(48), epochs=10, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "ranker.keras"
    ranker.save(path)
    loaded = strata.models.load_model(path)
    assert loaded.get_compile_config()["loss"]["config"]["margin"] == 1.0
    np.testing.assert_allclose(
        loaded.evaluate([x_good, x_bad], np.ones(48), verbose=0),
        ranker.evaluate([x_good, x_bad], np.ones(48), verbose=0),
    )
