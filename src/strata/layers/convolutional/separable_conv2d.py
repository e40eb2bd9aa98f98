"""SeparableConv2D: depthwise separable 2D convolution."""

from strata.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv2D(BaseSeparableConv):
    """Depthwise separable 2D convolution: a depthwise then a pointwise convolution.

    Each input channel is convolved with its own `depth_multiplier` filters (the depthwise
    step, which uses `strides`, `padding` and `dilation_rate`); a 1x1 convolution then mixes the
    `channels * depth_multiplier` results into `filters` outputs (the pointwise step).

    Args:
        filters: number of output channels.
        kernel_size: an int or a tuple of 2 ints, the depthwise window's size.
        strides: an int or a tuple of 2 ints (must be 1 where `dilation_rate` > 1).
        padding: "valid" or "same" (TensorFlow's: extra padding at the end).
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        dilation_rate: an int or a tuple of 2 ints, the spacing between kernel taps.
        depth_multiplier: depthwise outputs per input channel.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector (after the pointwise step).
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers
            (glorot_uniform, glorot_uniform, zeros).
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        depthwise_constraint, pointwise_constraint, bias_constraint: projections applied after
            each update.

    Weights in Keras's layouts: `depthwise_kernel` `(kh, kw, channels, depth_multiplier)`,
    `pointwise_kernel` `(1, 1, channels * depth_multiplier, filters)`, `bias` `(filters,)`.

    Input shape:
        `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape:
        The same rank with `filters` channels; spatial sizes as for Conv2D.

    Example:
        >>> import strata
        >>> layer = strata.layers.SeparableConv2D(64, 3)
        >>> layer(strata.Input(shape=(32, 32, 32))).shape
        (None, 30, 30, 64)
        >>> layer.count_params()
        2400
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
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
            rank=2,
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
