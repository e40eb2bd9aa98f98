"""Record Keras 3's STFTSpectrogram and MelSpectrogram outputs for strata's comparison tests.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/audio_layers.py

For each case in `STFT_CASES` / `MEL_CASES` (constructor arguments as JSON), stores the
input, Keras's output, its weights (`<case>/weight<i>`) and its parameter count, in
tests/layers/fixtures/audio_layers.npz.
"""

import json
import os

import keras
import numpy as np

OUT = os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "layers", "fixtures", "audio_layers.npz"
)

STFT_CASES = {
    "log": {"frame_length": 16, "frame_step": 8},
    "magnitude_same": {"mode": "magnitude", "frame_length": 12, "frame_step": 5, "padding": "same"},
    "psd_hamming": {
        "mode": "psd",
        "frame_length": 16,
        "window": "hamming",
        "periodic": True,
        "scaling": "spectrum",
    },
    "angle_nowindow": {"mode": "angle", "frame_length": 8, "frame_step": 4, "window": None},
    "stft_fft32": {"mode": "stft", "frame_length": 16, "frame_step": 8, "fft_length": 32},
    "real_first_expand": {
        "mode": "real",
        "frame_length": 16,
        "frame_step": 8,
        "data_format": "channels_first",
        "expand_dims": True,
    },
    "imag_last_expand": {
        "mode": "imag",
        "frame_length": 16,
        "frame_step": 8,
        "expand_dims": True,
        "scaling": None,
    },
}
MEL_CASES = {
    "default_small": {
        "fft_length": 64,
        "sequence_stride": 16,
        "num_mel_bins": 10,
        "sampling_rate": 8000,
    },
    "hamming_short": {
        "fft_length": 64,
        "sequence_length": 48,
        "sequence_stride": 20,
        "window": "hamming",
        "num_mel_bins": 6,
        "sampling_rate": 8000,
        "min_freq": 100.0,
        "max_freq": 3000.0,
        "top_db": 20.0,
        "mag_exp": 1.0,
        "ref_power": 2.0,
    },
    "linear": {
        "fft_length": 32,
        "sequence_stride": 8,
        "num_mel_bins": 5,
        "window": None,
        "sampling_rate": 4000,
        "power_to_db": False,
    },
}


def main():
    rng = np.random.default_rng(0)
    arrays = {
        "stft_input_last": rng.normal(size=(2, 64, 3)).astype("float32"),
        "mel_input": rng.normal(size=(2, 200)).astype("float32"),
    }
    arrays["stft_input_first"] = np.ascontiguousarray(arrays["stft_input_last"].transpose(0, 2, 1))
    for name, kwargs in STFT_CASES.items():
        layer = keras.layers.STFTSpectrogram(**kwargs)
        first = kwargs.get("data_format") == "channels_first"
        x = arrays["stft_input_first" if first else "stft_input_last"]
        record(arrays, f"stft_{name}", layer, x)
    for name, kwargs in MEL_CASES.items():
        record(arrays, f"mel_{name}", keras.layers.MelSpectrogram(**kwargs), arrays["mel_input"])
    arrays["cases"] = np.array(json.dumps({"stft": STFT_CASES, "mel": MEL_CASES}))
    np.savez(OUT, **arrays)


def record(arrays, key, layer, x):
    arrays[f"{key}/output"] = keras.ops.convert_to_numpy(layer(x))
    arrays[f"{key}/params"] = np.array(layer.count_params())
    for i, weight in enumerate(layer.get_weights()):
        arrays[f"{key}/weight{i}"] = weight


if __name__ == "__main__":
    main()
