"""Cropping1D, Cropping2D and Cropping3D: remove borders along the spatial axes."""

from __future__ import annotations

from strata.layers.core._arguments import normalize_pairs, standardize_data_format
from strata.layers.layer import Layer
from strata.layers.reshaping._spatial import check_rank, spatial_axes


class _Cropping(Layer):
    _dims = 0

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.cropping = normalize_pairs(cropping, self._dims, "cropping", name)
        self.data_format = standardize_data_format(data_format, name)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(
            spatial_axes(self.data_format, self._dims), self.cropping, strict=True
        ):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(check_rank(self, input_shape, self._dims))
        for axis, (before, after) in zip(
            spatial_axes(self.data_format, self._dims), self.cropping, strict=True
        ):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ValueError(
                    f"{type(self).__name__} expected cropping smaller than the input on every "
                    f"spatial axis; received cropping={self.cropping} for an input of shape "
                    f"{tuple(input_shape)}."
                )
            shape[axis] -= before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Removes timesteps at the start and end of the time axis.

    Args:
        cropping: an int (both ends) or a tuple `(start, end)`.
        data_format: `"channels_last"` (`(batch, steps, features)`) or `"channels_first"`;
            default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, steps, features)` (channels_last).

    Output shape:
        `(batch_size, steps - start - end, features)`.

    Example:
        >>> import torch, strata
        >>> strata.layers.Cropping1D((1, 2))(torch.arange(5.0).reshape(1, 5, 1))[0, :, 0]
        tensor([1., 2.])
    """

    _dims = 1

    def __init__(self, cropping=(1, 1), data_format=None, **kwargs):
        if isinstance(cropping, (tuple, list)) and len(cropping) == 2:
            cropping = (tuple(cropping),)
        super().__init__(cropping, data_format, **kwargs)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping[0]}


class Cropping2D(_Cropping):
    """Removes rows and columns at the borders of an image.

    Args:
        cropping: an int (the same everywhere), a tuple `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` (`(batch, rows, cols, channels)`) or `"channels_first"`;
            default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, rows, cols, channels)` (channels_last).

    Output shape:
        `(batch_size, rows - top - bottom, cols - left - right, channels)`.

    Example:
        >>> import strata
        >>> strata.layers.Cropping2D(((2, 2), (4, 4)))(strata.Input(shape=(28, 28, 3))).shape
        (None, 24, 20, 3)
    """

    _dims = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Removes borders of a volume along its three spatial axes.

    Args:
        cropping: an int, a tuple of 3 ints (symmetric per axis), or a tuple of 3
            `(before, after)` pairs.
        data_format: `"channels_last"` (`(batch, d1, d2, d3, channels)`) or
            `"channels_first"`; default `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, d1, d2, d3, channels)` (channels_last).

    Output shape:
        Each spatial size shrinks by its before + after amounts.

    Example:
        >>> import strata
        >>> strata.layers.Cropping3D(1)(strata.Input(shape=(4, 5, 6, 2))).shape
        (None, 2, 3, 4, 2)
    """

    _dims = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
