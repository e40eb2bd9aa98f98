"""LayerNormalization: normalize each sample over its feature axes."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata import constraints, initializers, regularizers
from strata.layers.layer import Layer
from strata.layers.normalization._moments import check_axis_argument, normalize_axes


class LayerNormalization(Layer):
    """Normalize each sample over `axis`: `gamma * (x - mean) / sqrt(var + epsilon) + beta`.

    The statistics are each sample's own (biased variance), so the layer behaves the same in
    training and inference. Trailing axes (the usual case) run in `F.layer_norm` (`F.rms_norm`
    with `rms_scaling`); other axes broadcast the same formula.

    Args:
        axis: an axis or a list of axes to normalize over (not the batch axis).
        epsilon: added to the variance before the square root.
        center: whether to add the offset `beta` (ignored with `rms_scaling`).
        scale: whether to multiply by `gamma`.
        rms_scaling: if True, `center` and `scale` are ignored and the output is
            `x * gamma / sqrt(mean(x**2) + epsilon)` (root-mean-square normalization).
        beta_initializer, gamma_initializer: initializers of the offset and scale.
        beta_regularizer, gamma_regularizer: penalties on the offset and scale.
        beta_constraint, gamma_constraint: projections of the offset and scale.

    Input shape:
        Any shape.

    Output shape:
        The input's.

    Example:
        >>> import strata
        >>> layer = strata.layers.LayerNormalization()
        >>> layer(strata.Input(shape=(10, 16))).shape
        (None, 10, 16)
        >>> layer.count_params()
        32
    """

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        rms_scaling=False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(axis, "LayerNormalization")
        if float(epsilon) <= 0.0:
            raise ValueError(f"LayerNormalization expected `epsilon` > 0; received {epsilon!r}.")
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        self._axes = normalize_axes(self.axis, rank, "LayerNormalization")
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(
                f"LayerNormalization expected known sizes on axis {self.axis}; received shape "
                f"{tuple(input_shape)}."
            )
        # F.layer_norm / F.rms_norm normalize the trailing dimensions, in order.
        self._trailing = self._axes == list(range(rank - len(self._axes), rank))
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.built = True

    def call(self, inputs):
        low_precision = inputs.dtype in (torch.float16, torch.bfloat16)
        x = inputs.float() if low_precision else inputs
        if self._trailing:
            shape = x.shape[x.dim() - len(self._axes) :]
            if self.rms_scaling:
                out = F.rms_norm(x, shape, self.gamma, self.epsilon)
            else:
                out = F.layer_norm(x, shape, self.gamma, self.beta, self.epsilon)
        else:
            out = self._general(x)
        return out.to(inputs.dtype) if low_precision else out

    def _general(self, x):
        axes = self._axes
        if self.rms_scaling:
            out = x * torch.rsqrt(x.square().mean(dim=axes, keepdim=True) + self.epsilon)
        else:
            variance, mean = torch.var_mean(x, dim=axes, correction=0, keepdim=True)
            out = (x - mean) * torch.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            out = out * self._broadcast(self.gamma, x.dim())
        if self.beta is not None:
            out = out + self._broadcast(self.beta, x.dim())
        return out

    def _broadcast(self, weight, rank):
        # The weight's dims follow `axis` as given; put them in increasing axis order.
        order = sorted(range(len(self._axes)), key=lambda i: self._axes[i])
        weight = weight.permute(order) if order != list(range(len(order))) else weight
        shape = [1] * rank
        for position, axis in enumerate(sorted(self._axes)):
            shape[axis] = weight.shape[position]
        return weight.reshape(shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
