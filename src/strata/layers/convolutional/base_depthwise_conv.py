"""The shared machinery of DepthwiseConv1D and DepthwiseConv2D (not exported)."""

from strata import activations, constraints, initializers, regularizers
from strata.layers.convolutional.base_conv import (
    CONV_FUNCTIONS,
    add_bias,
    check_input_rank,
    check_positive_int,
    check_strides_and_dilation,
    weights_config,
)
from strata.layers.layer import Layer
from strata.ops import conv_utils


def depthwise_keras_layout(rank: int) -> tuple:
    """Permutation from the stored `(channels, multiplier, *kernel)` to Keras's
    `(*kernel, channels, multiplier)`."""
    return (*range(2, rank + 2), 0, 1)


def depthwise_padded(layer, x):
    """The channels_first input, padded where torch cannot, and torch's `padding`."""
    if layer.padding == "valid":
        return x, 0
    return conv_utils.pad_same_for_conv(x, layer.kernel_size, layer.strides, layer.dilation_rate)


def depthwise_conv(layer, x, kernel, bias):
    """Each input channel convolved with its own `depth_multiplier` filters (channels_first).

    `kernel` is stored `(channels, multiplier, *kernel_size)`; as a view of shape
    `(channels * multiplier, 1, *kernel_size)` it is torch's grouped-convolution weight with one
    group per channel, and output channel `c * multiplier + m` is Keras's order.
    """
    channels, multiplier = kernel.shape[:2]
    weight = kernel.reshape(channels * multiplier, 1, *kernel.shape[2:])
    x, padding = depthwise_padded(layer, x)
    return layer._convolve(
        x, weight, bias, layer.strides, padding, layer.dilation_rate, int(channels)
    )


class BaseDepthwiseConv(Layer):
    """N-D depthwise convolution with Keras's arguments; subclasses fix `rank` and the signature.

    The kernel is stored `(channels, depth_multiplier, *kernel_size)`; `get_weights()` shows
    Keras's `(*kernel_size, channels, depth_multiplier)`.
    """

    def __init__(
        self,
        rank,
        depth_multiplier,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        self.rank = rank
        check_positive_int(kind, "depth_multiplier", depth_multiplier)
        self.depth_multiplier = depth_multiplier
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        check_strides_and_dilation(kind, self.strides, self.dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._convolve = CONV_FUNCTIONS[rank]

    def build(self, input_shape):
        channels = check_input_rank(type(self).__name__, self.rank, self.data_format, input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            keras_layout=depthwise_keras_layout(self.rank),
        )
        self.bias = add_bias(self, channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        x = conv_utils.channels_first_view(inputs, self.data_format)
        y = depthwise_conv(self, x, self.kernel, self.bias)
        return self.activation(conv_utils.channels_last_view(y, self.data_format))

    def compute_output_shape(self, input_shape):
        channel_axis = -1 if self.data_format == "channels_last" else 1
        channels = input_shape[channel_axis]
        channels = None if channels is None else channels * self.depth_multiplier
        return conv_utils.conv_output_shape(
            input_shape,
            self.data_format,
            self.kernel_size,
            self.strides,
            self.dilation_rate,
            self.padding,
            channels,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weights_config(self, "depthwise", "bias"),
        }
