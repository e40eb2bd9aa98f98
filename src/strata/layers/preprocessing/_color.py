"""Colour maths shared by the colour augmentations, on `(batch, channels, H, W)` floats."""

from __future__ import annotations

import torch

# ITU-R 601 luma weights (the ones torchvision and Keras use).
LUMA = (0.2989, 0.587, 0.114)


def grayscale(images):
    """Luma of RGB images as one channel; one-channel images are returned as they are."""
    channels = images.shape[1]
    if channels == 1:
        return images
    if channels != 3:
        raise ValueError(
            f"Colour augmentations expected 1 or 3 channels; received {channels} channels."
        )
    red, green, blue = images.unbind(1)
    return (LUMA[0] * red + LUMA[1] * green + LUMA[2] * blue).unsqueeze(1)


def rescale(images, source, target):
    """Values mapped linearly from the `source` (low, high) range to the `target` range.

    Through [0, 1] in Keras's order of operations: layers that truncate the result to whole
    numbers (posterization, CLAHE) then see the same integers as Keras.
    """
    if tuple(source) == tuple(target):
        return images
    unit = (images - source[0]) / (source[1] - source[0])
    return unit * (target[1] - target[0]) + target[0]


def rgb_to_hsv(images):
    """RGB (any non-negative scale) to hue in [0, 1), saturation in [0, 1], value (max)."""
    _check_rgb(images)
    red, green, blue = images.unbind(1)
    value = images.amax(1)
    spread = value - images.amin(1)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    safe = torch.where(spread > 0, spread, 1.0)
    hue = torch.where(
        value == red,
        (green - blue) / safe,
        torch.where(value == green, (blue - red) / safe + 2.0, (red - green) / safe + 4.0),
    )
    hue = torch.where(spread > 0, torch.remainder(hue / 6.0, 1.0), 0.0)
    return torch.stack([hue, saturation, value], dim=1)


def hsv_to_rgb(images):
    hue, saturation, value = images.unbind(1)
    sector = torch.remainder(hue, 1.0) * 6.0
    red = (torch.abs(sector - 3.0) - 1.0).clamp(0.0, 1.0)
    green = (2.0 - torch.abs(sector - 2.0)).clamp(0.0, 1.0)
    blue = (2.0 - torch.abs(sector - 4.0)).clamp(0.0, 1.0)
    rgb = torch.stack([red, green, blue], dim=1)
    return value.unsqueeze(1) * (1.0 - saturation.unsqueeze(1) * (1.0 - rgb))


def _check_rgb(images):
    if images.shape[1] != 3:
        raise ValueError(
            f"Hue and saturation augmentations expected RGB images (3 channels); received "
            f"{images.shape[1]} channels."
        )
