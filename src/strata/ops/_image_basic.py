"""Colour conversions, resizing, cropping and padding of images."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.ops._image_common import to_batched_nhwc, working_float
from strata.ops._symbolic import keras_op

__all__ = ["crop_images", "hsv_to_rgb", "pad_images", "resize", "rgb_to_grayscale", "rgb_to_hsv"]


@keras_op
def rgb_to_grayscale(images, data_format=None):
    """Luma `0.2989 R + 0.587 G + 0.114 B`, keeping a channel axis of size 1.

    Example:
        >>> rgb_to_grayscale(torch.ones(2, 2, 3)).shape
        torch.Size([2, 2, 1])
    """
    x, restore = to_batched_nhwc(images, data_format, "rgb_to_grayscale")
    if x.shape[-1] not in (1, 3):
        raise ValueError(
            f"rgb_to_grayscale expected 1 or 3 channels; received shape {tuple(x.shape)}."
        )
    if x.shape[-1] == 1:
        return restore(x.clone())
    r, g, b = x.unbind(-1)
    gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype)
    return restore(gray.unsqueeze(-1))


def _float_images(images, data_format, op):
    x, restore = to_batched_nhwc(images, data_format, op)
    if not x.is_floating_point():
        raise ValueError(f"{op} expected float images; received dtype {x.dtype}.")
    if x.shape[-1] != 3:
        raise ValueError(f"{op} expected 3 channels; received shape {tuple(x.shape)}.")
    return x, restore


@keras_op
def rgb_to_hsv(images, data_format=None):
    """RGB to hue, saturation, value, each in `[0, 1]` (float images in `[0, 1]`).

    Example:
        >>> rgb_to_hsv(torch.tensor([[[1.0, 0.0, 0.0]]])).flatten().tolist()
        [0.0, 1.0, 1.0]
    """
    x, restore = _float_images(images, data_format, "rgb_to_hsv")
    x = torch.where(x.abs() < torch.finfo(x.dtype).eps, 0.0, x)
    r, g, b = x.unbind(-1)
    value = x.amax(dim=-1)
    spread = value - x.amin(dim=-1)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = torch.where(value == r, norm * (g - b), hue)
    hue = torch.where(spread > 0, hue, 0.0)
    hue = hue + (hue < 0).to(hue.dtype)
    return restore(torch.stack([hue, saturation, value], dim=-1))


@keras_op
def hsv_to_rgb(images, data_format=None):
    """Hue, saturation, value (in `[0, 1]`) to RGB.

    Example:
        >>> hsv_to_rgb(torch.tensor([[[0.0, 1.0, 1.0]]])).flatten().tolist()
        [1.0, 0.0, 0.0]
    """
    x, restore = _float_images(images, data_format, "hsv_to_rgb")
    hue, saturation, value = x.unbind(-1)
    sector = torch.remainder(hue, 1.0) * 6.0
    red = torch.clamp((sector - 3.0).abs() - 1.0, 0.0, 1.0)
    green = torch.clamp(2.0 - (sector - 2.0).abs(), 0.0, 1.0)
    blue = torch.clamp(2.0 - (sector - 4.0).abs(), 0.0, 1.0)
    grey = 1.0 - saturation
    planes = [value * (grey + saturation * c) for c in (red, green, blue)]
    return restore(torch.stack(planes, dim=-1))


_TORCH_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_ALL_METHODS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


def _aspect_crop(x, size):
    h, w = x.shape[1], x.shape[2]
    th, tw = size
    crop_h = max(min(h, int(float(w * th) / tw)), 1)
    crop_w = max(min(w, int(float(h * tw) / th)), 1)
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    return x[:, top : top + crop_h, left : left + crop_w, :]


def _aspect_pad(x, size, fill_value):
    h, w = x.shape[1], x.shape[2]
    th, tw = size
    pad_h = max(h, int(float(w * th) / tw))
    pad_w = max(w, int(float(h * tw) / th))
    top, left = int(float(pad_h - h) / 2), int(float(pad_w - w) / 2)
    # The same amount on both sides (as Keras pads).
    return F.pad(x, (0, 0, left, left, top, top), value=float(fill_value))


@keras_op
def resize(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    """Resize images to `size = (height, width)`.

    Args:
        images: `(H, W, C)` or `(N, H, W, C)` (or channels_first).
        size: `(height, width)`.
        interpolation: `"bilinear"`, `"nearest"`, `"bicubic"`, `"lanczos3"` or `"lanczos5"`.
        antialias: filter when downsampling (bilinear, bicubic and lanczos).
        crop_to_aspect_ratio: first crop the largest centred box with the target's aspect
            ratio.
        pad_to_aspect_ratio: first pad (with `fill_value`) to the target's aspect ratio.
        fill_mode: only `"constant"`.
        fill_value: the padding value.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The resized images (integer images are rounded back to their dtype).

    Example:
        >>> resize(torch.ones(1, 4, 4, 3), (2, 2)).shape
        torch.Size([1, 2, 2, 3])
    """
    if interpolation not in _ALL_METHODS:
        raise ValueError(
            f"resize expected interpolation in {_ALL_METHODS}; received {interpolation!r}."
        )
    if fill_mode != "constant":
        raise ValueError(f"resize expected fill_mode 'constant'; received {fill_mode!r}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "resize expected at most one of crop_to_aspect_ratio and "
            "pad_to_aspect_ratio to be True; received both."
        )
    if len(size) != 2:
        raise ValueError(f"resize expected size (height, width); received {size!r}.")
    size = (int(size[0]), int(size[1]))
    x, restore = to_batched_nhwc(images, data_format, "resize")
    work, back = working_float(x)
    if crop_to_aspect_ratio:
        work = _aspect_crop(work, size)
    elif pad_to_aspect_ratio:
        work = _aspect_pad(work, size, fill_value)
    if interpolation.startswith("lanczos"):
        from strata.ops._image_geometry import scale_and_translate

        n, h, w, c = work.shape
        scales = [size[0] / h, size[1] / w]
        out = scale_and_translate.eager(
            work, (n, *size, c), scales, [0.0, 0.0], (1, 2), interpolation, antialias
        )
        return restore(back(out))
    nchw = work.permute(0, 3, 1, 2)
    smooth = interpolation in ("bilinear", "bicubic")
    out = F.interpolate(
        nchw,
        size=size,
        mode=_TORCH_MODES[interpolation],
        align_corners=False if smooth else None,
        antialias=bool(antialias) and smooth,
    )
    return restore(back(out.permute(0, 2, 3, 1)))


def _resolve(first, second, target, total, names):
    given = [first, second, target].count(None)
    if given != 1:
        raise ValueError(
            f"expected exactly two of {', '.join(names)}; received {names[0]}={first}, "
            f"{names[1]}={second}, {names[2]}={target}."
        )
    for name, value in zip(names, (first, second, target), strict=True):
        if value is not None and value < 0:
            raise ValueError(f"`{name}` expected a non-negative integer; received {value}.")
    return first, second, target


@keras_op
def pad_images(
    images,
    top_padding=None,
    left_padding=None,
    bottom_padding=None,
    right_padding=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Zero-pad images; give exactly two of each (top, bottom, target_height) and
    (left, right, target_width).

    Example:
        >>> pad_images(torch.ones(2, 2, 1), 1, 1, target_height=4, target_width=5).shape
        torch.Size([4, 5, 1])
    """
    x, restore = to_batched_nhwc(images, data_format, "pad_images")
    h, w = x.shape[1], x.shape[2]
    top, bottom, th = _resolve(
        top_padding,
        bottom_padding,
        target_height,
        h,
        ("top_padding", "bottom_padding", "target_height"),
    )
    left, right, tw = _resolve(
        left_padding,
        right_padding,
        target_width,
        w,
        ("left_padding", "right_padding", "target_width"),
    )
    top = th - bottom - h if top is None else top
    bottom = th - top - h if bottom is None else bottom
    left = tw - right - w if left is None else left
    right = tw - left - w if right is None else right
    if min(top, bottom, left, right) < 0:
        raise ValueError(
            f"pad_images: the target size is smaller than the image ({h}, {w}) plus the given "
            f"padding (top={top}, bottom={bottom}, left={left}, right={right})."
        )
    return restore(F.pad(x, (0, 0, left, right, top, bottom)))


