"""Helpers shared by the normalization layers: axes, broadcasting, (synchronized) moments."""

from __future__ import annotations

import torch


def normalize_axes(axis, rank: int, who: str) -> list[int]:
    """Non-negative axes for an input of `rank`; raises naming the layer when out of range."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    result = []
    for value in axes:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{who} expected integer axes; received axis={axis!r}.")
        if not -rank <= value < rank:
            raise ValueError(
                f"{who} expected axis in [{-rank}, {rank}) for an input of rank {rank}; "
                f"received axis={axis!r}."
            )
        result.append(value % rank)
    if len(set(result)) != len(result):
        raise ValueError(f"{who} expected distinct axes; received axis={axis!r}.")
    if 0 in result and rank > 1:
        raise ValueError(f"{who} cannot normalize along the batch axis 0; received axis={axis!r}.")
    return result


def check_axis_argument(axis, who: str):
    """Validate a constructor's `axis` (an int or a list of ints) without knowing the rank."""
    values = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{who} expected `axis` as an int or a list of ints; received {axis!r}.")
    return list(axis) if isinstance(axis, (list, tuple)) else axis


def distributed_world() -> bool:
    """True when a torch.distributed process group with more than one process is running."""
    dist = torch.distributed
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


class _AllReduceSum(torch.autograd.Function):
    """Sum over all processes; the gradient of a sum is the sum of the gradients."""

    @staticmethod
    def forward(ctx, tensor):
        tensor = tensor.clone()
        torch.distributed.all_reduce(tensor)
        return tensor

    @staticmethod
    def backward(ctx, grad):
        grad = grad.clone()
        torch.distributed.all_reduce(grad)
        return grad


def _all_reduce_sum(tensor: torch.Tensor) -> torch.Tensor:
    # Autograd-aware: gradients of the global statistics reach every process's inputs.
    return _AllReduceSum.apply(tensor)


def channel_moments(x, mask=None, synchronized=False, mask_epsilon=1e-7):
    """Per-channel mean and biased variance of `x` (channels on dim 1).

    Args:
        x: tensor with channels on dim 1.
        mask: None, or a float tensor broadcastable to `x` with size 1 on dim 1 (1 keeps a
            position, 0 ignores it). As in Keras, the masked count gets `mask_epsilon` added.
        synchronized: sum the statistics over every process of the running process group.

    Returns:
        `(mean, variance, count)`, the first two of shape `(channels,)`.
    """
    dims = [d for d in range(x.dim()) if d != 1]
    if mask is None and not synchronized:
        variance, mean = torch.var_mean(x, dim=dims, correction=0)
        return mean, variance, x.numel() // x.shape[1]
    channels = x.shape[1]
    if mask is None:
        total = x.sum(dims)
        count = x.new_full((1,), float(x.numel() // channels))
    else:
        mask = mask.to(x.dtype)
        total = (x * mask).sum(dims)
        # The mask has size 1 on the channel axis and may broadcast over others.
        count = mask.sum().reshape(1) * ((x.numel() // channels) / max(mask.numel(), 1))
    if synchronized:
        reduced = _all_reduce_sum(torch.cat([total, count]))
        total, count = reduced[:channels], reduced[channels:]
    denominator = count + mask_epsilon if mask is not None else count
    mean = total / denominator
    centered = x - mean.view(broadcast_shape(x.dim(), channels))
    squares = centered.square() if mask is None else centered.square() * mask
    squares = squares.sum(dims)
    if synchronized:
        squares = _all_reduce_sum(squares)
    return mean, squares / denominator, count


def broadcast_shape(rank: int, channels: int) -> tuple[int, ...]:
    """`(1, channels, 1, ...)`: a per-channel vector that broadcasts over a dim-1 layout."""
    return (1, channels) + (1,) * (rank - 2)
