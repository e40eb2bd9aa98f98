"""Merge: the base of the layers that combine a list of tensors elementwise."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer


class Merge(Layer):
    """Combines a list of tensors elementwise (the base of Add, Multiply, Maximum, ...).

    Shapes follow Keras's rules: batch sizes must agree; the other axes are aligned from the
    right and broadcast where one of them is 1; an input of lower rank gets size-1 axes inserted
    after its batch axis. Masks combine with a logical AND (a position is valid when every masked
    input says so).

    Subclasses define `_merge(tensors)` on tensors of equal rank, or set `_combine` to a binary
    op that the default `_merge` folds over the tensors from the left.
    """

    _combine = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _describe(self, input_shape) -> str:
        return str([tuple(s) for s in input_shape])

    def _check_list(self, input_shape, minimum: int = 1) -> list[tuple]:
        name = type(self).__name__
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not all(isinstance(s, (list, tuple)) for s in input_shape)
        ):
            raise ValueError(
                f"{name} expected a list of at least {minimum} input tensors; received an "
                f"input of shape {input_shape}."
            )
        shapes = [tuple(s) for s in input_shape]
        if len(shapes) < minimum:
            raise ValueError(
                f"{name} expected a list of at least {minimum} input tensors; received "
                f"{len(shapes)}: {self._describe(shapes)}."
            )
        return shapes

    def build(self, input_shape):
        shapes = self._check_list(input_shape)
        self._merged_shape(shapes)
        self.built = True

    def _merged_shape(self, shapes) -> tuple:
        """The output shape, or a ValueError naming every shape received."""
        batch_sizes = {s[0] for s in shapes if s and s[0] is not None}
        if len(batch_sizes) > 1 or any(len(s) == 0 for s in shapes):
            raise ValueError(self._incompatible(shapes))
        rank = max(len(s) for s in shapes) - 1
        merged = [1] * rank
        for shape in shapes:
            padded = [1] * (rank - (len(shape) - 1)) + list(shape[1:])
            for axis, (a, b) in enumerate(zip(merged, padded, strict=True)):
                if a == 1:
                    merged[axis] = b
                elif b in (1, a):
                    continue
                elif a is None or b is None:
                    merged[axis] = a if b is None else b
                else:
                    raise ValueError(self._incompatible(shapes))
        batch = next(iter(batch_sizes)) if batch_sizes else None
        return (batch, *merged)

    def _incompatible(self, shapes) -> str:
        return (
            f"{type(self).__name__} expected inputs with the same batch size and shapes that "
            f"are equal or broadcastable (sizes 1 stretch); received {self._describe(shapes)}."
        )

    def call(self, inputs):
        tensors = list(inputs)
        rank = max(t.ndim for t in tensors)
        if any(t.ndim != rank for t in tensors):
            tensors = [_insert_axes(t, rank) for t in tensors]
        return self._merge(tensors)

    def _merge(self, tensors):
        if self._combine is None:
            raise NotImplementedError
        output = tensors[0]
        for tensor in tensors[1:]:
            output = self._combine(output, tensor)
        return output

    def compute_output_shape(self, input_shape):
        return self._merged_shape(self._check_list(input_shape))

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(
                f"{type(self).__name__} expected one mask per input ({len(inputs)}); "
                f"received {mask!r}."
            )
        present = [m for m in mask if m is not None]
        if not present:
            return None
        combined = present[0]
        for other in present[1:]:
            combined = torch.logical_and(combined, other)
        return combined


def _insert_axes(tensor, rank):
    """Size-1 axes after the batch axis until the tensor has `rank` axes (Keras's rule)."""
    missing = rank - tensor.ndim
    return tensor.reshape(tensor.shape[0], *([1] * missing), *tensor.shape[1:])
