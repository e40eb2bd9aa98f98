"""Normalization: shift and scale inputs to zero mean and unit variance per feature."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend import config as backend_config
from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer
from strata.layers.preprocessing._adapt import batches


class Normalization(Layer):
    """`(inputs - mean) / sqrt(variance)` with statistics given or learned by `adapt`.

    The statistics are kept per position of the `axis` dimensions and shared over the others.
    Learned statistics are the non-trainable weights `mean`, `variance` and `count` (Keras's
    three, in its order), so they travel with the model's weights; statistics given to the
    constructor travel in the config and make no weights, as in Keras.

    Args:
        axis: the axis or axes that keep their own statistics (default the last, features);
            None for one mean and variance over everything.
        mean: the mean to use instead of adapting (a number or an array that broadcasts
            against the kept axes).
        variance: the variance, given together with `mean`.
        invert: apply the inverse, `inputs * sqrt(variance) + mean` (undo a normalization).

    Input shape:
        Any shape whose `axis` dimensions are known.

    Output shape:
        The input's.

    Example:
        >>> import numpy as np, strata
        >>> layer = strata.layers.Normalization()
        >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
        >>> layer(np.array([[1.0, 20.0]])).tolist()
        [[0.0, 0.0]]
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        if not all(isinstance(a, int) for a in self.axis):
            raise ValueError(f"Normalization expected axis as int(s) or None; received {axis!r}.")
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization expected both mean and variance, or neither; "
                f"received mean={mean!r} and variance={variance!r}."
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "Normalization expected mean and variance of one shape; received "
                    f"{np.shape(mean)} and {np.shape(variance)}."
                )
            if np.ndim(mean) > len(self.axis):
                raise ValueError(
                    f"Normalization expected a mean of rank <= {len(self.axis)} (the number of "
                    f"axes {self.axis}); received shape {np.shape(mean)}."
                )
        self.input_mean = _listify(mean)
        self.input_variance = _listify(variance)
        self.invert = bool(invert)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"Normalization expected axis values in [-{ndim}, {ndim}); received "
                f"axis={self.axis} for inputs of shape {tuple(input_shape)}."
            )
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for axis in self._keep_axis:
            if input_shape[axis] is None:
                raise ValueError(
                    f"Normalization needs known sizes on axis {self.axis}; received shape "
                    f"{tuple(input_shape)}."
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._build_shape = tuple(input_shape)
        stats_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.mean = self.add_weight(
                name="mean", shape=stats_shape, initializer="zeros", trainable=False
            )
            self.variance = self.add_weight(
                name="variance", shape=stats_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int32", initializer="zeros", trainable=False
            )
        else:
            # Given statistics are config, not weights, in Keras. They are not buffers either:
            # a loaded model's buffers are rebuilt empty. Tensors are made per device in call.
            self._fixed = {}
        self.built = True

    def _given(self, like):
        """The given mean and variance, aligned with the kept axes from the right, as tensors on
        `like`'s device and dtype (made once per device and dtype)."""
        key = (like.device, like.dtype)
        if key not in self._fixed:
            pair = []
            for value in (self.input_mean, self.input_variance):
                tensor = torch.as_tensor(np.asarray(value, dtype="float64"))
                shape = [1] * len(self._broadcast_shape)
                for i in range(1, tensor.dim() + 1):
                    shape[self._keep_axis[-i]] = tensor.shape[-i]
                pair.append(tensor.reshape(shape).to(device=like.device, dtype=like.dtype))
            self._fixed[key] = tuple(pair)
        return self._fixed[key]

    def adapt(self, data):
        """Learn the mean and variance of `data` (an array, tensor, list of batches, dataset)."""
        total_mean = total_var = None
        total_count = 0
        for batch in batches(data):
            batch = batch.astype("float64")
            if not self.built:
                self._build_for(tuple(batch.shape))
            self._check_adapt_shape(batch.shape)
            if self.input_mean is not None:
                raise ValueError("Normalization cannot adapt: mean and variance were given.")
            count = int(np.prod([batch.shape[d] for d in self._reduce_axis]))
            mean = batch.mean(axis=self._reduce_axis)
            var = batch.var(axis=self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            # Chan's parallel update: merge the running moments with this batch's.
            new_count = total_count + count
            delta = mean - total_mean
            new_mean = total_mean + delta * count / new_count
            total_var = (
                total_var * total_count + var * count + delta**2 * total_count * count / new_count
            ) / new_count
            total_mean, total_count = new_mean, new_count
        with torch.no_grad():
            self.mean.copy_(torch.as_tensor(total_mean))
            self.variance.copy_(torch.as_tensor(total_var))

    def _check_adapt_shape(self, shape):
        for axis in self._keep_axis:
            if len(shape) != len(self._build_shape) or shape[axis] != self._build_shape[axis]:
                raise ValueError(
                    f"Normalization was built for inputs of shape {self._build_shape}; adapt "
                    f"received a batch of shape {tuple(shape)}."
                )

    def call(self, inputs):
        inputs = inputs.to(to_torch_dtype(self.dtype))
        if self.input_mean is None:
            mean = self.mean.reshape(self._broadcast_shape).to(inputs.dtype)
            variance = self.variance.reshape(self._broadcast_shape).to(inputs.dtype)
        else:
            mean, variance = self._given(inputs)
        scale = torch.clamp(torch.sqrt(variance), min=backend_config.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": self.input_mean,
            "variance": self.input_variance,
        }


def _listify(value):
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype="float64").tolist()
