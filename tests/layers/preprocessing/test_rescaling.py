"""Rescaling: the book's image chapters start with `layers.Rescaling(1./255)`."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def test_bytes_become_floats_in_the_unit_interval_inside_a_model(tmp_path):
    inputs = strata.Input((4, 4, 3), dtype="uint8")
    x = layers.Rescaling(1.0 / 255)(inputs)
    model = strata.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 4, 3)).astype("uint8")
    rescaled = strata.Model(inputs, x).predict(images, verbose=0)
    assert rescaled.dtype == np.float32
    np.testing.assert_allclose(rescaled, images / 255.0, rtol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(images, np.zeros((5, 2), "float32"), verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = strata.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_per_channel_scale_and_offset():
    layer = layers.Rescaling([1.0, 0.5], offset=[0.0, -1.0])
    out = layer(torch.tensor([[2.0, 4.0]]))
    assert out.tolist() == [[2.0, 1.0]]
    assert layer.get_config()["scale"] == [1.0, 0.5]


@pytest.mark.parametrize("scale", ["half", None, [], [1.0, "x"]])
def test_bad_factors_are_refused(scale):
    with pytest.raises(ValueError, match="Rescaling expected scale as a number or a list"):
        layers.Rescaling(scale)
