"""Keras 3 ops: math (Keras's `keras.src.ops.math`, exported as `keras.ops.<name>`).

Segment reductions, top-k, log-sum-exp, distances, framing, Fourier transforms (complex numbers
travel as `(real, imag)` pairs, as in Keras), STFT/ISTFT, error functions and `logdet`.
Keras has no public `keras.ops.math` module; these names live at `keras.ops` top level, and so
they do in `strata.ops` (and in `strata.ops.math`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from strata.ops._symbolic import keras_op
from strata.ops._tensors import axes_tuple, float_tensor, like, tensor

__all__ = [
    "cdist",
    "erf",
    "erfc",
    "erfinv",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "in_top_k",
    "irfft",
    "istft",
    "logdet",
    "logsumexp",
    "rfft",
    "rsqrt",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "stft",
    "top_k",
    "view_as_complex",
    "view_as_real",
]

_SEGMENT_START = {"sum": 0.0, "prod": 1.0, "amax": -float("inf"), "amin": float("inf")}


def _segment(data, segment_ids, num_segments, reduction):
    data = tensor(data)
    ids = tensor(segment_ids).long().to(data.device)
    if ids.dim() != 1 or ids.shape[0] != data.shape[0]:
        raise ValueError(
            f"segment ops expected 1-D segment_ids of length {data.shape[0]} (data's first "
            f"dimension); received shape {tuple(ids.shape)}."
        )
    if num_segments is None:
        num_segments = int(ids.max().item()) + 1 if ids.numel() else 0
    # Ids outside [0, num_segments) go to an extra row that is dropped at the end.
    ids = torch.where((ids >= 0) & (ids < num_segments), ids, num_segments)
    work = data if data.is_floating_point() else data.double()
    out = torch.full(
        (num_segments + 1, *data.shape[1:]),
        _SEGMENT_START[reduction],
        dtype=work.dtype,
        device=data.device,
    )
    index = ids.reshape(-1, *(1,) * (data.dim() - 1)).expand_as(data)
    out = out.scatter_reduce(0, index, work, reduction)
    return out[:-1].to(data.dtype)


@keras_op
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of the rows of `data` that share a segment id.

    Args:
        data: tensor whose first dimension is indexed by `segment_ids`.
        segment_ids: 1-D integer ids; ids outside `[0, num_segments)` are ignored.
        num_segments: number of output rows (default: the largest id + 1).
        sorted: accepted for compatibility (the result does not depend on it).

    Returns:
        `(num_segments, *data.shape[1:])`.

    Example:
        >>> segment_sum([1.0, 2.0, 3.0], [0, 0, 1]).tolist()
        [3.0, 3.0]
    """
    return _segment(data, segment_ids, num_segments, "sum")


@keras_op
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maxima per segment (empty segments give -inf); arguments as in `segment_sum`.

    Example:
        >>> segment_max([1.0, 2.0, 3.0], [0, 0, 1]).tolist()
        [2.0, 3.0]
    """
    return _segment(data, segment_ids, num_segments, "amax")


@keras_op
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minima per segment (empty segments give inf); arguments as in `segment_sum`.

    Example:
        >>> segment_min([1.0, 2.0, 3.0], [0, 0, 1]).tolist()
        [1.0, 3.0]
    """
    return _segment(data, segment_ids, num_segments, "amin")


@keras_op
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Products per segment (empty segments give 1); arguments as in `segment_sum`.

    Example:
        >>> segment_prod([1.0, 2.0, 3.0], [0, 0, 1]).tolist()
        [2.0, 3.0]
    """
    return _segment(data, segment_ids, num_segments, "prod")


@keras_op
def top_k(x, k, sorted=True):
    """The `k` largest values along the last axis and their indices.

    Returns:
        `(values, indices)`.

    Example:
        >>> top_k([1.0, 3.0, 2.0], 2).values.tolist()
        [3.0, 2.0]
    """
    return torch.topk(tensor(x), k, dim=-1, sorted=sorted)


@keras_op
def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest predictions (ties count as in).

    Args:
        targets: `(batch,)` class indices.
        predictions: `(batch, classes)` scores.
        k: how many top classes count.

    Returns:
        `(batch,)` booleans.

    Example:
        >>> in_top_k([2, 0], [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]], 1).tolist()
        [True, True]
    """
    predictions = tensor(predictions)
    targets = tensor(targets).long().to(predictions.device)
    kth = torch.topk(predictions, k, dim=-1).values[..., -1:]
    chosen = predictions.gather(-1, targets[:, None])
    return (chosen >= kth).squeeze(-1)


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis` (None: all), computed stably.

    Example:
        >>> round(logsumexp([0.0, 0.0]).item(), 4)
        0.6931
    """
    x = float_tensor(x)
    return torch.logsumexp(x, dim=axes_tuple(axis, x.dim()), keepdim=keepdims)


@keras_op
def cdist(x, y):
    """Euclidean distances between the rows of `x` `(..., m, d)` and `y` `(..., n, d)`.

    Example:
        >>> cdist([[0.0, 0.0]], [[3.0, 4.0]]).tolist()
        [[5.0]]
    """
    x = float_tensor(x)
    y = like(y, x)
    if x.dim() < 2 or y.dim() < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError(
            "cdist expected inputs of rank >= 2 with the same last dimension; received "
            f"{tuple(x.shape)} and {tuple(y.shape)}."
        )
    return torch.cdist(x, y)


@keras_op
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` samples, every `sequence_stride`, along the last axis.

    Example:
        >>> extract_sequences([1.0, 2.0, 3.0, 4.0], 2, 2).tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    return tensor(x).unfold(-1, sequence_length, sequence_stride)


