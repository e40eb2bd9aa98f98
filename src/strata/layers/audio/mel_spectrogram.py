"""MelSpectrogram: power spectrogram on the mel scale, in decibels (Keras's audio front end)."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer

# HTK's mel scale: mel(f) = 1127 * ln(1 + f / 700).
_MEL_BREAK_HERTZ = 700.0
_MEL_Q = 1127.0


class MelSpectrogram(Layer):
    """Mel spectrogram of raw audio: STFT, `|X| ** mag_exp`, mel filter bank, decibels.

    The STFT is centred (reflect padding) with a periodic window, as `torch.stft`; the mel
    filters are HTK's triangles with peak 1, from `min_freq` to `max_freq`. With
    `power_to_db`, values are `10 * log10(max(x, min_power) / ref_power)`, floored at the
    batch's maximum minus `top_db` (the maximum over the whole batch, as Keras computes it).

    Args:
        fft_length: DFT size.
        sequence_stride: samples between frames.
        sequence_length: window length (default `fft_length`).
        window: `"hann"`, `"hamming"`, a list of `sequence_length` values, or None.
        sampling_rate: samples per second of the input.
        num_mel_bins: number of mel bands.
        min_freq: lower edge of the lowest band, in Hz.
        max_freq: upper edge of the highest band (default `sampling_rate / 2`).
        power_to_db: convert to decibels.
        top_db: dynamic range kept below the maximum, in dB.
        mag_exp: exponent of the magnitude (2: power).
        min_power: floor before the logarithm.
        ref_power: the power that maps to 0 dB.

    Input shape:
        `(batch, samples)` or `(samples,)`.

    Output shape:
        `(batch, num_mel_bins, frames)` or `(num_mel_bins, frames)`, with
        `frames = samples // sequence_stride + 1`.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.MelSpectrogram(fft_length=64, sequence_stride=32,
        ...                                      num_mel_bins=8, sampling_rate=8000)
        >>> layer(torch.randn(2, 256)).shape
        torch.Size([2, 8, 9])
    """

    def __init__(
        self,
        fft_length=2048,
        sequence_stride=512,
        sequence_length=None,
        window="hann",
        sampling_rate=16000,
        num_mel_bins=128,
        min_freq=20.0,
        max_freq=None,
        power_to_db=True,
        top_db=80.0,
        mag_exp=2.0,
        min_power=1e-10,
        ref_power=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        sequence_length = sequence_length or fft_length
        if fft_length < sequence_length:
            raise ValueError(
                f"MelSpectrogram expected fft_length >= sequence_length; received "
                f"fft_length={fft_length}, sequence_length={sequence_length}."
            )
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError(
                f"MelSpectrogram expected window 'hann', 'hamming', a list of values or None; "
                f"received {window!r}."
            )
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length
        self.window = window.tolist() if hasattr(window, "tolist") else window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power

    def call(self, inputs):
        dtype = to_torch_dtype(self.dtype)
        work = dtype if dtype in (torch.float32, torch.float64) else torch.float32
        signal = inputs.to(work)
        spectrum = torch.stft(
            signal.reshape(-1, signal.shape[-1]),
            n_fft=self.fft_length,
            hop_length=self.sequence_stride,
            win_length=self.sequence_length,
            window=self._window(work, signal.device),
            center=True,
            return_complex=True,
        )
        power = spectrum.abs() ** self.mag_exp  # (batch, bins, frames)
        matrix = torch.as_tensor(
            mel_weight_matrix(
                self.num_mel_bins,
                spectrum.shape[1],
                self.sampling_rate,
                self.min_freq,
                self.max_freq,
            ),
            dtype=work,
            device=signal.device,
        )
        mel = torch.einsum("bft,fm->bmt", power, matrix)
        if self.power_to_db:
            mel = self._decibels(mel)
        return mel.reshape(*signal.shape[:-1], *mel.shape[1:]).to(dtype)

    def _window(self, dtype, device):
        length = self.sequence_length
        if self.window is None:
            return torch.ones(length, dtype=dtype, device=device)
        if self.window == "hann":
            return torch.hann_window(length, periodic=True, dtype=dtype, device=device)
        if self.window == "hamming":
            return torch.hamming_window(length, periodic=True, dtype=dtype, device=device)
        window = torch.as_tensor(self.window, dtype=dtype, device=device)
        if window.shape != (length,):
            raise ValueError(
                f"MelSpectrogram expected a window of shape ({length},); received "
                f"{tuple(window.shape)}."
            )
        return window

    def _decibels(self, mel):
        floor = self.min_power
        db = 10.0 * torch.log10(torch.clamp(mel, min=floor))
        db = db - 10.0 * np.log10(max(abs(self.ref_power), floor))
        return torch.maximum(db, db.max() - self.top_db)

    def compute_output_shape(self, input_shape):
        *batch, samples = input_shape
        frames = (
            None
            if samples is None
            else (samples + self.sequence_stride + 1) // (self.sequence_stride)
        )
        return (*batch, self.num_mel_bins, frames)

    def get_config(self):
        return {
            **super().get_config(),
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length,
            "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "power_to_db": self.power_to_db,
            "top_db": self.top_db,
            "mag_exp": self.mag_exp,
            "min_power": self.min_power,
            "ref_power": self.ref_power,
        }


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_hz, upper_hz):
    """HTK mel filter bank, `(num_spectrogram_bins, num_mel_bins)`, triangles peaking at 1.

    The DC bin gets no weight (HTK's convention), as in Keras and TensorFlow.
    """
    hertz = np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:]
    bins_mel = _to_mel(hertz)[:, None]
    edges = np.linspace(_to_mel(lower_hz), _to_mel(upper_hz), num_mel_bins + 2)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, [(1, 0), (0, 0)])


def _to_mel(hertz):
    return _MEL_Q * np.log(1.0 + np.asarray(hertz, dtype="float64") / _MEL_BREAK_HERTZ)
