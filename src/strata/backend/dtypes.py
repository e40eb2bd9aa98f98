"""Keras 3's dtype promotion (`result_type`), on the torch backend's terms.

The rules form a lattice (the one JAX uses): `bool < weak int < (u)int8 < ... < int64 < weak
float < bfloat16/float16 < float32 < float64`, with unsigned types joining signed ones one size
up. Python numbers are *weak*: `int32 + 1` stays int32 and `float16 + 1.0` stays float16; a weak
result resolves to the width of `floatx()`. As on Keras's torch backend, 64-bit results are
narrowed to 32 bits (int64 -> int32, float64 -> float32).

Example:
    >>> result_type("int32", "float32")
    'float32'
    >>> result_type("int8", int)
    'int8'
    >>> result_type("bool", float)
    'float32'
"""

from __future__ import annotations

import functools

from strata.backend.config import floatx
from strata.backend.conversion import standardize_dtype

_INTS = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
_FLOATS = ("bfloat16", "float16", "float32", "float64")

# Each dtype and the dtypes directly above it. "int" and "float" are the weak Python types.
_ABOVE = {
    "bool": ("int",),
    "int": ("uint8", "int8", "complex64"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("bfloat16", "float16"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    "complex64": ("complex128",),
    "complex128": (),
}
_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def _ancestors(dtype: str) -> frozenset:
    """`dtype` and every dtype it promotes to."""
    seen, todo = {dtype}, [dtype]
    while todo:
        for parent in _ABOVE[todo.pop()]:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return frozenset(seen)


_UPPER = {dtype: _ancestors(dtype) for dtype in _ABOVE}


@functools.lru_cache(maxsize=1024)
def _join(nodes: frozenset) -> str:
    """The least upper bound of `nodes` on the lattice."""
    common = frozenset.intersection(*(_UPPER[n] for n in nodes))
    # The least common ancestor is the one all the others are above.
    least = [c for c in common if common <= _UPPER[c]]
    if len(least) != 1:
        raise ValueError(f"Dtypes {sorted(nodes)} have no common dtype to promote to.")
    return least[0]


def _weak_name(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    return "float" if "float" in dtype else "int" if "int" in dtype else dtype


def _parse(value):
    """(dtype name, is weak) for a dtype spelling; Python `int` and `float` are weak."""
    if value is int or value is float:
        return standardize_dtype(value), True
    if value is None:
        return floatx(), False
    return standardize_dtype(value), False


def _resolve_weak(dtype: str) -> str:
    bits = floatx()[-2:]
    if dtype == "int":
        return f"int{bits}"
    if dtype == "float":
        return f"float{bits}"
    return dtype


def result_type(*dtypes) -> str:
    """The dtype that Keras's promotion rules give for operands of `dtypes`.

    Args:
        *dtypes: dtype spellings (`"int32"`, `torch.float16`, `np.float32`), or the Python types
            `int`, `float`, `bool` for Python numbers (int and float are weak). None stands for
            `floatx()`.

    Returns:
        The dtype name. No arguments give `floatx()`.

    Example:
        >>> result_type("int8", "uint8")
        'int16'
    """
    return _promote(dtypes, True, floatx())


def promote_dtypes(*dtypes) -> str:
    """`result_type` without narrowing 64-bit results to 32 bits: what strata's ops compute in.

    Keras's torch backend narrows float64 and int64 results in some ops and not in others;
    strata's ops keep 64-bit inputs in 64 bits (Python numbers still resolve to `floatx()`'s
    width, so `int32 + 1` stays int32 and `float64 + 1.0` stays float64).

    Example:
        >>> promote_dtypes("float64", float)
        'float64'
        >>> result_type("float64", float)
        'float32'
    """
    return _promote(dtypes, False, floatx())


@functools.lru_cache(maxsize=4096)
def _promote(dtypes, narrow, default_float) -> str:
    # Cached per dtype tuple (dtypes are hashable); floatx() is part of the key.
    if not dtypes:
        return default_float
    parsed = [_parse(d) for d in dtypes]
    names = [name for name, _ in parsed]
    weak = [w for _, w in parsed]
    if len(parsed) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _join(frozenset(names)), True
    else:
        nodes = frozenset(_weak_name(n) if w else n for n, w in zip(names, weak))
        out = _join(nodes)
        out_weak = out in ("int", "float")
    if out_weak and out != "bool":
        out = _resolve_weak(_weak_name(out))
    return _NARROW.get(out, out) if narrow else out


def is_float_dtype(dtype) -> bool:
    """Whether `dtype` is a floating point dtype (bfloat16, float16, float32, float64)."""
    name = standardize_dtype(dtype)
    return name in _FLOATS


def is_int_dtype(dtype) -> bool:
    """Whether `dtype` is a signed or unsigned integer dtype (bool is not)."""
    name = standardize_dtype(dtype)
    return name in _INTS
