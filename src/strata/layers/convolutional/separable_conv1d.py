"""SeparableConv1D: depthwise separable 1D convolution."""

from strata.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv1D(BaseSeparableConv):
    """Depthwise separable 1D convolution: a depthwise then a pointwise convolution.

    Each input channel is convolved with its own `depth_multiplier` filters (the depthwise
    step, which uses `strides`, `padding` and `dilation_rate`); a 1 convolution then mixes the
    `channels * depth_multiplier` results into `filters` outputs (the pointwise step).

    Args:
        filters: number of output channels.
        kernel_size: an int or a tuple of one int, the depthwise window's size.
        strides: an int or a tuple of one int (must be 1 where `dilation_rate` > 1).
        padding: "valid" or "same" (TensorFlow's: extra padding at the end).
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of one int, the spacing between kernel taps.
        depth_multiplier: depthwise outputs per input channel.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector (after the pointwise step).
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers
            (glorot_uniform, glorot_uniform, zeros).
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        depthwise_constraint, pointwise_constraint, bias_constraint: projections applied after
            each update.

    Weights in Keras's layouts: `depthwise_kernel` `(k, channels, depth_multiplier)`,
    `pointwise_kernel` `(1, channels * depth_multiplier, filters)`, `bias` `(filters,)`.

    Input shape:
        `(batch, steps, channels)` (channels_last) or
        `(batch, channels, steps)` (channels_first).

    Output shape:
        The same rank with `filters` channels; spatial sizes as for Conv1D.

    Example:
        >>> import strata
        >>> layer = strata.layers.SeparableConv1D(16, 3)
        >>> layer(strata.Input(shape=(20, 8))).shape
        (None, 18, 16)
        >>> layer.count_params()
        168
    """

    def __init__(
        self,
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
        super().__init__(
            rank=1,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            depth_multiplier=depth_multiplier,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
