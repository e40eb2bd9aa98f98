"""Wrapper: the wrapped layer's weights, config round trip, errors."""

import pytest
import torch

from strata import layers


def test_config_round_trip_rebuilds_the_wrapped_layer():
    wrapper = layers.Wrapper(layers.Dense(3, activation="relu", name="inner"))
    wrapper(torch.ones(2, 5))
    clone = layers.Wrapper.from_config(wrapper.get_config())
    assert isinstance(clone.layer, layers.Dense)
    assert clone.layer.get_config() == wrapper.layer.get_config()
    assert len(wrapper.trainable_weights) == 2


def test_the_base_runs_the_wrapped_layer():
    inner = layers.Dense(3)
    wrapper = layers.Wrapper(inner)
    x = torch.randn(2, 4)
    torch.testing.assert_close(wrapper(x), inner(x))


def test_a_non_layer_is_refused():
    with pytest.raises(ValueError, match="strata Layer"):
        layers.Wrapper(torch.nn.Linear(2, 2))
