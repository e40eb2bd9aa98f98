"""Global pooling layers vs NumPy, keepdims, data formats and GlobalAveragePooling1D's mask."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_matches_numpy(rank, mode, data_format, keepdims):
    name = f"Global{'Max' if mode == 'max' else 'Average'}Pooling{rank}D"
    layer = getattr(layers, name)(data_format=data_format, keepdims=keepdims)
    spatial = (5, 4, 3)[:rank]
    shape = (2, *spatial, 6) if data_format == "channels_last" else (2, 6, *spatial)
    x = _rand(*shape)
    axes = (
        tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))
    )
    reduce = np.max if mode == "max" else np.mean
    expected = reduce(x, axis=axes, keepdims=keepdims)
    got = layer(x)
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    symbolic = layer(strata.Input(shape=shape[1:]))
    assert tuple(symbolic.shape) == (None, *expected.shape[1:])


def test_global_average_pooling1d_mask_ignores_masked_steps():
    x = _rand(2, 5, 3)
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    got = layers.GlobalAveragePooling1D()(x, mask=torch.from_numpy(mask)).detach().numpy()
    np.testing.assert_allclose(got[0], x[0, :2].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(got[1], x[1].mean(axis=0), rtol=1e-5)
    first = layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)
    got = first(x.transpose(0, 2, 1), mask=torch.from_numpy(mask)).detach().numpy()
    np.testing.assert_allclose(got[0, :, 0], x[0, :2].mean(axis=0), rtol=1e-5)
    assert layers.GlobalAveragePooling1D().compute_mask(x, torch.from_numpy(mask)) is None


def test_config_and_aliases():
    config = layers.GlobalMaxPooling2D(keepdims=True, name="g").get_config()
    assert config["keepdims"] is True and config["data_format"] == "channels_last"
    assert layers.GlobalMaxPooling2D.from_config(config).get_config() == config
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    with pytest.raises(ValueError, match=r"rank 3 \(batch, steps, channels\)"):
        layers.GlobalMaxPooling1D()(np.zeros((2, 4), "float32"))
