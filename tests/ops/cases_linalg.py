"""Argument builders for every op of `keras.ops.linalg` (see harness.py)."""

from __future__ import annotations

import numpy as np
import scipy.linalg as sl
import torch
from ops.harness import Case


def f32(rng, *shape):
    return rng.normal(size=shape).astype("float32")


def spd(rng, *batch, n=3):
    a = f32(rng, *batch, n, n)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n, dtype="float32")).astype("float32")


def lower(rng, n=3):
    return (np.tril(f32(rng, n, n)) + 3 * np.eye(n, dtype="float32")).astype("float32")


def _check_svd(outputs, args, kwargs):
    u, s, vh = outputs
    x = args[0]
    k = s.shape[-1]
    rebuilt = (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]
    np.testing.assert_allclose(rebuilt, x, atol=1e-4)
    np.testing.assert_allclose(s, np.linalg.svd(x, compute_uv=False), rtol=1e-4)
    eye = np.broadcast_to(np.eye(u.shape[-1]), u.shape[:-2] + (u.shape[-1],) * 2)
    np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u, eye, atol=1e-4)


def _check_eigh(outputs, args, kwargs):
    w, v = outputs
    x = args[0]
    np.testing.assert_allclose(w, np.linalg.eigvalsh(x), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(x @ v, v * w[..., None, :], atol=1e-4)


def _check_eig(outputs, args, kwargs):
    w, v = outputs
    x = args[0].astype("complex64")
    np.testing.assert_allclose(
        np.sort_complex(w), np.sort_complex(np.linalg.eigvals(args[0])), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(x @ v, v * w[..., None, :], atol=1e-4)


def _check_qr(outputs, args, kwargs):
    q, r = outputs
    np.testing.assert_allclose(q @ r, args[0], atol=1e-5)
    eye = np.broadcast_to(np.eye(q.shape[-1]), q.shape[:-2] + (q.shape[-1],) * 2)
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, eye, atol=1e-5)
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-6)


def _jvp_build(has_aux):
    def build(r):
        x = torch.from_numpy(f32(r, 3))
        t = torch.from_numpy(f32(r, 3))
        if has_aux:
            return (lambda v: (v * v * v, v.sum()), (x,), (t,)), {"has_aux": True}
        return (lambda v: v * v + 2 * v, (x,), (t,)), {}

    return build


def _jvp_reference(fun, primals, tangents, has_aux=False):
    x, t = primals[0].numpy(), tangents[0].numpy()
    if has_aux:
        return x**3, 3 * x * x * t, x.sum()
    return x * x + 2 * x, (2 * x + 2) * t