@keras_op
def crop_images(
    images,
    top_cropping=None,
    left_cropping=None,
    bottom_cropping=None,
    right_cropping=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Crop images; give exactly two of each (top, bottom, target_height) and
    (left, right, target_width).

    Example:
        >>> crop_images(torch.ones(4, 5, 1), 1, 1, target_height=2, target_width=3).shape
        torch.Size([2, 3, 1])
    """
    x, restore = to_batched_nhwc(images, data_format, "crop_images")
    h, w = x.shape[1], x.shape[2]
    top, bottom, th = _resolve(
        top_cropping,
        bottom_cropping,
        target_height,
        h,
        ("top_cropping", "bottom_cropping", "target_height"),
    )
    left, right, tw = _resolve(
        left_cropping,
        right_cropping,
        target_width,
        w,
        ("left_cropping", "right_cropping", "target_width"),
    )
    top = h - th - bottom if top is None else top
    th = h - top - bottom if th is None else th
    left = w - tw - right if left is None else left
    tw = w - left - right if tw is None else tw
    if min(top, left, th, tw) < 0 or top + th > h or left + tw > w:
        raise ValueError(
            f"crop_images: the crop (top={top}, left={left}, height={th}, width={tw}) does not "
            f"fit the image of size ({h}, {w})."
        )
    return restore(x[:, top : top + th, left : left + tw, :])
