"""Subtract: subtracts the second input from the first, elementwise (exactly two inputs)."""

from strata.layers.merging.base_merge import Merge


class Subtract(Merge):
    """Subtracts the second input from the first, elementwise (exactly two inputs).

    Inputs must share the batch size; the other axes must be equal or broadcastable (see
    `Merge`). When inputs carry masks, the output's mask is their logical AND.

    Input shape:
        A list of tensors (exactly two).

    Output shape:
        The broadcast shape of the inputs.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[10.0, 20.0]])
        >>> strata.layers.Subtract()([a, b])
        tensor([[ -9., -18.]])
    """

    def build(self, input_shape):
        shapes = self._check_list(input_shape, minimum=2)
        if len(shapes) != 2:
            raise ValueError(
                f"Subtract expected exactly 2 inputs; received {len(shapes)}: "
                f"{self._describe(shapes)}."
            )
        self._merged_shape(shapes)
        self.built = True

    def _merge(self, tensors):
        return tensors[0] - tensors[1]


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: `subtract([a, b])` is `Subtract()([a, b])`.

    Args:
        inputs: a list of tensors (symbolic or real).
        **kwargs: layer arguments such as `name`.

    Returns:
        The merged tensor.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[10.0, 20.0]])
        >>> strata.layers.subtract([a, b])
        tensor([[ -9., -18.]])
    """
    return Subtract(**kwargs)(inputs)
