"""Keras's `keras.config`: global settings (float dtype, epsilon, image layout, backend).

Settings strata does not have raise a clear error instead of being ignored: mixed-precision
dtype policies, and backends other than torch.
"""

from __future__ import annotations

from strata.backend.config import (
    epsilon,
    floatx,
    image_data_format,
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


from strata.dtype_policies import (  # noqa: E402 - Keras's config exposes these
    DTypePolicy,
    dtype_policy,
    set_dtype_policy,
)

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
