"""HashedCrossing: hash the combination of categorical features into buckets."""

from __future__ import annotations

import torch

from strata.backend.conversion import to_torch_dtype
from strata.backend.keras_tensor import KerasTensor, any_symbolic
from strata.layers.layer import Layer
from strata.layers.preprocessing import _encoding
from strata.layers.preprocessing._hashing import cross_buckets
from strata.layers.preprocessing.hashing import to_numpy_values


class HashedCrossing(Layer):
    """Cross two or more categorical features and hash each combination into `num_bins`.

    Buckets equal Keras's (TensorFlow's `sparse.cross_hashed`: string values by FarmHash
    Fingerprint64, integers by their bits, combined with FingerprintCat64). Runs on the CPU
    in Python; strings are taken eagerly from lists or NumPy arrays.

    Args:
        num_bins: the number of buckets.
        output_mode: `"int"` (bucket ids) or `"one_hot"`.
        sparse: must be False (no sparse outputs on torch).

    Input shape:
        A list or tuple of at least two features of equal shape: `()`, `(batch,)` or
        `(batch, 1)`, each of integers or strings.

    Output shape:
        The features' shape (int64), or `(batch, num_bins)` for one-hot.

    Example:
        >>> import numpy as np, strata
        >>> layer = strata.layers.HashedCrossing(num_bins=5)
        >>> first = np.array(["A", "B", "A", "B", "A"])
        >>> layer((first, np.array([101, 101, 101, 102, 102]))).tolist()
        [1, 4, 1, 1, 3]
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        _encoding.check_output_mode(output_mode, ("int", "one_hot"), "HashedCrossing")
        _encoding.check_not_sparse(sparse, "HashedCrossing")
        if num_bins is None or isinstance(num_bins, bool) or num_bins <= 0:
            raise ValueError(
                f"HashedCrossing expected num_bins as a positive int; received {num_bins!r}."
            )
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(
                "HashedCrossing expected a list or tuple of at least two features; received "
                f"{type(inputs).__name__}."
            )
        if any_symbolic(inputs):
            return super().__call__(list(inputs), *args, **kwargs)
        self.built = True
        kwargs.pop("training", None)  # eager preprocessing: no modes
        kwargs.pop("mask", None)
        return torch.nn.Module.__call__(self, list(inputs), *args, **kwargs)

    def call(self, inputs):
        features = [to_numpy_values(x) for x in inputs]
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "HashedCrossing expected features of shape (), (batch,) or (batch, 1); received "
                f"{shape}."
            )
        if any(f.shape != shape for f in features[1:]):
            raise ValueError(
                f"HashedCrossing expected features of equal shapes; received "
                f"{[f.shape for f in features]}."
            )
        for feature in features:
            if feature.dtype != object and feature.dtype.kind not in "iu":
                raise ValueError(
                    "HashedCrossing expected integer or string features; received dtype "
                    f"{feature.dtype}."
                )
        columns = [f.reshape(-1).tolist() for f in features]
        buckets = torch.as_tensor(cross_buckets(columns, self.num_bins).reshape(shape))
        device = next((x.device for x in inputs if isinstance(x, torch.Tensor)), None)
        if device is not None:
            buckets = buckets.to(device)
        return _encoding.encode(
            buckets, self.output_mode, self.num_bins, to_torch_dtype(self.dtype)
        )

    def compute_output_spec(self, inputs):
        shape = tuple(inputs[0].shape)
        return KerasTensor(
            _encoding.encoded_shape(shape, self.output_mode, self.num_bins), self.dtype
        )

    def get_config(self):
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }
