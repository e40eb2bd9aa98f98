"""Keras's element-wise `ops.numpy` functions on torch: arithmetic, comparisons, logic, bits and
the unary math functions.

Dtypes follow Keras: operands are promoted with `result_type` (Python numbers are weak, so
`int8_tensor + 1` stays int8); functions that only make sense on floats (`sin`, `log`, `divide`)
turn ints and bools into `floatx()`; comparisons and predicates give bools.
"""

from __future__ import annotations

import torch

from strata.backend.config import floatx
from strata.backend.conversion import to_torch_dtype
from strata.backend.dtypes import promote_dtypes
from strata.ops._symbolic import keras_op
from strata.ops._tensor import dtype_of, floating, is_int, promote, tensor


def _define(name, impl, doc, params=("x",)):
    """A Keras op named `name` whose body is `impl` (signature taken from `params`)."""
    if params == ("x",):

        def op(x):
            return impl(x)
    elif params == ("x", "y"):

        def op(x, y):
            return impl(x, y)
    else:

        def op(x1, x2):
            return impl(x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    op.__doc__ = _docstring(doc, params)
    return keras_op(op)


def _docstring(summary, params):
    """A Google-style docstring for a generated element-wise op."""
    shape = "of `x`'s shape"
    if params == ("x",):
        args = "    x: a tensor, NumPy array, list or Python number."
    else:
        shape = "of the operands' broadcast shape"
        first, second = params
        args = (
            f"    {first}: a tensor, NumPy array, list or Python number.\n"
            f"    {second}: the same, broadcastable against `{first}`."
        )
    return (
        f"{summary}\n\nArgs:\n{args}\n\nReturns:\n"
        f"    A torch tensor {shape} (its dtype per Keras's rules, see docs/ops.md)."
    )


def _float_unary(fn):
    """Functions defined on floats: ints and bools become floatx first."""
    return lambda x: fn(floating(tensor(x)))


def _float_binary(fn):
    def apply(x1, x2):
        dtype = promote_dtypes(dtype_of(x1), dtype_of(x2), float)
        a, b = promote(x1, x2, dtype=dtype)
        return fn(a, b)

    return apply


def _binary(fn):
    def apply(x1, x2):
        a, b = promote(x1, x2)
        return fn(a, b)

    return apply


def _keep_bool(fn):
    """Unary functions that leave bools alone (abs, sign, trunc...) and keep other dtypes."""

    def apply(x):
        x = tensor(x)
        return x if x.dtype == torch.bool else fn(x)

    return apply


def _round(x, decimals=0):
    x = tensor(x)
    if is_int(x):
        if decimals >= 0:
            return x
        scale = 10 ** (-decimals)
        return (torch.round(x.double() / scale) * scale).to(x.dtype)
    return torch.round(x, decimals=decimals)


def _square(x):
    x = tensor(x)
    return torch.square(x.int() if x.dtype == torch.bool else x)


def _nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = tensor(x)
    if not x.dtype.is_floating_point:
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def _divide_no_nan(x1, x2):
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2), float)
    a, b = promote(x1, x2, dtype=dtype)
    zero = b == 0
    return torch.where(zero, torch.zeros_like(a * b), a / torch.where(zero, 1, b))


def _mod(fn):
    def apply(x1, x2):
        dtype = promote_dtypes(dtype_of(x1), dtype_of(x2))
        a, b = promote(x1, x2, dtype="int32" if dtype == "bool" else dtype)
        return fn(a, b)

    return apply


def _heaviside(x1, x2):
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2))
    if "int" in dtype:
        dtype = "float64" if dtype == "int64" else floatx()
    a, b = promote(x1, x2, dtype=dtype)
    return torch.heaviside(a, b)


def _hypot(x1, x2):
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2))
    if "int" in dtype:
        dtype = floatx()
    a, b = promote(x1, x2, dtype=dtype)
    return torch.hypot(a, b)


def _ldexp(x1, x2):
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2), float)
    mantissa, exponent = tensor(x1), tensor(x2)
    if not is_int(exponent):
        raise TypeError(f"ldexp expected an integer exponent; received dtype {exponent.dtype}.")
    return torch.ldexp(mantissa.to(to_torch_dtype(dtype)), exponent).to(to_torch_dtype(dtype))


def _nextafter(x1, x2):
    dtype = promote_dtypes(dtype_of(x1), dtype_of(x2), float)
    a, b = promote(x1, x2, dtype="float64")
    return torch.nextafter(a, b).to(to_torch_dtype(dtype))


