"""Maximum: takes the elementwise maximum of a list of inputs."""

import torch

from strata.layers.merging.base_merge import Merge


class Maximum(Merge):
    """Takes the elementwise maximum of a list of inputs.

    Inputs must share the batch size; the other axes must be equal or broadcastable (see
    `Merge`). When inputs carry masks, the output's mask is their logical AND.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape of the inputs.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 20.0]]), torch.tensor([[10.0, 2.0]])
        >>> strata.layers.Maximum()([a, b])
        tensor([[10., 20.]])
    """

    _combine = staticmethod(torch.maximum)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`: `maximum([a, b])` is `Maximum()([a, b])`.

    Args:
        inputs: a list of tensors (symbolic or real).
        **kwargs: layer arguments such as `name`.

    Returns:
        The merged tensor.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 20.0]]), torch.tensor([[10.0, 2.0]])
        >>> strata.layers.maximum([a, b])
        tensor([[10., 20.]])
    """
    return Maximum(**kwargs)(inputs)
