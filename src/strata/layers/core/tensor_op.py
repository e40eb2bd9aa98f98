"""TensorOp: the layer behind arithmetic on symbolic tensors (`x + y`, `2 * x`)."""

import operator

import torch

from strata.backend.conversion import convert_to_tensor
from strata.backend.keras_tensor import any_symbolic
from strata.layers.layer import Layer
from strata.saving.registry import register_keras_serializable

_OPS = {
    "add": operator.add,
    "subtract": operator.sub,
    "multiply": operator.mul,
    "divide": operator.truediv,
}


@register_keras_serializable(package="strata", name="TensorOp")
class TensorOp(Layer):
    """Applies one binary arithmetic operation to two operands (internal).

    `KerasTensor.__add__` and its siblings create it, so `x + y` and `2 * x` on symbolic tensors
    become nodes of the functional graph. One operand may be a Python number; it is kept in the
    node's arguments (and a saved graph's config), not in this layer.

    Args:
        op_name: one of `"add"`, `"subtract"`, `"multiply"`, `"divide"`.

    Input shape:
        A list of two operands that broadcast together.

    Output shape:
        The broadcast shape.

    Example:
        >>> import strata
        >>> x = strata.Input(shape=(3,))
        >>> (2 * x + x).shape
        (None, 3)
    """

    def __init__(self, op_name, **kwargs):
        super().__init__(**kwargs)
        if op_name not in _OPS:
            raise ValueError(f"TensorOp expected op_name in {sorted(_OPS)}; received {op_name!r}.")
        self.op_name = op_name
        self._op = _OPS[op_name]

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"TensorOp expected a list of two operands; received {input_shape!r}.")
        self.built = True

    def __call__(self, inputs, **kwargs):
        if any_symbolic(inputs):
            return super().__call__(inputs, **kwargs)
        # Number operands stay Python numbers (the base would make them tensors of shape (1,)
        # on the default device, which changes a 0-d result's rank and breaks meta inference).
        first, second = (
            v if isinstance(v, (bool, int, float, torch.Tensor)) else convert_to_tensor(v)
            for v in inputs
        )
        self.built = True
        return self.call([first, second])

    def call(self, inputs):
        first, second = inputs
        return self._op(first, second)

    def get_build_config(self):
        # Weightless, so nothing to rebuild; and a number operand is no shape to record.
        return None

    def get_config(self):
        return {**super().get_config(), "op_name": self.op_name}


from strata.backend.keras_tensor import register_op_layer  # noqa: E402 - after the class

register_op_layer(TensorOp)
