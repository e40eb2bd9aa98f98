"""Convolution, pooling and rearrangement ops of `keras.ops.nn`.

Layouts are Keras's: inputs `(batch, *spatial, channels)` for `data_format="channels_last"`
(the default, from `strata.backend.image_data_format()`), kernels `(*spatial, in, out)` for
`conv`, `(*spatial, in, multiplier)` for `depthwise_conv` and `(*spatial, out, in)` for
`conv_transpose`. "same" padding is TensorFlow's (the extra position at the end); the helpers
in `conv_utils` do the padding arithmetic that the convolution layers share.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.ops import conv_utils
from strata.ops._symbolic import keras_op
from strata.ops._tensors import float_tensor, like, tensor

__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "conv",
    "conv_transpose",
    "depth_to_space",
    "depthwise_conv",
    "fold",
    "max_pool",
    "separable_conv",
    "space_to_depth",
    "unfold",
]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _spatial_rank(x: torch.Tensor, op: str) -> int:
    rank = x.dim() - 2
    if rank not in (1, 2, 3):
        raise ValueError(
            f"{op} expected inputs of rank 3, 4 or 5 (batch, spatial dims, channels); "
            f"received shape {tuple(x.shape)}."
        )
    return rank


def _keras_to_torch_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """`(*spatial, a, b)` to torch's `(b, a, *spatial)`."""
    rank = kernel.dim() - 2
    return kernel.permute(rank + 1, rank, *range(rank))


@keras_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1D, 2D or 3D) of `inputs` with a Keras-layout `kernel`.

    When `inputs` has `groups` times the kernel's input channels, a grouped convolution is run.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        kernel: `(*kernel_size, channels // groups, filters)`.
        strides: int or tuple of ints.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (None: the global setting).
        dilation_rate: int or tuple of ints.

    Returns:
        The convolved tensor, in `data_format`.

    Example:
        >>> conv(torch.ones(1, 4, 1), torch.ones(2, 1, 1)).flatten().tolist()
        [2.0, 2.0, 2.0]
    """
    x = float_tensor(inputs)
    data_format = conv_utils.normalize_data_format(data_format)
    rank = _spatial_rank(x, "conv")
    kernel = like(kernel, x)
    if kernel.dim() != rank + 2:
        raise ValueError(
            f"conv expected a kernel of rank {rank + 2} for inputs of shape {tuple(x.shape)}; "
            f"received kernel shape {tuple(kernel.shape)}."
        )
    strides = conv_utils.normalize_tuple(strides, rank, "strides")
    dilation = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
    padding = conv_utils.normalize_padding(padding)
    x = conv_utils.channels_first_view(x, data_format)
    channels, kernel_channels = x.shape[1], kernel.shape[-2]
    if channels % kernel_channels:
        raise ValueError(
            f"conv expected input channels divisible by the kernel's input channels "
            f"{kernel_channels}; received {channels} channels."
        )
    weight = _keras_to_torch_kernel(kernel)
    torch_padding = 0
    if padding == "same":
        x, torch_padding = conv_utils.pad_same_for_conv(x, kernel.shape[:rank], strides, dilation)
    y = _CONV[rank](
        x, weight, None, strides, torch_padding, dilation, groups=channels // kernel_channels
    )
    return conv_utils.channels_last_view(y, data_format)


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own `multiplier` filters.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        kernel: `(*kernel_size, channels, multiplier)`.
        strides, padding, data_format, dilation_rate: as in `conv`.

    Returns:
        A tensor with `channels * multiplier` channels.

    Example:
        >>> depthwise_conv(torch.ones(1, 3, 2), torch.ones(2, 2, 1)).shape
        torch.Size([1, 2, 2])
    """
    kernel = tensor(kernel)
    rank = kernel.dim() - 2
    # (*k, C, M) as a grouped kernel (*k, 1, C * M): output channel c * M + m.
    grouped = kernel.reshape(*kernel.shape[:rank], 1, kernel.shape[-2] * kernel.shape[-1])
    return conv.eager(inputs, grouped, strides, padding, data_format, dilation_rate)


