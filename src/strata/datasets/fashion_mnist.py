"""Fashion-MNIST: Zalando's 28x28 grayscale clothing images, in MNIST's IDX format."""

from __future__ import annotations

from strata.datasets._files import locate
from strata.datasets.mnist import read_idx
from strata.utils.file_io import get_file, verify_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
LABEL_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

# name: (md5 published with the dataset, what it holds, number of items)
FILES = {
    "train-images-idx3-ubyte.gz": ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "images", 60000),
    "train-labels-idx1-ubyte.gz": ("25c81989df183df01b3e8a0aad5dffbe", "labels", 60000),
    "t10k-images-idx3-ubyte.gz": ("bef4ecab320f06d8554ea6380940ec79", "images", 10000),
    "t10k-labels-idx1-ubyte.gz": ("bb300cfdad3c16e7a12a480ee83cd310", "labels", 10000),
}
TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def load_data(path=None):
    """Loads Fashion-MNIST's 60,000 training and 10,000 test images.

    The four IDX gzip files (the same names as MNIST's) are read from `path` (a folder), else
    `$STRATA_DATASETS_DIR/fashion_mnist`, else strata's cache, where missing files are
    downloaded once. Each file's MD5 is checked before it is parsed. `LABEL_NAMES` names the ten
    classes.

    Args:
        path: Folder holding the four files, or `None` for the default places.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 28, 28)` and uint8 labels 0-9.

    Example:
        >>> from strata.datasets import fashion_mnist
        >>> (x_train, y_train), _ = fashion_mnist.load_data()  # doctest: +SKIP
        >>> fashion_mnist.LABEL_NAMES[int(y_train[0])]  # doctest: +SKIP
        'Ankle boot'
    """
    folder, is_cache = locate("fashion_mnist", path)
    for name in TRAIN + TEST:
        if is_cache:
            get_file(name, ORIGIN + name, FILES[name][0], cache_dir=folder, cache_subdir="")
        elif not (folder / name).is_file():
            raise FileNotFoundError(f"Fashion-MNIST expected the file {folder / name}; absent.")
    return _read_pair(folder, TRAIN), _read_pair(folder, TEST)


def _read_pair(folder, pair):
    arrays = []
    for name in pair:
        md5, kind, count = FILES[name]
        verify_file(folder / name, md5, what=f"Fashion-MNIST file {folder / name}")
        arrays.append(read_idx(folder / name, kind, count))
    images, labels = arrays
    if labels.max(initial=0) > 9:
        raise ValueError(f"Fashion-MNIST labels expected values 0-9; found {labels.max()}.")
    return images, labels
