"""`text_dataset_from_directory`: batches of strings from a folder of class sub-folders."""

from __future__ import annotations

import math

import numpy as np

from strata.utils import dataset_utils
from strata.utils.batch_dataset import BatchDataset


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
):
    """Batches of texts from `.txt` files in one sub-folder per class (Keras's function).

    Files are listed, shuffled and split as `image_dataset_from_directory` does; each batch's
    texts are a NumPy array of Python strings (torch has no string tensors), ready for
    `TextVectorization` or any tokenizer, e.g. `dataset.map(lambda x, y: (vectorize(x), y))`.

    Args:
        max_length: keep at most this many characters of each text.
        (others as in `image_dataset_from_directory`)

    Returns:
        A `BatchDataset` of `(texts, labels)` (texts alone with `labels=None`), with
        `class_names` and `file_paths`; a pair for `subset="both"`.
    """
    paths, labels_array, class_names = dataset_utils.index_directory(
        directory, labels, (".txt",), class_names, shuffle, seed, follow_links
    )
    num_classes = len(class_names) if class_names else 0
    if verbose:
        print(
            f"Found {len(paths)} files"
            + (f" belonging to {num_classes} classes." if class_names else ".")
        )
    if not paths:
        raise ValueError(f"No .txt files found in {directory}.")
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
        datasets.append(
            _text_batches(list(part_paths), encoded, batch_size, max_length, class_names)
        )
    return tuple(datasets) if subset == "both" else datasets[0]


def _text_batches(paths, labels, batch_size, max_length, class_names):
    batch_size = len(paths) if batch_size is None else batch_size

    def read(path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        return text[:max_length] if max_length is not None else text

    def make_batch(index):
        rows = slice(index * batch_size, (index + 1) * batch_size)
        texts = np.array([read(p) for p in paths[rows]], dtype=object)
        return texts if labels is None else (texts, labels[rows])

    return BatchDataset(make_batch, math.ceil(len(paths) / batch_size), class_names, paths)
