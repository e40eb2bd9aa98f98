"""GroupNormalization: normalize each sample over groups of channels."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata import constraints, initializers, regularizers
from strata.layers.layer import Layer
from strata.layers.normalization._moments import normalize_axes


class GroupNormalization(Layer):
    """Split the channels into `groups` contiguous groups and normalize each sample per group.

    Each group's mean and biased variance are taken over its channels and every non-batch
    position, then `gamma` and `beta` (one value per channel) are applied. `groups=1` is layer
    normalization over all non-batch axes; `groups=-1` (one channel per group) is instance
    normalization. Runs in `F.group_norm` on a channels-first view of the input.

    Args:
        groups: the number of groups; must divide the number of channels (-1: one per channel).
        axis: the channel axis.
        epsilon: added to the variance before the square root.
        center: whether to add the offset `beta`.
        scale: whether to multiply by `gamma`.
        beta_initializer, gamma_initializer: initializers of the offset and scale.
        beta_regularizer, gamma_regularizer: penalties on the offset and scale.
        beta_constraint, gamma_constraint: projections of the offset and scale.

    Input shape:
        Any shape of rank >= 2.

    Output shape:
        The input's.

    Example:
        >>> import strata
        >>> layer = strata.layers.GroupNormalization(groups=4)
        >>> layer(strata.Input(shape=(8, 8, 16))).shape
        (None, 8, 8, 16)
        >>> layer.count_params()
        32
    """

    def __init__(
        self,
        groups=32,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if (
            not isinstance(groups, int)
            or isinstance(groups, bool)
            or not (groups > 0 or groups == -1)
        ):
            raise ValueError(
                f"GroupNormalization expected a positive integer `groups` (or -1); received "
                f"{groups!r}."
            )
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"GroupNormalization expected an integer `axis`; received {axis!r}.")
        if float(epsilon) <= 0.0:
            raise ValueError(f"GroupNormalization expected `epsilon` > 0; received {epsilon!r}.")
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2:
            raise ValueError(
                f"GroupNormalization expected an input of rank >= 2; received shape "
                f"{tuple(input_shape)}."
            )
        (self._axis,) = normalize_axes(self.axis, rank, "GroupNormalization")
        channels = input_shape[self._axis]
        if channels is None:
            raise ValueError(
                f"GroupNormalization expected a known size on axis {self.axis}; received shape "
                f"{tuple(input_shape)}."
            )
        groups = channels if self.groups == -1 else self.groups
        if groups > channels or channels % groups:
            raise ValueError(
                f"GroupNormalization expected `groups` ({self.groups}) to divide the number of "
                f"channels ({channels}) on axis {self.axis}."
            )
        self._groups = groups
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=(channels,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=(channels,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.built = True

    def call(self, inputs):
        low_precision = inputs.dtype in (torch.float16, torch.bfloat16)
        x = inputs.float() if low_precision else inputs
        axis = self._axis
        x = x if axis == 1 else x.movedim(axis, 1)
        if x.device.type == "cpu" and not x.requires_grad and torch.is_grad_enabled():
            # torch's CPU group_norm backward crashes (segfault) on a channels_last input that
            # needs no gradient while gamma/beta do; a contiguous copy avoids that kernel.
            x = x.contiguous()
        if self.gamma is None and self.beta is not None:
            # torch's group_norm backward fails ("tensor does not have a device") with a bias
            # but no weight: add the offset outside the kernel.
            out = F.group_norm(x, self._groups, None, None, self.epsilon)
            out = out + self.beta.view((1, -1) + (1,) * (x.dim() - 2))
        else:
            out = F.group_norm(x, self._groups, self.gamma, self.beta, self.epsilon)
        out = out if axis == 1 else out.movedim(1, axis)
        return out.to(inputs.dtype) if low_precision else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
