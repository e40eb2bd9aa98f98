"""Discretization: bucket continuous values by boundaries given or learned from quantiles."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer
from strata.layers.preprocessing import _encoding
from strata.layers.preprocessing._adapt import batches


class Discretization(Layer):
    """Replace each value by the index of its bin: `boundaries[i-1] <= x < boundaries[i]`.

    Boundaries are given, or learned by `adapt` as approximate quantiles that cut the data into
    `num_bins` equally full bins (Keras's streaming summary, so adapted boundaries equal
    Keras's). Boundaries are config, not weights, in Keras and here.

    Args:
        bin_boundaries: sorted list of boundaries; values below the first go to bin 0.
        num_bins: number of bins to learn with `adapt` (instead of `bin_boundaries`).
        epsilon: the quantile summary's precision (smaller: more exact, more memory).
        output_mode: `"int"` (bin indices), `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: must be False (no sparse outputs on torch).

    Input shape:
        Any shape.

    Output shape:
        The input's for `"int"`; see `CategoryEncoding` for the other modes.

    Example:
        >>> import numpy as np, strata
        >>> layer = strata.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5]])).tolist()
        [[0, 2, 3, 1]]
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        dtype=None,
        name=None,
        **kwargs,
    ):
        super().__init__(dtype=dtype, name=name, **kwargs)
        _encoding.check_output_mode(output_mode, _encoding.OUTPUT_MODES, "Discretization")
        _encoding.check_not_sparse(sparse, "Discretization")
        if num_bins is not None and (isinstance(num_bins, bool) or num_bins < 0):
            raise ValueError(f"Discretization expected num_bins >= 0; received {num_bins!r}.")
        if (num_bins is None) == (bin_boundaries is None):
            raise ValueError(
                "Discretization expected exactly one of bin_boundaries and num_bins; received "
                f"bin_boundaries={bin_boundaries!r} and num_bins={num_bins!r}."
            )
        self.bin_boundaries = None if bin_boundaries is None else _floats(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self._summary = np.zeros((2, 0), "float32")

    def adapt(self, data, steps=None):
        """Learn `num_bins - 1` quantile boundaries from `data` (array, list, dataset, batches)."""
        if self.num_bins is None:
            raise ValueError(
                "Discretization cannot adapt: it was built with bin_boundaries; use num_bins."
            )
        summary = np.zeros((2, 0), "float32")
        for batch in batches(data, steps):
            summary = _merge(
                summary, _summarize(batch.astype("float32"), self.epsilon), self.epsilon
            )
        self._summary = summary
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "Discretization needs bin_boundaries: pass them or call adapt() before using it."
            )
        boundaries = torch.tensor(self.bin_boundaries, dtype=torch.float32, device=inputs.device)
        # right=True: a value equal to a boundary goes to the upper bin (numpy's digitize).
        indices = torch.bucketize(inputs.float().contiguous(), boundaries, right=True)
        dtype = torch.int32 if self.output_mode == "int" else to_torch_dtype(self.dtype)
        return _encoding.encode(indices, self.output_mode, len(self.bin_boundaries) + 1, dtype)

    def compute_output_spec(self, inputs):
        from strata.backend.keras_tensor import KerasTensor

        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        shape = _encoding.encoded_shape(inputs.shape, self.output_mode, depth)
        return KerasTensor(shape, "int32" if self.output_mode == "int" else self.dtype)

    def get_config(self):
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        learned = None
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            learned = config.pop("bin_boundaries")  # boundaries an adapt() call learned
        layer = cls(**config)
        if learned is not None:
            layer.bin_boundaries = learned
        return layer


def _floats(values):
    if hasattr(values, "tolist"):
        values = values.tolist()
    return [float(v) for v in values]


def _summarize(values, epsilon):
    """(values, weights) of every `step`-th sorted value, `step` ~ len(values) * epsilon."""
    ordered = np.sort(values.reshape(-1))
    step = max(ordered.size * epsilon, 1.0)
    picked = ordered[int(step - 1) :: int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def _merge(first, second, epsilon):
    both = np.concatenate([first, second], axis=1)
    return _compress(both[:, np.argsort(both[0])], epsilon)


def _compress(summary, epsilon):
    """Re-cut a weighted summary at cumulative-weight fractions epsilon, 2 epsilon, ..., 1."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = np.arange(0.0, 1.0, epsilon) + epsilon
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    values = np.interp(targets, fractions, summary[0])
    weights = np.diff(np.interp(targets, fractions, cumulative), prepend=0.0)
    return np.stack([values, weights]).astype("float32")
