"""Dot: the dot product of two tensors along given axes, per sample."""

import math

import torch
import torch.nn.functional as F

from strata.layers.merging.base_merge import Merge


class Dot(Merge):
    """Per-sample dot product of two tensors, contracting `axes[0]` of the first with
    `axes[1]` of the second (Keras's `batch_dot`).

    For inputs `(batch, n)` and `(batch, n)` the output is `(batch, 1)`; for
    `(batch, m, k)` and `(batch, k, n)` with `axes=(2, 1)` it is `(batch, m, n)`. In general the
    output has the first input's remaining axes followed by the second's.

    Args:
        axes: an int (the same axis for both inputs) or a tuple of two ints; negative values
            count from the end. The batch axis (0) cannot be contracted.
        normalize: whether to L2-normalize both inputs along the contracted axes first, so the
            output is the cosine similarity.

    Input shape:
        A list of two tensors of rank >= 2.

    Output shape:
        `(batch, *rest_of_first, *rest_of_second)`, at least `(batch, 1)`.

    Example:
        >>> import torch, strata
        >>> a = torch.tensor([[1.0, 2.0]])
        >>> b = torch.tensor([[3.0, 4.0]])
        >>> strata.layers.Dot(axes=1)([a, b])
        tensor([[11.]])
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, int) and not isinstance(axes, bool):
            pass
        elif (
            isinstance(axes, (list, tuple))
            and len(axes) == 2
            and all(isinstance(a, int) and not isinstance(a, bool) for a in axes)
        ):
            axes = tuple(axes)
        else:
            raise ValueError(
                f"Dot expected axes to be an integer or a tuple of two integers; received "
                f"axes={axes!r}."
            )
        self.axes = axes
        self.normalize = bool(normalize)
        self.supports_masking = False

    def _axes_for(self, shapes):
        first, second = shapes
        if isinstance(self.axes, int):
            wanted = (self.axes, self.axes)
        else:
            wanted = self.axes
        return tuple(
            a % len(s) if -len(s) <= a < len(s) else None
            for a, s in zip(wanted, (first, second), strict=True)
        )

    def build(self, input_shape):
        shapes = self._check_list(input_shape, minimum=2)
        self._dot_shape(shapes)
        self.built = True

    def _dot_shape(self, shapes):
        if len(shapes) != 2:
            raise ValueError(
                f"Dot expected exactly 2 inputs; received {len(shapes)}: {self._describe(shapes)}."
            )
        first, second = shapes
        if len(first) < 2 or len(second) < 2:
            raise ValueError(
                f"Dot expected inputs of rank >= 2; received {self._describe(shapes)}."
            )
        axes = self._axes_for(shapes)
        if None in axes or 0 in axes:
            raise ValueError(
                f"Dot expected axes within the non-batch axes of each input; received "
                f"axes={self.axes} for inputs {self._describe(shapes)}."
            )
        if first[0] is not None and second[0] is not None and first[0] != second[0]:
            raise ValueError(
                f"Dot expected inputs with the same batch size; received {self._describe(shapes)}."
            )
        a, b = first[axes[0]], second[axes[1]]
        if a is not None and b is not None and a != b:
            raise ValueError(
                f"Dot expected equal sizes on the contracted axes: {a} (axis {axes[0]}) != {b} "
                f"(axis {axes[1]}); received {self._describe(shapes)}."
            )
        rest = [d for i, d in enumerate(first) if i != axes[0]]
        rest += [d for i, d in enumerate(second) if i not in (0, axes[1])]
        return tuple(rest) if len(rest) > 1 else (rest[0], 1)

    def call(self, inputs):
        first, second = inputs
        axis_a, axis_b = self._axes_for([first.shape, second.shape])
        if self.normalize:
            first = F.normalize(first, p=2.0, dim=axis_a, eps=1e-12)
            second = F.normalize(second, p=2.0, dim=axis_b, eps=1e-12)
        return _batch_dot(first, second, axis_a, axis_b)

    def compute_output_shape(self, input_shape):
        return self._dot_shape(self._check_list(input_shape, minimum=2))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        axes = self.axes if isinstance(self.axes, int) else list(self.axes)
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def _batch_dot(first, second, axis_a, axis_b):
    """Contract `axis_a` of `first` with `axis_b` of `second`, sample by sample, via bmm."""
    batch = first.shape[0]
    left = first.movedim(axis_a, -1)
    right = second.movedim(axis_b, 1)
    rest_a, rest_b = left.shape[1:-1], right.shape[2:]
    size = left.shape[-1]
    product = torch.bmm(
        left.reshape(batch, math.prod(rest_a), size),
        right.reshape(batch, size, math.prod(rest_b)),
    )
    output = product.reshape(batch, *rest_a, *rest_b)
    return output.unsqueeze(-1) if output.ndim == 1 else output


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of `Dot`: `dot([a, b], axes=1)`.

    Args:
        inputs: a list of two tensors (symbolic or real).
        axes: the axes to contract (see `Dot`).
        normalize: whether to L2-normalize first (cosine similarity).
        **kwargs: layer arguments such as `name`.

    Returns:
        The per-sample dot product.

    Example:
        >>> import torch, strata
        >>> strata.layers.dot([torch.ones(2, 3), torch.ones(2, 3)], axes=1)
        tensor([[3.],
                [3.]])
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
