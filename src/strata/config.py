"""Keras's `keras.config`: global settings (float dtype, epsilon, image layout, backend).

Settings strata does not have raise a clear error instead of being ignored: mixed-precision
dtype policies, and backends other than torch.
"""

from __future__ import annotations

import os

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


# --------------------------------------------------------------------- frozen-layer cache limit
_DEFAULT_CACHE_FRACTION = 0.25
_cache_limit = None  # None: the default fraction of the machine's memory


def _total_memory() -> int:
    """The machine's physical memory in bytes (psutil when installed, else sysconf)."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): assume 8 GiB
        return 8 * 2**30


def set_cache_limit(limit=None):
    """How much memory `fit(cache_frozen=...)` may hold its cached features in.

    Features beyond the limit go to a temporary memory-mapped file, deleted when `fit` ends.

    Args:
        limit: bytes (an int >= 0), a fraction of the machine's memory (a float in (0, 1]),
            or None for the default (25% of the machine's memory).

    Example:
        >>> import strata
        >>> strata.config.set_cache_limit(2**20)
        >>> strata.config.get_cache_limit()
        1048576
        >>> strata.config.set_cache_limit(None)
    """
    global _cache_limit
    if limit is None:
        _cache_limit = None
        return
    if isinstance(limit, bool) or not isinstance(limit, (int, float)):
        raise ValueError(
            "set_cache_limit expected bytes (an int >= 0), a fraction of memory (a float in "
            f"(0, 1]) or None; received {type(limit).__name__} {limit!r}."
        )
    if isinstance(limit, float) and not 0.0 < limit <= 1.0:
        raise ValueError(
            f"set_cache_limit expected a fraction of memory in (0, 1]; received {limit}."
        )
    if isinstance(limit, int) and limit < 0:
        raise ValueError(f"set_cache_limit expected bytes >= 0; received {limit}.")
    _cache_limit = limit


def get_cache_limit() -> int:
    """The memory, in bytes, that cached frozen-layer features may take (see `set_cache_limit`).

    Example:
        >>> get_cache_limit() > 0
        True
    """
    limit = _DEFAULT_CACHE_FRACTION if _cache_limit is None else _cache_limit
    if isinstance(limit, float):
        return int(limit * _total_memory())
    return int(limit)


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
    "get_cache_limit",
    "image_data_format",
    "set_backend",
    "set_cache_limit",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
]
