"""The shared machinery of the global pooling layers (not exported)."""

from strata.layers.convolutional.base_conv import check_input_rank
from strata.layers.layer import Layer
from strata.ops import conv_utils


class BaseGlobalPooling(Layer):
    """Reduce every spatial dimension; subclasses define `_reduce(inputs, axes)`."""

    def __init__(self, pool_dimensions, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = pool_dimensions
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.keepdims = bool(keepdims)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + pool_dimensions))

    def build(self, input_shape):
        check_input_rank(type(self).__name__, self.rank, self.data_format, input_shape)
        self.built = True

    def call(self, inputs):
        return self._reduce(inputs, self._axes)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return tuple(1 if i in self._axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self._axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}