@keras_op
def separable_conv(
    inputs,
    depthwise_kernel,
    pointwise_kernel,
    strides=1,
    padding="valid",
    data_format=None,
    dilation_rate=1,
):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        depthwise_kernel: `(*kernel_size, channels, multiplier)`.
        pointwise_kernel: `(*(1,) * rank, channels * multiplier, filters)`.
        strides, padding, data_format, dilation_rate: as in `conv` (for the depthwise step).

    Returns:
        A tensor with `filters` channels.

    Example:
        >>> separable_conv(torch.ones(1, 3, 2), torch.ones(2, 2, 1), torch.ones(1, 2, 4)).shape
        torch.Size([1, 2, 4])
    """
    y = depthwise_conv.eager(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv.eager(y, pointwise_kernel, 1, "valid", data_format, 1)


@keras_op
def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    """Transposed convolution (the gradient of `conv` with respect to its input).

    Output sizes follow Keras's formula; which positions are kept follows TensorFlow and JAX
    ("same" crops `total // 2` positions at the start, the rest at the end).

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        kernel: `(*kernel_size, filters, channels)`.
        strides: int or tuple of ints.
        padding: `"valid"` or `"same"`.
        output_padding: None, an int or a tuple: extra positions at the end of each dimension.
        data_format: `"channels_last"` or `"channels_first"`.
        dilation_rate: int or tuple of ints.

    Returns:
        A tensor with `filters` channels.

    Example:
        >>> conv_transpose(torch.ones(1, 2, 1), torch.ones(3, 1, 1), strides=2).shape
        torch.Size([1, 5, 1])
    """
    x = float_tensor(inputs)
    data_format = conv_utils.normalize_data_format(data_format)
    rank = _spatial_rank(x, "conv_transpose")
    kernel = like(kernel, x)
    strides = conv_utils.normalize_tuple(strides, rank, "strides")
    dilation = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
    padding = conv_utils.normalize_padding(padding)
    if output_padding is not None:
        output_padding = conv_utils.normalize_tuple(
            output_padding, rank, "output_padding", allow_zero=True
        )
    x = conv_utils.channels_first_view(x, data_format)
    if x.shape[1] != kernel.shape[-1]:
        raise ValueError(
            f"conv_transpose expected inputs with {kernel.shape[-1]} channels (the kernel's last "
            f"dimension); received input shape {tuple(x.shape)} ({data_format})."
        )
    # torch's weight layout for a transposed convolution is (in, out, *k).
    weight = kernel.permute(rank + 1, rank, *range(rank))
    y = _CONV_T[rank](x, weight, None, strides, 0, 0, 1, dilation)
    index = [slice(None), slice(None)]
    pads = []
    for i, length in enumerate(x.shape[2:]):
        extra = None if output_padding is None else output_padding[i]
        wanted = conv_utils.deconv_output_length(
            length, kernel.shape[i], padding, extra, strides[i], dilation[i]
        )
        full = y.shape[2 + i]
        start = max(full - wanted, 0) // 2 if padding == "same" else 0
        index.append(slice(start, start + wanted))
        pads.append(max(start + wanted - full, 0))
    if any(pads):
        flat = []
        for p in reversed(pads):
            flat += [0, p]
        y = F.pad(y, flat)
    return conv_utils.channels_last_view(y[tuple(index)], data_format)


def _pool(mode, inputs, pool_size, strides, padding, data_format):
    x = float_tensor(inputs)
    data_format = conv_utils.normalize_data_format(data_format)
    rank = _spatial_rank(x, f"{mode}_pool")
    pool_size = conv_utils.normalize_tuple(pool_size, rank, "pool_size")
    strides = pool_size if strides is None else conv_utils.normalize_tuple(strides, rank, "strides")
    padding = conv_utils.normalize_padding(padding)
    y = conv_utils.pool(
        conv_utils.channels_first_view(x, data_format), mode, pool_size, strides, padding
    )
    return conv_utils.channels_last_view(y, data_format)


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1, 2 or 3 spatial dimensions.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        pool_size: int or tuple of ints.
        strides: int, tuple of ints, or None (= `pool_size`).
        padding: `"valid"` or `"same"` (padded positions never win).
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The pooled tensor.

    Example:
        >>> max_pool(torch.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
        [1.0, 3.0]
    """
    return _pool("max", inputs, pool_size, strides, padding, data_format)


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling over 1, 2 or 3 spatial dimensions.

    With `"same"` padding, padded positions are not counted in the averages (TensorFlow's rule).

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        pool_size: int or tuple of ints.
        strides: int, tuple of ints, or None (= `pool_size`).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The pooled tensor.

    Example:
        >>> average_pool(torch.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
        [0.5, 2.5]
    """
    return _pool("average", inputs, pool_size, strides, padding, data_format)


_ADAPTIVE = {
    ("average", 1): F.adaptive_avg_pool1d,
    ("average", 2): F.adaptive_avg_pool2d,
    ("average", 3): F.adaptive_avg_pool3d,
    ("max", 1): F.adaptive_max_pool1d,
    ("max", 2): F.adaptive_max_pool2d,
    ("max", 3): F.adaptive_max_pool3d,
}


def _adaptive(mode, inputs, output_size, data_format):
    x = float_tensor(inputs)
    data_format = conv_utils.normalize_data_format(data_format)
    rank = _spatial_rank(x, f"adaptive_{mode}_pool")
    size = conv_utils.normalize_tuple(output_size, rank, "output_size")
    y = _ADAPTIVE[(mode, rank)](conv_utils.channels_first_view(x, data_format), size)
    return conv_utils.channels_last_view(y, data_format)


@keras_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed output size: windows `[floor(i*n/o), ceil((i+1)*n/o))`.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        output_size: int or tuple of ints, the spatial output shape.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A tensor with spatial shape `output_size`.

    Example:
        >>> adaptive_average_pool(torch.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
        [0.5, 2.5]
    """
    return _adaptive("average", inputs, output_size, data_format)


@keras_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed output size (windows as in `adaptive_average_pool`).

    Example:
        >>> adaptive_max_pool(torch.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
        [1.0, 3.0]
    """
    return _adaptive("max", inputs, output_size, data_format)


@keras_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a channels_first image `(N, C, H, W)` as `(N, C * kh * kw, blocks)`.

    Example:
        >>> unfold(torch.ones(1, 1, 3, 3), 2).shape
        torch.Size([1, 4, 4])
    """
    return F.unfold(float_tensor(x), kernel_size, dilation, padding, stride)


@keras_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The inverse arrangement of `unfold`: blocks summed back into `(N, C, *output_size)`.

    Example:
        >>> fold(torch.ones(1, 4, 4), (3, 3), 2)[0, 0].tolist()
        [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    return F.fold(float_tensor(x), output_size, kernel_size, dilation, padding, stride)


def _check_blocks(x, block_size, data_format, op):
    if x.dim() != 4:
        raise ValueError(f"{op} expected a rank-4 tensor; received shape {tuple(x.shape)}.")
    if not isinstance(block_size, int) or block_size < 2:
        raise ValueError(f"{op} expected an integer `block_size` >= 2; received {block_size!r}.")
    return conv_utils.normalize_data_format(data_format)


@keras_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channel blocks into `block_size x block_size` spatial tiles (TensorFlow's order).

    channels_last `(N, H, W, C)` becomes `(N, H * b, W * b, C / b**2)`; channel
    `(i * b + j) * C' + c` goes to tile position `(i, j)`. channels_first gives the transposed
    result of the same arrangement.

    Example:
        >>> depth_to_space(torch.arange(4.0).reshape(1, 1, 1, 4), 2)[0, :, :, 0].tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    x = tensor(x)
    data_format = _check_blocks(x, block_size, data_format, "depth_to_space")
    x = x if data_format == "channels_last" else x.permute(0, 2, 3, 1)
    n, h, w, c = x.shape
    b = block_size
    if c % (b * b):
        raise ValueError(
            f"depth_to_space expected channels divisible by block_size**2 = {b * b}; "
            f"received {c} channels."
        )
    y = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    y = y.reshape(n, h * b, w * b, c // (b * b))
    return y if data_format == "channels_last" else y.permute(0, 3, 1, 2)


@keras_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of `depth_to_space`: `b x b` spatial tiles become channel blocks.

    Example:
        >>> space_to_depth(torch.arange(4.0).reshape(1, 2, 2, 1), 2).flatten().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """
    x = tensor(x)
    data_format = _check_blocks(x, block_size, data_format, "space_to_depth")
    x = x if data_format == "channels_last" else x.permute(0, 2, 3, 1)
    n, h, w, c = x.shape
    b = block_size
    if h % b or w % b:
        raise ValueError(
            f"space_to_depth expected height and width divisible by {b}; received shape "
            f"{tuple(x.shape)}."
        )
    y = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    y = y.reshape(n, h // b, w // b, c * b * b)
    return y if data_format == "channels_last" else y.permute(0, 3, 1, 2)
