"""Adaptive pooling: torch's windows in both data formats, argument errors."""

import pytest
import torch
import torch.nn.functional as F

from strata import layers


def test_channels_last_equals_pooling_the_channels_first_tensor():
    x = torch.randn(2, 9, 7, 3)
    got = layers.AdaptiveMaxPooling2D((4, 3))(x)
    expected = F.adaptive_max_pool2d(x.permute(0, 3, 1, 2), (4, 3)).permute(0, 2, 3, 1)
    torch.testing.assert_close(got, expected)


def test_uneven_windows_overlap_as_in_torch():
    # Length 5 into 3 windows: [0, 2), [1, 4), [3, 5).
    x = torch.tensor([[[1.0], [2.0], [3.0], [4.0], [5.0]]])
    got = layers.AdaptiveAveragePooling1D(3)(x)
    torch.testing.assert_close(got[0, :, 0], torch.tensor([1.5, 3.0, 4.5]))


@pytest.mark.parametrize("size", [0, (2, 2), "2", 2.5])
def test_bad_output_size_is_refused(size):
    with pytest.raises(ValueError, match="output_size"):
        layers.AdaptiveAveragePooling1D(size)


def test_wrong_rank_input_is_refused():
    with pytest.raises(ValueError):
        layers.AdaptiveMaxPooling3D(2)(torch.randn(2, 4, 4, 3))