def _imag(x):
    return torch.imag(x) if x.dtype.is_complex else torch.zeros_like(x)


def _negative(x):
    return torch.negative(tensor(x))


def _bitwise_not(x):
    return torch.bitwise_not(tensor(x))


def _shift(fn):
    def apply(x, y):
        a, b = promote(x, y)
        return fn(a, b)

    return apply


_UNARY = {
    "abs": (_keep_bool(torch.abs), "Absolute value, element-wise (bools stay bools)."),
    "absolute": (_keep_bool(torch.abs), "Absolute value, element-wise (alias of `abs`)."),
    "fabs": (lambda x: torch.abs(floating(tensor(x))), "Absolute value as floats."),
    "negative": (_negative, "Numerical negative, element-wise."),
    "square": (_square, "Square, element-wise (bools become int32)."),
    "sign": (_keep_bool(torch.sign), "Sign (-1, 0 or 1), element-wise."),
    "conj": (lambda x: torch.conj(tensor(x)).resolve_conj(), "Complex conjugate."),
    "conjugate": (lambda x: torch.conj(tensor(x)).resolve_conj(), "Complex conjugate."),
    "copy": (lambda x: tensor(x).clone(), "A copy of `x`."),
    "real": (lambda x: torch.real(tensor(x)), "Real part."),
    "imag": (lambda x: _imag(tensor(x)), "Imaginary part (zeros for real inputs)."),
    "isfinite": (lambda x: torch.isfinite(tensor(x)), "Whether each element is finite."),
    "isinf": (lambda x: torch.isinf(tensor(x)), "Whether each element is +/- infinity."),
    "isnan": (lambda x: torch.isnan(tensor(x)), "Whether each element is NaN."),
    "isneginf": (lambda x: torch.isneginf(tensor(x)), "Whether each element is -infinity."),
    "isposinf": (lambda x: torch.isposinf(tensor(x)), "Whether each element is +infinity."),
    "isreal": (lambda x: torch.isreal(tensor(x)), "Whether each element is real."),
    "signbit": (lambda x: torch.signbit(tensor(x)), "Whether the sign bit is set."),
    "ceil": (_float_unary(torch.ceil), "Ceiling, element-wise (as floats)."),
    "floor": (_float_unary(torch.floor), "Floor, element-wise (as floats)."),
    "trunc": (_keep_bool(torch.trunc), "Truncation toward zero (ints stay ints)."),
    "logical_not": (lambda x: torch.logical_not(tensor(x)), "Logical NOT, element-wise."),
    "angle": (_float_unary(torch.angle), "Angle of complex numbers (0 or pi for reals)."),
    "i0": (_float_unary(torch.i0), "Modified Bessel function of the first kind, order 0."),
    "sinc": (_float_unary(torch.sinc), "Normalized sinc, sin(pi x) / (pi x)."),
    "bitwise_invert": (_bitwise_not, "Bitwise NOT (ints and bools)."),
    "bitwise_not": (_bitwise_not, "Bitwise NOT (alias of `bitwise_invert`)."),
    "reciprocal": (_float_unary(torch.reciprocal), "1 / x, element-wise (as floats)."),
}
for _name in (
    "cos cosh sin sinh tan tanh arccos arccosh arcsin arcsinh arctan arctanh exp exp2 expm1 "
    "log log10 log1p log2 sqrt deg2rad rad2deg"
).split():
    _fn = getattr(torch, {"cbrt": "cbrt"}.get(_name, _name))
    _UNARY[_name] = (_float_unary(_fn), f"`{_name}` of `x`, element-wise (ints become floats).")
_UNARY["cbrt"] = (
    _float_unary(lambda x: torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)),
    "Cube root, element-wise (ints become floats).",
)

