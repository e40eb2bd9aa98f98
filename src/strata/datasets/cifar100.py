"""CIFAR-100: 60,000 32x32 colour images in 100 fine (20 coarse) classes, binary archive."""

from __future__ import annotations

from strata.datasets._cifar import archive_path, read_batches

FILENAME = "cifar-100-binary.tar.gz"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
MD5 = "03b5dce01913d631647c71ecec9e9cb8"


def load_data(label_mode="fine", path=None):
    """Loads CIFAR-100's 50,000 training and 10,000 test images.

    Found and checked like `cifar10.load_data`, from `cifar-100-binary.tar.gz` (folder
    `cifar100`), whose records hold a coarse and a fine label byte.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).
        path: The archive or its folder; `None` for the default places.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 32, 32, 3)` and uint8 labels
        of shape `(n, 1)`.

    Example:
        >>> from strata.datasets import cifar100
        >>> _, (x_test, y_test) = cifar100.load_data(label_mode="coarse")  # doctest: +SKIP
        >>> int(y_test.max())  # doctest: +SKIP
        19
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"label_mode expected 'fine' or 'coarse'; received {label_mode!r}.")
    column = 1 if label_mode == "fine" else 0
    file = archive_path("cifar100", FILENAME, ORIGIN, MD5, path)
    splits = []
    for member in ("train.bin", "test.bin"):
        images, labels = read_batches(file, (member,), label_bytes=2)
        splits.append((images, labels[:, column : column + 1].copy()))
    return splits[0], splits[1]
