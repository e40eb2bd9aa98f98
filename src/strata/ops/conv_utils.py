"""Argument checks, padding arithmetic and layout views shared by convolution and pooling layers.

Keras pads "same" the way TensorFlow does: the output has `ceil(length / stride)` positions and
when the total padding is odd the extra element goes at the end (right, bottom, back). torch
convolutions and poolings only pad symmetrically, so the helpers here split a padding into the
symmetric part torch applies itself and the small remainder that `F.pad` adds, only when needed.

Layouts: a contiguous channels_last tensor `(N, *spatial, C)` becomes a channels_first *view*
`(N, C, *spatial)` with `channels_first_view`; torch kernels accept it directly (for rank 2 and
3 it has torch's channels_last memory format) and return outputs in the same memory format, so
`channels_last_view` turns the result back without any copy.
"""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F

_DATA_FORMATS = ("channels_last", "channels_first")


def normalize_tuple(value, rank: int, name: str, allow_zero: bool = False) -> tuple:
    """`value` (an int or a sequence of `rank` ints) as a tuple of `rank` ints.

    Example:
        >>> normalize_tuple(3, 2, "kernel_size")
        (3, 3)
        >>> normalize_tuple([1, 2], 2, "strides")
        (1, 2)
    """
    expected = f"`{name}` expected an integer or a tuple of {rank} integers; received {value!r}."
    values = (value,) * rank if _is_integer(value) else None
    if values is None:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(expected) from None
        if len(values) != rank or not all(_is_integer(v) for v in values):
            raise ValueError(expected)
    values = tuple(int(v) for v in values)
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"`{name}` expected {kind} integers; received {value!r}.")
    return values


def _is_integer(value) -> bool:
    """A Python or NumPy integer (not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def normalize_data_format(value) -> str:
    """`value`, or `strata.backend.image_data_format()` for None, checked."""
    if value is None:
        from strata.backend import image_data_format

        return image_data_format()
    lowered = str(value).lower()
    if lowered not in _DATA_FORMATS:
        raise ValueError(
            f"`data_format` expected 'channels_last' or 'channels_first'; received {value!r}."
        )
    return lowered


def normalize_padding(value, allow_causal: bool = False) -> str:
    """`value` lowercased, checked against "valid", "same" (and "causal" where allowed)."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    lowered = value.lower() if isinstance(value, str) else value
    if lowered not in allowed:
        names = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"`padding` expected one of {names}; received {value!r}.")
    return lowered


def effective_kernel(kernel: int, dilation: int) -> int:
    """The extent of a dilated kernel: `(kernel - 1) * dilation + 1`."""
    return (kernel - 1) * dilation + 1


