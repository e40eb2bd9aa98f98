"""AdaptiveAveragePooling1D: average pooling to a fixed output size over one spatial axis."""

from strata.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Takes the mean over windows that divide the input into `output_size` parts, as Keras's
    `AdaptiveAveragePooling1D` (torch's `adaptive_avg_pool1d`).

    Args:
        output_size: the output's size on the steps axis: an int or a tuple of one int.
        data_format: `"channels_last"` (default: `strata.backend.image_data_format()`) or
            `"channels_first"`.

    Input shape:
        `(batch, steps, channels)` or `(batch, channels, steps)`.

    Output shape:
        The same with the spatial sizes replaced by `output_size`.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.AdaptiveAveragePooling1D(output_size=4)
        >>> tuple(layer(torch.randn(2, 10, 3)).shape)
        (2, 4, 3)
    """

    _kind = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, output_size, data_format=data_format, **kwargs)
