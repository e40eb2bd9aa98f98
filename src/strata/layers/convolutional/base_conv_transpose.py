"""The shared machinery of Conv1DTranspose, Conv2DTranspose and Conv3DTranspose (not exported).

Output sizes follow Keras's formula. Which positions are kept follows TensorFlow, where a
transposed convolution is the gradient of the forward convolution with the same arguments: its
"same" padding crops `total // 2` positions at the start and the rest at the end. torch's
`padding` crops both ends equally and `output_padding` only extends the end, so when the end
must lose one more position than the start (odd total, e.g. kernel 3 with stride 2) the result
is cropped with `F.pad` instead. Keras on its torch backend keeps the other positions in that
case (it warns about the inconsistency between its backends); strata follows TensorFlow, so
weights trained in Keras on TensorFlow or JAX give the same outputs here.
"""

import torch.nn.functional as F

from strata import activations, constraints, initializers, regularizers
from strata.layers.convolutional.base_conv import (
    add_bias,
    check_input_rank,
    check_positive_int,
    torch_to_keras_layout,
    weights_config,
)
from strata.layers.layer import Layer
from strata.ops import conv_utils

TRANSPOSE_FUNCTIONS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def transpose_padding(lengths, kernel, strides, dilation, padding, output_padding):
    """torch's `padding` and `output_padding` per dimension, and whether they are exact.

    When not exact, the caller runs with `output_padding=0` and adjusts the end of each
    dimension by the returned `output_padding` (negative: crop).
    """
    torch_pad, torch_out, exact = [], [], True
    for i, length in enumerate(lengths):
        extent = conv_utils.effective_kernel(kernel[i], dilation[i])
        extra = None if output_padding is None else output_padding[i]
        wanted = conv_utils.deconv_output_length(
            length, kernel[i], padding, extra, strides[i], dilation[i]
        )
        full = (length - 1) * strides[i] + extent
        start = max(full - wanted, 0) // 2 if padding == "same" else 0
        end_adjust = wanted - (full - 2 * start)
        torch_pad.append(start)
        torch_out.append(end_adjust)
        exact = exact and 0 <= end_adjust < max(strides[i], dilation[i])
    return tuple(torch_pad), tuple(torch_out), exact


class BaseConvTranspose(Layer):
    """N-D transposed convolution with Keras's arguments; subclasses fix `rank` and signature.

    The kernel is stored in torch's layout `(channels, filters, *kernel_size)`; `get_weights()`
    shows Keras's `(*kernel_size, filters, channels)`.
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
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
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        if output_padding is not None:
            output_padding = conv_utils.normalize_tuple(
                output_padding, rank, "output_padding", allow_zero=True
            )
            if any(p >= s for p, s in zip(output_padding, self.strides, strict=True)):
                raise ValueError(
                    f"{kind} expected output_padding smaller than strides; received "
                    f"output_padding={output_padding}, strides={self.strides}."
                )
        self.output_padding = output_padding
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._convolve = TRANSPOSE_FUNCTIONS[rank]

    def build(self, input_shape):
        channels = check_input_rank(type(self).__name__, self.rank, self.data_format, input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            keras_layout=torch_to_keras_layout(self.rank),
        )
        self.bias = add_bias(self, self.filters)
        self.built = True

    def call(self, inputs):
        x = conv_utils.channels_first_view(inputs, self.data_format)
        padding, out_padding, exact = transpose_padding(
            x.shape[2:],
            self.kernel_size,
            self.strides,
            self.dilation_rate,
            self.padding,
            self.output_padding,
        )
        if exact:
            y = self._convolve(
                x,
                self.kernel,
                self.bias,
                self.strides,
                padding,
                out_padding,
                1,
                self.dilation_rate,
            )
        else:
            y = self._convolve(
                x, self.kernel, None, self.strides, padding, 0, 1, self.dilation_rate
            )
            pads = []
            for adjust in reversed(out_padding):
                pads += [0, adjust]
            y = F.pad(y, pads)
            if self.bias is not None:
                y = y + self.bias.view(-1, *(1,) * self.rank)
        return self.activation(conv_utils.channels_last_view(y, self.data_format))

    def compute_output_shape(self, input_shape):
        extras = self.output_padding or (None,) * self.rank
        spatial = [
            conv_utils.deconv_output_length(n, k, self.padding, p, s, d)
            for n, k, p, s, d in zip(
                conv_utils.spatial_shape(input_shape, self.data_format),
                self.kernel_size,
                extras,
                self.strides,
                self.dilation_rate,
                strict=True,
            )
        ]
        return conv_utils.with_spatial(input_shape, spatial, self.filters, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weights_config(self, "kernel", "bias"),
        }
