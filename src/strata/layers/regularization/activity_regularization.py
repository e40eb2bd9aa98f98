"""ActivityRegularization: add an L1/L2 penalty on the activations to the loss."""

from __future__ import annotations

from strata import regularizers
from strata.layers.layer import Layer


class ActivityRegularization(Layer):
    """Pass the input through unchanged and add `l1 * sum(|x|) + l2 * sum(x**2)` to the losses.

    After a call, `layer.losses` holds the penalty of that call (the model adds it to its
    loss); each call replaces the previous call's penalty.

    Args:
        l1: the L1 factor (>= 0).
        l2: the L2 factor (>= 0).

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.ActivityRegularization(l1=0.5, l2=1.0)
        >>> _ = layer(torch.tensor([[1.0, -2.0]]))
        >>> [float(loss) for loss in layer.losses]
        [6.5]
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)  # the layer's own penalty is the regularizer
        super().__init__(**kwargs)
        self._penalty = regularizers.L1L2(l1=l1, l2=l2)
        self.l1 = self._penalty.l1
        self.l2 = self._penalty.l2
        self.supports_masking = True

    def call(self, inputs):
        if inputs.device.type != "meta":  # shape inference runs `call` on meta tensors
            self.add_loss(self._penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
