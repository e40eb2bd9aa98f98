"""Initializers whose values are fixed: zeros, ones, a constant and the identity matrix."""

import numbers

import numpy as np
import torch

from strata.backend import to_torch_dtype
from strata.initializers.base import Initializer, standardize_shape


class Zeros(Initializer):
    """Fills the weight with zeros.

    Example:
        >>> Zeros()((2, 2)).tolist()
        [[0.0, 0.0], [0.0, 0.0]]
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.zeros(standardize_shape(shape), dtype=to_torch_dtype(dtype))


class Ones(Initializer):
    """Fills the weight with ones.

    Example:
        >>> Ones()((3,)).tolist()
        [1.0, 1.0, 1.0]
    """

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return torch.ones(standardize_shape(shape), dtype=to_torch_dtype(dtype))


class Constant(Initializer):
    """Fills the weight with `value`, broadcast to the requested shape.

    Args:
        value: a Python number, or a nested list / array that broadcasts to the shape.

    Example:
        >>> Constant(3.0)((2,)).tolist()
        [3.0, 3.0]
    """

    def __init__(self, value=0.0):
        if isinstance(value, (np.ndarray, torch.Tensor)):
            value = value.tolist()
        if not isinstance(value, (numbers.Number, list, tuple)) or isinstance(value, bool):
            raise ValueError(
                f"Constant expected a number or a nested list of numbers; received {value!r}."
            )
        self.value = value

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = standardize_shape(shape)
        value = torch.as_tensor(self.value, dtype=to_torch_dtype(dtype))
        try:
            return torch.broadcast_to(value, shape).clone()
        except RuntimeError:
            raise ValueError(
                f"Constant expected a value that broadcasts to shape {shape}; received a value "
                f"of shape {tuple(value.shape)}."
            ) from None

    def get_config(self) -> dict:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"value": value}


class Identity(Initializer):
    """The identity matrix times `gain` (rectangular shapes get ones on the main diagonal).

    Args:
        gain: the value on the diagonal.

    Example:
        >>> Identity(gain=2.0)((2, 3)).tolist()
        [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity expected a 2D shape (rows, columns); received shape={shape}."
            )
        return torch.eye(*shape, dtype=to_torch_dtype(dtype)) * self.gain

    def get_config(self) -> dict:
        return {"gain": self.gain}


class STFT(Initializer):
    """Convolution kernels that compute one side (real or imaginary) of a windowed DFT.

    For a shape `(frame_length, 1, bins)` the value at `(t, 0, f)` is `cos` (or `sin` for
    `"imag"`) of `-2 * pi * t * f / ((bins - 1) * 2)`, times the window at `t`, divided by the
    window's L2 norm (`scaling="density"`) or L1 norm (`"spectrum"`). `STFTSpectrogram` builds
    its kernels with it.

    Args:
        side: `"real"` or `"imag"`.
        window: a window name understood by `scipy.signal.get_window` (`"hann"`,
            `"hamming"`, ...), a list of `frame_length` values, or None (no window, no scaling).
        scaling: `"density"`, `"spectrum"` or None.
        periodic: use the periodic form of a named window (the symmetric form otherwise).

    Example:
        >>> kernel = STFT("real", window=None)((4, 1, 3))
        >>> kernel[:, 0, 1].round().tolist()  # cos(-pi * t / 2)
        [1.0, 0.0, -1.0, -0.0]
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT expected side 'real' or 'imag'; received {side!r}.")
        if isinstance(window, str):
            _named_window(window, 1, periodic)  # an unknown name fails here, not at build
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(
                f"STFT expected scaling None, 'density' or 'spectrum'; received {scaling!r}."
            )
        if isinstance(window, (np.ndarray, torch.Tensor)):
            window = window.tolist()
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        frame_length, _, bins = standardize_shape(shape)
        time = np.arange(frame_length, dtype="float64").reshape(-1, 1, 1)
        freq = np.arange(bins, dtype="float64").reshape(1, 1, -1) / ((bins - 1) * 2)
        angle = -2.0 * np.pi * time * freq
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            window = self.window
            if isinstance(window, str):
                window = _named_window(window, frame_length, self.periodic)
            window = np.asarray(window, dtype="float64")
            if window.shape != (frame_length,):
                raise ValueError(
                    f"STFT expected a window of shape ({frame_length},) (the frame length); "
                    f"received shape {window.shape}."
                )
            scale = 1.0
            if self.scaling == "density":
                scale = np.sqrt(np.sum(window**2))
            elif self.scaling == "spectrum":
                scale = np.sum(np.abs(window))
            kernel = kernel * window.reshape(-1, 1, 1) / scale
        return torch.as_tensor(kernel, dtype=to_torch_dtype(dtype))

    def get_config(self) -> dict:
        return {
            "side": self.side,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }


def _named_window(name, length, periodic):
    import scipy.signal

    try:
        return scipy.signal.get_window(name, length, fftbins=periodic)
    except ValueError as error:
        raise ValueError(
            f"STFT expected a window name known to scipy.signal.get_window; received {name!r} "
            f"({error})."
        ) from None
