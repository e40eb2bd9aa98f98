"""BatchNormalization: normalize each channel with batch statistics, track moving ones."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from strata import constraints, initializers, regularizers
from strata.layers.layer import Layer
from strata.layers.normalization._moments import (
    broadcast_shape,
    channel_moments,
    distributed_world,
    normalize_axes,
)

_CLIPPING_KEYS = ("rmax", "rmin", "dmax")


class BatchNormalization(Layer):
    """Normalize each channel by the batch's mean and variance (training) or moving ones.

    In training (`training=True` and the layer trainable) the output is
    `gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta` with the batch's per-channel mean and
    biased variance, and the moving statistics follow Keras's convention
    `moving = moving * momentum + batch * (1 - momentum)` with the *biased* batch variance (as
    Keras 3 does; `torch.nn.BatchNorm2d` would use the unbiased one). In inference, and whenever
    the layer is frozen (`trainable = False`, even with `training=True`, as Keras does for
    fine-tuning), the moving statistics are used and left unchanged.

    `synchronized=True` computes the statistics over every process of a running
    `torch.distributed` process group (world size > 1), with gradients flowing through the
    collective; without one it is plain batch normalization.

    `renorm=True` is batch renormalization (Ioffe, 2017), an extension Keras 3 dropped and
    tf.keras had; it follows tf.keras's design and weights. In training the normalized batch
    `x_hat` becomes `x_hat * r + d` with `r = stddev_batch / renorm_stddev` and
    `d = (mean_batch - renorm_mean) / renorm_stddev`, treated as constants for the gradient and
    clipped to `[rmin, rmax]` and `[-dmax, dmax]`; `renorm_mean` and `renorm_stddev` are moving
    averages with `renorm_momentum`. The layer then tracks the moving standard deviation
    `sqrt(var + epsilon)` and derives `moving_variance = max(moving_stddev**2 - epsilon, 0)`
    from it. Weights, in order: gamma, beta, moving_mean, moving_variance, moving_stddev,
    renorm_mean, renorm_stddev (seven per channel, as in tf.keras).

    The computation runs in `F.batch_norm` whenever it can: channels-last inputs are viewed as
    channels-first through a permutation (no copy) and the batch statistics come out of the same
    kernel call.

    Args:
        axis: the channel axis (-1 for channels_last, 1 for channels_first).
        momentum: momentum of the moving averages.
        epsilon: added to the variance before the square root.
        center: whether to add the offset `beta`.
        scale: whether to multiply by `gamma`.
        beta_initializer, gamma_initializer: initializers of the offset and scale.
        moving_mean_initializer, moving_variance_initializer: initializers of the statistics.
        beta_regularizer, gamma_regularizer: penalties on the offset and scale.
        beta_constraint, gamma_constraint: projections of the offset and scale.
        synchronized: compute the batch statistics over all processes of a distributed run.
        renorm: use batch renormalization (see above).
        renorm_clipping: dict with optional keys `rmax`, `rmin`, `dmax` (missing ones: no
            clipping, i.e. `inf`, `0`, `inf`); ignored without renorm.
        renorm_momentum: momentum of `renorm_mean` and `renorm_stddev`.

    Input shape:
        Any shape of rank >= 2.

    Output shape:
        The input's.

    Example:
        >>> import strata
        >>> layer = strata.layers.BatchNormalization()
        >>> layer(strata.Input(shape=(8, 8, 32))).shape
        (None, 8, 8, 32)
        >>> layer.count_params(), len(layer.trainable_weights)
        (128, 2)
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized=False,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"BatchNormalization expected an integer `axis`; received {axis!r}.")
        for name, value in (("momentum", momentum), ("renorm_momentum", renorm_momentum)):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(
                    f"BatchNormalization expected `{name}` in [0, 1]; received {value!r}."
                )
        if float(epsilon) <= 0.0:
            raise ValueError(f"BatchNormalization expected `epsilon` > 0; received {epsilon!r}.")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = bool(synchronized)
        self.renorm = bool(renorm)
        self.renorm_clipping = _check_clipping(renorm_clipping)
        self.renorm_momentum = float(renorm_momentum)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2:
            raise ValueError(
                f"BatchNormalization expected an input of rank >= 2; received shape "
                f"{tuple(input_shape)}."
            )
        (self._axis,) = normalize_axes(self.axis, rank, "BatchNormalization")
        channels = input_shape[self._axis]
        if channels is None:
            raise ValueError(
                f"BatchNormalization expected a known size on axis {self.axis}; received shape "
                f"{tuple(input_shape)}."
            )
        shape = (channels,)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            name="moving_mean",
            shape=shape,
            initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance",
            shape=shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        if self.renorm:
            self.moving_stddev = self.add_weight(
                name="moving_stddev", shape=shape, initializer="ones", trainable=False
            )
            self.renorm_mean = self.add_weight(
                name="renorm_mean", shape=shape, initializer="zeros", trainable=False
            )
            self.renorm_stddev = self.add_weight(
                name="renorm_stddev", shape=shape, initializer="ones", trainable=False
            )
            with torch.no_grad():
                # As tf.keras: start from the moving statistics' initial values.
                self.moving_stddev.copy_(torch.sqrt(self.moving_variance))
                self.renorm_mean.copy_(self.moving_mean)
                self.renorm_stddev.copy_(self.moving_stddev)
        self.built = True

    # ---------------------------------------------------------------------------------- call
    def call(self, inputs, training=None, mask=None):
        low_precision = inputs.dtype in (torch.float16, torch.bfloat16)
        x = inputs.float() if low_precision else inputs
        axis = self._axis
        # Channels on dim 1: a view (for a contiguous NHWC tensor, an NCHW channels_last view).
        x = x if axis == 1 else x.movedim(axis, 1)
        if training and self.trainable:
            if mask is not None:
                mask = mask.unsqueeze(axis) if mask.dim() == inputs.dim() - 1 else mask
                mask = mask if axis == 1 else mask.movedim(axis, 1)
            out = self._train(x, mask)
        else:
            out = F.batch_norm(
                x,
                self.moving_mean,
                self.moving_variance,
                self.gamma,
                self.beta,
                training=False,
                eps=self.epsilon,
            )
        out = out if axis == 1 else out.movedim(1, axis)
        return out.to(inputs.dtype) if low_precision else out

    def _train(self, x, mask):
        synchronized = self.synchronized and distributed_world()
        per_channel = x.numel() // x.shape[1] if x.shape[1] else 0
        if mask is None and not synchronized and not self.renorm and per_channel > 1:
            return self._train_fused(x, per_channel)
        mean, variance, _ = channel_moments(x, mask, synchronized)
        if self.renorm:
            return self._train_renorm(x, mean, variance)
        with torch.no_grad():
            self._update(self.moving_mean, mean, self.momentum)
            self._update(self.moving_variance, variance, self.momentum)
        inverse = torch.rsqrt(variance + self.epsilon)
        return self._affine(x, inverse, -mean * inverse)

    def _train_fused(self, x, per_channel):
        # With momentum 1 the "running" buffers receive exactly this batch's mean and unbiased
        # variance from the same kernel pass that normalizes; the update is then Keras's.
        batch_mean = x.new_zeros(x.shape[1], dtype=self.moving_mean.dtype)
        batch_var = x.new_zeros(x.shape[1], dtype=self.moving_variance.dtype)
        out = F.batch_norm(
            x,
            batch_mean,
            batch_var,
            self.gamma,
            self.beta,
            training=True,
            momentum=1.0,
            eps=self.epsilon,
        )
        with torch.no_grad():
            self._update(self.moving_mean, batch_mean, self.momentum)
            biased = batch_var * ((per_channel - 1) / per_channel)
            self._update(self.moving_variance, biased, self.momentum)
        return out

    def _train_renorm(self, x, mean, variance):
        stddev = torch.sqrt(variance + self.epsilon)
        with torch.no_grad():
            renorm_stddev = self.renorm_stddev.clamp(min=math.sqrt(self.epsilon))
            r = (stddev / renorm_stddev).clamp(
                self.renorm_clipping.get("rmin", 0.0), self.renorm_clipping.get("rmax", math.inf)
            )
            dmax = self.renorm_clipping.get("dmax", math.inf)
            d = ((mean - self.renorm_mean) / renorm_stddev).clamp(-dmax, dmax)
            self._update(self.renorm_mean, mean, self.renorm_momentum)
            self._update(self.renorm_stddev, stddev, self.renorm_momentum)
            self._update(self.moving_mean, mean, self.momentum)
            self._update(self.moving_stddev, stddev, self.momentum)
            self.moving_variance.copy_(F.relu(self.moving_stddev.square() - self.epsilon))
        # ((x - mean) / stddev * r + d) * gamma + beta, as one multiply-add per element.
        multiplier = r / stddev
        return self._affine(x, multiplier, d - mean * multiplier)

    def _affine(self, x, multiplier, shift):
        """`(x * multiplier + shift) * gamma + beta` with per-channel vectors."""
        if self.gamma is not None:
            multiplier, shift = multiplier * self.gamma, shift * self.gamma
        if self.beta is not None:
            shift = shift + self.beta
        view = broadcast_shape(x.dim(), x.shape[1])
        return torch.addcmul(shift.view(view), x, multiplier.view(view))

    @staticmethod
    def _update(moving, value, momentum):
        moving.mul_(momentum).add_(value.detach().to(moving.dtype), alpha=1.0 - momentum)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
        }
        if self.renorm:
            # Only when used, so that ordinary configs stay readable by Keras 3.
            config.update(
                renorm=True,
                renorm_clipping=dict(self.renorm_clipping) or None,
                renorm_momentum=self.renorm_momentum,
            )
        return config


def _check_clipping(clipping):
    if clipping is None:
        return {}
    if not isinstance(clipping, dict):
        raise ValueError(
            f"BatchNormalization expected `renorm_clipping` to be a dict with keys among "
            f"{list(_CLIPPING_KEYS)}; received {clipping!r}."
        )
    unknown = set(clipping) - set(_CLIPPING_KEYS)
    if unknown:
        raise ValueError(
            f"BatchNormalization expected `renorm_clipping` keys among {list(_CLIPPING_KEYS)}; "
            f"received unknown keys {sorted(unknown)}."
        )
    values = {key: float(value) for key, value in clipping.items() if value is not None}
    rmin, rmax = values.get("rmin", 0.0), values.get("rmax", math.inf)
    if rmin < 0 or rmin > rmax or values.get("dmax", 0.0) < 0:
        raise ValueError(
            f"BatchNormalization expected 0 <= rmin <= rmax and dmax >= 0 in `renorm_clipping`; "
            f"received {clipping!r}."
        )
    return values
