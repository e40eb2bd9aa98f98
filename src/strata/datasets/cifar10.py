"""CIFAR-10: 60,000 32x32 colour images in 10 classes, from the binary archive."""

from __future__ import annotations

from strata.datasets._cifar import archive_path, read_batches

FILENAME = "cifar-10-binary.tar.gz"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
TRAIN = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST = ("test_batch.bin",)


def load_data(path=None):
    """Loads CIFAR-10's 50,000 training and 10,000 test images.

    Read from the dataset's *binary* archive `cifar-10-binary.tar.gz` (Keras reads the
    "python version", whose batches are pickles; strata never unpickles): `path` (the archive
    or its folder), else `$STRATA_DATASETS_DIR/cifar10/`, else strata's cache, where it is
    downloaded once. The archive's MD5 is checked before anything in it is read.

    Args:
        path: The archive or its folder; `None` for the default places.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 32, 32, 3)` (or
        `(n, 3, 32, 32)` when the image data format is channels_first) and uint8 labels 0-9 of
        shape `(n, 1)`, as Keras returns them.

    Example:
        >>> from strata.datasets import cifar10
        >>> (x_train, y_train), _ = cifar10.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    file = archive_path("cifar10", FILENAME, ORIGIN, MD5, path)
    train = read_batches(file, TRAIN, label_bytes=1)
    test = read_batches(file, TEST, label_bytes=1)
    return train, test
