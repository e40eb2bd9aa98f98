"""MNIST handwritten digits, read from the canonical IDX files after a checksum check."""

from __future__ import annotations

import gzip
import zlib

import numpy as np

from strata.datasets._files import locate
from strata.utils.file_io import get_file, verify_file

ORIGIN = "https://ossci-datasets.s3.amazonaws.com/mnist/"
ROWS = COLS = 28

# name: (md5 of the gzip file, what it holds, number of items)
FILES = {
    "train-images-idx3-ubyte.gz": ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "images", 60000),
    "train-labels-idx1-ubyte.gz": ("d53e105ee54ea40749a09fcbcd1e9432", "labels", 60000),
    "t10k-images-idx3-ubyte.gz": ("9fb629c4189551a2d022fa330f9573f3", "images", 10000),
    "t10k-labels-idx1-ubyte.gz": ("ec29112dd5afa0611ce80d1b7f02629c", "labels", 10000),
}
TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

_MAGIC = {"images": 2051, "labels": 2049}  # 0x0803: unsigned bytes, 3 dims; 0x0801: 1 dim


def load_data(path=None):
    """Loads the 60,000 training and 10,000 test images of MNIST.

    The four canonical gzip files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
    `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`) are read from a folder: `path`
    when given, else `$STRATA_DATASETS_DIR/mnist`, else the cache `~/.strata/datasets/mnist`
    (or `$STRATA_HOME/datasets/mnist`), where missing files are downloaded once. Each file's
    MD5 is checked against the published one before a byte of it is parsed.

    Unlike Keras, whose `path` names a cached `mnist.npz`, `path` here is a folder of the
    IDX files. When a folder holds only the test files, use `load_test_split` instead.

    Args:
        path: Folder holding the four files, or `None` for the default places.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(n, 28, 28)` with
        pixel values 0-255 and uint8 labels 0-9 of shape `(n,)`.

    Raises:
        FileNotFoundError: When a chosen folder lacks the training files.
        ValueError: When a file's checksum or IDX content is not the expected one.

    Example:
        >>> from strata.datasets import mnist
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_test.shape  # doctest: +SKIP
        ((60000, 28, 28), (10000,))
    """
    folder = _folder_with(TRAIN + TEST, path)
    x_train, y_train = _read_pair(folder, TRAIN)
    x_test, y_test = _read_pair(folder, TEST)
    return (x_train, y_train), (x_test, y_test)


def load_test_split(path=None, train_size=8000):
    """Splits MNIST's 10,000 test images into a training and a test part.

    For machines that hold only the canonical test files (`t10k-images-idx3-ubyte.gz` and
    `t10k-labels-idx1-ubyte.gz`). The split is by position, not random: the first
    `train_size` images become the training part and the remaining `10000 - train_size` the
    test part, so a figure reported on it can be reproduced exactly. Files are found and
    checksummed as in `load_data` (only these two are downloaded into the cache when missing).

    Args:
        path: Folder holding the two test files, or `None` for the default places.
        train_size: How many of the first test images go to the training part (0 to 10,000).

    Returns:
        `(x_train, y_train), (x_test, y_test)` like `load_data`: uint8 images `(n, 28, 28)`
        and uint8 labels `(n,)`.

    Raises:
        FileNotFoundError: When a chosen folder lacks the test files.
        ValueError: For a `train_size` outside 0-10,000, or a file whose checksum or IDX
            content is not the expected one.

    Example:
        >>> from strata.datasets import mnist
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_test_split(
        ...     "/data/mnist", train_size=8000)  # doctest: +SKIP
        >>> x_train.shape, x_test.shape  # doctest: +SKIP
        ((8000, 28, 28), (2000, 28, 28))
    """
    total = FILES[TEST[0]][2]
    if isinstance(train_size, bool) or not isinstance(train_size, (int, np.integer)):
        raise ValueError(f"train_size expected an integer; received {train_size!r}.")
    if not 0 <= train_size <= total:
        raise ValueError(f"train_size expected a value from 0 to {total}; received {train_size}.")
    folder = _folder_with(TEST, path)
    images, labels = _read_pair(folder, TEST)
    return (images[:train_size], labels[:train_size]), (images[train_size:], labels[train_size:])


def _folder_with(names, path):
    folder, is_cache = locate("mnist", path)
    if is_cache:
        for name in names:
            get_file(name, ORIGIN + name, FILES[name][0], cache_dir=folder, cache_subdir="")
        return folder
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        hint = ""
        if set(missing) <= set(TRAIN):
            hint = (
                " The test files are present: mnist.load_test_split(path, train_size=8000) "
                "splits them into a training and a test part."
            )
        raise FileNotFoundError(
            f"MNIST expected the files {list(names)} in {folder}; missing {missing}.{hint}"
        )
    return folder


def _read_pair(folder, pair):
    image_name, label_name = pair
    for name in pair:
        verify_file(folder / name, FILES[name][0], what=f"MNIST file {folder / name}")
    images = read_idx(folder / image_name, "images", FILES[image_name][2])
    labels = read_idx(folder / label_name, "labels", FILES[label_name][2])
    if labels.max(initial=0) > 9:
        raise ValueError(
            f"MNIST labels expected values 0-9; {folder / label_name} holds {int(labels.max())}."
        )
    return images, labels


def read_idx(path, kind, count=None):
    """Reads a gzip-compressed IDX file of MNIST images or labels.

    Args:
        path: The `.gz` file.
        kind: `"images"` (magic 2051, shape `(n, 28, 28)`) or `"labels"` (magic 2049,
            shape `(n,)`).
        count: The expected number of items, or `None` to accept any.

    Returns:
        A writable uint8 array.

    Raises:
        ValueError: When the file is not valid gzip, its magic number, sizes or length differ
            from what `kind` and `count` call for; the message names both.
    """
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: expected a gzip-compressed IDX file; {error}.") from None
    ndim = 3 if kind == "images" else 1
    header = 4 + 4 * ndim
    magic = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    if magic != _MAGIC[kind]:
        raise ValueError(
            f"{path}: expected IDX magic number {_MAGIC[kind]} ({kind}); received {magic}."
        )
    if len(data) < header:
        raise ValueError(f"{path}: expected an IDX header of {header} bytes; got {len(data)}.")
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_dims = ((count,) if count is not None else dims[:1]) + (
        (ROWS, COLS) if kind == "images" else ()
    )
    if dims != expected_dims:
        raise ValueError(f"{path}: expected {kind} of shape {expected_dims}; header says {dims}.")
    size = int(np.prod(dims))
    if len(data) - header != size:
        raise ValueError(
            f"{path}: expected {size} bytes of {kind} after the header; "
            f"received {len(data) - header}."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()
