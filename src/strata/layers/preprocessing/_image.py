"""Image resizing shared by Resizing and CenterCrop (Keras's torch-backend arithmetic)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

# Keras's torch backend maps "nearest" to torch's "nearest-exact" (pixel centres, like TF).
TORCH_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_INT_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def _crop_box(height, width, target_height, target_width):
    """(top, left, crop height, crop width) of the centred box with the target's aspect ratio."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return (
        int(float(height - crop_height) / 2),
        int(float(width - crop_width) / 2),
        crop_height,
        crop_width,
    )


def _pad_to_ratio(images, target_height, target_width, fill_value):
    """Pad NCHW `images` with `fill_value` bands centred so they take the target aspect ratio."""
    height, width = images.shape[-2:]
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top = int(float(pad_height - height) / 2)
    left = int(float(pad_width - width) / 2)
    if top > 0 or left > 0:
        images = F.pad(images, (left, left, top, top), value=float(fill_value))
    return images


def resize(
    images,
    height,
    width,
    interpolation="bilinear",
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_value=0.0,
    antialias=False,
    channels_last=True,
    float_dtype=torch.float32,
):
    """Resize a batch (rank 4) or one image (rank 3) to `(height, width)`.

    Float images come back in `float_dtype`; integer images are rounded and saturated back to
    their dtype, as Keras's Resizing does.
    """
    squeeze = images.dim() == 3
    batch = images.unsqueeze(0) if squeeze else images
    in_dtype = batch.dtype
    work = batch if batch.dtype in (torch.float32, torch.float64) else batch.float()
    if channels_last:
        work = work.permute(0, 3, 1, 2)
    if crop_to_aspect_ratio:
        top, left, crop_h, crop_w = _crop_box(*work.shape[-2:], height, width)
        work = work[:, :, top : top + crop_h, left : left + crop_w]
    elif pad_to_aspect_ratio:
        work = _pad_to_ratio(work, height, width, fill_value)
    smooth = interpolation in ("bilinear", "bicubic")
    out = F.interpolate(
        work,
        size=(height, width),
        mode=TORCH_MODES[interpolation],
        align_corners=False if smooth else None,
        antialias=bool(antialias) and smooth,
    )
    if channels_last:
        out = out.permute(0, 2, 3, 1)
    if squeeze:
        out = out.squeeze(0)
    if in_dtype in _INT_DTYPES:
        info = torch.iinfo(in_dtype)
        return out.round().clamp(info.min, info.max).to(in_dtype)
    return out.to(float_dtype)


def center_crop(images, height, width, channels_last=True):
    """The central `(height, width)` window, or a crop-to-ratio resize when the image is smaller."""
    h_axis = images.dim() - (3 if channels_last else 2)
    in_height, in_width = images.shape[h_axis], images.shape[h_axis + 1]
    if in_height >= height and in_width >= width:
        top, left = (in_height - height) // 2, (in_width - width) // 2
        return images.narrow(h_axis, top, height).narrow(h_axis + 1, left, width)
    return resize(images, height, width, crop_to_aspect_ratio=True, channels_last=channels_last)
