"""Gradients flow through strata.ops: torch's gradcheck (analytic vs finite differences, in
float64) over the differentiable ops, plus custom_gradient and stop_gradient."""

import pytest
import torch
from op_cases import f32

from strata import ops


def _x(shape=(2, 3), domain="any"):
    # Distinct values away from kinks and ties (abs at 0, max of equal elements).
    base = torch.from_numpy(f32(shape, domain)).double()
    jitter = torch.arange(base.numel(), dtype=torch.float64).reshape(shape) * 0.013
    return (base + jitter + 0.007).requires_grad_(True)


UNARY = (
    "abs cos cosh sin sinh tan tanh arctan arcsinh exp exp2 expm1 cbrt deg2rad rad2deg sinc "
    "negative square sqrt log log10 log1p log2 reciprocal"
).split()
POSITIVE = {"sqrt", "log", "log10", "log1p", "log2", "reciprocal", "cbrt"}

FUNCTIONS = {
    **{
        f"unary:{n}": (lambda t, n=n: getattr(ops, n)(t), "pos" if n in POSITIVE else "any")
        for n in UNARY
    },
    "arccos": (lambda t: ops.arccos(t), "unit"),
    "arcsin": (lambda t: ops.arcsin(t), "unit"),
    "arctanh": (lambda t: ops.arctanh(t), "unit"),
    "arccosh": (lambda t: ops.arccosh(t + 0.1), "ge1"),
    "add": (lambda t: ops.add(t, t * 3), "any"),
    "subtract": (lambda t: ops.subtract(2.0, t), "any"),
    "multiply": (lambda t: ops.multiply(t, t[0]), "any"),
    "divide": (lambda t: ops.divide(1.0, t), "pos"),
    "power": (lambda t: ops.power(t, 3), "any"),
    "maximum": (lambda t: ops.maximum(t, 0.3), "any"),
    "arctan2": (lambda t: ops.arctan2(t, t.flip(0) + 3.0), "any"),
    "hypot": (lambda t: ops.hypot(t, 1.5), "any"),
    "logaddexp": (lambda t: ops.logaddexp(t, t * 2), "any"),
    "sum": (lambda t: ops.sum(t, axis=1), "any"),
    "mean": (lambda t: ops.mean(t, axis=0, keepdims=True), "any"),
    "prod": (lambda t: ops.prod(t, axis=1), "any"),
    "max": (lambda t: ops.max(t, axis=1), "any"),
    "min": (lambda t: ops.min(t), "any"),
    "std": (lambda t: ops.std(t, axis=1), "any"),
    "var": (lambda t: ops.var(t), "any"),
    "cumsum": (lambda t: ops.cumsum(t, axis=1), "any"),
    "cumprod": (lambda t: ops.cumprod(t, axis=0), "any"),
    "median": (lambda t: ops.median(t, axis=1), "any"),
    "quantile": (lambda t: ops.quantile(t, 0.3, axis=1), "any"),
    "average": (lambda t: ops.average(t, axis=1, weights=[1.0, 2.0, 3.0]), "any"),
    "matmul": (lambda t: ops.matmul(t, t.T), "any"),
    "dot": (lambda t: ops.dot(t, t.T), "any"),
    "tensordot": (lambda t: ops.tensordot(t, t, axes=2), "any"),
    "einsum": (lambda t: ops.einsum("ij,kj->ik", t, t), "any"),
    "outer": (lambda t: ops.outer(t[0], t[1]), "any"),
    "kron": (lambda t: ops.kron(t, t[:1]), "any"),
    "trace": (lambda t: ops.trace(ops.matmul(t, t.T)), "any"),
    "concatenate": (lambda t: ops.concatenate([t, t * 2], axis=-1), "any"),
    "stack": (lambda t: ops.stack([t, -t], axis=1), "any"),
    "reshape": (lambda t: ops.reshape(t, (3, 2)), "any"),
    "transpose": (lambda t: ops.transpose(t), "any"),
    "take": (lambda t: ops.take(t, [2, 0], axis=1), "any"),
    "take_along_axis": (lambda t: ops.take_along_axis(t, [[1], [0]], axis=1), "any"),
    "where": (lambda t: ops.where(t > 0, t, t * t), "any"),
    "clip": (lambda t: ops.clip(t, -1.0, 1.0), "any"),
    "sort": (lambda t: ops.sort(t, axis=1), "any"),
    "pad": (lambda t: ops.pad(t, 1, mode="reflect"), "any"),
    "roll": (lambda t: ops.roll(t, 1, axis=1), "any"),
    "tile": (lambda t: ops.tile(t, (1, 2)), "any"),
    "repeat": (lambda t: ops.repeat(t, 2, axis=0), "any"),
    "flip": (lambda t: ops.flip(t), "any"),
    "tril": (lambda t: ops.tril(t), "any"),
    "diff": (lambda t: ops.diff(t), "any"),
    "trapezoid": (lambda t: ops.trapezoid(t), "any"),
    "slice": (lambda t: ops.slice(t, (0, 1), (2, 2)), "any"),
    "slice_update": (lambda t: ops.slice_update(t, (0, 1), t[:1, :2] * 3), "any"),
    "scatter_update": (lambda t: ops.scatter_update(t, [[0, 0]], t[1, :1]), "any"),
    "logsumexp_like": (lambda t: ops.log(ops.sum(ops.exp(t))), "any"),
    "scan": (lambda t: ops.scan(lambda c, x: (c * x + 1, c), t[0] * 0 + 1, t)[0], "any"),
    "fori_loop": (lambda t: ops.fori_loop(0, 3, lambda i, v: v * t, t), "any"),
    "map": (lambda t: ops.map(lambda row: ops.sum(row * row), t), "any"),
    "vectorized_map": (lambda t: ops.vectorized_map(lambda row: row * row.sum(), t), "any"),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradcheck(name):
    function, domain = FUNCTIONS[name]
    assert torch.autograd.gradcheck(function, (_x(domain=domain),), eps=1e-6, atol=1e-5)


def test_custom_gradient_replaces_autograd():
    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad

    x = torch.tensor([0.0, 2.0, 100.0], requires_grad=True)
    log1pexp(x).sum().backward()
    assert torch.allclose(x.grad, torch.sigmoid(x.detach()))  # finite even at x=100


def test_custom_gradient_with_two_arguments():
    @ops.custom_gradient
    def scaled(x, y):
        def grad(x, y, upstream=None):
            return upstream * 10.0, upstream * 20.0

        return x * y, grad

    x = torch.ones(2, requires_grad=True)
    y = torch.ones(2, requires_grad=True)
    scaled(x, y).sum().backward()
    assert x.grad.tolist() == [10.0, 10.0] and y.grad.tolist() == [20.0, 20.0]


def test_stop_gradient_blocks_the_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = ops.add(ops.stop_gradient(ops.square(x)), x)
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
