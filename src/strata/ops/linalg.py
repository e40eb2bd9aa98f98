"""Keras 3 ops: linalg (`keras.ops.linalg`), on `torch.linalg`.

Batched inputs `(..., m, n)` work everywhere torch allows them. Results follow NumPy's
conventions as Keras documents them: `svd` returns `(u, s, vh)`, `lu_factor` returns 0-based
pivots, `lstsq` returns only the solution.
"""

from __future__ import annotations

import torch

from strata.ops._symbolic import keras_op
from strata.ops._tensors import float_tensor, like

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "eig",
    "eigh",
    "inv",
    "jvp",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]


def _square(x, op):
    x = float_tensor(x)
    if x.dim() < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{op} expected square matrices (..., n, n); received {tuple(x.shape)}.")
    return x


@keras_op
def cholesky(x, upper=False):
    """Cholesky factor of symmetric positive definite matrices: `x = L @ L.T` (or `U.T @ U`).

    Example:
        >>> cholesky([[4.0, 2.0], [2.0, 2.0]]).tolist()
        [[2.0, 0.0], [1.0, 1.0]]
    """
    return torch.linalg.cholesky(_square(x, "cholesky"), upper=upper)


@keras_op
def cholesky_inverse(x, upper=False):
    """Inverse of `A` given its Cholesky factor `x` (lower, or upper with `upper=True`).

    Example:
        >>> cholesky_inverse([[2.0, 0.0], [0.0, 1.0]]).diagonal().tolist()
        [0.25, 1.0]
    """
    return torch.cholesky_inverse(_square(x, "cholesky_inverse"), upper=upper)


@keras_op
def det(x):
    """Determinants of square matrices.

    Example:
        >>> det([[2.0, 0.0], [0.0, 3.0]]).item()
        6.0
    """
    return torch.linalg.det(_square(x, "det"))


@keras_op
def eig(x):
    """Eigenvalues and right eigenvectors of general square matrices (complex results).

    Returns:
        `(eigenvalues, eigenvectors)`; column `i` of the eigenvectors goes with eigenvalue `i`.

    Example:
        >>> eig([[2.0, 0.0], [0.0, 3.0]])[0].real.tolist()
        [2.0, 3.0]
    """
    return tuple(torch.linalg.eig(_square(x, "eig")))


@keras_op
def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of symmetric/Hermitian matrices.

    Example:
        >>> eigh([[2.0, 0.0], [0.0, 1.0]])[0].tolist()
        [1.0, 2.0]
    """
    return tuple(torch.linalg.eigh(_square(x, "eigh")))


@keras_op
def inv(x):
    """Inverses of square matrices.

    Example:
        >>> inv([[2.0, 0.0], [0.0, 4.0]]).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    return torch.linalg.inv(_square(x, "inv"))


@keras_op
def lu_factor(x):
    """LU factorization with partial pivoting, in LAPACK's compact form.

    Returns:
        `(lu, pivots)`: `L` (unit diagonal, below) and `U` share `lu`; `pivots[i]` is the
        (0-based) row swapped with row `i`.

    Example:
        >>> lu_factor([[1.0, 2.0], [3.0, 4.0]])[1].tolist()
        [1, 1]
    """
    lu, pivots = torch.linalg.lu_factor(float_tensor(x))
    return lu, pivots - 1


