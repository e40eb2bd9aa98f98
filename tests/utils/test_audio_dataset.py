"""audio_dataset_from_directory on WAV files written with the standard library."""

import wave

import numpy as np
import pytest

import strata
from strata.utils import audio_dataset_from_directory


def _write(path, ints, width=2, channels=1, rate=8000):
    path.parent.mkdir(parents=True, exist_ok=True)
    kinds = {1: "u1", 2: "<i2", 4: "<i4"}
    with wave.open(str(path), "wb") as file:
        file.setnchannels(channels)
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(np.asarray(ints, kinds[width]).tobytes())


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    clips = {}
    for label, count in (("cat", 3), ("dog", 2)):
        for i in range(count):
            ints = rng.integers(-32768, 32767, size=100 + 10 * i)
            _write(tmp_path / label / f"{i}.wav", ints)
            clips[f"{label}/{i}.wav"] = ints / 32768.0
    (tmp_path / "cat" / "notes.txt").write_text("not audio")
    return tmp_path, clips


def test_values_labels_and_padding(folder):
    root, clips = folder
    ds = audio_dataset_from_directory(root, batch_size=5, shuffle=False, verbose=False)
    assert ds.class_names == ["cat", "dog"]
    audio, labels = ds[0]
    assert audio.dtype == np.float32 and audio.shape == (5, 120, 1)
    assert labels.tolist() == [0, 0, 0, 1, 1]
    for row, path in zip(audio, ds.file_paths):
        key = "/".join(str(path).split("/")[-2:])
        expected = clips[key]
        np.testing.assert_allclose(row[: len(expected), 0], expected, rtol=0, atol=1e-7)
        assert not row[len(expected) :].any()  # zero padding to the batch's longest


def test_fixed_length_ragged_and_categorical(folder):
    root, _ = folder
    fixed = audio_dataset_from_directory(
        root, output_sequence_length=105, label_mode="categorical", batch_size=2, verbose=False
    )
    audio, labels = fixed[0]
    assert audio.shape == (2, 105, 1) and labels.shape == (2, 2)
    ragged = audio_dataset_from_directory(
        root, ragged=True, batch_size=5, shuffle=False, verbose=False
    )
    clips, _ = ragged[0]
    assert sorted(len(c) for c in clips) == [100, 100, 110, 110, 120]


def test_formats_channels_and_resampling(tmp_path):
    _write(tmp_path / "a" / "u8.wav", [0, 128, 255], width=1)
    _write(tmp_path / "a" / "stereo.wav", [0, 32767, -32768, 16384], channels=2)
    _write(tmp_path / "b" / "slow.wav", np.zeros(400, int), rate=4000)
    ds = audio_dataset_from_directory(tmp_path, ragged=True, shuffle=False, verbose=False)
    clips, _ = ds[0]
    by_name = {str(p).split("/")[-1]: c for p, c in zip(ds.file_paths, clips)}
    np.testing.assert_allclose(by_name["u8.wav"][:, 0], [-1.0, 0.0, 127 / 128])
    np.testing.assert_allclose(by_name["stereo.wav"], [[0.0, 32767 / 32768], [-1.0, 0.5]])
    resampled = audio_dataset_from_directory(
        tmp_path / "b", labels=None, sampling_rate=8000, verbose=False
    )
    assert resampled[0].shape == (1, 800, 1)


def test_validation_split_and_training(folder):
    root, _ = folder
    train, val = audio_dataset_from_directory(
        root,
        validation_split=0.4,
        subset="both",
        seed=1,
        output_sequence_length=100,
        batch_size=2,
        verbose=False,
    )
    assert sum(len(b[1]) for b in train) == 3 and sum(len(b[1]) for b in val) == 2
    model = strata.Sequential(
        [strata.Input((100, 1)), strata.layers.Flatten(), strata.layers.Dense(2)]
    )
    model.compile(loss=strata.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(train, validation_data=val, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "val_loss"}


def test_bad_arguments(folder):
    root, _ = folder
    with pytest.raises(ValueError, match="ragged"):
        audio_dataset_from_directory(root, ragged=True, output_sequence_length=10)
    with pytest.raises(ValueError, match="sampling_rate"):
        audio_dataset_from_directory(root, sampling_rate=0)
    empty = root / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="No .wav files"):
        audio_dataset_from_directory(empty, labels=None, verbose=False)
