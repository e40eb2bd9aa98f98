"""ZeroPadding1D, ZeroPadding2D and ZeroPadding3D: zeros around the spatial axes."""

from __future__ import annotations

import torch.nn.functional as F

from strata.layers.core._arguments import normalize_pairs, standardize_data_format
from strata.layers.layer import Layer
from strata.layers.reshaping._spatial import check_rank, spatial_axes, torch_pad


class _ZeroPadding(Layer):
    _dims = 0

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.padding = normalize_pairs(padding, self._dims, "padding", name)
        self.data_format = standardize_data_format(data_format, name)

    def build(self, input_shape):
        check_rank(self, input_shape, self._dims)
        self.built = True

    def call(self, inputs):
        axes = spatial_axes(self.data_format, self._dims)
        return F.pad(inputs, torch_pad(self.padding, axes, inputs.ndim))

    def compute_output_shape(self, input_shape):
        shape = list(check_rank(self, input_shape, self._dims))
        for axis, (before, after) in zip(
            spatial_axes(self.data_format, self._dims), self.padding, strict=True
        ):
            shape[axis] = None if shape[axis] is None else shape[axis] + before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Adds zeros at the start and end of the time axis.

    Args:
        padding: an int (both ends) or a tuple `(start, end)`.
        data_format: `"channels_last"` (`(batch, steps, features)`) or `"channels_first"`;
            default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, steps, features)` (channels_last).

    Output shape:
        `(batch_size, start + steps + end, features)`.

    Example:
        >>> import torch, strata
        >>> strata.layers.ZeroPadding1D((1, 2))(torch.ones(1, 2, 1))[0, :, 0]
        tensor([0., 1., 1., 0., 0.])
    """

    _dims = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        if isinstance(padding, (tuple, list)) and len(padding) == 2:
            padding = (tuple(padding),)
        super().__init__(padding, data_format, **kwargs)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding[0]}


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around an image.

    Args:
        padding: an int (the same everywhere), a tuple `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` (`(batch, rows, cols, channels)`) or `"channels_first"`;
            default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, rows, cols, channels)` (channels_last).

    Output shape:
        `(batch_size, top + rows + bottom, left + cols + right, channels)`.

    Example:
        >>> import strata
        >>> strata.layers.ZeroPadding2D(((1, 0), (2, 2)))(strata.Input(shape=(4, 4, 3))).shape
        (None, 5, 8, 3)
    """

    _dims = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around a volume along its three spatial axes.

    Args:
        padding: an int, a tuple of 3 ints (symmetric per axis), or a tuple of 3
            `(before, after)` pairs.
        data_format: `"channels_last"` (`(batch, d1, d2, d3, channels)`) or
            `"channels_first"`; default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, d1, d2, d3, channels)` (channels_last).

    Output shape:
        Each spatial size grows by its before + after amounts.

    Example:
        >>> import strata
        >>> strata.layers.ZeroPadding3D(1)(strata.Input(shape=(2, 3, 4, 1))).shape
        (None, 4, 5, 6, 1)
    """

    _dims = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
