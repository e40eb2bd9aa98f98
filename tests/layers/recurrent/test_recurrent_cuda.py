"""The fused kernels on CUDA (cuDNN): same results as the loop, gradients in eval mode."""

import pytest
import torch

from strata import layers

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_cuda_fused_equals_loop_and_trains_in_eval_mode(cls):
    layer = cls(8, return_sequences=True)
    x = torch.randn(4, 9, 5)
    layer(x)
    layer.to("cuda")
    x = x.cuda()
    mask = torch.ones(4, 9, dtype=torch.bool, device="cuda")
    mask[0, 6:] = False
    fused = layer(x, mask=mask)
    fused.sum().backward()  # cuDNN needs `train=True` for backward even in eval mode
    layer._force_loop = True
    torch.testing.assert_close(fused, layer(x, mask=mask), rtol=1e-4, atol=1e-4)
