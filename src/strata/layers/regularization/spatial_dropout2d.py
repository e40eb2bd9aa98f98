"""SpatialDropout2D: drop whole channels of 2D feature maps while training."""

from __future__ import annotations

from strata.layers.regularization._spatial_dropout import BaseSpatialDropout


class SpatialDropout2D(BaseSpatialDropout):
    """Dropout of entire 2D feature maps: each (sample, channel) is kept or zeroed as a whole.

    Neighbouring positions of a feature map are strongly correlated, so dropping single
    elements regularizes little; dropping the whole channel does (Tompson et al., 2015). Kept
    channels are scaled by `1 / (1 - rate)`. Identity in inference.

    Args:
        rate: the probability of dropping a channel, in [0, 1].
        data_format: `"channels_last"` or `"channels_first"` (None: the backend's
            `image_data_format()`).
        seed: integer for reproducible draws (None: torch's global generator).

    Input shape:
        Rank 4: `(batch, rows, cols, channels)` for channels_last;
        channels on axis 1 for channels_first.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.SpatialDropout2D(0.5, seed=1)
        >>> out = layer(torch.ones(4, 5, 5, 8), training=True)
        >>> sorted(set(out.flatten().tolist()))
        [0.0, 2.0]
    """

    _rank = 4
