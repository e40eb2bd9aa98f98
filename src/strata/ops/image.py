"""Keras 3 ops: image (`keras.ops.image`): colour conversions, resizing, cropping and padding,
geometric warps, filters, patches and SSIM.

Images are `(height, width, channels)` or `(batch, height, width, channels)` by default
(`data_format="channels_last"`, from `strata.backend.image_data_format()`). As in Keras, these
names live only in `ops.image`, not at `ops` top level.
"""

from strata.ops import _image_basic, _image_filters, _image_geometry
from strata.ops._image_basic import *  # noqa: F401,F403
from strata.ops._image_filters import *  # noqa: F401,F403
from strata.ops._image_geometry import *  # noqa: F401,F403

__all__ = sorted(_image_basic.__all__ + _image_filters.__all__ + _image_geometry.__all__)
