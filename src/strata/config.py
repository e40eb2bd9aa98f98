"""Keras's `keras.config`: global settings (float dtype, epsilon, image layout, backend).

Settings strata does not have raise a clear error instead of being ignored: mixed-precision
dtype policies, and backends other than torch.
"""

from __future__ import annotations

from strata.backend.config import (
    default_layer_dtype,
    epsilon,
    floatx,
    image_data_format,
    set_default_layer_dtype,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)


def backend() -> str:
    """The name of the backend: always `"torch"`.

    Example:
        >>> backend()
        'torch'
    """
    return "torch"


def set_backend(backend):
    """Accepts `"torch"` only: strata runs on PyTorch."""
    if backend != "torch":
        raise ValueError(f"strata runs on the torch backend only; received {backend!r}.")


def enable_unsafe_deserialization():
    """Let configs holding Python code (`Lambda` layers) load outside `load_model`.

    `load_model(..., safe_mode=True)` still refuses them; pass `safe_mode=False` there.
    """
    from strata.saving.saving_lib import set_global_safe_mode

    set_global_safe_mode(False)


class DTypePolicy:
    """A layer dtype policy: strata supports the plain float policies (no mixed precision).

    Args:
        name: `"float16"`, `"bfloat16"`, `"float32"` or `"float64"`.
    """

    def __init__(self, name="float32"):
        if isinstance(name, str) and name.startswith("mixed_"):
            raise NotImplementedError(
                f"strata does not support mixed-precision dtype policies yet; received {name!r}. "
                "Use a float dtype policy ('float32', 'bfloat16', ...) or torch.autocast."
            )
        if name not in ("float16", "bfloat16", "float32", "float64"):
            raise ValueError(
                "DTypePolicy expected 'float16', 'bfloat16', 'float32' or 'float64'; "
                f"received {name!r}."
            )
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return self.name

    @property
    def variable_dtype(self) -> str:
        return self.name

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def get_config(self):
        return {"name": self.name}


def dtype_policy() -> DTypePolicy:
    """The policy new layers get (the float dtype of `floatx()` unless one was set)."""
    return DTypePolicy(default_layer_dtype())


def set_dtype_policy(policy):
    """Set the dtype of new layers' weights and computations (a float name or a DTypePolicy).

    Example:
        >>> set_dtype_policy("float64"); dtype_policy().name
        'float64'
        >>> set_dtype_policy(None)  # back to floatx()
    """
    if policy is None:
        set_default_layer_dtype(None)
        return
    name = policy.name if hasattr(policy, "name") else policy
    set_default_layer_dtype(DTypePolicy(name).name)


__all__ = [
    "DTypePolicy",
    "backend",
    "dtype_policy",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_backend",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
]
