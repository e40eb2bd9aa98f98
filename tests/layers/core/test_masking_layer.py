"""Masking: zeroes fully padded timesteps and produces the mask."""

import numpy as np
import torch

import strata
from strata import layers


def test_outputs_and_mask_match_numpy():
    x = np.array(
        [[[1.0, 2.0], [-1.0, -1.0], [0.0, 3.0]], [[-1.0, -1.0], [-1.0, 5.0], [-1.0, -1.0]]],
        dtype="float32",
    )
    layer = layers.Masking(mask_value=-1.0)
    keep = np.any(x != -1.0, axis=-1)
    np.testing.assert_array_equal(layer(x).numpy(), x * keep[..., None])
    np.testing.assert_array_equal(layer.compute_mask(torch.from_numpy(x)).numpy(), keep)


def test_symbolic_output_carries_a_mask_into_models():
    seen = {}

    def record(x, mask=None):
        seen["mask"] = mask
        return x

    inputs = strata.Input(shape=(3, 2))
    masked = layers.Masking()(inputs)
    assert masked.has_mask
    model = strata.Model(inputs, layers.Lambda(record, mask=lambda i, m: m)(masked))
    model(torch.tensor([[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]))
    assert torch.equal(seen["mask"], torch.tensor([[False, True, False]]))
