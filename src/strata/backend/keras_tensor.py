"""Symbolic tensors: what `Input` returns and layers produce while a graph is being built.

A `KerasTensor` carries a static shape (with `None` for unknown sizes), a dtype and the node that
produced it. No data, no device memory.
"""

from __future__ import annotations

from strata.backend.conversion import standardize_dtype

# The layer class that records `x + y` on symbolic tensors. strata.layers registers it when it is
# imported (register_op_layer), so the backend never imports the layers package above it.
_op_layer_factory = None


# strata.ops, registered when it is imported: the other operators on symbolic tensors (`-x`,
# `x ** 2`, `x @ y`, `x[:, 0]`, `x > 0`) run the matching op, which records its graph node.
_ops_namespace = None


def register_symbolic_ops(namespace) -> None:
    """Set the module whose ops implement the operators of symbolic tensors (`strata.ops`)."""
    global _ops_namespace
    _ops_namespace = namespace


def _op(name):
    if _ops_namespace is None:
        raise RuntimeError("Operators on symbolic tensors need strata.ops to be imported first.")
    return getattr(_ops_namespace, name)


def register_op_layer(factory) -> None:
    """Set the layer class built for arithmetic on symbolic tensors (`TensorOp`)."""
    global _op_layer_factory
    _op_layer_factory = factory


class KerasTensor:
    """A placeholder for a tensor in a functional graph.

    Args:
        shape: tuple of ints or None (None stays None: the batch size, a free sequence length).
        dtype: dtype name (`"float32"`, `"int32"`, ...).
        name: a readable name (the producing layer's name).
        has_mask: whether a Keras mask travels with this tensor (from `Embedding(mask_zero=True)`
            or `Masking`); masks are computed at run time only where such tensors exist.
    """

    def __init__(self, shape, dtype="float32", name=None, has_mask=False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.name = name
        self.has_mask = has_mask
        # (layer, node_index, tensor_index): where this tensor comes from in the graph.
        self._keras_history = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def node(self):
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor has no value to test; use it as a layer input instead."
        )

    # Arithmetic on symbolic tensors builds the graph through small merge/lambda layers, so
    # `x + y` and `2 * x` work inside functional models as in Keras.
    def _binary(self, other, op_name, reverse=False):
        if _op_layer_factory is None:
            raise RuntimeError("Symbolic arithmetic needs strata.layers to be imported first.")
        operands = [other, self] if reverse else [self, other]
        return _op_layer_factory(op_name)(operands)

    def __add__(self, other):
        return self._binary(other, "add")

    def __radd__(self, other):
        return self._binary(other, "add", reverse=True)

    def __sub__(self, other):
        return self._binary(other, "subtract")

    def __rsub__(self, other):
        return self._binary(other, "subtract", reverse=True)

    def __mul__(self, other):
        return self._binary(other, "multiply")

    def __rmul__(self, other):
        return self._binary(other, "multiply", reverse=True)

    def __truediv__(self, other):
        return self._binary(other, "divide")

    def __rtruediv__(self, other):
        return self._binary(other, "divide", reverse=True)

    # The other operators go through strata.ops (see register_symbolic_ops). Equality stays
    # identity: graph code keeps KerasTensors in lists and dicts.
    def __neg__(self):
        return _op("negative")(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _op("absolute")(self)

    def __invert__(self):
        return _op("logical_not")(self)

    def __pow__(self, other):
        return _op("power")(self, other)

    def __rpow__(self, other):
        return _op("power")(other, self)

    def __matmul__(self, other):
        return _op("matmul")(self, other)

    def __rmatmul__(self, other):
        return _op("matmul")(other, self)

    def __floordiv__(self, other):
        return _op("floor_divide")(self, other)

    def __rfloordiv__(self, other):
        return _op("floor_divide")(other, self)

    def __mod__(self, other):
        return _op("mod")(self, other)

    def __rmod__(self, other):
        return _op("mod")(other, self)

    def __lt__(self, other):
        return _op("less")(self, other)

    def __le__(self, other):
        return _op("less_equal")(self, other)

    def __gt__(self, other):
        return _op("greater")(self, other)

    def __ge__(self, other):
        return _op("greater_equal")(self, other)

    def __and__(self, other):
        return _op("logical_and")(self, other)

    def __rand__(self, other):
        return _op("logical_and")(other, self)

    def __or__(self, other):
        return _op("logical_or")(self, other)

    def __ror__(self, other):
        return _op("logical_or")(other, self)

    def __xor__(self, other):
        return _op("logical_xor")(self, other)

    def __rxor__(self, other):
        return _op("logical_xor")(other, self)

    def __getitem__(self, key):
        return _op("get_item")(self, key)

    def __iter__(self):
        # Without this, Python would iterate through __getitem__ until an error.
        raise TypeError(
            "A symbolic KerasTensor is not iterable; index it (x[:, 0]) or use ops.unstack."
        )


def any_symbolic(structure) -> bool:
    """True when a nested list/tuple/dict holds a KerasTensor."""
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, (list, tuple)):
        return any(any_symbolic(item) for item in structure)
    if isinstance(structure, dict):
        return any(any_symbolic(item) for item in structure.values())
    return False


def map_structure(fn, structure):
    """Apply `fn` to every leaf of nested lists, tuples and dicts, keeping the structure."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    return fn(structure)


def flatten(structure) -> list:
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for value in structure.values() for leaf in flatten(value)]
    return [structure]


def pack_like(structure, leaves):
    """Rebuild `structure` with `leaves` (as produced by `flatten`) in its place."""
    iterator = iter(leaves)

    def take(_):
        return next(iterator)

    return map_structure(take, structure)
