"""AdaptiveMaxPooling2D: max pooling to a fixed output size over two spatial axes."""

from strata.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Takes the maximum over windows that divide the input into `output_size` parts, as Keras's
    `AdaptiveMaxPooling2D` (torch's `adaptive_max_pool2d`).

    Args:
        output_size: the output's size on each spatial axis (height, width): an int or
            a tuple of 2 ints.
        data_format: `"channels_last"` (default: `strata.backend.image_data_format()`) or
            `"channels_first"`.

    Input shape:
        `(batch, height, width, channels)` or `(batch, channels, height, width)`.

    Output shape:
        The same with the spatial sizes replaced by `output_size`.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.AdaptiveMaxPooling2D(output_size=(3, 2))
        >>> tuple(layer(torch.randn(2, 9, 7, 3)).shape)
        (2, 3, 2, 3)
    """

    _kind = "max"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, output_size, data_format=data_format, **kwargs)
