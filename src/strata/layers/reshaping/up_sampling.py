"""UpSampling1D, UpSampling2D and UpSampling3D: repeat (or interpolate) along spatial axes."""

from __future__ import annotations

import torch.nn.functional as F

from strata.layers.core._arguments import normalize_tuple, standardize_data_format
from strata.layers.layer import Layer
from strata.layers.reshaping._spatial import check_rank, spatial_axes


class _UpSampling(Layer):
    """Repeats every element `size[i]` times along spatial axis `i` (nearest neighbour)."""

    _dims = 0

    def __init__(self, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.size = normalize_tuple(size, self._dims, "size", name)
        self.data_format = standardize_data_format(data_format, name)

    def build(self, input_shape):
        check_rank(self, input_shape, self._dims)
        self.built = True

    def call(self, inputs):
        axes = spatial_axes(self.data_format, self._dims)
        for axis, repeats in zip(axes, self.size, strict=True):
            if repeats != 1:
                inputs = inputs.repeat_interleave(repeats, dim=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        shape = list(check_rank(self, input_shape, self._dims))
        for axis, repeats in zip(
            spatial_axes(self.data_format, self._dims), self.size, strict=True
        ):
            shape[axis] = None if shape[axis] is None else shape[axis] * repeats
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class UpSampling1D(_UpSampling):
    """Repeats each timestep `size` times.

    Args:
        size: the repetition factor.
        data_format: `"channels_last"` (`(batch, steps, features)`) or `"channels_first"`
            (`(batch, features, steps)`); default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, steps, features)` (channels_last).

    Output shape:
        `(batch_size, steps * size, features)`.

    Example:
        >>> import torch, strata
        >>> strata.layers.UpSampling1D(2)(torch.tensor([[[1.0], [2.0]]]))[0, :, 0]
        tensor([1., 1., 2., 2.])
    """

    _dims = 1

    def __init__(self, size=2, data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)

    def get_config(self):
        return {**super().get_config(), "size": self.size[0]}


class UpSampling2D(_UpSampling):
    """Upsamples rows and columns by `size`: repeats pixels (`"nearest"`) or interpolates
    (`"bilinear"`, half-pixel centres as in Keras).

    Args:
        size: an int or a tuple `(rows, cols)` of factors.
        data_format: `"channels_last"` (`(batch, rows, cols, channels)`) or `"channels_first"`;
            default `strata.backend.image_data_format()`.
        interpolation: `"nearest"` or `"bilinear"`.

    Input shape:
        `(batch_size, rows, cols, channels)` (channels_last).

    Output shape:
        `(batch_size, rows * size[0], cols * size[1], channels)`.

    Example:
        >>> import strata
        >>> strata.layers.UpSampling2D((2, 3))(strata.Input(shape=(4, 5, 3))).shape
        (None, 8, 15, 3)
    """

    _dims = 2
    _INTERPOLATIONS = ("nearest", "bilinear")

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size, data_format, **kwargs)
        if interpolation not in self._INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D expected interpolation in {self._INTERPOLATIONS}; received "
                f"interpolation={interpolation!r}."
            )
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        # F.interpolate wants (batch, channels, rows, cols); for channels_last this is a view.
        images = inputs.permute(0, 3, 1, 2) if self.data_format == "channels_last" else inputs
        rows, cols = images.shape[2] * self.size[0], images.shape[3] * self.size[1]
        output = F.interpolate(images, size=(rows, cols), mode="bilinear", align_corners=False)
        return output.permute(0, 2, 3, 1) if self.data_format == "channels_last" else output

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Repeats the voxels of a volume `size` times along each spatial axis.

    Args:
        size: an int or a tuple of 3 factors `(dim1, dim2, dim3)`.
        data_format: `"channels_last"` (`(batch, d1, d2, d3, channels)`) or
            `"channels_first"`; default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, d1, d2, d3, channels)` (channels_last).

    Output shape:
        `(batch_size, d1 * size[0], d2 * size[1], d3 * size[2], channels)`.

    Example:
        >>> import strata
        >>> strata.layers.UpSampling3D(2)(strata.Input(shape=(2, 3, 4, 1))).shape
        (None, 4, 6, 8, 1)
    """

    _dims = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)
