"""Filtering image ops: Gaussian blur, Sobel edges, SSIM, and patch extraction."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.ops import conv_utils
from strata.ops._image_common import gaussian_1d, to_batched_nhwc, working_float
from strata.ops._nn_conv import conv
from strata.ops._symbolic import keras_op
from strata.ops._tensors import like, tensor

__all__ = ["extract_patches", "extract_patches_3d", "gaussian_blur", "sobel_edges", "ssim"]


def _depthwise_2d(x_nchw, kernel_2d, padding):
    """Convolve every channel of `(N, C, H, W)` with the same 2-D kernel."""
    channels = x_nchw.shape[1]
    weight = kernel_2d.expand(channels, 1, *kernel_2d.shape)
    return F.conv2d(x_nchw, weight, padding=padding, groups=channels)


def _pair(value, name):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"`{name}` expected one value or a pair; received {value!r}.")
    return values


@keras_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur images with a Gaussian kernel (zero padding, the output keeps the input's size).

    Args:
        images: `(H, W, C)` or `(N, H, W, C)` (or channels_first).
        kernel_size: `(height, width)` of the kernel.
        sigma: `(height, width)` standard deviations.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        Blurred images.

    Example:
        >>> out = gaussian_blur(torch.ones(1, 5, 5, 1), (3, 3), (1.0, 1.0))
        >>> round(out[0, 2, 2, 0].item(), 4)
        1.0
    """
    x, restore = to_batched_nhwc(images, data_format, "gaussian_blur")
    (kh, kw), (sh, sw) = _pair(kernel_size, "kernel_size"), _pair(sigma, "sigma")
    work, back = working_float(x)
    kernel = torch.outer(
        gaussian_1d(int(kh), float(sh), work.dtype, work.device),
        gaussian_1d(int(kw), float(sw), work.dtype, work.device),
    )
    nchw = work.permute(0, 3, 1, 2)
    padded, symmetric = conv_utils.pad_same_for_conv(nchw, (int(kh), int(kw)), (1, 1), (1, 1))
    blurred = _depthwise_2d(padded, kernel, symmetric)
    return restore(back(blurred.permute(0, 2, 3, 1)))


@keras_op
def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel (zero padding).

    Returns:
        `(N, H, W, C, 2)` (channels_last) or `(N, C, H, W, 2)` (channels_first): the vertical
        gradient `dy` at index 0 and the horizontal `dx` at index 1.

    Example:
        >>> ramp = torch.arange(4.0).repeat(4, 1).reshape(1, 4, 4, 1)
        >>> sobel_edges(ramp)[0, 1, 1, 0].tolist()
        [0.0, 8.0]
    """
    x = tensor(images)
    data_format = conv_utils.normalize_data_format(data_format)
    if x.dim() != 4:
        raise ValueError(f"sobel_edges expected a batch of images (rank 4); got {tuple(x.shape)}.")
    work, back = working_float(x)
    nchw = conv_utils.channels_first_view(work, data_format)
    gx = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=work.dtype, device=x.device)
    dy = _depthwise_2d(nchw, gx.T, 1)
    dx = _depthwise_2d(nchw, gx, 1)
    edges = torch.stack([dy, dx], dim=-1)
    if data_format == "channels_last":
        edges = edges.permute(0, 2, 3, 1, 4)
    return back(edges)


@keras_op
def ssim(
    image1,
    image2,
    max_val=1.0,
    filter_size=11,
    filter_sigma=1.5,
    k1=0.01,
    k2=0.03,
    data_format=None,
):
    """Structural similarity per image, averaged over valid Gaussian windows and channels.

    Args:
        image1, image2: `(H, W, C)` or `(N, H, W, C)` (or channels_first), same shape.
        max_val: the dynamic range of the pixel values.
        filter_size, filter_sigma: the Gaussian window.
        k1, k2: the stabilizing constants.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        `(N,)` (or a scalar for single images).

    Example:
        >>> img = torch.rand(1, 16, 16, 3)
        >>> round(ssim(img, img).item(), 4)
        1.0
    """
    a, restore = to_batched_nhwc(image1, data_format, "ssim")
    b, _ = to_batched_nhwc(image2, data_format, "ssim")
    if a.shape != b.shape:
        raise ValueError(
            f"ssim expected images of the same shape; received {tuple(a.shape)} and "
            f"{tuple(b.shape)}."
        )
    original = a.dtype
    a = a if a.is_floating_point() else a.float()
    b = like(b, a)
    window = gaussian_1d(int(filter_size), float(filter_sigma), a.dtype, a.device)
    kernel = torch.outer(window, window)
    a, b = a.permute(0, 3, 1, 2), b.permute(0, 3, 1, 2)

    def blur(t):
        return _depthwise_2d(t, kernel, 0)

    mu1, mu2 = blur(a), blur(b)
    var1 = blur(a * a) - mu1 * mu1
    var2 = blur(b * b) - mu2 * mu2
    cov = blur(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    score = ((2 * mu1 * mu2 + c1) * (2 * cov + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (var1 + var2 + c2)
    )
    result = score.mean(dim=(1, 2, 3))
    if tensor(image1).dim() == 3:
        result = result.squeeze(0)
    return result.to(original) if original.is_floating_point else result


def _patches(images, size, strides, dilation_rate, padding, data_format, rank, op):
    x, restore = to_batched_nhwc(images, data_format, op, ranks=(rank + 1, rank + 2))
    size = conv_utils.normalize_tuple(size, rank, "size")
    strides = size if not strides else conv_utils.normalize_tuple(strides, rank, "strides")
    work, back = working_float(x)
    channels = work.shape[-1]
    features = channels
    for s in size:
        features *= s
    # An identity kernel: output feature ((i * w + j) * C + c) is pixel (i, j), channel c.
    kernel = torch.eye(features, dtype=work.dtype, device=work.device)
    kernel = kernel.reshape(*size, channels, features)
    patches = conv.eager(work, kernel, strides, padding, "channels_last", dilation_rate)
    return restore(back(patches))


@keras_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of images (2-D `size`) or volumes (3-D `size`), flattened into the last axis.

    Args:
        images: `(H, W, C)` or `(N, H, W, C)` for 2-D patches; volumes for 3-D patches.
        size: patch size, an int or a tuple of 2 (or 3) ints.
        strides: steps between patches (default: `size`, no overlap).
        dilation_rate: spacing of the pixels inside a patch.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        `(N, rows, cols, size_h * size_w * C)` (channels_last), the pixels of each patch in
        row-major order with the channels innermost.

    Example:
        >>> extract_patches(torch.ones(1, 4, 4, 3), 2).shape
        torch.Size([1, 2, 2, 12])
    """
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d.eager(images, size, strides, dilation_rate, padding, data_format)
    if not isinstance(size, int) and len(size) != 2:
        raise ValueError(f"extract_patches expected a size of 2 or 3 ints; received {size!r}.")
    return _patches(
        images, size, strides, dilation_rate, padding, data_format, 2, "extract_patches"
    )


@keras_op
def extract_patches_3d(
    volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None
):
    """Patches of volumes `(D, H, W, C)` or `(N, D, H, W, C)`, flattened into the last axis.

    Example:
        >>> extract_patches_3d(torch.ones(1, 4, 4, 4, 1), 2).shape
        torch.Size([1, 2, 2, 2, 8])
    """
    return _patches(
        volumes, size, strides, dilation_rate, padding, data_format, 3, "extract_patches_3d"
    )
