"""AdaptiveAveragePooling3D: average pooling to a fixed output size over three spatial axes."""

from strata.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Takes the mean over windows that divide the input into `output_size` parts, as Keras's
    `AdaptiveAveragePooling3D` (torch's `adaptive_avg_pool3d`).

    Args:
        output_size: the output's size on each spatial axis (depth, height, width): an int or
            a tuple of 3 ints.
        data_format: `"channels_last"` (default: `strata.backend.image_data_format()`) or
            `"channels_first"`.

    Input shape:
        `(batch, depth, height, width, channels)` or `(batch, channels, depth, height, width)`.

    Output shape:
        The same with the spatial sizes replaced by `output_size`.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.AdaptiveAveragePooling3D(output_size=2)
        >>> tuple(layer(torch.randn(1, 6, 5, 4, 2)).shape)
        (1, 2, 2, 2, 2)
    """

    _kind = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, output_size, data_format=data_format, **kwargs)
