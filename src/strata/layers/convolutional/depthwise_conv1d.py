"""DepthwiseConv1D: depthwise 1D convolution."""

from strata.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1D convolution: each input channel convolved with its own filters.

    Every input channel gets `depth_multiplier` filters of its own; there is no mixing across
    channels. Output channel `c * depth_multiplier + m` is filter `m` applied to channel `c`.

    Args:
        kernel_size: an int or a tuple of one int, the window's size.
        strides: an int or a tuple of one int (must be 1 where `dilation_rate` > 1).
        padding: "valid" or "same" (TensorFlow's: extra padding at the end).
        depth_multiplier: outputs per input channel.
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of one int, the spacing between kernel taps.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        depthwise_regularizer, bias_regularizer, activity_regularizer: penalties.
        depthwise_constraint, bias_constraint: projections applied after each update.

    Weights in Keras's layouts: `kernel` `(k, channels, depth_multiplier)` and `bias`
    `(channels * depth_multiplier,)`; stored as a torch grouped-convolution weight.

    Input shape:
        `(batch, steps, channels)` (channels_last) or
        `(batch, channels, steps)` (channels_first).

    Output shape:
        The same rank with `channels * depth_multiplier` channels; spatial sizes as for
        Conv1D.

    Example:
        >>> import strata
        >>> layer = strata.layers.DepthwiseConv1D(3, depth_multiplier=2)
        >>> layer(strata.Input(shape=(20, 8))).shape
        (None, 18, 16)
        >>> layer.count_params()
        64
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
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
        super().__init__(
            rank=1,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
