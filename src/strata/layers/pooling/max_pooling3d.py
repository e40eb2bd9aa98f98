"""MaxPooling3D: max pooling over 3D windows."""

from strata.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """3D max pooling: the maximum of each window.

    Args:
        pool_size: an int or a tuple of 3 ints, the window's size.
        strides: an int or a tuple of 3 ints, or None for `pool_size`
            (windows that do not overlap).
        padding: "valid" (windows inside the input) or "same" (`ceil(size / stride)` outputs,
            TensorFlow's padding with the extra at the end); padded positions never win the maximum.
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.

    Input shape:
        `(batch, depth, height, width, channels)` (channels_last) or
        `(batch, channels, depth, height, width)` (channels_first).

    Output shape:
        The same rank and channels; each spatial size is `floor((size - pool) / stride) + 1`
        with "valid" padding and `ceil(size / stride)` with "same".

    Example:
        >>> import strata
        >>> layer = strata.layers.MaxPooling3D()
        >>> layer(strata.Input(shape=(8, 8, 8, 2))).shape
        (None, 4, 4, 4, 2)
    """

    def __init__(
        self,
        pool_size=(2, 2, 2),
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            pool_size,
            strides,
            pool_dimensions=3,
            pool_mode="max",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
