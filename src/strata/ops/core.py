"""Keras 3 ops: core (`strata.ops.core`), on torch: dtypes and conversions, shapes, slicing and
scattering, control flow (`cond`, `while_loop`, `scan`, ...) and gradient helpers.

Control flow runs as plain Python loops on torch tensors (what Keras's torch backend does);
`vectorized_map` uses `torch.vmap`, and `custom_gradient` a `torch.autograd.Function`.

Example:
    >>> from strata import ops
    >>> ops.fori_loop(0, 4, lambda i, total: total + i, 0)
    6
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from strata.backend.conversion import standardize_dtype, to_torch_dtype
from strata.backend.keras_tensor import KerasTensor, flatten, pack_like
from strata.ops._symbolic import keras_op
from strata.ops._tensor import tensor


# -------------------------------------------------------------------- dtypes and conversions
@keras_op
def cast(x, dtype):
    """`x` as a tensor of `dtype`.

    Example:
        >>> cast([1.7, -1.7], "int32").tolist()
        [1, -1]
    """
    return tensor(x, standardize_dtype(dtype))


def _limits(dtype: str):
    if dtype == "bool":
        return 0, 1
    torch_dtype = to_torch_dtype(dtype)
    info = torch.finfo(torch_dtype) if torch_dtype.is_floating_point else torch.iinfo(torch_dtype)
    return info.min, info.max


@keras_op
def saturate_cast(x, dtype):
    """`x` clipped to the range of `dtype`, then cast (no wrap-around of out-of-range ints).

    Example:
        >>> saturate_cast([-5.0, 300.0], "uint8").tolist()
        [0, 255]
    """
    x = tensor(x)
    dtype = standardize_dtype(dtype)
    in_min, in_max = _limits(standardize_dtype(x.dtype))
    out_min, out_max = _limits(dtype)
    low, high = builtins.max(in_min, out_min), builtins.min(in_max, out_max)
    if x.dtype.is_floating_point:
        # The bounds must survive the round trip through x's dtype without leaving the range.
        low_t = torch.tensor(low, dtype=x.dtype)
        high_t = torch.tensor(high, dtype=x.dtype)
        if low_t.item() < out_min:
            low_t = torch.nextafter(low_t, torch.zeros_like(low_t))
        if high_t.item() > out_max:
            high_t = torch.nextafter(high_t, torch.zeros_like(high_t))
        low, high = low_t.item(), high_t.item()
    return torch.clamp(x, low, high).to(to_torch_dtype(dtype))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` (array, list, number or tensor) as a torch tensor on strata's device; NumPy
    arrays keep their dtype, Python ints become int32 and floats `floatx()`.

    Args:
        x: the value.
        dtype: the dtype to cast to (None keeps x's).
        sparse: strata has no sparse tensors; True is refused.
        ragged: strata has no ragged tensors; True is refused.

    Returns:
        A `torch.Tensor` (a symbolic input is returned as is, or cast).

    Example:
        >>> convert_to_tensor([1, 2]).dtype
        torch.int32
    """
    if sparse or ragged:
        raise ValueError(
            "convert_to_tensor expected sparse and ragged to be False or None: "
            "strata has neither sparse nor ragged tensors."
        )
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    return tensor(x, standardize_dtype(dtype) if dtype is not None else None)


def convert_to_numpy(x):
    """`x` as a NumPy array (copied to the host, detached from autograd)."""
    if isinstance(x, KerasTensor):
        raise ValueError(
            "convert_to_numpy expected a tensor with values; received a symbolic "
            f"KerasTensor {x!r}."
        )
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


def is_tensor(x):
    """Whether `x` is a torch tensor (NumPy arrays and symbolic tensors are not)."""
    return isinstance(x, torch.Tensor)


def dtype(x):
    """The dtype name of `x` (`"float32"`, ...), symbolic tensors included."""
    if isinstance(x, KerasTensor):
        return x.dtype
    if hasattr(x, "dtype"):
        return standardize_dtype(x.dtype)
    return standardize_dtype(tensor(x, device="cpu").dtype)


def shape(x):
    """The shape of `x` as a tuple; for a symbolic tensor its static shape (None where
    unknown, e.g. the batch).

    Example:
        >>> import strata
        >>> shape(strata.Input(shape=(3,)))
        (None, 3)
    """
    if isinstance(x, KerasTensor):
        return x.shape
    if isinstance(x, torch.Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))


# --------------------------------------------------------------------- slicing and scattering
@keras_op
def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's names
    """The block of `inputs` of `shape` starting at `start_indices`.

    Args:
        inputs: the tensor to read.
        start_indices: one start index per axis.
        shape: the size of the block along each axis.

    Returns:
        A tensor of `shape`.

    Example:
        >>> slice([[1, 2, 3], [4, 5, 6]], (0, 1), (2, 2)).tolist()
        [[2, 3], [5, 6]]
    """
    inputs = tensor(inputs)
    starts = _int_list(start_indices)
    sizes = _int_list(shape)
    return inputs[tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))]


@keras_op
def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block at `start_indices` replaced by `updates`.

    Args:
        inputs: the tensor to update (left unchanged).
        start_indices: one start index per axis.
        updates: the new block (cast to `inputs`' dtype).

    Returns:
        The updated copy.

    Example:
        >>> slice_update([0, 0, 0, 0], (1,), [7, 8]).tolist()
        [0, 7, 8, 0]
    """
    inputs = tensor(inputs)
    updates = tensor(updates, inputs.dtype, inputs.device)
    starts = _int_list(start_indices)
    out = inputs.clone()
    out[tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))] = updates
    return out


def _int_list(values):
    if isinstance(values, torch.Tensor):
        return [int(v) for v in values.tolist()]
    return [int(v) for v in values]


@keras_op
def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices`.

    Args:
        indices: an int tensor of shape `(n, k)`: n coordinates into the first k axes.
        values: n values (or n slices, when k < len(shape)); duplicates add up.
        shape: the output's shape.

    Returns:
        A tensor of `shape` and `values`' dtype.

    Example:
        >>> scatter([[0], [2], [2]], [1.0, 2.0, 3.0], (4,)).tolist()
        [1.0, 0.0, 5.0, 0.0]
    """
    values = tensor(values)
    out = torch.zeros(tuple(_int_list(shape)), dtype=values.dtype, device=values.device)
    index = tensor(indices, device=values.device).long()
    return out.index_put(tuple(index.T), values, accumulate=True)


@keras_op
def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of `inputs` with `updates` written at `indices`.

    Args:
        inputs: the tensor to update (left unchanged).
        indices: an int tensor of shape `(n, k)`: n coordinates into the first k axes.
        updates: n values (or slices), cast to `inputs`' dtype.
        reduction: None replaces; "add", "max", "min" or "mul" combine with the current
            values.

    Returns:
        The updated copy.

    Example:
        >>> scatter_update([1, 1, 1], [[0], [2]], [5, 6]).tolist()
        [5, 1, 6]
    """
    inputs = tensor(inputs)
    updates = tensor(updates, inputs.dtype, inputs.device)
    index = tuple(tensor(indices, device=inputs.device).long().T)
    out = inputs.clone()
    if reduction is None:
        out[index] = updates
    elif reduction == "add":
        out.index_put_(index, updates, accumulate=True)
    elif reduction in ("max", "min", "mul"):
        combine = {"max": torch.maximum, "min": torch.minimum, "mul": torch.mul}[reduction]
        for row in range(index[0].shape[0]):  # sequential: duplicates combine in turn
            at = tuple(i[row] for i in index)
            out[at] = combine(out[at], updates[row])
    else:
        raise ValueError(
            "scatter_update expected reduction in (None, 'add', 'max', 'min', "
            f"'mul'); received {reduction!r}."
        )
    return out


@keras_op
def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list."""
    x = tensor(x)
    if num is not None and x.shape[axis] != num:
        raise ValueError(
            f"unstack expected axis {axis} of size num={num}; received shape {tuple(x.shape)}."
        )
    return list(torch.unbind(x, dim=axis))


# ------------------------------------------------------------------------------ control flow
@keras_op
def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` holds, else `false_fn()`.

    Args:
        pred: a bool (or a 1-element tensor).
        true_fn: a function of no arguments.
        false_fn: a function of no arguments.

    Returns:
        What the chosen function returns.

    Example:
        >>> cond(False, lambda: "yes", lambda: "no")
        'no'
    """
    return true_fn() if bool(pred) else false_fn()


@keras_op
def switch(index, branches, *operands):
    """`branches[index](*operands)`, with `index` clamped to the valid range.

    Args:
        index: an int (or a 1-element int tensor).
        branches: a sequence of functions.
        *operands: the arguments for the chosen function.

    Returns:
        What the chosen function returns.

    Example:
        >>> switch(5, [lambda x: x + 1, lambda x: x * 10], 3)
        30
    """
    chosen = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[chosen](*operands)


@keras_op
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds.

    Args:
        cond: a function of the loop variables returning a bool (or 1-element tensor).
        body: a function of the loop variables returning new ones (same structure).
        loop_vars: a tensor or a tuple/list of them (numbers become tensors).
        maximum_iterations: stop after this many steps (None: no limit).

    Returns:
        The final loop variables, in `loop_vars`' structure.

    Example:
        >>> int(while_loop(lambda v: v < 10, lambda v: v * 2, 1))
        16
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    values = tuple(loop_vars) if is_sequence else (loop_vars,)
    values = tuple(_tensors(v) for v in values)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and bool(cond(*values)):
        values = body(*values)
        values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        steps += 1
    return values if is_sequence else values[0]


def _tensors(structure):
    leaves = [tensor(v) if not isinstance(v, torch.Tensor) else v for v in flatten(structure)]
    return pack_like(structure, leaves)


@keras_op
def fori_loop(lower, upper, body_fun, init_val):
    """`init_val` passed through `body_fun(i, value)` for i in `range(lower, upper)`."""
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


@keras_op
def map(f, xs):  # noqa: A001 - Keras's name
    """`f` applied to each slice of `xs` along its first axis, results stacked.

    Args:
        f: a function of one slice (or one structure of slices).
        xs: a tensor or array, or a nested structure (lists, tuples, dicts) of them of equal
            first size; a Python list is a structure, as in Keras.

    Returns:
        The stacked results, in the structure `f` returns.

    Example:
        >>> map(lambda row: row.sum(), np.array([[1, 2], [3, 4]])).tolist()
        [3, 7]
    """
    leaves = [tensor(v) for v in flatten(xs)]
    outputs = [f(pack_like(xs, [leaf[i] for leaf in leaves])) for i in range(leaves[0].shape[0])]
    return _stack_structures(outputs)


def _stack_structures(outputs):
    flat = [flatten(o) for o in outputs]
    stacked = [torch.stack([tensor(v) for v in column]) for column in zip(*flat)]
    return pack_like(outputs[0], stacked)


@keras_op
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop `carry, y = f(carry, x)` over the slices `x` of `xs`.

    Args:
        f: a function `(carry, x) -> (carry, y)`.
        init: the first carry (a tensor or a nested structure of them).
        xs: tensors (or a structure of them) to slice along their first axis; None runs
            `length` steps with x=None.
        length: the number of steps when `xs` is None.
        reverse: loop from the last slice to the first (the `y`s keep `xs`' order).
        unroll: accepted for Keras compatibility (the loop is Python either way).

    Returns:
        `(final carry, stacked ys)`.

    Example:
        >>> carry, ys = scan(lambda c, x: (c + x, c), 0.0, np.array([1.0, 2.0, 3.0]))
        >>> float(carry), ys.tolist()
        (6.0, [0.0, 1.0, 3.0])
    """
    leaves = [tensor(v) for v in flatten(xs)] if xs is not None else []
    steps = leaves[0].shape[0] if leaves else length
    if steps is None:
        raise ValueError("scan expected xs or length; received neither.")
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    carry, ys = _tensors(init), []
    for i in order:
        x = pack_like(xs, [leaf[i] for leaf in leaves]) if xs is not None else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or builtins.all(y is None for y in ys):
        return carry, None
    return carry, _stack_structures(ys)


@keras_op
def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of `elems` along `axis` with the associative function `f`.

    Args:
        f: an associative function of two slices (addition gives `cumsum`).
        elems: a tensor or a nested structure of tensors with the same size along `axis`.
        reverse: scan from the end.
        axis: the axis to scan along.

    Returns:
        The scanned values, in `elems`' structure.

    Example:
        >>> associative_scan(lambda a, b: a * b, np.array([1, 2, 3, 4])).tolist()
        [1, 2, 6, 24]
    """
    leaves = [tensor(v) for v in flatten(elems)]
    size = leaves[0].shape[axis]
    order = range(size - 1, -1, -1) if reverse else range(size)
    result, outputs = None, [None] * size
    for i in order:
        current = pack_like(elems, [leaf.select(axis, i) for leaf in leaves])
        result = current if result is None else f(result, current)
        outputs[i] = result
    flat = [flatten(o) for o in outputs]
    stacked = [torch.stack([tensor(v) for v in column], dim=axis) for column in zip(*flat)]
    return pack_like(elems, stacked)


@keras_op
def vectorized_map(function, elements):
    """`function` applied to each slice of `elements` along the first axis, batched with
    `torch.vmap` (elements may be a nested structure of tensors)."""
    leaves = [tensor(v) for v in flatten(elements)]
    if not isinstance(elements, (list, tuple, dict)):
        return torch.vmap(function)(leaves[0])
    return torch.vmap(lambda *flat: function(pack_like(elements, list(flat))))(*leaves)


# -------------------------------------------------------------------------------- gradients
@keras_op
def stop_gradient(variable):
    """`variable` cut from the autograd graph (gradients do not flow back through it)."""
    return tensor(variable).detach()


def custom_gradient(f):
    """Decorate `f(*args)` returning `(output, grad_fn)` so that gradients through it come
    from `grad_fn(*args, upstream=...)` (Keras's torch-backend contract) instead of autograd.

    Example:
        >>> import torch
        >>> @custom_gradient
        ... def clipped_identity(x):
        ...     def grad(*args, upstream=None):
        ...         return torch.clamp(upstream, -1.0, 1.0)
        ...     return x, grad
        >>> x = torch.tensor([2.0], requires_grad=True)
        >>> (clipped_identity(x) * 5).sum().backward()
        >>> x.grad.tolist()
        [1.0]
    """

    def wrapped(*args, **kwargs):
        return _CustomGradient.apply(f, kwargs, *args)

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = getattr(f, "__doc__", None)
    return wrapped


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, f, kwargs, *args):
        with torch.enable_grad():
            output, grad_fn = f(*args, **kwargs)
        ctx.grad_fn = grad_fn
        ctx.save_for_backward(*[a for a in args if isinstance(a, torch.Tensor)])
        ctx.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor)]
        ctx.num_args = len(args)
        if isinstance(output, torch.Tensor):
            return output.detach()
        return tuple(o.detach() for o in output)

    @staticmethod
    def backward(ctx, *upstream):
        saved = ctx.saved_tensors
        grads = ctx.grad_fn(*saved, upstream=upstream[0] if len(upstream) == 1 else upstream)
        grads = grads if isinstance(grads, (list, tuple)) else (grads,)
        per_arg = [None] * ctx.num_args
        for position, grad in zip(ctx.tensor_positions, grads):
            per_arg[position] = grad
        return (None, None, *per_arg)


__all__ = [
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "custom_gradient",
    "dtype",
    "fori_loop",
    "is_tensor",
    "map",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
    "vectorized_map",
    "while_loop",
]
