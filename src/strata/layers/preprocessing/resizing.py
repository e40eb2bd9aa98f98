"""Resizing: scale a batch of images to a fixed height and width."""

from __future__ import annotations

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer
from strata.layers.preprocessing._image import TORCH_MODES, resize
from strata.ops.conv_utils import normalize_data_format


def check_size(height, width, layer):
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{layer} expected {name} as a positive integer; received {value!r}.")


def image_axes(data_format):
    """(height axis, width axis) counted from the end, for a data format."""
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


class Resizing(Layer):
    """Resize images to `(height, width)`, optionally keeping their aspect ratio.

    The arithmetic is Keras's on its torch backend (`torch.nn.functional.interpolate`,
    `"nearest"` as torch's `"nearest-exact"`), so outputs match Keras's. Integer images are
    rounded and stay integers; float images come back in the layer's dtype.

    Args:
        height: output height.
        width: output width.
        interpolation: `"bilinear"`, `"nearest"` or `"bicubic"` (Keras's torch backend has no
            Lanczos either).
        crop_to_aspect_ratio: crop the largest centred window with the target aspect ratio
            before resizing, so nothing is stretched.
        pad_to_aspect_ratio: pad centred bands of `fill_value` so the image takes the target
            aspect ratio before resizing.
        fill_mode: only `"constant"`, as in Keras.
        fill_value: the padding value for `pad_to_aspect_ratio`.
        antialias: low-pass filter when shrinking (bilinear and bicubic only).
        data_format: `"channels_last"` or `"channels_first"`; None takes
            `strata.backend.image_data_format()`.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        `(batch, height, width, channels)` with the new height and width.

    Example:
        >>> import torch, strata
        >>> strata.layers.Resizing(2, 3)(torch.zeros(4, 8, 8, 3)).shape
        torch.Size([4, 2, 3, 3])
    """

    def __init__(
        self,
        height,
        width,
        interpolation="bilinear",
        crop_to_aspect_ratio=False,
        pad_to_aspect_ratio=False,
        fill_mode="constant",
        fill_value=0.0,
        antialias=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_size(height, width, "Resizing")
        if interpolation not in TORCH_MODES:
            raise ValueError(
                f"Resizing expected interpolation one of {list(TORCH_MODES)}; "
                f"received {interpolation!r}."
            )
        if fill_mode != "constant":
            raise ValueError(f"Resizing expected fill_mode 'constant'; received {fill_mode!r}.")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Resizing expected at most one of crop_to_aspect_ratio and pad_to_aspect_ratio; "
                "received both True."
            )
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.antialias = bool(antialias)
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs):
        if inputs.dim() not in (3, 4):
            raise ValueError(
                f"Resizing expected images of rank 3 or 4; received shape {tuple(inputs.shape)}."
            )
        return resize(
            inputs,
            self.height,
            self.width,
            self.interpolation,
            self.crop_to_aspect_ratio,
            self.pad_to_aspect_ratio,
            self.fill_value,
            self.antialias,
            channels_last=self.data_format == "channels_last",
            float_dtype=to_torch_dtype(self.dtype),
        )

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = image_axes(self.data_format)
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
        }
