"""The shared machinery of Conv1D, Conv2D and Conv3D (not exported)."""

import torch.nn.functional as F

from strata import activations, constraints, initializers, regularizers
from strata.layers.layer import Layer
from strata.ops import conv_utils

CONV_FUNCTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
SPATIAL_NAMES = {1: "steps", 2: "height, width", 3: "depth, height, width"}


def torch_to_keras_layout(rank: int) -> tuple:
    """Permutation from a torch kernel `(a, b, *kernel)` to Keras's `(*kernel, b, a)`."""
    return (*range(2, rank + 2), 1, 0)


def check_input_rank(layer_name: str, rank: int, data_format: str, input_shape) -> int:
    """The number of input channels; a clear error for a wrong rank or an unknown channel count."""
    input_shape = tuple(input_shape)
    if data_format == "channels_last":
        expected = f"(batch, {SPATIAL_NAMES[rank]}, channels)"
    else:
        expected = f"(batch, channels, {SPATIAL_NAMES[rank]})"
    if len(input_shape) != rank + 2:
        raise ValueError(
            f"{layer_name} expected an input of rank {rank + 2} {expected}; "
            f"received shape {input_shape}."
        )
    channels = input_shape[-1 if data_format == "channels_last" else 1]
    if channels is None:
        raise ValueError(
            f"{layer_name} expected a known number of channels in its input {expected}; "
            f"received shape {input_shape}."
        )
    return int(channels)


def check_strides_and_dilation(layer_name: str, strides, dilation_rate) -> None:
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            f"{layer_name} expected strides of 1 when dilation_rate > 1 (as Keras does); "
            f"received strides={strides}, dilation_rate={dilation_rate}."
        )


def check_positive_int(layer_name: str, argument: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"{layer_name} expected a positive integer `{argument}`; received {value!r}."
        )


def add_bias(layer, size: int):
    """The layer's `bias` weight of shape `(size,)` from its bias_* arguments, or None."""
    if not layer.use_bias:
        return None
    return layer.add_weight(
        name="bias",
        shape=(size,),
        initializer=layer.bias_initializer,
        regularizer=layer.bias_regularizer,
        constraint=layer.bias_constraint,
    )


def weights_config(layer, *prefixes: str) -> dict:
    """The serialized `{prefix}_initializer`, `_regularizer` and `_constraint` arguments."""
    config = {}
    for suffix, module in (
        ("initializer", initializers),
        ("regularizer", regularizers),
        ("constraint", constraints),
    ):
        for prefix in prefixes:
            key = f"{prefix}_{suffix}"
            config[key] = module.serialize(getattr(layer, key))
    return config


class BaseConv(Layer):
    """N-D convolution with Keras's arguments; subclasses fix `rank` and the signature.

    The kernel is stored in torch's layout `(filters, channels // groups, *kernel_size)` so the
    call is one `F.conv{rank}d`; `get_weights()` shows Keras's `(*kernel_size, channels //
    groups, filters)`.
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
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        self.rank = rank
        check_positive_int(kind, "filters", filters)
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(
                f"{kind} expected a positive `groups` that divides filters={filters}; "
                f"received groups={groups!r}."
            )
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding, allow_causal=rank == 1)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        check_strides_and_dilation(kind, self.strides, self.dilation_rate)
        self.groups = groups
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._convolve = CONV_FUNCTIONS[rank]

    def build(self, input_shape):
        kind = type(self).__name__
        channels = check_input_rank(kind, self.rank, self.data_format, input_shape)
        if channels % self.groups:
            raise ValueError(
                f"{kind} expected a number of input channels divisible by groups={self.groups}; "
                f"received {channels} channels (input shape {tuple(input_shape)})."
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            keras_layout=torch_to_keras_layout(self.rank),
        )
        self.bias = add_bias(self, self.filters)
        self.built = True

    def _padded(self, x):
        """The channels_first input, padded where torch cannot, and torch's `padding`."""
        if self.padding == "valid":
            return x, 0
        if self.padding == "causal":
            return conv_utils.pad_causal(x, self.kernel_size[0], self.dilation_rate[0]), 0
        return conv_utils.pad_same_for_conv(x, self.kernel_size, self.strides, self.dilation_rate)

    def call(self, inputs):
        x, padding = self._padded(conv_utils.channels_first_view(inputs, self.data_format))
        y = self._convolve(
            x, self.kernel, self.bias, self.strides, padding, self.dilation_rate, self.groups
        )
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
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weights_config(self, "kernel", "bias"),
        }
