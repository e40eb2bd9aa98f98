"""Hashing: bucket strings or integers by a stable hash (Keras's FarmHash buckets)."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.conversion import to_torch_dtype
from strata.backend.keras_tensor import KerasTensor, any_symbolic
from strata.layers.layer import Layer
from strata.layers.preprocessing import _encoding
from strata.layers.preprocessing._hashing import hash_buckets


def to_numpy_values(inputs):
    """Inputs (tensor, array, list, scalar) as a NumPy array; strings as objects."""
    if isinstance(inputs, torch.Tensor):
        return inputs.detach().cpu().numpy()
    array = np.asarray(inputs)
    return array.astype(object) if array.dtype.kind in "US" else array


def values_as_strings(values):
    """How Keras hashes non-strings: floats cut to int64, then the decimal text."""
    if values.dtype.kind == "f":
        values = values.astype("int64")
    if values.dtype.kind in "iub":
        unique, inverse = np.unique(values.reshape(-1), return_inverse=True)
        texts = np.array([str(int(v)) for v in unique], dtype=object)
        return texts[inverse.reshape(-1)].reshape(values.shape)
    return values


class Hashing(Layer):
    """Map each value to one of `num_bins` buckets by hashing it.

    Strings are hashed with FarmHash Fingerprint64 (or SipHash-2-4 keyed by `salt`) exactly as
    Keras does through TensorFlow, so bucket numbers equal Keras's; integers are hashed as
    their decimal text, floats first cut to integers. With `mask_value`, that value goes to
    bucket 0 and the others to `1 ... num_bins - 1`.

    Hashing runs on the CPU in Python (with a cache of distinct values): use it on string data
    before `fit`, or on integer inputs inside a model (it works on symbolic integer inputs;
    each call copies the values to the host).

    Args:
        num_bins: the number of buckets (mask bucket included).
        mask_value: a value that always goes to bucket 0, or None.
        salt: an integer or two integers: hash with SipHash keyed by them instead.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: must be False (no sparse outputs on torch).

    Input shape:
        Strings (lists or NumPy arrays) or integers/floats of any shape.

    Output shape:
        The input's (int64 buckets), or an encoding (see `CategoryEncoding`).

    Example:
        >>> import strata
        >>> strata.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist()
        [[1], [0], [1], [1], [2]]
    """

    def __init__(
        self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs
    ):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if num_bins is None or isinstance(num_bins, bool) or num_bins <= 0:
            raise ValueError(f"Hashing expected num_bins as a positive int; received {num_bins!r}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(
                f"Hashing expected dtype 'int32' or 'int64' with output_mode='int'; received "
                f"{self.dtype!r}."
            )
        _encoding.check_output_mode(output_mode, _encoding.OUTPUT_MODES, "Hashing")
        _encoding.check_not_sparse(sparse, "Hashing")
        if salt is not None:
            if isinstance(salt, int) and not isinstance(salt, bool):
                salt = [salt, salt]
            elif isinstance(salt, (list, tuple)) and len(salt) == 2:
                salt = [int(s) for s in salt]
            else:
                raise ValueError(f"Hashing expected salt as an int or 2 ints; received {salt!r}.")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, inputs, *args, **kwargs):
        if not any_symbolic(inputs):
            values = to_numpy_values(inputs)
            if values.dtype == object:
                self.built = True
                kwargs.pop("training", None)  # eager preprocessing: no modes
                kwargs.pop("mask", None)
                return torch.nn.Module.__call__(self, values, *args, **kwargs)
            if not isinstance(inputs, torch.Tensor):
                inputs = values  # Python numbers and lists become arrays
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        values = to_numpy_values(inputs)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        buckets = hash_buckets(values_as_strings(values), bins, self.salt)
        if mask is not None:
            buckets = np.where(mask, 0, buckets + 1)
        indices = torch.as_tensor(buckets.reshape(values.shape))
        if isinstance(inputs, torch.Tensor):
            indices = indices.to(inputs.device)
        return _encoding.encode(
            indices, self.output_mode, self.num_bins, to_torch_dtype(self.dtype)
        )

    def compute_output_spec(self, inputs):
        shape = _encoding.encoded_shape(inputs.shape, self.output_mode, self.num_bins)
        return KerasTensor(shape, self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
