"""Axis bookkeeping shared by the UpSampling, ZeroPadding and Cropping layers."""

from __future__ import annotations


def spatial_axes(data_format: str, dims: int) -> list[int]:
    """The spatial axes of a `(batch, ...)` input with `dims` spatial axes."""
    first = 2 if data_format == "channels_first" else 1
    return list(range(first, first + dims))


def check_rank(layer, input_shape, dims: int) -> tuple:
    """The input shape as a tuple, or a ValueError when its rank is not `dims + 2`."""
    shape = tuple(input_shape)
    if len(shape) != dims + 2:
        order = "channels" if layer.data_format == "channels_first" else "spatial"
        layout = (
            "(batch, channels, *spatial)" if order == "channels" else "(batch, *spatial, channels)"
        )
        raise ValueError(
            f"{type(layer).__name__} expected an input of rank {dims + 2} {layout} with "
            f"data_format='{layer.data_format}'; received shape {shape}."
        )
    return shape


def torch_pad(pairs, axes, rank: int) -> list[int]:
    """`torch.nn.functional.pad`'s flat list (last axis first) for per-axis (before, after)."""
    amounts = {axis: pair for axis, pair in zip(axes, pairs, strict=True)}
    flat = []
    for axis in range(rank - 1, min(axes) - 1, -1):
        flat.extend(amounts.get(axis, (0, 0)))
    return flat
