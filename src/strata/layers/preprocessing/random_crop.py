"""RandomCrop: a random window of each image while training, the central one in inference."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.layers.preprocessing._base import ImageAugmentation


class RandomCrop(ImageAugmentation):
    """Crop each image to `(height, width)`: at a random place in training, centred otherwise.

    In training each image of the batch gets its own window. In inference, or when an image is
    smaller than the target on either axis, the largest central window with the target's aspect
    ratio is taken and resized (bilinear) to `(height, width)`, so the output size is always
    the one `compute_output_shape` gives.

    Args:
        height: the output height.
        width: the output width.
        seed: integer for reproducible windows.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        `(batch, height, width, channels)` with the target height and width.

    Example:
        >>> import torch, strata
        >>> image = torch.arange(16.0).reshape(1, 4, 4, 1)
        >>> strata.layers.RandomCrop(2, 2)(image, training=True).shape
        torch.Size([1, 2, 2, 1])
        >>> strata.layers.RandomCrop(2, 2)(image)[0, :, :, 0].tolist()  # inference: resized
        [[2.5, 4.5], [10.5, 12.5]]
    """

    acts_in_inference = True

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        for label, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"RandomCrop expected `{label}` as a positive integer; received {value!r}."
                )
        self.height = height
        self.width = width

    def augment(self, images, training):
        batch, _, in_height, in_width = images.shape
        if training and in_height >= self.height and in_width >= self.width:
            top = self._offsets(batch, in_height - self.height, images)
            left = self._offsets(batch, in_width - self.width, images)
            rows = top.view(batch, 1, 1) + torch.arange(self.height, device=images.device).view(
                1, -1, 1
            )
            cols = left.view(batch, 1, 1) + torch.arange(self.width, device=images.device).view(
                1, 1, -1
            )
            rows, cols = torch.broadcast_tensors(rows, cols)
            flat = rows * in_width + cols
            index = flat.reshape(batch, 1, -1).expand(-1, images.shape[1], -1)
            out = torch.gather(images.reshape(*images.shape[:2], -1), 2, index)
            return out.reshape(batch, -1, self.height, self.width)
        return self._center(images)

    def _offsets(self, batch, room, images):
        """Uniform integer offsets in [0, room] per image."""
        return (self.uniform((batch,), images) * (room + 1)).long().clamp_(max=room)

    def _center(self, images):
        """The largest central window with the target's aspect ratio, resized to the target."""
        _, _, in_height, in_width = images.shape
        crop_height = max(min(in_height, int(in_width * self.height / self.width)), 1)
        crop_width = max(min(in_width, int(in_height * self.width / self.height)), 1)
        top = (in_height - crop_height) // 2
        left = (in_width - crop_width) // 2
        window = images[:, :, top : top + crop_height, left : left + crop_width]
        if (crop_height, crop_width) == (self.height, self.width):
            return window
        resized = F.interpolate(
            window.float(), size=(self.height, self.width), mode="bilinear", align_corners=False
        )
        return resized.to(images.dtype)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        rank = len(shape)
        rows = rank - 3 if self.data_format == "channels_last" else rank - 2
        shape[rows], shape[rows + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
