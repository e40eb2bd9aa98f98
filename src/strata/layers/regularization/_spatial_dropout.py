"""The shared implementation of SpatialDropout1D/2D/3D: drop whole channels."""

from __future__ import annotations

from strata.backend import config as backend_config
from strata.layers.layer import Layer
from strata.layers.regularization._seed import SeedStream, check_rate, check_seed


class BaseSpatialDropout(Layer):
    """Drop entire channels (feature maps) with probability `rate`, scale the rest by
    `1 / (1 - rate)`; identity in inference. Subclasses set `_rank` (input rank)."""

    _rank = 0
    _default_format = None  # None: the backend's image_data_format()

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.rate = check_rate(rate, who)
        data_format = data_format or self._default_format or backend_config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                f"{who} expected data_format 'channels_last' or 'channels_first'; received "
                f"{data_format!r}."
            )
        self.data_format = data_format
        self.seed = check_seed(seed, who)
        self._seeds = SeedStream(self.seed)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) != self._rank:
            raise ValueError(
                f"{type(self).__name__} expected an input of rank {self._rank}; received shape "
                f"{tuple(input_shape)}."
            )
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        if self.rate == 1.0:
            return inputs * 0.0
        batch = inputs.shape[0]
        ones = (1,) * (inputs.dim() - 2)
        if self.data_format == "channels_last":
            shape = (batch, *ones, inputs.shape[-1])
        else:
            shape = (batch, inputs.shape[1], *ones)
        keep = self._seeds.uniform(shape, inputs) >= self.rate
        return inputs * (keep.to(inputs.dtype) / (1.0 - self.rate))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "data_format": self.data_format,
            "seed": self.seed,
        }
