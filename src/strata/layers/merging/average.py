"""Average: averages a list of inputs elementwise."""

import operator

from strata.layers.merging.base_merge import Merge


class Average(Merge):
    """Averages a list of inputs elementwise.

    Inputs must share the batch size; the other axes must be equal or broadcastable (see
    `Merge`). When inputs carry masks, the output's mask is their logical AND.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape of the inputs.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[10.0, 20.0]])
        >>> strata.layers.Average()([a, b])
        tensor([[ 5.5000, 11.0000]])
    """

    _combine = staticmethod(operator.add)

    def _merge(self, tensors):
        return super()._merge(tensors) / len(tensors)


def average(inputs, **kwargs):
    """Functional form of `Average`: `average([a, b])` is `Average()([a, b])`.

    Args:
        inputs: a list of tensors (symbolic or real).
        **kwargs: layer arguments such as `name`.

    Returns:
        The merged tensor.

    Example:
        >>> import torch, strata
        >>> a, b = torch.tensor([[1.0, 2.0]]), torch.tensor([[10.0, 20.0]])
        >>> strata.layers.average([a, b])
        tensor([[ 5.5000, 11.0000]])
    """
    return Average(**kwargs)(inputs)
