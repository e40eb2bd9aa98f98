"""Activation layers against their formulas."""

import numpy as np
import pytest
import torch

import strata
from strata import layers

X = torch.linspace(-4.0, 4.0, 41)


@pytest.mark.parametrize(
    ("kwargs", "formula"),
    [
        ({}, lambda x: np.maximum(x, 0)),
        ({"max_value": 1.5}, lambda x: np.clip(x, 0, 1.5)),
        ({"negative_slope": 0.1}, lambda x: np.where(x >= 0, x, 0.1 * x)),
        ({"threshold": 1.0}, lambda x: np.where(x > 1.0, x, 0.0)),
        (
            {"max_value": 3.0, "negative_slope": 0.2, "threshold": 1.0},
            lambda x: np.where(x >= 3.0, 3.0, np.where(x > 1.0, x, 0.2 * (x - 1.0))),
        ),
    ],
)
def test_relu_formula(kwargs, formula):
    got = layers.ReLU(**kwargs)(X).numpy()
    np.testing.assert_allclose(got, formula(X.numpy()), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("bad", [{"max_value": -1.0}, {"negative_slope": -0.1}, {"threshold": -1}])
def test_relu_refuses_negative_arguments(bad):
    with pytest.raises(ValueError):
        layers.ReLU(**bad)


def test_leaky_relu_default_and_legacy_alpha():
    got = layers.LeakyReLU()(X).numpy()
    np.testing.assert_allclose(got, np.where(X >= 0, X, 0.3 * X), rtol=1e-6)
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        legacy = layers.LeakyReLU(alpha=0.05)
    assert legacy.get_config()["negative_slope"] == 0.05 and "alpha" not in legacy.get_config()
    np.testing.assert_allclose(legacy(X).numpy(), np.where(X >= 0, X, 0.05 * X), rtol=1e-6)


def test_elu_formula():
    got = layers.ELU(alpha=0.7)(X).numpy()
    expected = np.where(X > 0, X, 0.7 * (np.exp(X.numpy()) - 1))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_prelu_shapes_and_counts_follow_keras():
    layer = layers.PReLU()
    layer(strata.Input(shape=(8, 8, 3)))
    assert layer.get_weights()[0].shape == (8, 8, 3) and layer.count_params() == 192
    shared = layers.PReLU(shared_axes=[1, 2])
    shared(strata.Input(shape=(8, 8, 3)))
    assert shared.get_weights()[0].shape == (1, 1, 3) and shared.count_params() == 3
    single = layers.PReLU(shared_axes=2)
    single.build((None, 5, 4))
    assert single.get_weights()[0].shape == (5, 1)


def test_prelu_formula_and_zero_default():
    x = torch.randn(4, 5, 3)
    layer = layers.PReLU(shared_axes=[1])
    torch.testing.assert_close(layer(x), torch.relu(x))  # alpha starts at zero
    alpha = np.array([[0.1, 0.5, 2.0]], dtype="float32")
    layer.set_weights([alpha])
    expected = np.where(x.numpy() >= 0, x.numpy(), alpha * x.numpy())
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)


def test_softmax_formula_axes_and_mask():
    x = torch.randn(2, 3, 4)
    expected = np.exp(x.numpy()) / np.exp(x.numpy()).sum(-1, keepdims=True)
    np.testing.assert_allclose(layers.Softmax()(x).numpy(), expected, rtol=1e-5)
    both = layers.Softmax(axis=[1, 2])(x).numpy()
    np.testing.assert_allclose(both.sum(axis=(1, 2)), np.ones(2), rtol=1e-5)
    np.testing.assert_allclose(
        both, np.exp(x.numpy()) / np.exp(x.numpy()).sum((1, 2), keepdims=True), rtol=1e-5
    )
    mask = torch.tensor([True, False, True, False]).expand(2, 3, 4)
    masked = layers.Softmax()(x, mask=mask).numpy()
    assert np.all(masked[..., 1] < 1e-6) and np.all(masked[..., 3] < 1e-6)
    kept = np.exp(x.numpy()[..., [0, 2]])
    np.testing.assert_allclose(masked[..., [0, 2]], kept / kept.sum(-1, keepdims=True), rtol=1e-5)


@pytest.mark.parametrize("seed", [None, 11])
def test_rrelu_training_slopes_lie_in_range_and_vary(seed):
    layer = layers.RReLU(lower=0.1, upper=0.3, seed=seed)
    x = -torch.rand(4000) - 0.5
    slopes = layer(x, training=True) / x
    assert slopes.min() >= 0.1 - 1e-6 and slopes.max() <= 0.3 + 1e-6
    assert abs(slopes.mean().item() - 0.2) < 0.01 and slopes.std().item() > 0.05
    positive = torch.rand(10) + 0.1
    torch.testing.assert_close(layer(positive, training=True), positive)


def test_rrelu_inference_uses_the_mean_slope():
    layer = layers.RReLU()
    x = torch.tensor([-3.0, -1.0, 2.0])
    mean_slope = (1 / 8 + 1 / 3) / 2
    torch.testing.assert_close(layer(x), torch.tensor([-3 * mean_slope, -mean_slope, 2.0]))
    with pytest.raises(ValueError, match="lower <= upper"):
        layers.RReLU(lower=0.5, upper=0.1)


def test_rrelu_seed_reproduces_the_sequence():
    x = -torch.ones(50)
    a, b = layers.RReLU(seed=5), layers.RReLU(seed=5)
    first = a(x, training=True)
    torch.testing.assert_close(first, b(x, training=True))
    assert not torch.equal(first, a(x, training=True))  # the next call draws new slopes
