"""The shared machinery of the adaptive pooling layers (not exported)."""

import torch.nn.functional as F

from strata.layers.convolutional.base_conv import check_input_rank
from strata.layers.layer import Layer
from strata.ops import conv_utils

_AVERAGE = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}


class BaseAdaptivePooling(Layer):
    """Pool to a fixed spatial `output_size` whatever the input size (torch's adaptive pools).

    Window `i` of an axis of length `L` pooled to `n` spans `floor(i * L / n)` to
    `ceil((i + 1) * L / n)`, as in torch and Keras.
    """

    _kind = "average"

    def __init__(self, rank, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        sizes = (output_size,) * rank if _is_int(output_size) else output_size
        if (
            not isinstance(sizes, (tuple, list))
            or len(sizes) != rank
            or not all(_is_int(s) and s > 0 for s in sizes)
        ):
            raise ValueError(
                f"{name} expected `output_size` as a positive integer or a tuple of {rank} of "
                f"them; received {output_size!r}."
            )
        self.rank = rank
        self.output_size = tuple(int(s) for s in sizes)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self._pool = (_AVERAGE if self._kind == "average" else _MAX)[rank]

    def build(self, input_shape):
        check_input_rank(type(self).__name__, self.rank, self.data_format, input_shape)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first":
            return self._pool(inputs, self.output_size)
        # A channels-first view of the channels-last tensor (no copy), pooled and viewed back.
        order = (0, self.rank + 1, *range(1, self.rank + 1))
        pooled = self._pool(inputs.permute(order), self.output_size)
        return pooled.permute(0, *range(2, self.rank + 2), 1)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {
            **super().get_config(),
            "output_size": self.output_size,
            "data_format": self.data_format,
        }


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
