"""Flatten: one feature axis per sample."""

import math

from strata.layers.core._arguments import standardize_data_format
from strata.layers.layer import Layer


class Flatten(Layer):
    """Flattens every sample to one axis; the batch axis stays.

    With `data_format="channels_first"` the channel axis is moved last before flattening, so the
    features come out in the order a channels_last model would give (and a Dense layer after it
    has the same weights in both layouts), as in Keras.

    Args:
        data_format: `"channels_last"` or `"channels_first"`; default
            `strata.backend.image_data_format()`.

    Input shape:
        `(batch_size, ...)`, rank >= 1.

    Output shape:
        `(batch_size, product of the other dimensions)`.

    Example:
        >>> import strata
        >>> strata.layers.Flatten()(strata.Input(shape=(4, 5, 3))).shape
        (None, 60)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Flatten")

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        size = None if None in rest else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
