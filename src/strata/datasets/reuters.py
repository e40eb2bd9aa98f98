"""Reuters newswire topics (Keras's `reuters.npz`): 11,228 newswires labelled with 46 topics."""

from __future__ import annotations

import numpy as np

from strata.datasets._safe_npz import load_npz
from strata.datasets._split import check_test_split
from strata.datasets._tabular import find_file, load_word_index
from strata.utils.file_io import verify_file

FILENAME = "reuters.npz"
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz"
SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_FILENAME = "reuters_word_index.json"
WORD_INDEX_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" + (
    WORD_INDEX_FILENAME
)
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"

# The topics, in the order of the label indices (the dataset's own fact).
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path=None,
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads the Reuters newswires as lists of word indices, with Keras's options.

    Keras's `reuters.npz` stores ragged word-index lists as pickled object arrays; strata reads
    them with an unpickler that can only rebuild numpy arrays of integer lists, after checking
    the file's SHA-256 (`path`: the file or its folder; else `$STRATA_DATASETS_DIR/reuters/`,
    else strata's cache, where it is downloaded once).

    As in Keras: the newswires are shuffled with `seed`; `index_from` is added to each word
    index and `start_char` opens each; `maxlen` drops longer newswires; indices below
    `skip_top` or not below `num_words` become `oov_char` (dropped when it is None); the last
    `test_split` of the rows are the test part.

    Args:
        path: The `.npz` file or its folder; `None` for the default places.
        num_words: Keep word indices below this (`None`: all).
        skip_top: Indices below this become out of vocabulary.
        maxlen: Drop newswires longer than this.
        test_split: Fraction of the rows kept for testing, in [0, 1).
        seed: Seed of the shuffle.
        start_char: Index opening each newswire, or None.
        oov_char: Index of out-of-vocabulary words, or None to drop them.
        index_from: Offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of int lists, and int labels
        0-45 (`LABEL_NAMES` names them).

    Example:
        >>> from strata.datasets import reuters
        >>> (x_train, y_train), _ = reuters.load_data(num_words=10000)  # doctest: +SKIP
        >>> reuters.get_label_names()[int(y_train[0])]  # doctest: +SKIP
        'earn'
    """
    test_split = check_test_split(test_split)
    file = find_file("reuters", FILENAME, ORIGIN, SHA256, path)
    verify_file(file, SHA256, what=f"Reuters file {file}")
    arrays = load_npz(file)
    if {"x", "y"} - set(arrays):
        raise ValueError(f"{file}: expected arrays 'x' and 'y'; found {sorted(arrays)}.")
    xs, labels = arrays["x"], np.asarray(arrays["y"]).astype(np.int64)
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = [list(xs[i]) for i in order], labels[order]
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        keep = [len(x) <= maxlen for x in xs]
        xs = [x for x, kept in zip(xs, keep) if kept]
        labels = labels[np.array(keep, dtype=bool)]
    if not xs:
        raise ValueError(f"Reuters: maxlen={maxlen} keeps no newswire; increase maxlen.")
    limit = num_words or max(max(x, default=0) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < limit else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < limit] for x in xs]
    cut = int(len(xs) * (1 - test_split))
    return (_objects(xs[:cut]), labels[:cut]), (_objects(xs[cut:]), labels[cut:])


def _objects(lists):
    array = np.empty(len(lists), dtype=object)
    array[:] = lists
    return array


def get_word_index(path=None):
    """The word -> index mapping of the newswires (`reuters_word_index.json`, MD5-checked).

    Indices in `load_data`'s output are these plus `index_from` (3 by default).

    Args:
        path: The JSON file or its folder; `None` for the default places (as `load_data`).
    """
    return load_word_index("reuters", WORD_INDEX_FILENAME, WORD_INDEX_ORIGIN, WORD_INDEX_MD5, path)


def get_label_names():
    """The 46 topic names, in label order."""
    return LABEL_NAMES
