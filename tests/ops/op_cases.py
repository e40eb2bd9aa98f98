"""The table of cases that the differential ops tests run: every name of Keras's `ops.numpy` and
`ops.core` mapped to argument builders.

This module imports only NumPy, so the Keras fixture generator (tools/keras_fixtures/ops_numpy.py,
run in an environment with Keras) and the tests (run without Keras) build the very same inputs.
Inputs are deterministic formulas, not random draws, so both sides agree byte for byte.

`CASES[name]` is a list of `Case`s. Each case is called as `op(*args, **kwargs)`; when `then` is
given the op's result is a function, called as `result(*then)` (for `vectorize`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SHAPE = (2, 3)


def f32(shape=SHAPE, domain="any"):
    """A float32 array of deterministic values in `domain` (any, pos, unit, ge1)."""
    n = int(np.prod(shape))
    base = (((np.arange(n) * 7) % 11) - 5).astype("float32") / 2  # in [-2.5, 2.5]
    if domain == "pos":
        base = np.abs(base) + 0.5
    elif domain == "unit":
        base = base / 3.0
    elif domain == "ge1":
        base = np.abs(base) + 1.0
    return base.reshape(shape).astype("float32")


def i32(shape=SHAPE, domain="any"):
    n = int(np.prod(shape))
    base = ((np.arange(n) * 7) % 11) - 5  # in [-5, 5]
    if domain in ("pos", "ge1"):
        base = np.abs(base) + 1
    elif domain == "unit":
        base = np.clip(base, -1, 1) * 0
    return base.reshape(shape).astype("int32")


def b8(shape=SHAPE, domain="any"):
    n = int(np.prod(shape))
    base = (np.arange(n) * 7) % 3 == 0
    if domain in ("pos", "ge1"):
        base = np.ones(n, bool)
    return base.reshape(shape)


@dataclass
class Case:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    then: tuple | None = None  # call the op's result with these
    values: bool = True  # compare values (False for `empty`)
    label: str = ""


def C(*args, then=None, values=True, label="", **kwargs):
    return Case(tuple(args), dict(kwargs), then, values, label)


# -------------------------------------------------------------------------- families of ops
def _unary(domain="any", kinds=("f", "i", "b", "h", "8")):
    makers = {
        "f": f32,
        "i": i32,
        "b": b8,
        "h": lambda domain: f32(domain=domain).astype("float16"),
        "8": lambda domain: i32(domain=domain).astype("int8"),
    }
    return [C(makers[k](domain=domain), label=k) for k in kinds]


def _binary(domain="any", pairs=None):
    """Combinations of int32/float32/bool arrays and Python scalars."""
    f, i, b = f32(domain=domain), i32(domain=domain), b8(domain=domain)
    scalar = {"any": 2, "pos": 2, "unit": 0, "ge1": 2}[domain]
    fscalar = {"any": 1.5, "pos": 1.5, "unit": 0.25, "ge1": 1.5}[domain]
    all_pairs = {
        "ff": (f, f[::-1].copy()),
        "ii": (i, i[::-1].copy()),
        "if": (i, f),
        "fi": (f, i),
        "bb": (b, b[::-1].copy()),
        "bi": (b, i),
        "fs": (f, scalar),
        "is": (i, scalar),
        "iS": (i, fscalar),
        "bs": (b, scalar),
        "sf": (fscalar, f),
        "ff_bcast": (f, f[0]),
        "hS": (f.astype("float16"), fscalar),
        "8s": (i.astype("int8"), scalar),
        "8u": (i.astype("int8"), np.abs(i).astype("uint8")),
        "hf": (f.astype("float16"), f),
    }
    keys = pairs or list(all_pairs)
    return [C(*all_pairs[k], label=k) for k in keys]


def _reduction(kinds=("f", "i", "b"), extra=None, domain="any"):
    makers = {"f": f32, "i": i32, "b": b8}
    cases = []
    for k in kinds:
        x = makers[k](domain=domain)
        cases += [
            C(x, label=k),
            C(x, axis=1, label=k + "_axis1"),
            C(x, axis=0, keepdims=True, label=k + "_keep"),
        ]
    if extra:
        cases += extra
    # Half floats and small ints, one over everything (their own result-dtype rules).
    cases += [
        C(f32(domain=domain).astype("float16"), label="h"),
        C(i32(domain=domain).astype("int8"), axis=0, label="8"),
    ]
    return cases


def _nan_f32():
    x = f32()
    x[0, 1] = np.nan
    return x


def _nan_reduction():
    x = _nan_f32()
    return [C(x), C(x, axis=1), C(x, axis=0, keepdims=True), C(i32(), axis=1, label="i")]


def _cumulative(kinds=("f", "i", "b")):
    makers = {"f": f32, "i": i32, "b": b8}
    return [C(makers[k](), label=k) for k in kinds] + [
        C(f32(), axis=1),
        C(i32(), axis=0, dtype="float32", label="dtype"),
    ]


_UNARY_FLOAT = (
    "cos cosh sin sinh tan tanh arctan arcsinh exp exp2 expm1 cbrt deg2rad rad2deg sinc"
).split()
_UNARY_POS = "log log10 log1p log2 sqrt reciprocal".split()
_UNARY_KEEP = (
    "abs absolute negative square sign conj conjugate copy real imag isfinite isinf isnan "
    "isneginf isposinf isreal signbit ceil floor trunc round fabs logical_not angle i0 "
    "nan_to_num ravel"
).split()
_BINARY = (
    "add subtract multiply divide true_divide maximum minimum fmax fmin equal not_equal greater "
    "greater_equal less less_equal logical_and logical_or logical_xor arctan2 hypot logaddexp "
    "logaddexp2 heaviside divide_no_nan"
).split()
_BINARY_POS = "power mod fmod floor_divide".split()
_BITWISE = "bitwise_and bitwise_or bitwise_xor".split()
_SHIFTS = "bitwise_left_shift bitwise_right_shift left_shift right_shift".split()
_REDUCE = "sum prod mean max min amax amin all any std var ptp argmax argmin median".split()


def _build():
    cases = {}
    for name in _UNARY_FLOAT:
        cases[name] = _unary()
    for name in _UNARY_POS:
        cases[name] = _unary("pos")
    for name in _UNARY_KEEP:
        cases[name] = _unary()
    cases["arccos"] = cases["arcsin"] = cases["arctanh"] = _unary("unit", ("f",))
    cases["arccos"] = cases["arccos"] + [C(np.array([0, 1, -1], "int32"), label="i")]
    cases["arcsin"] = cases["arccos"]
    cases["arccosh"] = _unary("ge1")
    cases["round"] = cases["round"] + [C(f32() * 3.3, decimals=1, label="dec")]
    cases["nan_to_num"] = [
        C(np.array([np.nan, np.inf, -np.inf, 1.0], "float32")),
        C(np.array([np.nan, np.inf, 1.0], "float32"), nan=2.0, posinf=9.0),
        C(i32(), label="i"),
    ]
    for name in _BINARY:
        cases[name] = _binary()
    for name in _BINARY_POS:
        cases[name] = _binary("pos")
    for name in _BITWISE:
        cases[name] = _binary(pairs=["ii", "bb", "is", "bi"])
    for name in _SHIFTS:
        cases[name] = [C(i32(domain="pos"), np.array([1, 2, 0], "int32")), C(i32(), 1)]
    cases["bitwise_invert"] = cases["bitwise_not"] = _unary(kinds=("i", "b"))
    cases["gcd"] = cases["lcm"] = [C(i32(), i32()[::-1].copy()), C(i32(domain="pos"), 4)]
    cases["ldexp"] = [C(f32(), i32()), C(f32(), 2), C(i32(), i32(domain="pos"), label="ii")]
    cases["nextafter"] = [C(f32(), f32()[::-1].copy()), C(f32(), 0.0)]
    cases["isclose"] = _binary(pairs=["ff", "ii", "if", "fs"]) + [
        C(f32(), f32() + 1e-3, atol=1e-2, label="atol")
    ]
    cases["allclose"] = cases["isclose"]
    for name in _REDUCE:
        cases[name] = _reduction()
    for name in ("argmax", "argmin"):
        cases[name] = _reduction(extra=[C(f32(), axis=-1, keepdims=True, label="keep")])
    cases["max"] = cases["max"] + [C(f32(), axis=1, initial=2.2, label="initial")]
    cases["min"] = cases["min"] + [C(f32(), axis=1, initial=-2.2, label="initial")]
    cases["sum"] = cases["sum"] + [C(f32((2, 3, 2)), axis=(0, 2), label="axes")]
    cases["mean"] = cases["mean"] + [C(f32((2, 3, 2)), axis=(0, 2), label="axes")]
    cases["prod"] = cases["prod"] + [C(i32(), dtype="float32", label="dtype")]
    cases["count_nonzero"] = [C(f32()), C(i32(), axis=1), C(b8(), axis=0)]
    for name in (
        "nanmax",
        "nanmin",
        "nanmean",
        "nansum",
        "nanprod",
        "nanstd",
        "nanvar",
        "nanmedian",
        "nanargmax",
        "nanargmin",
    ):
        cases[name] = _nan_reduction()
    for name in ("cumsum", "cumprod"):
        cases[name] = _cumulative()
    for name in ("nancumsum", "nancumprod"):
        cases[name] = [C(_nan_f32()), C(_nan_f32(), axis=1), C(i32(), axis=0, label="i")]
    q = np.array([0.25, 0.5], "float32")
    for name, qs in (("quantile", (0.3, q)), ("percentile", (30.0, q * 100))):
        cases[name] = [
            C(f32(), qs[0]),
            C(f32(), qs[1], axis=1),
            C(i32(), qs[0], axis=0, keepdims=True, label="i"),
            C(f32(), qs[0], method="lower"),
        ]
    for name, qs in (("nanquantile", (0.3, q)), ("nanpercentile", (30.0, q * 100))):
        cases[name] = [C(_nan_f32(), qs[0]), C(_nan_f32(), qs[1], axis=1)]
    cases["average"] = [C(f32()), C(i32(), axis=1), C(f32(), axis=1, weights=f32((3,), "pos"))]

    # ---------------------------------------------------------------- creation
    cases["arange"] = [
        C(5),
        C(1, 7, 2),
        C(0.5, 3.0, 0.5),
        C(4, dtype="float32"),
        C(2.0, label="float"),
    ]
    cases["linspace"] = [C(0, 1, 5), C(0.0, 2.0, 4, endpoint=False), C(1, 9, 5, dtype="int32")]
    cases["logspace"] = [C(0, 2, 3), C(0.0, 1.0, 4, base=2)]
    cases["geomspace"] = [C(1, 100, 3), C(1.0, 8.0, 4, endpoint=False)]
    cases["eye"] = [C(3), C(2, 3, k=1), C(3, dtype="int32")]
    cases["identity"] = [C(3), C(2, dtype="int32")]
    cases["tri"] = [C(3), C(2, 4, k=1, dtype="int32")]
    cases["zeros"] = cases["ones"] = [C((2, 3)), C(3, dtype="int32"), C((2,), dtype="bool")]
    cases["empty"] = [C((2, 3), values=False), C(3, dtype="int32", values=False)]
    cases["full"] = [C((2, 3), 1.5), C((2,), 3), C((2, 3), 4, dtype="float32"), C((2,), True)]
    for name in ("zeros_like", "ones_like"):
        cases[name] = [C(f32()), C(i32()), C(f32(), dtype="int32")]
    cases["empty_like"] = [C(f32(), values=False), C(i32(), dtype="float32", values=False)]
    cases["full_like"] = [C(f32(), 2), C(i32(), 2.5), C(i32(), 7, dtype="float32")]
    cases["array"] = [C([[1, 2], [3, 4]]), C([1.5, 2.0]), C(f32(), dtype="int32")]
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        cases[name] = [C(5), C(1)]
    cases["kaiser"] = [C(5, 14.0), C(4, 0.5)]

    # ---------------------------------------------------------------- shapes and joining
    f, i = f32(), i32()
    cases["reshape"] = [C(f, (3, 2)), C(i, (-1,)), C(f, (1, -1))]
    cases["transpose"] = [C(f), C(f32((2, 3, 4)), (1, 0, 2))]
    cases["expand_dims"] = [C(f, 0), C(f, -1), C(f, (0, 2))]
    cases["squeeze"] = [C(f32((1, 3, 1))), C(f32((1, 3, 1)), axis=0), C(f32((1, 3, 1)), (0, 2))]
    cases["moveaxis"] = [C(f32((2, 3, 4)), 0, -1), C(f32((2, 3, 4)), (0, 1), (2, 0))]
    cases["swapaxes"] = [C(f32((2, 3, 4)), 0, 2)]
    cases["broadcast_to"] = [C(f[0], (2, 3)), C(i32((3, 1)), (2, 3, 4))]
    cases["concatenate"] = [C([f, f], axis=0), C([f, i], axis=-1), C([f, f], axis=None)]
    cases["stack"] = [C([f, f]), C([i, i], axis=1)]
    cases["hstack"] = cases["vstack"] = cases["dstack"] = [C([f, f]), C([f, i])]
    cases["append"] = [C(f, i), C(f, f, axis=0), C(i, f, axis=1)]
    cases["split"] = [C(f32((4, 3)), 2), C(f, [1, 2], axis=1)]
    cases["array_split"] = [C(f32((5,)), 2), C(f, 2, axis=1)]
    cases["hsplit"] = [C(f32((2, 4)), 2)]
    cases["vsplit"] = [C(f32((4, 2)), 2)]
    cases["dsplit"] = [C(f32((2, 2, 4)), 2)]
    cases["tile"] = [C(f, 2), C(f, (2, 1)), C(i, (1, 1, 2))]
    cases["repeat"] = [C(f, 2), C(f, 2, axis=1), C(i, [1, 2], axis=0)]
    cases["flip"] = [C(f), C(f, axis=1), C(i, axis=(0, 1))]
    cases["fliplr"] = cases["flipud"] = [C(f), C(i)]
    cases["rot90"] = [C(f), C(f, k=2), C(f32((2, 3, 4)), k=1, axes=(1, 2))]
    cases["roll"] = [C(f, 2), C(f, 1, axis=1), C(i, (1, 1), axis=(0, 1))]
    cases["pad"] = [
        C(f, 1),
        C(f, ((1, 0), (0, 2))),
        C(f, 1, constant_values=2.0),
        C(f, ((1, 1), (1, 1)), mode="reflect"),
        C(f, 1, mode="edge"),
        C(f, 1, mode="symmetric"),
        C(f, 2, mode="wrap"),
        C(f32((3, 4)), ((2, 1), (1, 3)), mode="symmetric"),
        C(f32((3, 4)), ((2, 1), (0, 3)), mode="reflect"),
        C(f32((2, 3, 4)), ((0, 0), (1, 1), (2, 0)), mode="edge"),
    ]
    cases["ravel"] = [C(f), C(i)]
    cases["diag"] = [C(f32((3,))), C(f32((3, 3)), k=1), C(f32((3,)), k=-1)]
    cases["diagflat"] = [C(f32((3,))), C(f32((2, 2)), k=1)]
    cases["diagonal"] = [C(f32((3, 3))), C(f32((2, 3, 4)), offset=1, axis1=1, axis2=2)]
    cases["tril"] = cases["triu"] = [C(f32((3, 3))), C(f32((3, 4)), k=1), C(i32((2, 3, 3)), k=-1)]
    cases["trace"] = [C(f32((3, 3))), C(i32((3, 3)), offset=1), C(f32((2, 3, 3)), axis1=1, axis2=2)]
    cases["meshgrid"] = [C(f32((3,)), f32((2,))), C(f32((3,)), f32((2,)), indexing="ij")]
    cases["ndim"] = cases["size"] = [C(f), C(f32((2, 3, 4)))]

    # ---------------------------------------------------------------- linear algebra-ish
    cases["matmul"] = [
        C(f, f32((3, 2))),
        C(i, i32((3, 2))),
        C(f32((2, 2, 3)), f32((3, 4))),
        C(f32((3,)), f32((3,)), label="vec"),
        C(i, f32((3, 2)), label="if"),
    ]
    cases["dot"] = [C(f, f32((3, 2))), C(f32((3,)), f32((3,))), C(f, 2.0), C(i, i32((3,)))]
    cases["inner"] = [C(f32((3,)), f32((3,))), C(f, f32((4, 3))), C(i, i)]
    cases["outer"] = [C(f32((3,)), f32((2,))), C(i32((3,)), f32((2,)))]
    cases["vdot"] = [C(f32((3,)), f32((3,))), C(f, f)]
    cases["tensordot"] = [
        C(f, f32((3, 2)), axes=1),
        C(f32((2, 3, 4)), f32((3, 4, 2))),
        C(f, f32((2, 3)), axes=([0, 1], [0, 1])),
    ]
    cases["kron"] = [C(f32((2,)), f32((3,))), C(i32((2, 2)), i32((2, 2)))]
    cases["cross"] = [C(f32((2, 3)), f32((2, 3))[::-1].copy()), C(i32((3,)), i32((3,)) + 1)]
    cases["einsum"] = [
        C("ij,jk->ik", f, f32((3, 2))),
        C("ii", f32((3, 3))),
        C("i,i", i32((3,)), i32((3,))),
    ]
    cases["slogdet"] = [C(f32((3, 3)) + np.eye(3, dtype="float32") * 4)]
    cases["corrcoef"] = [C(f32((2, 4)))]
    cases["correlate"] = [
        C(f32((5,)), f32((3,))),
        C(f32((5,)), f32((3,)), mode="same"),
        C(f32((5,)), f32((3,)), mode="full"),
    ]
    cases["vander"] = [C(f32((3,))), C(i32((3,)), N=4, increasing=True)]
    cases["trapezoid"] = [C(f32()), C(f32(), dx=0.5, axis=0), C(f32((3,)), x=f32((3,), "pos"))]
    cases["diff"] = [C(f32()), C(f32(), n=2, axis=1), C(i32(), axis=0)]

    # ---------------------------------------------------------------- indexing, sorting, sets
    idx = np.array([2, 0, 1], "int32")
    cases["take"] = [C(f, idx), C(f, idx, axis=1), C(f, np.array([[0, 1]], "int32"), axis=0)]
    cases["take_along_axis"] = [
        C(f, np.argsort(f, axis=1).astype("int32"), axis=1),
        C(f32((6,)), np.array([5, 0], "int32"), axis=0),
    ]
    cases["get_item"] = [C(f, 1), C(f32((6,)), 2)]
    cases["where"] = [C(b8(), f, i), C(b8(), f, 0.0), C(f > 0, 1, 2), C(b8(), label="one")]
    cases["select"] = [C([f > 1, f < 0], [f, -f]), C([b8()], [i32()], default=7)]
    cases["clip"] = [C(f, -1.0, 1.0), C(i, -2, 2), C(b8(), 0, 1), C(i, -1.5, 1.5, label="iS")]
    cases["sort"] = [C(f), C(i, axis=0), C(f, axis=None)]
    cases["argsort"] = [C(f), C(i, axis=0), C(f32((5,)) * np.array([1, 2, 3, 4, 5], "float32"))]
    # Order inside each side of the partition is unspecified: checked by property instead.
    cases["argpartition"] = [C(f32((6,)), 2, values=False)]
    cases["searchsorted"] = [
        C(np.array([1.0, 2.0, 3.0], "float32"), np.array([2.5, 0.0])),
        C(np.array([1, 2, 3], "int32"), np.array([2, 3], "int32"), side="right"),
    ]
    cases["digitize"] = [
        C(f, np.array([-1.0, 0.0, 1.0], "float32")),
        C(i, np.array([0, 2], "int32")),
    ]
    cases["nonzero"] = [C(i), C(f32((4,)))]
    cases["unique"] = [
        C(i32((8,))),
        C(i32((8,)), return_counts=True),
        C(i32((8,)), return_index=True, return_inverse=True),
        C(i32((8,)), size=10, fill_value=-9),
    ]
    cases["isin"] = [
        C(i, np.array([1, 2, -5], "int32")),
        C(f, np.array([0.5], "float32"), invert=True),
    ]
    cases["bincount"] = [
        C(np.array([0, 1, 1, 3], "int32")),
        C(np.array([0, 1, 1, 3], "int32"), weights=f32((4,)), minlength=6),
    ]
    cases["histogram"] = [C(f32((8,)), bins=4), C(f32((8,)), bins=3, range=(0.0, 2.0))]
    cases["unravel_index"] = [C(np.array([1, 5, 4], "int32"), (2, 3))]
    cases["view"] = [C(f, dtype="int32"), C(i, dtype="float32")]
    cases["vectorize"] = [
        C(lambda a, b: a * b + 1, then=(f, f)),
        C(lambda a: a * 2, then=(i,)),
        C(lambda a, b: (a * b).sum(), signature="(n),(n)->()", then=(f, f)),
        C(lambda a, b: a * b, signature="(n),()->(n)", then=(f, f[:, 0].copy())),
    ]
    x3 = f32((2, 6, 3))
    cases["rearrange"] = [
        C(x3, "b (h w) c -> b c h w", h=2),
        C(x3, "b h c -> (b h) c"),
        C(x3, "b h c -> c b h"),
        C(x3, "(a b) h c -> a (h b) c", a=1),
        C(i32((2, 6, 3)), "b (h w) c -> (b w) (h c)", w=3),
    ]
    cases.update(_core_cases())
    return cases


def _core_cases():
    f, i = f32(), i32()
    return {
        "cast": [C(f, "int32"), C(i, "float32"), C(f, "bool"), C(i, "float16")],
        "saturate_cast": [C(f32() * 200, "int8"), C(i32() * 100, "uint8")],
        "convert_to_tensor": [C(f), C([1, 2]), C(1.5), C(i, dtype="float32"), C([True])],
        "convert_to_numpy": [C(f), C(i)],
        "shape": [C(f), C(f32((2, 3, 4)))],
        "dtype": [C(f), C(i), C(b8())],
        "is_tensor": [C(f), C(1.0)],
        "stop_gradient": [C(f)],
        "unstack": [C(f), C(f, axis=1)],
        "slice": [C(f, (0, 1), (2, 2)), C(i32((3, 4)), np.array([1, 0], "int32"), (2, 3))],
        "slice_update": [C(f, (0, 1), f32((1, 2)) * 0 + 9), C(i, (1, 0), i32((1, 3)))],
        "scatter": [
            C(np.array([[0], [2]], "int32"), f32((2,)), (4,)),
            C(np.array([[0, 1], [1, 2]], "int32"), i32((2,)), (2, 3)),
        ],
        "scatter_update": [
            C(f, np.array([[0, 1], [1, 2]], "int32"), f32((2,)) * 0 + 7),
            C(i, np.array([[0, 0]], "int32"), np.array([9], "int32")),
        ],
        "cond": [C(True, lambda: f * 2, lambda: f), C(False, lambda: i + 1, lambda: i - 1)],
        "switch": [
            C(1, [lambda x: x + 1, lambda x: x * 3], f),
            C(0, [lambda x, y: x - y, lambda x, y: x + y], f, f),
        ],
        "while_loop": [
            C(lambda v: v.sum() < 50, lambda v: v * 2, (f32(domain="pos"),)),
            C(lambda a, b: a < 10, lambda a, b: (a + 1, b * 2), (0, 1.0), maximum_iterations=3),
        ],
        "fori_loop": [C(0, 4, lambda k, v: v + k, f)],
        "map": [C(lambda x: x * 2 + 1, f), C(lambda x: x.sum(), i)],
        "scan": [
            C(lambda c, x: (c + x, c * 2), f32((3,)), f),
            C(lambda c, x: (c + x, c), f32((3,)), f, reverse=True),
        ],
        "associative_scan": [
            C(lambda a, b: a + b, f32((5,))),
            C(lambda a, b: a * b, f, axis=1, reverse=True),
        ],
        "vectorized_map": [C(lambda x: x * x, f)],
    }


CASES = _build()

# Names whose NumPy function of the same name answers differently by design; every other name
# with a NumPy twin is compared with it (values, and the kind of the result dtype).
NOT_LIKE_NUMPY = {
    "dtype": "np.dtype is the dtype class, not a function of an array",
    "where": "one-argument form: Keras's torch backend stacks the index rows into one tensor",
    "nonzero": "Keras's torch backend stacks the index rows into one (ndim, count) tensor",
    "histogram": "Keras gives float counts (NumPy int64); values are compared with Keras's",
}


# ------------------------------------------------------------------- results as plain leaves
def result_leaves(result, to_numpy):
    """A result as a list of leaves: `("array", dtype_name, ndarray)` or `("py", value)`.

    `to_numpy` turns a backend tensor into a NumPy array (and returns None for non-tensors).
    """
    if isinstance(result, (list, tuple)) and not _is_int_tuple(result):
        return [leaf for item in result for leaf in result_leaves(item, to_numpy)]
    array = to_numpy(result)
    if array is not None:
        dtype = str(getattr(result, "dtype", array.dtype)).replace("torch.", "")
        return [("array", dtype, array)]
    if isinstance(result, np.ndarray):
        return [("array", str(result.dtype), result)]
    if isinstance(result, (np.generic,)):
        return [("py", result.item())]
    return [("py", list(result) if isinstance(result, tuple) else result)]


def _is_int_tuple(value):
    return isinstance(value, tuple) and all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value
    )


def pack_fixture(records):
    """`{key: leaves or error string}` as arrays for `np.savez_compressed`."""
    import json

    index, chunks, offset = {}, [], 0
    for key, leaves in records.items():
        if isinstance(leaves, str):
            index[key] = {"error": leaves}
            continue
        entries = []
        for leaf in leaves:
            if leaf[0] == "py":
                entries.append({"py": leaf[1]})
                continue
            _, dtype, array = leaf
            flat = np.asarray(array, dtype="float64").ravel()
            entries.append({"dtype": dtype, "shape": list(array.shape), "offset": offset})
            chunks.append(flat)
            offset += flat.size
        index[key] = {"leaves": entries}
    values = np.concatenate(chunks) if chunks else np.zeros(0)
    return {"index": np.array(json.dumps(index)), "values": values}


def unpack_fixture(data):
    """The inverse of `pack_fixture`: `{key: list of (dtype, array) or ("py", value)}`."""
    import json

    index, values = json.loads(str(data["index"])), data["values"]
    records = {}
    for key, entry in index.items():
        if "error" in entry:
            records[key] = entry["error"]
            continue
        leaves = []
        for leaf in entry["leaves"]:
            if "py" in leaf:
                leaves.append(("py", leaf["py"]))
            else:
                size = int(np.prod(leaf["shape"]))
                chunk = values[leaf["offset"] : leaf["offset"] + size].reshape(leaf["shape"])
                leaves.append(("array", leaf["dtype"], chunk))
        records[key] = leaves
    return records
