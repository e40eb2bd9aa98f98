"""`audio_dataset_from_directory`: batches of WAV audio from a folder of class sub-folders."""

from __future__ import annotations

import math
import wave

import numpy as np

from strata.utils import dataset_utils
from strata.utils.batch_dataset import BatchDataset


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
):
    """Batches of audio from `.wav` files in one sub-folder per class (Keras's function).

    Files are listed, shuffled and split as `image_dataset_from_directory` does. Each file is
    read with the standard library's `wave` module (PCM, 8/16/24/32-bit) into float32 values in
    [-1, 1], shape `(samples, channels)`.

    Args:
        directory: the folder; with `labels="inferred"`, one sub-folder per class.
        labels: `"inferred"`, a list of labels in the files' sorted order, or None.
        label_mode: `"int"`, `"categorical"`, `"binary"` or None.
        class_names: the sub-folders to use, in label order.
        batch_size: files per batch (None: one batch of all).
        sampling_rate: resample every file to this rate (SciPy's polyphase resampling; Keras
            needs tensorflow-io for it).
        output_sequence_length: cut or zero-pad every file to this many samples; by default
            each batch is zero-padded to its longest file.
        ragged: batches are lists of `(samples, channels)` arrays of their own lengths.
        shuffle, seed, validation_split, subset, follow_links, verbose: as in
            `image_dataset_from_directory`.

    Returns:
        A `BatchDataset` of `(audio, labels)` with `audio` a float32 array `(batch, samples,
        channels)` (a list with `ragged`), and `class_names` and `file_paths`; a pair for
        `subset="both"`.

    Example:
        >>> import os, tempfile, wave, numpy as np
        >>> from strata.utils import audio_dataset_from_directory
        >>> root = tempfile.mkdtemp()
        >>> for name in ("yes", "no"):
        ...     os.makedirs(os.path.join(root, name))
        ...     with wave.open(os.path.join(root, name, "a.wav"), "wb") as f:
        ...         f.setnchannels(1); f.setsampwidth(2); f.setframerate(8000)
        ...         f.writeframes(np.zeros(80, "<i2").tobytes())
        >>> ds = audio_dataset_from_directory(root, batch_size=2, verbose=False)
        >>> audio, labels = ds[0]
        >>> audio.shape, ds.class_names
        ((2, 80, 1), ['no', 'yes'])
    """
    _check_arguments(sampling_rate, output_sequence_length, ragged, label_mode)
    paths, labels_array, class_names = dataset_utils.index_directory(
        directory, labels, (".wav",), class_names, shuffle, seed, follow_links
    )
    num_classes = len(class_names) if class_names else 0
    if verbose:
        print(
            f"Found {len(paths)} files"
            + (f" belonging to {num_classes} classes." if class_names else ".")
        )
    if not paths:
        raise ValueError(f"No .wav files found in {directory}.")
    parts = dataset_utils.validation_subset(
        np.array(paths), labels_array, validation_split, subset, seed, shuffle
    )
    names = ["training", "validation"] if subset == "both" else [subset or "training"]
    datasets = []
    for (part_paths, part_labels), name in zip(parts, names):
        if verbose and validation_split is not None:
            print(f"Using {len(part_paths)} files for {name}.")
        encoded = dataset_utils.encode_labels(
            part_labels, label_mode if labels else None, num_classes
        )
        reader = _Reader(sampling_rate, output_sequence_length, ragged)
        datasets.append(_batches(list(part_paths), encoded, batch_size, reader, class_names))
    return tuple(datasets) if subset == "both" else datasets[0]


def _check_arguments(sampling_rate, output_sequence_length, ragged, label_mode):
    if ragged and output_sequence_length is not None:
        raise ValueError(
            "audio_dataset_from_directory expected at most one of ragged and "
            f"output_sequence_length; received ragged=True, "
            f"output_sequence_length={output_sequence_length}."
        )
    if sampling_rate is not None and (
        not isinstance(sampling_rate, int) or isinstance(sampling_rate, bool) or sampling_rate <= 0
    ):
        raise ValueError(
            f"audio_dataset_from_directory expected sampling_rate a positive integer; received "
            f"{sampling_rate!r}."
        )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            "audio_dataset_from_directory expected label_mode 'int', 'categorical', 'binary' "
            f"or None; received {label_mode!r}."
        )


def read_wav(path):
    """A WAV file's samples as float32 in [-1, 1], shape `(samples, channels)`, and its rate."""
    with wave.open(str(path), "rb") as file:
        channels, width, rate = file.getnchannels(), file.getsampwidth(), file.getframerate()
        raw = file.readframes(file.getnframes())
    if width == 1:  # 8-bit WAV is unsigned
        values = (np.frombuffer(raw, np.uint8).astype("float32") - 128.0) / 128.0
    elif width in (2, 4):
        kind = np.dtype(f"<i{width}")
        values = np.frombuffer(raw, kind).astype("float32") / float(2 ** (8 * width - 1))
    elif width == 3:
        bytes_ = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        ints = bytes_[:, 0] | (bytes_[:, 1] << 8) | (bytes_[:, 2] << 16)
        ints = np.where(ints >= 2**23, ints - 2**24, ints)
        values = ints.astype("float32") / float(2**23)
    else:
        raise ValueError(f"Unsupported WAV sample width {width} bytes in {path}.")
    return values.reshape(-1, channels), rate


class _Reader:
    def __init__(self, sampling_rate, length, ragged):
        self.sampling_rate, self.length, self.ragged = sampling_rate, length, ragged

    def __call__(self, path):
        audio, rate = read_wav(path)
        if self.sampling_rate is not None and rate != self.sampling_rate:
            from scipy.signal import resample_poly

            divisor = math.gcd(self.sampling_rate, rate)
            audio = resample_poly(audio, self.sampling_rate // divisor, rate // divisor, axis=0)
            audio = audio.astype("float32")
        if self.length is not None:
            audio = _fit_length(audio, self.length)
        return audio

    def stack(self, clips):
        if self.ragged:
            return clips
        longest = max(len(clip) for clip in clips)
        return np.stack([_fit_length(clip, longest) for clip in clips])


def _fit_length(audio, length):
    if len(audio) >= length:
        return audio[:length]
    return np.pad(audio, [(0, length - len(audio)), (0, 0)])


def _batches(paths, labels, batch_size, reader, class_names):
    batch_size = len(paths) if batch_size is None else batch_size

    def make_batch(index):
        rows = slice(index * batch_size, (index + 1) * batch_size)
        audio = reader.stack([reader(p) for p in paths[rows]])
        return audio if labels is None else (audio, labels[rows])

    return BatchDataset(make_batch, math.ceil(len(paths) / batch_size), class_names, paths)
