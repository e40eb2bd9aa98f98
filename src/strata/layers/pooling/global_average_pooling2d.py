"""GlobalAveragePooling2D: the mean over every spatial position."""

from strata.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global average pooling over the 2D spatial dimensions: one mean per channel.

    Args:
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        keepdims: keep the reduced dimensions with size 1 (as Keras's `keepdims`).

    Input shape:
        `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).

    Output shape:
        `(batch, channels)`; with `keepdims=True`, `(batch, 1, 1, channels)` or
        `(batch, channels, 1, 1)`.

    Example:
        >>> import strata
        >>> layer = strata.layers.GlobalAveragePooling2D()
        >>> layer(strata.Input(shape=(7, 7, 4))).shape
        (None, 4)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)

    def _reduce(self, inputs, axes):
        return inputs.mean(dim=axes, keepdim=self.keepdims)
