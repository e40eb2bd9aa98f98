"""PReLU: a leaky ReLU whose negative slopes are learned."""

from __future__ import annotations

import torch

from strata import constraints, initializers, regularizers
from strata.layers.layer import Layer


class PReLU(Layer):
    """`x` for `x >= 0`, `alpha * x` otherwise, with a learned `alpha`.

    `alpha` has the shape of one sample (`input_shape[1:]`), with size 1 on each of
    `shared_axes` (for images, `shared_axes=[1, 2]` learns one slope per channel).

    Args:
        alpha_initializer: initializer of the slopes (zeros: starts as a ReLU).
        alpha_regularizer: penalty on the slopes.
        alpha_constraint: projection of the slopes.
        shared_axes: an axis or list of axes (counting the batch as 0) sharing one slope.

    Input shape:
        Any shape with known non-batch sizes.

    Output shape:
        The input's.

    Example:
        >>> import strata
        >>> layer = strata.layers.PReLU(shared_axes=[1, 2])
        >>> layer(strata.Input(shape=(8, 8, 3))).shape
        (None, 8, 8, 3)
        >>> layer.count_params()
        3
    """

    def __init__(
        self,
        alpha_initializer="zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(isinstance(a, int) and not isinstance(a, bool) and a != 0 for a in axes):
                raise ValueError(
                    f"PReLU expected `shared_axes` to be non-batch integer axes; received "
                    f"{shared_axes!r}."
                )
            self.shared_axes = axes
        self.supports_masking = True

    def build(self, input_shape):
        shape = list(input_shape[1:])
        rank = len(input_shape)
        for axis in self.shared_axes or []:
            if not -rank < axis < rank or axis % rank == 0:
                raise ValueError(
                    f"PReLU expected `shared_axes` within 1..{rank - 1} for an input of shape "
                    f"{tuple(input_shape)}; received {self.shared_axes}."
                )
            shape[axis % rank - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(
                f"PReLU expected known sizes on the non-shared axes; received shape "
                f"{tuple(input_shape)} with shared_axes={self.shared_axes}."
            )
        self.alpha = self.add_weight(
            name="alpha",
            shape=tuple(shape),
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        self.built = True

    def call(self, inputs):
        return torch.where(inputs >= 0, inputs, self.alpha * inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
