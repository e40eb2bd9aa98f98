"""Helpers shared by the image ops: batching, layouts and dtype handling."""

from __future__ import annotations

import torch

from strata.ops import conv_utils
from strata.ops._tensors import tensor


def to_batched_nhwc(images, data_format, op, ranks=(3, 4)):
    """`images` as a batched channels_last tensor, and how to undo that.

    Returns:
        `(x, restore)`: `x` is `(N, H, W, C)`; `restore(y)` puts an `(N, H', W', C')` result
        back in the caller's layout (unbatched if the input was).
    """
    x = tensor(images)
    data_format = conv_utils.normalize_data_format(data_format)
    if x.dim() not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        raise ValueError(
            f"{op} expected images of rank {wanted} (a single image or a batch); received "
            f"shape {tuple(x.shape)}."
        )
    unbatched = x.dim() == min(ranks)
    if unbatched:
        x = x.unsqueeze(0)
    if data_format == "channels_first":
        x = x.movedim(1, -1)

    def restore(y):
        if data_format == "channels_first":
            y = y.movedim(-1, 1)
        return y.squeeze(0) if unbatched else y

    return x, restore


def working_float(x: torch.Tensor):
    """`x` as a float tensor for interpolation, and how to cast a result back.

    Integer images are computed in float32 and rounded (and clipped to the dtype's range) on
    the way back, so `uint8` images stay valid images.
    """
    if x.is_floating_point():
        return x, lambda y: y
    original = x.dtype

    def back(y):
        if original == torch.bool:
            return y > 0.5
        info = torch.iinfo(original)
        return y.round().clamp(info.min, info.max).to(original)

    return x.float(), back


def gaussian_1d(size: int, sigma, dtype, device) -> torch.Tensor:
    """A normalized Gaussian window of `size` taps centred on the middle."""
    positions = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    window = torch.exp(-0.5 * (positions / sigma) ** 2)
    return window / window.sum()
