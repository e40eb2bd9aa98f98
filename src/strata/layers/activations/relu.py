"""ReLU: rectified linear unit with an optional ceiling, slope and threshold."""

from __future__ import annotations

from strata import activations
from strata.layers.layer import Layer


class ReLU(Layer):
    """`max_value` above the ceiling, `x` above `threshold`, `negative_slope * (x - threshold)`
    below it.

    Args:
        max_value: the largest output (None: no ceiling); must be >= 0.
        negative_slope: slope below the threshold; must be >= 0.
        threshold: the input value below which the unit is off; must be >= 0.

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> strata.layers.ReLU(max_value=6.0)(torch.tensor([-1.0, 2.0, 9.0])).tolist()
        [0.0, 2.0, 6.0]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and float(max_value) < 0.0:
            raise ValueError(f"ReLU expected `max_value` >= 0 or None; received {max_value!r}.")
        if negative_slope is None or float(negative_slope) < 0.0:
            raise ValueError(f"ReLU expected `negative_slope` >= 0; received {negative_slope!r}.")
        if threshold is None or float(threshold) < 0.0:
            raise ValueError(f"ReLU expected `threshold` >= 0; received {threshold!r}.")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }
