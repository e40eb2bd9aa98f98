"""RMSNormalization: scale by the reciprocal root mean square (Zhang and Sennrich, 2019)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.layers.layer import Layer


class RMSNormalization(Layer):
    """`x / sqrt(mean(x ** 2, axis) + epsilon) * scale`, as Keras's `RMSNormalization`.

    Unlike `LayerNormalization`, no mean is subtracted and there is no offset. Trailing axes
    run in torch's fused `rms_norm`; the computation is in at least float32.

    Args:
        axis: the axis (or list of axes) the mean square is taken over; `scale` has their sizes.
        epsilon: added to the mean square.

    Input shape:
        Any; the `axis` sizes must be known.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.RMSNormalization()
        >>> out = layer(torch.tensor([[3.0, 4.0]]))
        >>> [round(v, 4) for v in out[0].tolist()]
        [0.8485, 1.1314]
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(
                f"RMSNormalization expected an integer axis or a list of them; received {axis!r}."
            )
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = float(epsilon)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(
                f"RMSNormalization axis {self.axis} is out of range for inputs of shape "
                f"{tuple(input_shape)}."
            )
        self._axes = sorted(a % rank for a in axes)
        if any(input_shape[a] is None for a in self._axes):
            raise ValueError(
                f"RMSNormalization needs known sizes on axis {self.axis}; received shape "
                f"{tuple(input_shape)}."
            )
        shape = tuple(input_shape[a] for a in self._axes)
        self._trailing = self._axes == list(range(rank - len(self._axes), rank))
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in (torch.float16, torch.bfloat16) else inputs
        scale = self.scale.to(x.dtype)
        if self._trailing:
            outputs = F.rms_norm(x, tuple(scale.shape), scale, self.epsilon)
        else:
            mean_square = x.square().mean(dim=self._axes, keepdim=True)
            broadcast = [x.shape[i] if i in self._axes else 1 for i in range(x.dim())]
            outputs = x * torch.rsqrt(mean_square + self.epsilon) * scale.reshape(broadcast)
        return outputs.to(dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
