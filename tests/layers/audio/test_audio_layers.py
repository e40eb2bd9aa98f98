"""STFTSpectrogram and MelSpectrogram against Keras (tools/keras_fixtures/audio_layers.py)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

KERAS = np.load(Path(__file__).parents[1] / "fixtures" / "audio_layers.npz")
CASES = json.loads(str(KERAS["cases"]))


def _weights(key):
    count = sum(1 for name in KERAS.files if name.startswith(f"{key}/weight"))
    return [KERAS[f"{key}/weight{i}"] for i in range(count)]


@pytest.mark.parametrize("name", sorted(CASES["stft"]))
def test_stft_spectrogram_matches_keras(name):
    kwargs = CASES["stft"][name]
    key = f"stft_{name}"
    first = kwargs.get("data_format") == "channels_first"
    x = torch.from_numpy(KERAS["stft_input_first" if first else "stft_input_last"])
    layer = layers.STFTSpectrogram(**kwargs)
    out = layer(x)
    expected = KERAS[f"{key}/output"]
    assert tuple(out.shape) == expected.shape
    assert tuple(layer.compute_output_shape(tuple(x.shape))) == expected.shape
    assert layer.count_params() == int(KERAS[f"{key}/params"])
    # The initial kernels are Keras's (the STFT initializer) ...
    for ours, theirs in zip(layer.get_weights(), _weights(key), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)  # Keras: float32 sin
    # ... and so are the outputs (angles are compared where the magnitude is not tiny).
    got = out.detach().numpy()
    if kwargs.get("mode") == "angle":
        keep = np.abs(expected) < 3.1
        got, expected = got[keep], expected[keep]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_stft_spectrogram_uses_loaded_weights():
    key = "stft_log"
    layer = layers.STFTSpectrogram(**CASES["stft"]["log"])
    x = torch.from_numpy(KERAS["stft_input_last"])
    layer(x)
    doubled = [2 * w for w in _weights(key)]
    layer.set_weights(doubled)
    # Doubling both kernels doubles the magnitude: the log moves by log(2).
    np.testing.assert_allclose(
        layer(x).detach().numpy(), KERAS[f"{key}/output"] + np.log(2.0), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("name", sorted(CASES["mel"]))
def test_mel_spectrogram_matches_keras(name):
    layer = layers.MelSpectrogram(**CASES["mel"][name])
    x = torch.from_numpy(KERAS["mel_input"])
    out = layer(x).numpy()
    expected = KERAS[f"mel_{name}/output"]
    assert out.shape == expected.shape
    assert layer.count_params() == int(KERAS[f"mel_{name}/params"]) == 0
    scale = np.abs(expected).max()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4 * scale)


def test_mel_spectrogram_unbatched_and_config():
    layer = layers.MelSpectrogram(**CASES["mel"]["default_small"])
    x = torch.from_numpy(KERAS["mel_input"][0])
    assert layer(x).shape == (10, 200 // 16 + 1)
    again = layers.MelSpectrogram.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_stft_initializer_names_and_config():
    init = strata.initializers.get("stft")
    assert isinstance(init, strata.initializers.STFT)
    assert strata.initializers.STFTInitializer is strata.initializers.STFT
    config = strata.initializers.serialize(strata.initializers.STFT("imag", "hamming"))
    back = strata.initializers.deserialize(config)
    assert back.get_config() == {
        "side": "imag",
        "window": "hamming",
        "periodic": False,
        "scaling": "density",
    }
    # The real kernel of a rectangular window is cos(2 pi t f / n): check one column.
    kernel = strata.initializers.STFT("real", window=None)((8, 1, 5))
    t = torch.arange(8, dtype=torch.float64)
    torch.testing.assert_close(kernel[:, 0, 1].double(), torch.cos(2 * torch.pi * t / 8))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"mode": "power"}, "mode"),
        ({"frame_length": 8, "frame_step": 9}, "frame_step"),
        ({"frame_length": 16, "fft_length": 8}, "fft_length"),
        ({"padding": "causal"}, "padding"),
        ({"scaling": "energy"}, "scaling"),
        ({"window": "nosuchwindow"}, "window"),
    ],
)
def test_stft_spectrogram_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.STFTSpectrogram(**kwargs)


def test_mel_spectrogram_bad_arguments():
    with pytest.raises(ValueError, match="fft_length"):
        layers.MelSpectrogram(fft_length=32, sequence_length=64)
    with pytest.raises(ValueError, match="window"):
        layers.MelSpectrogram(window="blackman")
