"""Activation: applies an activation function to its input."""

from strata import activations
from strata.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function elementwise.

    Args:
        activation: an activation name (`"relu"`, `"softmax"`, ...) or a callable taking and
            returning a tensor.

    Input shape:
        Any shape.

    Output shape:
        The input's shape.

    Example:
        >>> import torch, strata
        >>> strata.layers.Activation("relu")(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def call_without_activation(self, inputs):
        """The input unchanged: losses use it to compute crossentropy from logits."""
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