CASES = [
    Case(
        "linalg.cholesky",
        "batched",
        lambda r: ((spd(r, 2),), {}),
        reference=lambda x: np.linalg.cholesky(x),
        rtol=1e-4,
    ),
    Case(
        "linalg.cholesky",
        "upper",
        lambda r: ((spd(r),), {"upper": True}),
        reference=lambda x, upper: np.linalg.cholesky(x).T,
        rtol=1e-4,
    ),
    Case(
        "linalg.cholesky_inverse",
        "lower",
        lambda r: ((lower(r),), {}),
        reference=lambda L: np.linalg.inv(L @ L.T),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "linalg.cholesky_inverse",
        "upper",
        lambda r: ((lower(r).T.copy(),), {"upper": True}),
        reference=lambda U, upper: np.linalg.inv(U.T @ U),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "linalg.det",
        "batched",
        lambda r: ((f32(r, 2, 3, 3),), {}),
        reference=np.linalg.det,
        rtol=1e-4,
    ),
    Case("linalg.inv", "basic", lambda r: ((spd(r, 2),), {}), reference=np.linalg.inv, rtol=1e-4),
    Case(
        "linalg.solve",
        "matrix",
        lambda r: ((spd(r), f32(r, 3, 2)), {}),
        reference=np.linalg.solve,
        rtol=1e-4,
    ),
    Case("linalg.solve", "batched", lambda r: ((spd(r, 2), f32(r, 2, 3, 1)), {}), rtol=1e-4),
    Case(
        "linalg.solve_triangular",
        "lower_vector",
        lambda r: ((lower(r), f32(r, 3)), {"lower": True}),
        reference=lambda a, b, lower: sl.solve_triangular(a, b, lower=lower),
        rtol=1e-4,
    ),
    Case(
        "linalg.solve_triangular",
        "upper_matrix",
        lambda r: ((lower(r).T.copy(), f32(r, 3, 2)), {}),
        reference=lambda a, b: sl.solve_triangular(a, b, lower=False),
        rtol=1e-4,
    ),
    Case(
        "linalg.lstsq",
        "matrix",
        lambda r: ((f32(r, 5, 3), f32(r, 5, 2)), {}),
        reference=lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "linalg.lstsq",
        "vector_rcond",
        lambda r: ((f32(r, 5, 3), f32(r, 5)), {"rcond": 1e-3}),
        reference=lambda a, b, rcond: np.linalg.lstsq(a, b, rcond=rcond)[0],
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "linalg.lu_factor",
        "basic",
        lambda r: ((f32(r, 4, 4),), {}),
        reference=lambda x: sl.lu_factor(x),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "linalg.matrix_rank",
        "deficient",
        lambda r: (lambda a: ((a @ a.T,), {}))(f32(r, 4, 2)),
        reference=lambda x: np.int32(np.linalg.matrix_rank(x)),
    ),
    Case(
        "linalg.matrix_rank",
        "tol",
        lambda r: ((np.diag([3.0, 1.0, 1e-3]).astype("float32"),), {"tol": 0.01}),
    ),
    Case(
        "linalg.norm",
        "flat",
        lambda r: ((f32(r, 3, 4),), {}),
        reference=lambda x: np.linalg.norm(x),
    ),
    Case(
        "linalg.norm",
        "vector_ord1",
        lambda r: ((f32(r, 3, 4),), {"ord": 1, "axis": 1}),
        reference=lambda x, **k: np.linalg.norm(x, **k),
    ),
    Case("linalg.norm", "vector_inf", lambda r: ((f32(r, 3, 4),), {"ord": np.inf, "axis": -1})),
    Case(
        "linalg.norm",
        "fro_keepdims",
        lambda r: ((f32(r, 2, 3, 4),), {"ord": "fro", "axis": (1, 2), "keepdims": True}),
        reference=lambda x, **k: np.linalg.norm(x, **k),
    ),
    Case(
        "linalg.norm",
        "nuc",
        lambda r: ((f32(r, 3, 4),), {"ord": "nuc"}),
        reference=lambda x, **k: np.linalg.norm(x, **k),
        rtol=1e-4,
    ),
    Case(
        "linalg.norm",
        "matrix_2",
        lambda r: ((f32(r, 3, 4),), {"ord": 2}),
        reference=lambda x, **k: np.linalg.norm(x, **k),
        rtol=1e-4,
    ),
    Case(
        "linalg.pinv",
        "basic",
        lambda r: ((f32(r, 4, 3),), {}),
        reference=np.linalg.pinv,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "linalg.pinv",
        "rcond",
        lambda r: ((np.diag([2.0, 1e-4]).astype("float32"),), {"rcond": 1e-2}),
    ),
    Case("linalg.qr", "reduced", lambda r: ((f32(r, 4, 3),), {}), check=_check_qr),
    Case(
        "linalg.qr",
        "complete",
        lambda r: ((f32(r, 2, 4, 3),), {"mode": "complete"}),
        check=_check_qr,
    ),
    Case(
        "linalg.svd",
        "values",
        lambda r: ((f32(r, 2, 4, 3),), {"compute_uv": False}),
        reference=lambda x, compute_uv: np.linalg.svd(x, compute_uv=False),
        rtol=1e-4,
    ),
    Case(
        "linalg.svd",
        "full",
        lambda r: ((f32(r, 4, 3),), {}),
        fixture=False,
        check=_check_svd,
        why="singular vectors are unique only up to sign; checked by reconstruction",
    ),
    Case(
        "linalg.svd",
        "reduced",
        lambda r: ((f32(r, 2, 3, 5),), {"full_matrices": False}),
        fixture=False,
        check=_check_svd,
        why="singular vectors are unique only up to sign; checked by reconstruction",
    ),
    Case(
        "linalg.eigh",
        "basic",
        lambda r: ((spd(r, 2),), {}),
        fixture=False,
        check=_check_eigh,
        why="eigenvectors are unique only up to sign; checked against NumPy's eigenvalues",
    ),
    Case(
        "linalg.eig",
        "basic",
        lambda r: ((f32(r, 3, 3),), {}),
        fixture=False,
        check=_check_eig,
        why="eigenvectors are unique only up to phase; checked against NumPy's eigenvalues",
    ),
    Case("linalg.jvp", "plain", _jvp_build(False), reference=_jvp_reference),
    Case("linalg.jvp", "has_aux", _jvp_build(True), reference=_jvp_reference),
]
