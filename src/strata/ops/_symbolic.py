"""The decorator that makes a function a Keras op: eager on tensors and arrays, a graph node on
symbolic tensors (so `ops.add(x, y)` works between layers of a functional model, as in Keras 3).

On symbolic tensors an op becomes an `OpLayer` (strata/layers/core/op_layer.py) that stores the
op's qualified name (`"numpy.add"`: the namespace is the op module's name up to its first
underscore, so `strata.ops.numpy_math` ops are `numpy.*`) and its other arguments as JSON; the
layer's shape inference (a run on the meta device) gives the output shapes and dtypes.
"""

import functools

from strata.backend.keras_tensor import any_symbolic


def keras_op(func):
    """Make `func` a Keras op.

    Called on tensors, arrays or numbers it runs `func` directly. Called with a `KerasTensor`
    anywhere in its arguments it records a node of the functional graph instead.
    """

    @functools.wraps(func)
    def op(*args, **kwargs):
        if any_symbolic(args) or any_symbolic(kwargs):
            return symbolic_call(func, args, kwargs)
        return func(*args, **kwargs)

    op.eager = func
    op.op_name = op_name(func)
    return op


def op_name(func) -> str:
    """`"<namespace>.<name>"` for an op function defined in a `strata.ops` module."""
    # numpy_reduce.py -> "numpy", _nn_conv.py -> "nn": the public namespace re-exporting it.
    module = func.__module__.rsplit(".", 1)[-1].lstrip("_").split("_")[0]
    return f"{module}.{func.__name__}"


def symbolic_call(func, args, kwargs):
    """Record `func(*args, **kwargs)` as an `OpLayer` node; returns its symbolic outputs."""
    from strata.layers.core.op_layer import symbolic_op_call

    return symbolic_op_call(op_name(func), args, kwargs)
