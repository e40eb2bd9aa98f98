"""The shared machinery of SeparableConv1D and SeparableConv2D (not exported)."""

from strata import activations, constraints, initializers, regularizers
from strata.layers.convolutional.base_conv import (
    CONV_FUNCTIONS,
    add_bias,
    check_input_rank,
    check_positive_int,
    check_strides_and_dilation,
    torch_to_keras_layout,
    weights_config,
)
from strata.layers.convolutional.base_depthwise_conv import depthwise_conv, depthwise_keras_layout
from strata.layers.layer import Layer
from strata.ops import conv_utils


class BaseSeparableConv(Layer):
    """Depthwise then pointwise convolution; subclasses fix `rank` and the signature.

    Weights (Keras's layouts): `depthwise_kernel` `(*kernel_size, channels, depth_multiplier)`,
    `pointwise_kernel` `(1, ..., channels * depth_multiplier, filters)` and `bias` `(filters,)`.
    Stored as torch's grouped and 1x1 convolution weights.
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        self.rank = rank
        check_positive_int(kind, "filters", filters)
        check_positive_int(kind, "depth_multiplier", depth_multiplier)
        self.filters = filters
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
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._convolve = CONV_FUNCTIONS[rank]

    def build(self, input_shape):
        channels = check_input_rank(type(self).__name__, self.rank, self.data_format, input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            keras_layout=depthwise_keras_layout(self.rank),
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(*(1,) * self.rank, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            keras_layout=torch_to_keras_layout(self.rank),
        )
        self.bias = add_bias(self, self.filters)
        self.built = True

    def call(self, inputs):
        x = conv_utils.channels_first_view(inputs, self.data_format)
        y = depthwise_conv(self, x, self.depthwise_kernel, None)
        y = self._convolve(y, self.pointwise_kernel, self.bias)
        return self.activation(conv_utils.channels_last_view(y, self.data_format))

    def compute_output_shape(self, input_shape):
        return conv_utils.conv_output_shape(
            input_shape,
            self.data_format,
            self.kernel_size,
            self.strides,
            self.dilation_rate,
            self.padding,
            self.filters,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "depth_multiplier": self.depth_multiplier,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weights_config(self, "depthwise", "pointwise", "bias"),
        }
