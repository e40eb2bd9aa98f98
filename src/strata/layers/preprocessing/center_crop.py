"""CenterCrop: keep the central window of each image."""

from __future__ import annotations

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer
from strata.layers.preprocessing._image import center_crop
from strata.layers.preprocessing.resizing import check_size, image_axes
from strata.ops.conv_utils import normalize_data_format


class CenterCrop(Layer):
    """Crop the central `(height, width)` window of each image.

    An image smaller than the window in either dimension is instead cropped to the window's
    aspect ratio and resized to it (bilinear), as Keras does. Outputs are floats in the
    layer's dtype.

    Args:
        height: output height.
        width: output width.
        data_format: `"channels_last"` or `"channels_first"`; None takes
            `strata.backend.image_data_format()`.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's with the new height and width.

    Example:
        >>> import torch, strata
        >>> image = torch.arange(16.0).reshape(1, 4, 4, 1)
        >>> strata.layers.CenterCrop(2, 2)(image).flatten().tolist()
        [5.0, 6.0, 9.0, 10.0]
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_size(height, width, "CenterCrop")
        self.height, self.width = height, width
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs):
        if inputs.dim() not in (3, 4):
            raise ValueError(
                f"CenterCrop expected images of rank 3 or 4; received shape {tuple(inputs.shape)}."
            )
        images = inputs.to(to_torch_dtype(self.dtype))
        return center_crop(
            images, self.height, self.width, channels_last=self.data_format == "channels_last"
        )

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = image_axes(self.data_format)
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "height": self.height,
            "width": self.width,
        }
