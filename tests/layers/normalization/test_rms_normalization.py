"""RMSNormalization: the formula on any axes, half precision, argument errors."""

import pytest
import torch

from strata import layers


@pytest.mark.parametrize("axis", [-1, 1, [1, 2], [0, 2]])
def test_matches_the_formula(axis):
    layer = layers.RMSNormalization(axis=axis, epsilon=1e-3)
    x = torch.randn(2, 3, 4)
    layer(x)
    with torch.no_grad():
        layer.scale.uniform_(0.5, 1.5)
    axes = [a % 3 for a in (axis if isinstance(axis, list) else [axis])]
    shape = [x.shape[i] if i in axes else 1 for i in range(3)]
    expected = x * torch.rsqrt(x.square().mean(axes, keepdim=True) + 1e-3)
    expected = expected * layer.scale.detach().reshape(shape)
    torch.testing.assert_close(layer(x), expected)


def test_computes_in_its_own_dtype_as_keras_casts_inputs():
    x = torch.randn(2, 8).to(torch.bfloat16)
    assert layers.RMSNormalization(dtype="bfloat16")(x).dtype == torch.bfloat16
    assert layers.RMSNormalization()(x).dtype == torch.float32  # float32 layer: input cast


@pytest.mark.parametrize("axis", ["last", [], 1.5])
def test_bad_axis_is_refused(axis):
    with pytest.raises(ValueError, match="axis"):
        layers.RMSNormalization(axis=axis)


def test_out_of_range_axis_names_the_shape():
    with pytest.raises(ValueError, match=r"out of range .*\(2, 3\)"):
        layers.RMSNormalization(axis=4)(torch.ones(2, 3))
