"""Audio front ends: STFT and mel spectrograms."""

from strata.layers.audio.mel_spectrogram import MelSpectrogram
from strata.layers.audio.stft_spectrogram import STFTSpectrogram

__all__ = ["MelSpectrogram", "STFTSpectrogram"]
