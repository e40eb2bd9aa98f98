"""Keras's dataset helpers on NumPy: time-series windows, dataset splits, folders of images/text.

Each returns a `BatchDataset` (see batch_dataset.py) where Keras returns a tf.data.Dataset:
`fit` takes it directly, and `class_names`/`file_paths` are there as in Keras.
"""

from __future__ import annotations

import math
import os

import numpy as np

from strata.backend import arguments
from strata.utils.batch_dataset import BatchDataset

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
):
    """Batches of sliding windows over `data` (Keras's function of the same name).

    Window `i` holds `data[s, s + r, ..., s + (sequence_length - 1) * r]` with `r` the
    `sampling_rate` and `s = start_index + i * sequence_stride`; its target is `targets[s]`.
    With `shuffle`, window order is drawn with NumPy's `RandomState(seed)`, as Keras does, so
    the same seed gives the same batches.

    Args:
        data: array of rows (time steps first).
        targets: array aligned with `data`, or None for windows alone.
        sequence_length: steps per window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between rows kept inside a window.
        batch_size: windows per batch (None: one batch of all windows).
        shuffle: shuffle window order.
        seed: seed of that shuffle.
        start_index, end_index: rows before `start_index` and from `end_index` on are unused.

    Returns:
        A `BatchDataset` of `(windows, targets)` batches (or windows alone); windows have shape
        `(batch, sequence_length, *data.shape[1:])`.

    Example:
        >>> import numpy as np
        >>> from strata.utils import timeseries_dataset_from_array
        >>> series = np.arange(10)
        >>> batches = timeseries_dataset_from_array(series[:-3], series[3:], 3, batch_size=2)
        >>> x, y = batches[0]
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2], [1, 2, 3]], [3, 4])
    """
    owner = "timeseries_dataset_from_array"
    data = np.asarray(data)
    sequence_length = arguments.integer(owner, "sequence_length", sequence_length)
    sequence_stride = arguments.integer(owner, "sequence_stride", sequence_stride)
    sampling_rate = arguments.integer(owner, "sampling_rate", sampling_rate)
    start = arguments.integer(owner, "start_index", start_index, minimum=0, allow_none=True) or 0
    end = arguments.integer(owner, "end_index", end_index, allow_none=True)
    end = len(data) if end is None else end
    if not start < end <= len(data):
        raise ValueError(
            f"{owner} expected 0 <= start_index < end_index <= len(data) = {len(data)}; "
            f"received start_index={start_index}, end_index={end_index}."
        )
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets) - start)
    if count <= 0:
        raise ValueError(
            f"{owner}: a window spans {(sequence_length - 1) * sampling_rate + 1} rows; rows "
            f"{start} to {end} of data hold none."
        )
    starts = np.arange(0, count, sequence_stride) + start
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    batch_size = (
        len(starts) if batch_size is None else arguments.integer(owner, "batch_size", batch_size)
    )
    offsets = np.arange(sequence_length) * sampling_rate

    def make_batch(index):
        chosen = starts[index * batch_size : (index + 1) * batch_size]
        windows = data[chosen[:, None] + offsets]
        return windows if targets is None else (windows, targets[chosen])

    return BatchDataset(make_batch, math.ceil(len(starts) / batch_size))


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split rows into two parts (Keras's `split_dataset`, for arrays and tuples/dicts of them).

    Args:
        dataset: an array, a tuple/list of arrays of equal length, or a dict of them.
        left_size, right_size: a fraction in (0, 1) or a row count for each part; one may be
            None (the rest); both None means 0.5 each side.
        shuffle: shuffle rows before splitting.
        seed: seed of that shuffle.

    Returns:
        `(left, right)`, each with the structure of `dataset`.

    Example:
        >>> import numpy as np
        >>> from strata.utils import split_dataset
        >>> left, right = split_dataset(np.arange(10), left_size=0.8)
        >>> len(left), len(right)
        (8, 2)
    """
    parts = _parts(dataset)
    total = len(parts[0])
    if any(len(part) != total for part in parts):
        raise ValueError(
            f"split_dataset expected arrays of equal length; received lengths "
            f"{[len(part) for part in parts]}."
        )
    left = _size("left_size", left_size, total)
    right = _size("right_size", right_size, total)
    if left is None and right is None:
        left = total // 2
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total or left == 0 or right == 0:
        raise ValueError(
            f"split_dataset expected two non-empty parts of at most {total} rows together; "
            f"left_size={left_size}, right_size={right_size} give {left} and {right}."
        )
    order = np.arange(total)
    if shuffle:
        np.random.RandomState(seed).shuffle(order)
    return _take(dataset, order[:left]), _take(dataset, order[left : left + right])


def _is_several_arrays(dataset) -> bool:
    """A tuple/list whose items are arrays (x, y, ...), not one array written as a list."""
    return (
        isinstance(dataset, (list, tuple))
        and bool(dataset)
        and all(isinstance(item, np.ndarray) or hasattr(item, "shape") for item in dataset)
    )


def _parts(dataset):
    if isinstance(dataset, dict):
        return [np.asarray(v) for v in dataset.values()]
    if _is_several_arrays(dataset):
        return [np.asarray(v) for v in dataset]
    return [np.asarray(dataset)]


def _take(dataset, rows):
    if isinstance(dataset, dict):
        return {key: np.asarray(value)[rows] for key, value in dataset.items()}
    if _is_several_arrays(dataset):
        return type(dataset)(np.asarray(value)[rows] for value in dataset)
    return np.asarray(dataset)[rows]


def _size(name, value, total):
    if value is None:
        return None
    if isinstance(value, float) and 0 < value < 1:
        return int(round(value * total))
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0:
        return int(value)
    raise ValueError(
        f"split_dataset expected {name} to be a fraction in (0, 1) or a positive row count; "
        f"received {value!r}."
    )


def index_directory(directory, labels, formats, class_names, shuffle, seed, follow_links):
    """Files under `directory` (one sub-folder per class), their labels and the class names."""
    if not os.path.isdir(directory):
        raise ValueError(f"expected a directory; {directory!r} is not one.")
    if labels == "inferred":
        found = sorted(
            entry
            for entry in os.listdir(directory)
            if os.path.isdir(os.path.join(directory, entry))
        )
        if class_names is not None:
            if sorted(class_names) != found and set(class_names) != set(found):
                raise ValueError(
                    f"class_names expected the sub-folders of {directory}: {found}; received "
                    f"{list(class_names)}."
                )
            found = list(class_names)
        class_names = found
        paths, label_list = [], []
        for index, name in enumerate(class_names):
            for path in _files_in(os.path.join(directory, name), formats, follow_links):
                paths.append(path)
                label_list.append(index)
    else:
        paths = _files_in(directory, formats, follow_links)
        label_list = None if labels is None else list(labels)
        if label_list is not None and len(label_list) != len(paths):
            raise ValueError(
                f"labels expected one label per file ({len(paths)} files in {directory}, in "
                f"alphanumeric order); received {len(label_list)}."
            )
        class_names = None
    label_array = None if label_list is None else np.asarray(label_list)
    if shuffle:
        order = np.arange(len(paths))
        np.random.RandomState(seed if seed is not None else np.random.randint(1e6)).shuffle(order)
        paths = [paths[i] for i in order]
        label_array = None if label_array is None else label_array[order]
    return paths, label_array, class_names


def _files_in(folder, formats, follow_links):
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links)):
        found += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats)]
    return sorted(found)


def validation_subset(paths, labels, validation_split, subset, seed, shuffle):
    """Keras's split: the last `validation_split` of the (shuffled) files are for validation."""
    if validation_split is None:
        if subset is not None:
            raise ValueError(f"subset={subset!r} needs a validation_split; received None.")
        return [(paths, labels)]
    arguments.number(
        "dataset_from_directory",
        "validation_split",
        validation_split,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    if subset not in ("training", "validation", "both"):
        raise ValueError(
            "subset expected 'training', 'validation' or 'both' with validation_split; "
            f"received {subset!r}."
        )
    if shuffle and seed is None:
        raise ValueError(
            "validation_split with shuffle=True needs a seed, so that the training and "
            "validation subsets do not overlap; received seed=None."
        )
    cut = len(paths) - int(validation_split * len(paths))

    def part(rows):
        return paths[rows], None if labels is None else labels[rows]

    training, validation = part(slice(None, cut)), part(slice(cut, None))
    return {"training": [training], "validation": [validation], "both": [training, validation]}[
        subset
    ]


def encode_labels(labels, label_mode, num_classes):
    if labels is None or label_mode is None:
        return None
    if label_mode == "int":
        return labels.astype(np.int32)
    if label_mode == "binary":
        if num_classes != 2:
            raise ValueError(
                f"label_mode='binary' expected 2 classes; found {num_classes}. Use 'int' or "
                "'categorical'."
            )
        return labels.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    raise ValueError(
        f"label_mode expected 'int', 'categorical', 'binary' or None; received {label_mode!r}."
    )
