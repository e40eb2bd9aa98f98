"""Activation, Identity, Flatten, Reshape, Permute and RepeatVector against NumPy."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def test_activation_matches_numpy_and_keeps_masks():
    x = _data(2, 3, 4)
    out = layers.Activation("tanh")(x)
    np.testing.assert_allclose(out.numpy(), np.tanh(x), rtol=1e-6)
    tokens = strata.Input(shape=(5,), dtype="int32")
    masked = layers.Embedding(10, 3, mask_zero=True)(tokens)
    assert layers.Activation("relu")(masked).has_mask


def test_activation_rejects_unknown_name():
    with pytest.raises(ValueError):
        layers.Activation("not_an_activation")


def test_identity_returns_its_input():
    x = torch.randn(2, 3)
    assert layers.Identity()(x) is x


def test_flatten_channels_last_is_numpy_reshape():
    x = _data(2, 3, 4, 5)
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x.reshape(2, -1))


def test_flatten_channels_first_flattens_in_channels_last_order():
    x = _data(2, 3, 4, 5)  # (batch, channels, rows, cols)
    out = layers.Flatten(data_format="channels_first")(x).numpy()
    np.testing.assert_array_equal(out, np.transpose(x, (0, 2, 3, 1)).reshape(2, -1))


def test_flatten_of_a_vector_and_unknown_sizes():
    assert tuple(layers.Flatten()(torch.ones(4)).shape) == (4, 1)
    assert layers.Flatten()(strata.Input(shape=(None, 3))).shape == (None, None)
    assert layers.Flatten().get_config()["data_format"] == "channels_last"


def test_reshape_resolves_minus_one():
    x = _data(2, 3, 4)
    out = layers.Reshape((4, -1))(x)
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 4, 3))
    assert layers.Reshape((-1, 6))(strata.Input(shape=(3, 4))).shape == (None, 2, 6)
    assert layers.Reshape((2, -1)).compute_output_shape((None, 3, 4)) == (None, 2, 6)


def test_reshape_errors():
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"received shape \(None, 3, 4\)"):
        layers.Reshape((5, -1))(strata.Input(shape=(3, 4)))
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((5, 3))(strata.Input(shape=(3, 4)))


def test_permute_matches_numpy_transpose():
    x = _data(2, 3, 4, 5)
    out = layers.Permute((3, 1, 2))(x)
    np.testing.assert_array_equal(out.numpy(), np.transpose(x, (0, 3, 1, 2)))
    assert layers.Permute((2, 1))(strata.Input(shape=(10, 64))).shape == (None, 64, 10)


def test_permute_rejects_bad_dims_and_ranks():
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="rank 3"):
        layers.Permute((2, 1))(strata.Input(shape=(2, 3, 4)))


def test_repeat_vector_matches_numpy():
    x = _data(2, 4)
    out = layers.RepeatVector(3)(x)
    np.testing.assert_array_equal(out.numpy(), np.repeat(x[:, None, :], 3, axis=1))
    with pytest.raises(ValueError, match="rank 2"):
        layers.RepeatVector(3)(strata.Input(shape=(2, 4)))
    with pytest.raises(ValueError, match="positive integer"):
        layers.RepeatVector(0)


def test_repeat_vector_gradient_sums_over_repeats():
    x = torch.ones(2, 4, requires_grad=True)
    layers.RepeatVector(3)(x).sum().backward()
    assert torch.equal(x.grad, torch.full((2, 4), 3.0))
