"""Concatenate: joins a list of tensors along one axis."""

import torch

from strata.layers.merging.base_merge import Merge


class Concatenate(Merge):
    """Concatenates a list of tensors along `axis`.

    All inputs must have the same rank and the same sizes on every axis except `axis`; the
    check happens when the layer is built (at graph-building time for symbolic inputs), and the
    error lists every shape received. When inputs carry masks, the output's mask marks a
    position valid when any of the concatenated parts is (unmasked inputs count as valid).

    Args:
        axis: the axis to concatenate along (default -1, the features).

    Input shape:
        A list of tensors of equal rank.

    Output shape:
        The common shape, with the sizes along `axis` added up.

    Example:
        >>> import strata
        >>> a, b = strata.Input(shape=(7, 16)), strata.Input(shape=(7, 8))
        >>> strata.layers.Concatenate()([a, b]).shape
        (None, 7, 24)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate expected an integer axis; received axis={axis!r}.")
        self.axis = axis

    def build(self, input_shape):
        shapes = self._check_list(input_shape)
        self._concatenated_shape(shapes)
        self.built = True

    def _concatenated_shape(self, shapes):
        ranks = {len(s) for s in shapes}
        rank = ranks.pop() if len(ranks) == 1 else None
        if rank is None or not -rank <= self.axis < rank:
            raise ValueError(self._mismatch(shapes))
        axis = self.axis % rank
        if axis == 0:
            raise ValueError(
                f"Concatenate cannot join along the batch axis (axis={self.axis}); received "
                f"{self._describe(shapes)}."
            )
        output = []
        for index in range(rank):
            sizes = [s[index] for s in shapes]
            if index == axis:
                output.append(None if None in sizes else sum(sizes))
                continue
            known = {d for d in sizes if d is not None}
            if len(known) > 1:
                raise ValueError(self._mismatch(shapes))
            output.append(known.pop() if known else None)
        return tuple(output)

    def _mismatch(self, shapes):
        return (
            "Concatenate expected inputs with matching shapes except on the concat axis; "
            f"received {self._describe(shapes)} (axis={self.axis})."
        )

    def call(self, inputs):
        return torch.cat(list(inputs), dim=self.axis)

    def compute_output_shape(self, input_shape):
        return self._concatenated_shape(self._check_list(input_shape))

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        parts = []
        for tensor, part in zip(inputs, mask, strict=True):
            if part is None:
                part = torch.ones_like(tensor, dtype=torch.bool)
            elif part.ndim < tensor.ndim:
                part = part.unsqueeze(-1).expand(tensor.shape)
            parts.append(part)
        return torch.cat(parts, dim=self.axis).any(dim=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `concatenate([a, b], axis=1)`.

    Args:
        inputs: a list of tensors (symbolic or real).
        axis: the axis to concatenate along.
        **kwargs: layer arguments such as `name`.

    Returns:
        The concatenated tensor.

    Example:
        >>> import torch, strata
        >>> strata.layers.concatenate([torch.zeros(2, 3), torch.ones(2, 1)]).shape
        torch.Size([2, 4])
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
