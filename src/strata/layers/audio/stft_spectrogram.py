"""STFTSpectrogram: a short-time Fourier transform as a strided 1D convolution."""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from strata.backend.config import epsilon
from strata.initializers import STFT
from strata.layers.core._arguments import standardize_data_format
from strata.layers.layer import Layer

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrogram of each channel of a signal, by convolution with DFT kernels.

    The kernels (`real_kernel`, `imag_kernel`, shape `(frame_length, 1, fft_length // 2 + 1)`)
    start as a windowed DFT (`strata.initializers.STFT`) and are trainable, as in Keras.

    Args:
        mode: `"log"` (log magnitude), `"magnitude"`, `"psd"` (one-sided power spectral
            density), `"real"`, `"imag"`, `"angle"`, or `"stft"` (real parts then imaginary
            parts along the frequency axis).
        frame_length: samples per frame.
        frame_step: samples between frames (default `frame_length // 2`).
        fft_length: DFT size (default: the next power of two from `frame_length`).
        window: a `scipy.signal.get_window` name, a list of `frame_length` values, or None.
        periodic: use the periodic form of a named window.
        scaling: `"density"`, `"spectrum"` or None (see `strata.initializers.STFT`).
        padding: `"valid"` or `"same"`.
        expand_dims: keep the channels on their own axis instead of merging them with the
            frequency bins.
        data_format: `"channels_last"` (inputs `(batch, time, channels)`) or
            `"channels_first"` (inputs `(batch, channels, time)`).

    Input shape:
        3D: `(batch, time, channels)` or `(batch, channels, time)`.

    Output shape:
        channels_last: `(batch, frames, channels * bins)`, or `(batch, frames, bins, channels)`
        with `expand_dims`; channels_first: `(batch, channels * bins, frames)`, or
        `(batch, channels, frames, bins)`. `bins` is `fft_length // 2 + 1` (twice that for
        `"stft"`).

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.STFTSpectrogram(frame_length=8, frame_step=4)
        >>> layer(torch.randn(2, 32, 1)).shape
        torch.Size([2, 7, 5])
    """

    def __init__(
        self,
        mode="log",
        frame_length=256,
        frame_step=None,
        fft_length=None,
        window="hann",
        periodic=False,
        scaling="density",
        padding="valid",
        expand_dims=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_arguments(mode, frame_length, frame_step, fft_length, scaling, padding)
        if isinstance(window, str):
            STFT("real", window, scaling, periodic)  # an unknown window name fails here
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, "STFTSpectrogram")
        self._step = frame_step or frame_length // 2
        self._fft = fft_length or 2 ** math.ceil(math.log2(frame_length))

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"STFTSpectrogram expected a 3D input (batch, time, channels); received shape "
                f"{tuple(input_shape)}."
            )
        shape = (self.frame_length, 1, self._fft // 2 + 1)
        for side in ("real", "imag"):
            if self.mode != {"real": "imag", "imag": "real"}.get(side):
                kernel = self.add_weight(
                    name=f"{side}_kernel",
                    shape=shape,
                    initializer=STFT(side, self.window, self.scaling, self.periodic),
                )
                setattr(self, f"{side}_kernel", kernel)

    def call(self, inputs):
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError(
                f"STFTSpectrogram expected float16, float32 or float64 inputs; received "
                f"{inputs.dtype}."
            )
        signal = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        batch, channels, _ = signal.shape
        frames = self._pad(signal.reshape(batch * channels, 1, -1))
        if self.mode == "real":
            return self._arrange(self._convolve(frames, self.real_kernel), batch, channels)
        if self.mode == "imag":
            return self._arrange(self._convolve(frames, self.imag_kernel), batch, channels)
        real = self._convolve(frames, self.real_kernel)
        imag = self._convolve(frames, self.imag_kernel)
        if self.mode == "angle":
            return self._arrange(torch.atan2(imag, real), batch, channels)
        if self.mode == "stft":
            return self._arrange(torch.cat([real, imag], dim=1), batch, channels)
        power = real.square() + imag.square()
        if self.mode == "psd":
            # One-sided density: every bin but DC and Nyquist also carries its mirror's power.
            return self._arrange(power + F.pad(power[:, 1:-1], (0, 0, 1, 1)), batch, channels)
        magnitude = torch.sqrt(torch.clamp(power, min=epsilon()))
        if self.mode == "log":
            magnitude = torch.log(torch.clamp(magnitude, min=epsilon()))
        return self._arrange(magnitude, batch, channels)

    def _pad(self, frames):
        if self.padding == "valid":
            return frames
        # TensorFlow's "same": ceil(time / step) frames, the extra sample (if any) at the end.
        length = frames.shape[-1]
        total = max((-(-length // self._step) - 1) * self._step + self.frame_length - length, 0)
        return F.pad(frames, (total // 2, total - total // 2))

    def _convolve(self, frames, kernel):
        weight = kernel.to(frames.dtype).permute(2, 1, 0)  # (bins, 1, frame_length)
        return F.conv1d(frames, weight, stride=self._step)

    def _arrange(self, spectra, batch, channels):
        """(batch * channels, bins, frames) to the layer's output layout."""
        spectra = spectra.reshape(batch, channels, spectra.shape[1], spectra.shape[2])
        if self.expand_dims:
            order = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return spectra.permute(order)
        merged = spectra.reshape(batch, -1, spectra.shape[-1])
        return merged.transpose(1, 2) if self.data_format == "channels_last" else merged

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        batch = input_shape[0]
        time, channels = (input_shape[1], input_shape[2]) if last else input_shape[2:0:-1]
        bins = (self._fft // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = None
        if time is not None:
            if self.padding == "same":
                frames = -(-time // self._step)
            else:
                frames = (time - self.frame_length) // self._step + 1
        if self.expand_dims:
            return (batch, frames, bins, channels) if last else (batch, channels, frames, bins)
        merged = None if channels is None else channels * bins
        return (batch, frames, merged) if last else (batch, merged, frames)

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "frame_length": self.frame_length,
            "frame_step": self.frame_step,
            "fft_length": self.fft_length,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
            "padding": self.padding,
            "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        }


def _check_arguments(mode, frame_length, frame_step, fft_length, scaling, padding):
    if not isinstance(frame_length, int) or frame_length < 1:
        raise ValueError(
            f"STFTSpectrogram expected frame_length a positive integer; received {frame_length!r}."
        )
    if frame_step is not None and not 1 <= frame_step <= frame_length:
        raise ValueError(
            f"STFTSpectrogram expected frame_step a positive integer not greater than "
            f"frame_length={frame_length}; received frame_step={frame_step!r}."
        )
    if fft_length is not None and fft_length < frame_length:
        raise ValueError(
            f"STFTSpectrogram expected fft_length >= frame_length={frame_length}; received "
            f"fft_length={fft_length!r}."
        )
    if fft_length is not None and fft_length & (fft_length - 1):
        warnings.warn(
            f"STFTSpectrogram: fft_length is best a power of two; received {fft_length}.",
            stacklevel=3,
        )
    if mode not in MODES:
        raise ValueError(f"STFTSpectrogram expected mode one of {MODES}; received {mode!r}.")
    if scaling not in (None, "density", "spectrum"):
        raise ValueError(
            f"STFTSpectrogram expected scaling None, 'density' or 'spectrum'; received {scaling!r}."
        )
    if padding not in ("valid", "same"):
        raise ValueError(
            f"STFTSpectrogram expected padding 'valid' or 'same'; received {padding!r}."
        )
