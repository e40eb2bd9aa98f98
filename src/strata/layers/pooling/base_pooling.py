"""The shared machinery of the max and average pooling layers (not exported)."""

from strata.layers.convolutional.base_conv import check_input_rank
from strata.layers.layer import Layer
from strata.ops import conv_utils


class BasePooling(Layer):
    """N-D max or average pooling with Keras's arguments; subclasses fix rank, mode, signature.

    "same" padding is TensorFlow's: `ceil(size / stride)` outputs, the extra padding at the end;
    padded positions never win a max and are not counted in an average.
    """

    def __init__(
        self,
        pool_size,
        strides,
        pool_dimensions,
        pool_mode="max",
        padding="valid",
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.rank = pool_dimensions
        self.pool_mode = pool_mode
        self.pool_size = conv_utils.normalize_tuple(pool_size, pool_dimensions, "pool_size")
        self.strides = (
            self.pool_size
            if strides is None
            else conv_utils.normalize_tuple(strides, pool_dimensions, "strides")
        )
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)

    def build(self, input_shape):
        check_input_rank(type(self).__name__, self.rank, self.data_format, input_shape)
        self.built = True

    def call(self, inputs):
        x = conv_utils.channels_first_view(inputs, self.data_format)
        y = conv_utils.pool(x, self.pool_mode, self.pool_size, self.strides, self.padding)
        return conv_utils.channels_last_view(y, self.data_format)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        return conv_utils.conv_output_shape(
            input_shape,
            self.data_format,
            self.pool_size,
            self.strides,
            (1,) * self.rank,
            self.padding,
            channels,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
