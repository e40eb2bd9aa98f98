"""Argument builders for every op of Keras's `ops/math.py` (exported as `keras.ops.<name>`)."""

from __future__ import annotations

import numpy as np
import scipy.spatial.distance as ssd
import scipy.special as sp
from ops.harness import Case


def f32(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype("float32")


def _segment_ref(reduce, start):
    def ref(data, ids, num_segments=None, **_):
        n = int(ids.max()) + 1 if num_segments is None else num_segments
        out = np.full((n, *data.shape[1:]), start, dtype=data.dtype)
        for i, s in enumerate(ids):
            if 0 <= s < n:
                out[s] = reduce(out[s], data[i])
        return out

    return ref


_IDS = np.array([0, 0, 1, 3, 3, 3])
CASES = []
for name, reduce, start in [
    ("segment_sum", np.add, 0.0),
    ("segment_prod", np.multiply, 1.0),
    ("segment_max", np.maximum, -np.inf),
    ("segment_min", np.minimum, np.inf),
]:
    ref = _segment_ref(reduce, start)
    CASES += [
        Case(f"math.{name}", "inferred", lambda r: ((f32(r, 6, 3), _IDS), {}), reference=ref),
        Case(
            f"math.{name}",
            "num_segments",
            lambda r: ((f32(r, 6), _IDS), {"num_segments": 5}),
            reference=ref,
        ),
    ]


def _top_k_ref(x, k, sorted=True):
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, -1), order


def _complex_pair(r, *shape):
    return (f32(r, *shape), f32(r, *shape))


def _as_pair(z):
    return z.real.astype("float32"), z.imag.astype("float32")


def _stft_input(fft_length=8, **kwargs):
    return lambda r: ((f32(r, 2, 32), 8, 4, fft_length), dict(kwargs))


def _istft_input(seq, stride, fft, **kwargs):
    def build(r):
        import torch

        signal = torch.from_numpy(f32(r, 2, 40))
        spec = torch.stft(
            signal,
            fft,
            stride,
            seq,
            window=torch.hann_window(seq),
            center=kwargs.get("center", True),
            return_complex=True,
        ).transpose(-2, -1)
        x = (spec.real.numpy().copy(), spec.imag.numpy().copy())
        return (x, seq, stride, fft), dict(kwargs)

    return build


CASES += [
    Case("math.top_k", "sorted", lambda r: ((f32(r, 3, 6), 3), {}), reference=_top_k_ref),
    Case(
        "math.in_top_k",
        "basic",
        lambda r: ((r.randint(0, 5, 6), f32(r, 6, 5), 2), {}),
    ),
    Case(
        "math.logsumexp",
        "all",
        lambda r: ((f32(r, 3, 4),), {}),
        reference=lambda x: sp.logsumexp(x).astype("float32"),
    ),
    Case(
        "math.logsumexp",
        "axis_keepdims",
        lambda r: ((f32(r, 3, 4),), {"axis": 1, "keepdims": True}),
        reference=lambda x, axis, keepdims: sp.logsumexp(x, axis=axis, keepdims=keepdims),
    ),
    Case(
        "math.cdist",
        "2d",
        lambda r: ((f32(r, 3, 4), f32(r, 5, 4)), {}),
        reference=lambda x, y: ssd.cdist(x, y).astype("float32"),
    ),
    Case("math.cdist", "batched", lambda r: ((f32(r, 2, 3, 4), f32(r, 2, 5, 4)), {})),
    Case("math.extract_sequences", "basic", lambda r: ((f32(r, 2, 10), 4, 3), {})),
    Case(
        "math.fft",
        "basic",
        lambda r: ((_complex_pair(r, 2, 8),), {}),
        reference=lambda x: _as_pair(np.fft.fft(x[0] + 1j * x[1])),
    ),
    Case(
        "math.fft2",
        "basic",
        lambda r: ((_complex_pair(r, 2, 4, 6),), {}),
        reference=lambda x: _as_pair(np.fft.fft2(x[0] + 1j * x[1])),
    ),
    Case(
        "math.ifft2",
        "basic",
        lambda r: ((_complex_pair(r, 2, 4, 6),), {}),
        reference=lambda x: _as_pair(np.fft.ifft2(x[0] + 1j * x[1])),
    ),
    Case(
        "math.rfft",
        "basic",
        lambda r: ((f32(r, 2, 8),), {}),
        reference=lambda x: _as_pair(np.fft.rfft(x)),
    ),
    Case("math.rfft", "fft_length", lambda r: ((f32(r, 2, 8),), {"fft_length": 6})),
    Case(
        "math.irfft",
        "fft_length",
        lambda r: ((_complex_pair(r, 2, 5),), {"fft_length": 8}),
        reference=lambda x, fft_length: np.fft.irfft(x[0] + 1j * x[1], n=fft_length).astype(
            "float32"
        ),
    ),
    Case("math.stft", "hann", _stft_input(), rtol=1e-4, atol=1e-4),
    Case("math.stft", "wide_fft", _stft_input(fft_length=16), rtol=1e-4, atol=1e-4),
    Case(
        "math.stft",
        "hamming_no_center",
        _stft_input(window="hamming", center=False),
        rtol=1e-4,
        atol=1e-4,
    ),
    Case("math.stft", "no_window", _stft_input(window=None), rtol=1e-4, atol=1e-4),
    Case("math.istft", "torch_path", _istft_input(8, 4, 8), rtol=1e-4, atol=1e-4),
    Case("math.istft", "wide_fft", _istft_input(8, 4, 16), rtol=1e-4, atol=1e-4),
    Case(
        "math.istft",
        "no_center_length",
        _istft_input(8, 2, 8, center=False, length=30),
        rtol=1e-4,
        atol=1e-4,
    ),
    Case(
        "math.rsqrt",
        "basic",
        lambda r: ((np.abs(f32(r, 3, 4)) + 0.1,), {}),
        reference=lambda x: 1 / np.sqrt(x),
    ),
    Case("math.erf", "basic", lambda r: ((f32(r, 3, 4),), {}), reference=sp.erf),
    Case("math.erfc", "basic", lambda r: ((f32(r, 3, 4),), {}), reference=sp.erfc),
    Case(
        "math.erfinv",
        "basic",
        lambda r: ((r.uniform(-0.95, 0.95, (3, 4)).astype("float32"),), {}),
        reference=sp.erfinv,
        rtol=1e-4,
    ),
    Case(
        "math.logdet",
        "spd",
        lambda r: (lambda a: ((a @ a.transpose(0, 2, 1) + 3 * np.eye(3, dtype="float32"),), {}))(
            f32(r, 2, 3, 3)
        ),
        reference=lambda x: np.linalg.slogdet(x)[1].astype("float32"),
        rtol=1e-4,
    ),
    Case(
        "math.view_as_complex",
        "basic",
        lambda r: ((f32(r, 3, 2),), {}),
        reference=lambda x: (x[:, 0] + 1j * x[:, 1]).astype("complex64"),
    ),
    Case(
        "math.view_as_real",
        "basic",
        lambda r: (((f32(r, 3) + 1j * f32(r, 3)).astype("complex64"),), {}),
        reference=lambda z: np.stack([z.real, z.imag], -1),
    ),
]