_BINARY = {
    "add": (_binary(torch.add), "x1 + x2, element-wise, with Keras's dtype promotion."),
    "subtract": (_binary(torch.subtract), "x1 - x2, element-wise."),
    "multiply": (_binary(torch.multiply), "x1 * x2, element-wise."),
    "divide": (_float_binary(torch.divide), "x1 / x2 as floats."),
    "true_divide": (_float_binary(torch.divide), "x1 / x2 as floats (alias of `divide`)."),
    "divide_no_nan": (_divide_no_nan, "x1 / x2, with 0 wherever x2 is 0."),
    "floor_divide": (_binary(torch.floor_divide), "Floor of x1 / x2."),
    "mod": (_mod(torch.remainder), "Remainder with the sign of the divisor."),
    "fmod": (_mod(torch.fmod), "Remainder with the sign of the dividend."),
    "power": (_binary(torch.pow), "x1 ** x2, element-wise."),
    "maximum": (_binary(torch.maximum), "Element-wise maximum (NaN propagates)."),
    "minimum": (_binary(torch.minimum), "Element-wise minimum (NaN propagates)."),
    "fmax": (_binary(torch.fmax), "Element-wise maximum, ignoring NaNs."),
    "fmin": (_binary(torch.fmin), "Element-wise minimum, ignoring NaNs."),
    "arctan2": (_float_binary(torch.arctan2), "Element-wise arc tangent of x1 / x2."),
    "hypot": (_hypot, "sqrt(x1**2 + x2**2), element-wise."),
    "logaddexp": (_float_binary(torch.logaddexp), "log(exp(x1) + exp(x2))."),
    "logaddexp2": (_float_binary(torch.logaddexp2), "log2(2**x1 + 2**x2)."),
    "heaviside": (_heaviside, "Heaviside step: 0, x2 or 1 as x1 < 0, == 0, > 0."),
    "ldexp": (_ldexp, "x1 * 2**x2 (x2 integer)."),
    "nextafter": (_nextafter, "The next float after x1 toward x2."),
    "gcd": (_binary(torch.gcd), "Greatest common divisor."),
    "lcm": (_binary(torch.lcm), "Least common multiple."),
    "equal": (_binary(torch.eq), "x1 == x2, element-wise."),
    "not_equal": (_binary(torch.ne), "x1 != x2, element-wise."),
    "greater": (_binary(torch.gt), "x1 > x2, element-wise."),
    "greater_equal": (_binary(torch.ge), "x1 >= x2, element-wise."),
    "less": (_binary(torch.lt), "x1 < x2, element-wise."),
    "less_equal": (_binary(torch.le), "x1 <= x2, element-wise."),
    "logical_and": (_binary(torch.logical_and), "Logical AND, element-wise."),
    "logical_or": (_binary(torch.logical_or), "Logical OR, element-wise."),
    "logical_xor": (_binary(torch.logical_xor), "Logical XOR, element-wise."),
}
_BITS = {
    "bitwise_and": (torch.bitwise_and, "Bitwise AND."),
    "bitwise_or": (torch.bitwise_or, "Bitwise OR."),
    "bitwise_xor": (torch.bitwise_xor, "Bitwise XOR."),
    "bitwise_left_shift": (torch.bitwise_left_shift, "Shift the bits of x left by y."),
    "bitwise_right_shift": (torch.bitwise_right_shift, "Shift the bits of x right by y."),
    "left_shift": (torch.bitwise_left_shift, "Shift the bits of x left by y."),
    "right_shift": (torch.bitwise_right_shift, "Shift the bits of x right by y."),
}

__all__ = []
for _name, (_impl, _doc) in _UNARY.items():
    globals()[_name] = _define(_name, _impl, _doc)
    __all__.append(_name)
for _name, (_impl, _doc) in _BINARY.items():
    globals()[_name] = _define(_name, _impl, _doc, params=("x1", "x2"))
    __all__.append(_name)
for _name, (_fn, _doc) in _BITS.items():
    globals()[_name] = _define(_name, _shift(_fn), _doc, params=("x", "y"))
    __all__.append(_name)


@keras_op
def round(x, decimals=0):  # noqa: A001 - Keras's name
    """Round to `decimals` decimal places (half to even); ints stay ints.

    Example:
        >>> round([1.25, 2.5]).tolist()
        [1.0, 2.0]
    """
    return _round(x, decimals)


@keras_op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN with `nan` and infinities with `posinf`/`neginf` (default: the dtype's
    largest/smallest finite values)."""
    return _nan_to_num(x, nan, posinf, neginf)


@keras_op
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether `x1` and `x2` are equal within `atol + rtol * abs(x2)`, element-wise."""
    a, b = promote(x1, x2)
    if not a.dtype.is_floating_point:
        return torch.eq(a, b)
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


@keras_op
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether all elements of `x1` and `x2` are close (a 0-d bool tensor)."""
    return torch.all(isclose.eager(x1, x2, rtol, atol, equal_nan))


__all__ += ["round", "nan_to_num", "isclose", "allclose"]
