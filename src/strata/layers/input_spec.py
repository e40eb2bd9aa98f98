"""`InputSpec`: what a layer accepts (rank, dtype, sizes of given axes), checked on each call."""

from __future__ import annotations

from strata.backend.conversion import standardize_dtype
from strata.backend.keras_tensor import flatten


class InputSpec:
    """The rank, dtype and axis sizes a layer's input must have.

    A layer sets `self.input_spec` (one spec, or a list with one per input); calls with an
    input that does not match raise a ValueError naming the layer, the spec and the shape.

    Args:
        dtype: the expected dtype name, or None for any.
        shape: the expected shape (None entries match any size), or None.
        ndim: the expected rank, or None.
        max_ndim: the largest rank accepted, or None.
        min_ndim: the smallest rank accepted, or None.
        axes: a dict `{axis: size}` of axes whose size is fixed.
        allow_last_axis_squeeze: accept a shape that differs by a trailing axis of size 1.
        name: the input's name, used in messages.
        optional: whether the input may be None.

    Example:
        >>> import strata, torch
        >>> class Pairs(strata.layers.Layer):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.input_spec = strata.InputSpec(ndim=2, axes={-1: 2})
        >>> Pairs()(torch.zeros(4, 2)).shape
        torch.Size([4, 2])
    """

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
        optional=False,
    ):
        self.dtype = standardize_dtype(dtype) if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        for axis in self.axes:
            if self.ndim is not None and not -self.ndim <= axis < self.ndim:
                raise ValueError(
                    f"InputSpec expected axes within rank {self.ndim}; received axis {axis}."
                )

    def __repr__(self):
        parts = [
            f"{key}={value}"
            for key, value in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if value is not None
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def assert_input_compatibility(input_spec, inputs, layer_name) -> None:
    """Raise a ValueError when `inputs` do not satisfy `input_spec` (a spec or a list)."""
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    values = flatten(inputs)
    if len(specs) != len(values) and not all(s.optional for s in specs[len(values) :]):
        raise ValueError(
            f"Layer '{layer_name}' expected {len(specs)} input(s); received {len(values)}."
        )
    for index, (spec, value) in enumerate(zip(specs, values)):
        if spec is None or (value is None and spec.optional):
            continue
        shape = getattr(value, "shape", None)
        if shape is None:
            continue
        problem = _mismatch(spec, tuple(shape), getattr(value, "dtype", None))
        if problem:
            raise ValueError(
                f"Input {index} of layer '{layer_name}' is incompatible with the layer: "
                f"{problem}; received an input of shape {tuple(shape)}."
            )


def _mismatch(spec, shape, dtype):
    rank = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
        return f"expected ndim={spec.ndim}, found ndim={rank}"
    if spec.max_ndim is not None and rank > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={rank}"
    if spec.min_ndim is not None and rank < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={rank}"
    if spec.dtype is not None and dtype is not None:
        found = standardize_dtype(dtype)
        if found != spec.dtype:
            return f"expected dtype={spec.dtype}, found dtype={found}"
    for axis, size in spec.axes.items():
        if size is None:
            continue
        if not -rank <= axis < rank:
            return f"expected an axis {axis}, found ndim={rank}"
        if shape[axis] is not None and shape[axis] not in _sizes(size):
            return f"expected axis {axis} of input shape to have value {size}"
    if spec.shape is not None:
        expected = spec.shape
        if spec.allow_last_axis_squeeze:
            shape = shape[:-1] if shape and shape[-1] == 1 else shape
            expected = expected[:-1] if expected and expected[-1] == 1 else expected
        if len(shape) != len(expected) or any(
            e is not None and s is not None and e != s for e, s in zip(expected, shape)
        ):
            return f"expected shape={spec.shape}"
    return None


def _sizes(size):
    return set(size) if isinstance(size, (list, tuple, set)) else {size}