def same_padding(length: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's "same" padding `(before, after)` of one dimension; `after` gets the extra.

    Example:
        >>> same_padding(6, 3, 2)  # 3 outputs need 7 positions: one padded, at the end
        (0, 1)
        >>> same_padding(5, 3, 1)
        (1, 1)
    """
    extent = effective_kernel(kernel, dilation)
    output = -(-length // stride)
    total = max((output - 1) * stride + extent - length, 0)
    return total // 2, total - total // 2


def conv_output_length(length, kernel, padding, stride, dilation=1):
    """Output positions of a convolution or pooling along one dimension (None stays None)."""
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    extent = effective_kernel(kernel, dilation)
    if padding == "causal":
        length += extent - 1
    return (length - extent) // stride + 1


def deconv_output_length(length, kernel, padding, output_padding, stride, dilation=1):
    """Output positions of a transposed convolution along one dimension (Keras's formula)."""
    if length is None:
        return None
    extent = effective_kernel(kernel, dilation)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(extent - stride, 0)
        return length * stride
    pad = extent // 2 if padding == "same" else 0
    return (length - 1) * stride + extent - 2 * pad + output_padding


def channels_first_view(x: torch.Tensor, data_format: str) -> torch.Tensor:
    """`(N, *spatial, C)` seen as `(N, C, *spatial)` without a copy (channels_first: unchanged)."""
    if data_format == "channels_first":
        return x
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def channels_last_view(x: torch.Tensor, data_format: str) -> torch.Tensor:
    """The inverse of `channels_first_view`: `(N, C, *spatial)` seen as `(N, *spatial, C)`."""
    if data_format == "channels_first":
        return x
    return x.permute(0, *range(2, x.dim()), 1)


def spatial_shape(shape, data_format: str) -> tuple:
    """The spatial dimensions of a full shape `(batch, ...)`."""
    shape = tuple(shape)
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def with_spatial(shape, spatial, channels, data_format: str) -> tuple:
    """A full shape `(batch, ...)` from its spatial dimensions and channel count."""
    if data_format == "channels_last":
        return (shape[0], *spatial, channels)
    return (shape[0], channels, *spatial)


def conv_output_shape(input_shape, data_format, kernel, strides, dilation, padding, channels):
    """The full output shape of a convolution (or pooling) for a full input shape."""
    spatial = [
        conv_output_length(n, k, padding, s, d)
        for n, k, s, d in zip(
            spatial_shape(input_shape, data_format), kernel, strides, dilation, strict=True
        )
    ]
    if any(n is not None and n <= 0 for n in spatial):
        raise ValueError(
            f"the window ({tuple(kernel)}, dilation {tuple(dilation)}) is larger than the "
            f"{padding}-padded input {tuple(input_shape)}: the output would have spatial "
            f"shape {tuple(spatial)}; expected every size to be at least 1."
        )
    return with_spatial(input_shape, spatial, channels, data_format)


def _torch_pad_list(pairs) -> list[int]:
    """`[(before, after)` per spatial dim, first dim first] in F.pad's last-dim-first order."""
    flat = []
    for before, after in reversed(list(pairs)):
        flat += [before, after]
    return flat


def pad_same_for_conv(x, kernel, strides, dilation):
    """Input and torch `padding` for a "same" convolution of a channels_first tensor.

    The symmetric part of each dimension's padding is returned for the convolution to apply;
    only an asymmetric remainder (odd total padding) is added here with `F.pad`.
    """
    pairs = [
        same_padding(length, k, s, d)
        for length, k, s, d in zip(x.shape[2:], kernel, strides, dilation, strict=True)
    ]
    symmetric = tuple(before for before, _ in pairs)
    if any(after != before for before, after in pairs):
        x = F.pad(x, _torch_pad_list((0, after - before) for before, after in pairs))
    return x, symmetric


def pad_causal(x, kernel: int, dilation: int):
    """Left-pad the last dimension of a channels_first 1D tensor for a causal convolution."""
    return F.pad(x, (effective_kernel(kernel, dilation) - 1, 0))


def _ceil_mode_length(length, kernel, stride, pad):
    """Output length of a torch pooling with `ceil_mode=True` and symmetric padding `pad`."""
    count = (length + 2 * pad - kernel + stride - 1) // stride + 1
    if (count - 1) * stride >= length + pad:
        count -= 1
    return count


_POOLS = {
    ("max", 1): F.max_pool1d,
    ("max", 2): F.max_pool2d,
    ("max", 3): F.max_pool3d,
    ("average", 1): F.avg_pool1d,
    ("average", 2): F.avg_pool2d,
    ("average", 3): F.avg_pool3d,
}


def pool(x, mode: str, pool_size, strides, padding: str):
    """Max or average pooling of a channels_first tensor with Keras's "valid"/"same" semantics.

    "same" pads like TensorFlow (extra at the end); padded positions never win a max and are
    not counted in an average. Symmetric paddings go to torch directly; an asymmetric one is
    expressed with `ceil_mode` (torch then lets the last window overhang the end) when that
    gives the same windows, and with an explicit pad otherwise.
    """
    rank = len(pool_size)
    function = _POOLS[(mode, rank)]
    extra = {"count_include_pad": False} if mode == "average" else {}
    if padding == "valid":
        return function(x, pool_size, strides, **extra)
    lengths = x.shape[2:]
    pairs = [same_padding(n, k, s) for n, k, s in zip(lengths, pool_size, strides, strict=True)]
    before = tuple(b for b, _ in pairs)
    if all(b == a for b, a in pairs):
        return function(x, pool_size, strides, before, **extra)
    wanted = [-(-n // s) for n, s in zip(lengths, strides, strict=True)]
    ceil_lengths = [
        _ceil_mode_length(n, k, s, b)
        for n, k, s, b in zip(lengths, pool_size, strides, before, strict=True)
    ]
    if ceil_lengths == wanted:
        return function(x, pool_size, strides, before, ceil_mode=True, **extra)
    pads = _torch_pad_list(pairs)
    if mode == "max":
        return function(F.pad(x, pads, value=-math.inf), pool_size, strides)
    ones = torch.ones((1, 1, *lengths), dtype=x.dtype, device=x.device)
    # Means over the zero-padded input and over a padded mask of ones: their ratio is the
    # mean over the real elements only.
    means = function(F.pad(x, pads), pool_size, strides)
    share = function(F.pad(ones, pads), pool_size, strides)
    return means / share
