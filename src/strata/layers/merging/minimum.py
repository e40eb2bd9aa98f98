"""Minimum: takes the elementwise minimum of a list of inputs."""

import torch

from strata.layers.merging.base_merge import Merge


class Minimum(Merge):
    """Takes the elementwise minimum of a list of inputs.

    Inputs must share the batch size; the other axes must be equal or broadcastable (see
    `Merge`). When inputs carry masks, the output's mask is their logical AND.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape of the inputs.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 20.0]]), torch.tensor([[10.0, 2.0]])
        >>> strata.layers.Minimum()([a, b])
        tensor([[1., 2.]])
    """

    _combine = staticmethod(torch.minimum)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: `minimum([a, b])` is `Minimum()([a, b])`.

    Args:
        inputs: a list of tensors (symbolic or real).
        **kwargs: layer arguments such as `name`.

    Returns:
        The merged tensor.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 20.0]]), torch.tensor([[10.0, 2.0]])
        >>> strata.layers.minimum([a, b])
        tensor([[1., 2.]])
    """
    return Minimum(**kwargs)(inputs)
