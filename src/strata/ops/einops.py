"""`ops.rearrange`: einops-style axis rearrangement (Keras 3's `keras.ops.rearrange`)."""

from __future__ import annotations

import math
import re

from strata.ops._symbolic import keras_op
from strata.ops._tensor import tensor as as_tensor


def _groups(side: str):
    """'b (h w) c' -> [['b'], ['h', 'w'], ['c']]."""
    groups = []
    for grouped, single in re.findall(r"\(([^)]*)\)|(\S+)", side):
        groups.append(grouped.split() if single == "" else [single])
    return groups


@keras_op
def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, merge and split axes as described by an einops `pattern`.

    Args:
        tensor: the tensor.
        pattern: `"<input axes> -> <output axes>"`; parentheses group axes that are merged
            (on the right) or split (on the left), e.g. `"b (h w) c -> b h w c"`.
        **axes_lengths: the lengths of split axes that cannot be inferred.

    Returns:
        The rearranged tensor.

    Example:
        >>> import numpy as np
        >>> tuple(rearrange(np.zeros((2, 6, 3)), "b (h w) c -> b c h w", h=2).shape)
        (2, 3, 2, 3)
    """
    x = as_tensor(tensor)
    left, right = (side.strip() for side in pattern.split("->"))
    inputs, outputs = _groups(left), _groups(right)
    if len(inputs) != x.ndim:
        raise ValueError(
            f"rearrange expected a pattern with {x.ndim} input axes for shape "
            f"{tuple(x.shape)}; received {pattern!r}."
        )
    lengths = dict(axes_lengths)
    for group, size in zip(inputs, x.shape):
        unknown = [a for a in group if a not in lengths]
        known = math.prod(lengths[a] for a in group if a in lengths)
        if len(unknown) > 1:
            raise ValueError(f"rearrange cannot infer the lengths of {unknown} in {pattern!r}.")
        if unknown:
            lengths[unknown[0]] = size // known
    elementary = [a for group in inputs for a in group]
    order = [elementary.index(a) for group in outputs for a in group]
    x = x.reshape([lengths[a] for a in elementary]).permute(order)
    return x.reshape([math.prod(lengths[a] for a in group) for group in outputs])


__all__ = ["rearrange"]
