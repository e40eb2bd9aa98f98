"""Dtype policies (Keras's `keras.dtype_policies`): a layer's weight and compute dtypes.

The global policy (`strata.config.set_dtype_policy`, or `strata.mixed_precision.
set_global_policy`) is what new layers get; a layer's `dtype=` argument overrides it.
"""

from strata.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    deserialize,
    get,
    serialize,
)


def dtype_policy() -> DTypePolicy:
    """The policy new layers get (`floatx()` unless one was set)."""
    from strata.backend.config import default_layer_dtype

    return DTypePolicy(default_layer_dtype())


def set_dtype_policy(policy) -> None:
    """Set the policy of new layers: a name (`"mixed_float16"`, `"float64"`, ...), a
    `DTypePolicy`, or None for `floatx()`.

    Example:
        >>> from strata import dtype_policies
        >>> dtype_policies.set_dtype_policy("mixed_bfloat16")
        >>> dtype_policies.dtype_policy().compute_dtype
        'bfloat16'
        >>> dtype_policies.set_dtype_policy(None)
    """
    from strata.backend.config import set_default_layer_dtype

    set_default_layer_dtype(None if policy is None else get(policy).name)


__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "deserialize",
    "dtype_policy",
    "get",
    "serialize",
    "set_dtype_policy",
]