def _complex(x, op):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op} expected a tuple (real, imag) of two tensors; received {x!r}.")
    real = float_tensor(x[0])
    imag = like(x[1], real)
    if real.shape != imag.shape:
        raise ValueError(
            f"{op} expected real and imaginary parts of the same shape; received "
            f"{tuple(real.shape)} and {tuple(imag.shape)}."
        )
    return torch.complex(real, imag)


def _pair(z):
    return z.real, z.imag


@keras_op
def fft(x):
    """Discrete Fourier transform along the last axis of `x = (real, imag)`.

    Returns:
        `(real, imag)`.

    Example:
        >>> fft(([1.0, 0.0], [0.0, 0.0]))[0].tolist()
        [1.0, 1.0]
    """
    return _pair(torch.fft.fft(_complex(x, "fft")))


@keras_op
def fft2(x):
    """2-D discrete Fourier transform over the last two axes of `x = (real, imag)`.

    Example:
        >>> fft2(([[1.0, 0.0]], [[0.0, 0.0]]))[0].tolist()
        [[1.0, 1.0]]
    """
    return _pair(torch.fft.fft2(_complex(x, "fft2")))


@keras_op
def ifft2(x):
    """Inverse 2-D discrete Fourier transform of `x = (real, imag)`.

    Example:
        >>> ifft2(([[2.0, 0.0]], [[0.0, 0.0]]))[0].tolist()
        [[1.0, 1.0]]
    """
    return _pair(torch.fft.ifft2(_complex(x, "ifft2")))


@keras_op
def rfft(x, fft_length=None):
    """Fourier transform of a real signal along the last axis (`fft_length // 2 + 1` bins).

    Example:
        >>> rfft([1.0, 1.0])[0].tolist()
        [2.0, 0.0]
    """
    return _pair(torch.fft.rfft(float_tensor(x), n=fft_length, dim=-1))


@keras_op
def irfft(x, fft_length=None):
    """Inverse of `rfft`: a real signal from `x = (real, imag)` half-spectra.

    Example:
        >>> irfft(([2.0, 0.0], [0.0, 0.0])).tolist()
        [1.0, 1.0]
    """
    return torch.fft.irfft(_complex(x, "irfft"), n=fft_length, dim=-1)


def _window(window, sequence_length, dtype, device):
    if window is None:
        return None
    if isinstance(window, str):
        makers = {"hann": torch.hann_window, "hamming": torch.hamming_window}
        if window not in makers:
            raise ValueError(
                f"`window` expected 'hann', 'hamming', a tensor or None; received {window!r}."
            )
        return makers[window](sequence_length, periodic=True, dtype=dtype, device=device)
    win = like(window, torch.empty(0, dtype=dtype, device=device))
    if win.shape != (sequence_length,):
        raise ValueError(
            f"`window` expected shape ({sequence_length},); received {tuple(win.shape)}."
        )
    return win