@keras_op
def matrix_rank(x, tol=None):
    """Numerical ranks: singular values above `tol` (default: NumPy's rule) count.

    Example:
        >>> matrix_rank([[1.0, 2.0], [2.0, 4.0]]).item()
        1
    """
    return torch.linalg.matrix_rank(float_tensor(x), atol=tol).to(torch.int32)


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norms with NumPy's `ord` and `axis` conventions.

    Args:
        x: input tensor.
        ord: None, `"fro"`, `"nuc"`, a number or +-inf.
        axis: None (the whole tensor), an int (vector norms) or a pair (matrix norms).
        keepdims: keep the reduced axes with size 1.

    Returns:
        The norms.

    Example:
        >>> norm([3.0, 4.0]).item()
        5.0
    """
    x = float_tensor(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    if axis is None and ord is not None and x.dim() not in (1, 2):
        raise ValueError(
            f"norm with ord={ord!r} and axis=None expected a 1-D or 2-D input; received "
            f"{tuple(x.shape)}."
        )
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


@keras_op
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse; singular values below `rcond * largest` are dropped.

    Example:
        >>> pinv([[2.0, 0.0], [0.0, 0.0]]).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    return torch.linalg.pinv(float_tensor(x), rtol=rcond)


@keras_op
def qr(x, mode="reduced"):
    """QR decomposition; `mode` is `"reduced"` or `"complete"`.

    Returns:
        `(q, r)`.

    Example:
        >>> [t.shape for t in qr(torch.ones(3, 2))]
        [torch.Size([3, 2]), torch.Size([2, 2])]
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr expected mode 'reduced' or 'complete'; received {mode!r}.")
    return tuple(torch.linalg.qr(float_tensor(x), mode=mode))


@keras_op
def solve(a, b):
    """Solve `a @ x = b` for square `a`; `b` is `(..., n)` or `(..., n, k)`.

    Example:
        >>> solve([[2.0, 0.0], [0.0, 4.0]], [2.0, 4.0]).tolist()
        [1.0, 1.0]
    """
    a = _square(a, "solve")
    return torch.linalg.solve(a, like(b, a))


@keras_op
def solve_triangular(a, b, lower=False):
    """Solve `a @ x = b` for triangular `a` (upper unless `lower=True`).

    Example:
        >>> solve_triangular([[1.0, 0.0], [1.0, 1.0]], [1.0, 2.0], lower=True).tolist()
        [1.0, 1.0]
    """
    a = _square(a, "solve_triangular")
    b = like(b, a)
    if b.dim() == a.dim() - 1:
        return torch.linalg.solve_triangular(a, b.unsqueeze(-1), upper=not lower).squeeze(-1)
    return torch.linalg.solve_triangular(a, b, upper=not lower)


@keras_op
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition `x = u @ diag(s) @ vh`.

    Returns:
        `(u, s, vh)`, or only `s` (descending) when `compute_uv=False`.

    Example:
        >>> svd([[3.0, 0.0], [0.0, 2.0]], compute_uv=False).tolist()
        [3.0, 2.0]
    """
    x = float_tensor(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


@keras_op
def lstsq(a, b, rcond=None):
    """Least-squares solution of `a @ x = b` (`a` is `(m, n)`, `b` is `(m,)` or `(m, k)`).

    Args:
        a: coefficient matrix.
        b: right-hand side(s).
        rcond: singular values below `rcond * largest` are treated as zero.

    Returns:
        `x`, `(n,)` or `(n, k)`.

    Example:
        >>> lstsq([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [1.0, 2.0, 3.0]).tolist()
        [1.0, 2.0]
    """
    a = float_tensor(a)
    b = like(b, a)
    vector = b.dim() == a.dim() - 1
    if vector:
        b = b.unsqueeze(-1)
    if rcond is None and a.device.type == "cpu":
        x = torch.linalg.lstsq(a, b).solution
    else:
        # The pseudo-inverse honours rcond on every device (torch's CUDA lstsq has no rcond).
        x = torch.linalg.pinv(a, rtol=rcond) @ b
    return x.squeeze(-1) if vector else x


@keras_op
def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product of `fun` at `primals` along `tangents` (forward mode).

    Args:
        fun: a function of tensors.
        primals: tuple of inputs.
        tangents: tuple of tangents, shaped like `primals`.
        has_aux: `fun` returns `(output, aux)`; `aux` is returned untouched.

    Returns:
        `(output, jvp)` or `(output, jvp, aux)`.

    Example:
        >>> jvp(lambda x: x * x, (torch.tensor(3.0),), (torch.tensor(1.0),))[1].item()
        6.0
    """
    primals = tuple(float_tensor(p) for p in primals)
    tangents = tuple(like(t, p) for t, p in zip(tangents, primals, strict=True))
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
