"""The decorator that makes a function a Keras op: eager on tensors and arrays, a graph node on
symbolic tensors (so `ops.add(x, y)` works between layers of a functional model, as in Keras 3).
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
    return op


def symbolic_call(func, args, kwargs):
    # Filled in by the ops work (a layer that records the op and its non-tensor arguments).
    raise NotImplementedError(f"ops.{func.__name__} on symbolic tensors is not supported yet.")