@keras_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis.

    Args:
        x: real signal `(..., samples)`.
        sequence_length: frame length (the window length).
        sequence_stride: hop between frames.
        fft_length: FFT size (>= `sequence_length`; the window is centred in it).
        window: `"hann"`, `"hamming"`, a 1-D tensor or None.
        center: reflect-pad the signal by `fft_length // 2` on both sides.

    Returns:
        `(real, imag)`, each `(..., frames, fft_length // 2 + 1)`.

    Example:
        >>> stft(torch.ones(8), 4, 2, 4)[0].shape
        torch.Size([5, 3])
    """
    x = float_tensor(x)
    if fft_length < sequence_length:
        raise ValueError(
            f"stft expected fft_length >= sequence_length; received fft_length={fft_length}, "
            f"sequence_length={sequence_length}."
        )
    win = _window(window, sequence_length, x.dtype, x.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch_shape = x.shape[:-1]
    z = torch.stft(
        x.reshape(-1, x.shape[-1]),
        n_fft=fft_length,
        hop_length=sequence_stride,
        win_length=sequence_length,
        window=win,
        center=center,
        return_complex=True,
    )
    z = z.reshape(*batch_shape, *z.shape[-2:]).transpose(-2, -1)
    return _pair(z)


def _overlap_add(frames, stride):
    """Sum frames `(..., n, length)` placed every `stride` samples into one signal."""
    *batch, count, length = frames.shape
    flat = frames.reshape(-1, count, length).transpose(1, 2)
    size = stride * (count - 1) + length
    out = F.fold(flat, (1, size), (1, length), stride=(1, stride))
    return out.reshape(*batch, size)


@keras_op
def istft(
    x,
    sequence_length,
    sequence_stride,
    fft_length,
    length=None,
    window="hann",
    center=True,
):
    """Inverse short-time Fourier transform of `x = (real, imag)` (the output of `stft`).

    Args:
        x: `(real, imag)`, each `(..., frames, fft_length // 2 + 1)`.
        sequence_length, sequence_stride, fft_length, window, center: as given to `stft`.
        length: trim or pad the output to this many samples.

    Returns:
        The real signal `(..., samples)`.

    Example:
        >>> signal = torch.sin(torch.arange(16.0))
        >>> back = istft(stft(signal, 8, 2, 8), 8, 2, 8, length=16)
        >>> bool(torch.allclose(back, signal, atol=1e-5))
        True
    """
    z = _complex(x, "istft")
    win = _window(window, sequence_length, z.real.dtype, z.device)
    if sequence_length == fft_length and center and win is not None:
        batch_shape = z.shape[:-2]
        flat = z.reshape(-1, *z.shape[-2:]).transpose(-2, -1)
        out = torch.istft(
            flat,
            n_fft=fft_length,
            hop_length=sequence_stride,
            win_length=sequence_length,
            window=win,
            center=center,
            length=length,
        )
        return out.reshape(*batch_shape, out.shape[-1])
    frames = torch.fft.irfft(z, n=fft_length, dim=-1)
    if win is not None:
        left = (fft_length - sequence_length) // 2
        win = F.pad(win, (left, fft_length - sequence_length - left))
        # Normalize by the steady-state sum of squared windows at each phase of the hop.
        squares = F.pad(win.square(), (0, (-fft_length) % sequence_stride))
        denom = (
            squares.reshape(-1, sequence_stride)
            .sum(dim=0)
            .repeat(squares.numel() // sequence_stride)
        )
        frames = frames * (win / denom[:fft_length])
    signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        return signal[..., start : start + length]
    end = signal.shape[-1] - fft_length // 2 if center else signal.shape[-1]
    return signal[..., start:end]


@keras_op
def rsqrt(x):
    """`1 / sqrt(x)`.

    Example:
        >>> rsqrt([4.0]).tolist()
        [0.5]
    """
    return torch.rsqrt(float_tensor(x))


@keras_op
def erf(x):
    """The error function.

    Example:
        >>> erf([0.0]).tolist()
        [0.0]
    """
    return torch.erf(float_tensor(x))


@keras_op
def erfc(x):
    """The complementary error function `1 - erf(x)`.

    Example:
        >>> erfc([0.0]).tolist()
        [1.0]
    """
    return torch.erfc(float_tensor(x))


@keras_op
def erfinv(x):
    """The inverse of `erf`.

    Example:
        >>> erfinv([0.0]).tolist()
        [0.0]
    """
    return torch.erfinv(float_tensor(x))


@keras_op
def logdet(x):
    """Log-determinant of square matrices `(..., n, n)` (NaN for a negative determinant).

    Example:
        >>> round(logdet([[2.0, 0.0], [0.0, 3.0]]).item(), 4)
        1.7918
    """
    return torch.logdet(float_tensor(x))


@keras_op
def view_as_complex(x):
    """A complex tensor from a real one whose last dimension (size 2) holds real and imag.

    Example:
        >>> view_as_complex([[1.0, 2.0]])
        tensor([1.+2.j])
    """
    x = float_tensor(x)
    if x.shape[-1:] != (2,):
        raise ValueError(
            f"view_as_complex expected a last dimension of size 2; received {tuple(x.shape)}."
        )
    return torch.view_as_complex(x.contiguous())


@keras_op
def view_as_real(x):
    """A real tensor `(..., 2)` holding the real and imaginary parts of complex `x`.

    Example:
        >>> view_as_real(torch.tensor([1 + 2j])).tolist()
        [[1.0, 2.0]]
    """
    x = tensor(x)
    if not x.is_complex():
        raise ValueError(f"view_as_real expected a complex tensor; received {x.dtype}.")
    return torch.view_as_real(x)
