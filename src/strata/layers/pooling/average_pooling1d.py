"""AveragePooling1D: average pooling over steps."""

from strata.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """1D average pooling: the mean of each window.

    Args:
        pool_size: an int or a tuple of one int, the window's size.
        strides: an int or a tuple of one int, or None for `pool_size`
            (windows that do not overlap).
        padding: "valid" (windows inside the input) or "same" (`ceil(size / stride)` outputs,
            TensorFlow's padding with the extra at the end); padded positions are not
            counted in the mean (at the borders the mean is over fewer elements).
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.

    Input shape:
        `(batch, steps, channels)` (channels_last) or
        `(batch, channels, steps)` (channels_first).

    Output shape:
        The same rank and channels; each spatial size is `floor((size - pool) / stride) + 1`
        with "valid" padding and `ceil(size / stride)` with "same".

    Example:
        >>> import strata
        >>> layer = strata.layers.AveragePooling1D(pool_size=3, strides=1, padding="same")
        >>> layer(strata.Input(shape=(10, 4))).shape
        (None, 10, 4)
    """

    def __init__(
        self,
        pool_size=2,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            pool_size,
            strides,
            pool_dimensions=1,
            pool_mode="average",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
