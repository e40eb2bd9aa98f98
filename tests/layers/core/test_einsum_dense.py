"""EinsumDense: shapes, argument errors and Keras 3's fan counting."""

import pytest
import torch

from strata import layers


def test_matches_dense_for_the_plain_equation():
    layer = layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c")
    x = torch.randn(3, 5)
    kernel, bias = layer(x) is not None and layer.get_weights()
    expected = x @ torch.from_numpy(kernel) + torch.from_numpy(bias)
    torch.testing.assert_close(layer(x), expected)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"equation": "ab->c", "output_shape": 3}, "equation"),
        ({"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "z"}, "bias_axes"),
        ({"equation": "ab,bc->ac", "output_shape": 3, "lora_rank": 2}, "lora_rank"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.EinsumDense(**kwargs)


def test_wrong_input_rank_names_the_shape():
    layer = layers.EinsumDense("abc,cd->abd", output_shape=(None, 3))
    with pytest.raises(ValueError, match="rank 3"):
        layer(torch.ones(2, 4))


def test_variance_scaling_counts_fans_over_input_and_output_letters():
    # (in=64, heads=8, dim=32): fan_in 64, fan_out 256, as Keras 3 counts them; torch's
    # receptive-field rule would give 512 and 2048 instead.
    layer = layers.EinsumDense(
        "abc,cde->abde", output_shape=(None, 8, 32), kernel_initializer="glorot_uniform"
    )
    layer(torch.ones(1, 2, 64))
    limit = (6 / (64 + 256)) ** 0.5
    kernel = layer.kernel.detach()
    assert kernel.abs().max() <= limit
    assert kernel.abs().max() > 0.9 * limit
