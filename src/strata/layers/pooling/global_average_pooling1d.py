"""GlobalAveragePooling1D: the mean over every step."""

from strata.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling over the 1D spatial dimensions: one mean per channel.

    With a mask `(batch, steps)` (from an Embedding with `mask_zero=True`, for instance) the
    mean is over the unmasked steps only; the output carries no mask.

    Args:
        data_format: "channels_last" or "channels_first"; None means
            `strata.backend.image_data_format()`.
        keepdims: keep the reduced dimensions with size 1 (as Keras's `keepdims`).

    Input shape:
        `(batch, steps, channels)` (channels_last) or
        `(batch, channels, steps)` (channels_first).

    Output shape:
        `(batch, channels)`; with `keepdims=True`, `(batch, 1, channels)` or
        `(batch, channels, 1)`.

    Example:
        >>> import strata
        >>> layer = strata.layers.GlobalAveragePooling1D()
        >>> layer(strata.Input(shape=(10, 4))).shape
        (None, 4)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs.mean(dim=self._axes, keepdim=self.keepdims)
        # Steps where the mask is False do not count: a masked mean over the steps axis.
        weights = mask.to(inputs.dtype).unsqueeze(-1 if self.data_format == "channels_last" else 1)
        total = (inputs * weights).sum(dim=self._axes, keepdim=self.keepdims)
        return total / weights.sum(dim=self._axes, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None
