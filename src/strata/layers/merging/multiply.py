"""Multiply: multiplies a list of inputs elementwise."""

import operator

from strata.layers.merging.base_merge import Merge


class Multiply(Merge):
    """Multiplies a list of inputs elementwise.

    Inputs must share the batch size; the other axes must be equal or broadcastable (see
    `Merge`). When inputs carry masks, the output's mask is their logical AND.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape of the inputs.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[10.0, 20.0]])
        >>> strata.layers.Multiply()([a, b])
        tensor([[10., 40.]])
    """

    _combine = staticmethod(operator.mul)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`: `multiply([a, b])` is `Multiply()([a, b])`.

    Args:
        inputs: a list of tensors (symbolic or real).
        **kwargs: layer arguments such as `name`.

    Returns:
        The merged tensor.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[10.0, 20.0]])
        >>> strata.layers.multiply([a, b])
        tensor([[10., 40.]])
    """
    return Multiply(**kwargs)(inputs)
