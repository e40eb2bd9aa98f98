"""IMDB movie-review sentiment: word-index sequences read without unpickling anything."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from strata.datasets._files import ENV_VAR, locate
from strata.datasets._tabular import load_word_index
from strata.utils.file_io import file_digest

FILENAME = "imdb_5k_500words.npz"
# The only file this loader reads: pinned so that nothing unexpected is ever parsed.
SHA256 = "71f4dd765cc8f99e214b8570512f8156a25466546e59ebbaa4b0efb9e1f8654e"
# How the file stores reviews: 1 opens each, 2 marks a word outside the 500-word vocabulary,
# a word of frequency rank r (1 = most frequent) is stored as r + 3.
_FILE_START, _FILE_OOV, _FILE_INDEX_FROM = 1, 2, 3
_SPLITS = ("train", "test")
WORD_INDEX_FILENAME = "imdb_word_index.json"
WORD_INDEX_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" + (
    WORD_INDEX_FILENAME
)
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(
    path=None,
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads IMDB reviews as lists of word indices, with Keras's filtering options.

    The data is `imdb_5k_500words.npz`: the first 5,000 training and first 1,000 test
    reviews of the IMDB sentiment set, with a vocabulary of the 500 most frequent words. It
    stores each split as concatenated int32 tokens plus int64 offsets and int8 labels, and is
    read with `numpy.load(..., allow_pickle=False)` after its SHA-256 is checked. No download
    exists for it: the file is looked for at `path` (the file, or a folder holding it), else
    in `$STRATA_DATASETS_DIR/imdb/`, else in `~/.strata/datasets/imdb/`.

    Keras's own `imdb.npz` stores pickled Python object arrays, and unpickling runs code
    from the file, so it is refused with a `ValueError` rather than loaded.

    As in Keras: reviews are shuffled with `seed`, a word of frequency rank `r` becomes
    `r + index_from`, `start_char` opens each review, reviews of `maxlen` words or more are
    dropped, and indices below `skip_top` or not below `num_words` become `oov_char` (or are
    removed when `oov_char` is `None`). Two differences: `num_words=None` keeps every index
    (Keras's default drops the single largest one), and words outside the file's 500-word
    vocabulary are always out of vocabulary, whatever `num_words` says.

    Args:
        path: The `.npz` file or its folder; `None` for the default places.
        num_words: Keep indices below this; `None` keeps all.
        skip_top: Indices below this become out of vocabulary (this counts `start_char` and
            the `index_from` offset, as in Keras).
        maxlen: Drop reviews whose length (with `start_char`) is `maxlen` or more.
        seed: Seed of the shuffle of each split.
        start_char: Index opening each review, or `None` for none.
        oov_char: Index standing for out-of-vocabulary words, or `None` to drop them.
        index_from: Offset added to each word's frequency rank.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays whose items are lists of ints,
        and int64 label arrays (1 = positive review).

    Raises:
        FileNotFoundError: When the file is not in any of the places above.
        ValueError: When the file's checksum differs (naming both digests; a file of
            pickled object arrays is named as such), or when `maxlen` leaves no review.

    Example:
        >>> from strata.datasets import imdb
        >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(
        ...     num_words=100, maxlen=200)  # doctest: +SKIP
        >>> x_train[0][:3]  # doctest: +SKIP
        [1, 14, 22]
    """
    arrays = _read_verified(_find(path))
    rng = np.random.RandomState(seed)
    splits = []
    for split in _SPLITS:
        reviews = _reviews(arrays, split)
        labels = arrays[f"{split}_labels"].astype(np.int64)
        order = np.arange(len(reviews))
        rng.shuffle(order)
        splits.append(([reviews[i] for i in order], labels[order]))

    prepared = []
    for reviews, labels in splits:
        encoded = [_encode(body, start_char, index_from) for body in reviews]
        if maxlen:
            keep = np.array([len(values) < maxlen for values, _ in encoded], dtype=bool)
            encoded = [item for item, kept in zip(encoded, keep, strict=True) if kept]
            labels = labels[keep]
        prepared.append((encoded, labels))
    if maxlen and not (prepared[0][0] and prepared[1][0]):
        raise ValueError(
            f"IMDB: maxlen={maxlen} keeps no review of one split (reviews must be shorter "
            "than maxlen, start_char included); increase maxlen."
        )

    outputs = []
    for encoded, labels in prepared:
        x = np.empty(len(encoded), dtype=object)
        for i, (values, oov) in enumerate(encoded):
            known = ~oov & (values >= skip_top)
            if num_words:
                known &= values < num_words
            if oov_char is not None:
                x[i] = np.where(known, values, oov_char).tolist()
            else:
                x[i] = values[known].tolist()
        outputs.append((x, labels))
    return outputs[0], outputs[1]


def _find(path):
    if path is not None:
        candidate = Path(path).expanduser()
        return candidate / FILENAME if candidate.is_dir() else candidate
    folder, is_cache = locate("imdb")
    candidate = folder / FILENAME
    if not candidate.is_file():
        where = "strata's cache" if is_cache else f"${ENV_VAR}/imdb"
        raise FileNotFoundError(
            f"IMDB expected {FILENAME} in {where} ({folder}); it is not there and has no "
            f"download. Pass its path, or set {ENV_VAR} to the folder holding imdb/{FILENAME}."
        )
    return candidate


def _read_verified(file):
    if not file.is_file():
        raise FileNotFoundError(f"IMDB expected the file {file}; it does not exist.")
    digest = file_digest(file, "sha256")
    if digest != SHA256:
        if _holds_object_arrays(file):
            raise ValueError(
                f"{file} stores pickled Python object arrays (as Keras's imdb.npz does). "
                f"strata never unpickles dataset files; it reads {FILENAME} (sha256 {SHA256})."
            )
        raise ValueError(
            f"Checksum mismatch for IMDB file {file}: expected sha256 {SHA256}; received "
            f"{digest}. The file is corrupt or not {FILENAME}."
        )
    with np.load(file, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for split in _SPLITS:
        _check_split(arrays, split, file)
    return arrays


def _holds_object_arrays(file):
    # Reads only the .npy headers, which are plain literals, never the pickled payloads.
    try:
        with zipfile.ZipFile(file) as archive:
            for member in archive.namelist():
                if not member.endswith(".npy"):
                    continue
                with archive.open(member) as handle:
                    version = np.lib.format.read_magic(handle)
                    if version == (1, 0):
                        _, _, dtype = np.lib.format.read_array_header_1_0(handle)
                    else:
                        _, _, dtype = np.lib.format.read_array_header_2_0(handle)
                    if dtype.hasobject:
                        return True
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return False


def _check_split(arrays, split, file):
    names = [f"{split}_tokens", f"{split}_offsets", f"{split}_labels"]
    missing = [name for name in names if name not in arrays]
    if missing:
        raise ValueError(f"{file}: expected arrays {names}; missing {missing}.")
    tokens, offsets, labels = (arrays[name] for name in names)
    if offsets.ndim != 1 or len(offsets) != len(labels) + 1:
        raise ValueError(
            f"{file}: expected {len(labels) + 1} {split} offsets for {len(labels)} labels; "
            f"received shape {offsets.shape}."
        )
    if offsets[0] != 0 or offsets[-1] != len(tokens) or np.any(np.diff(offsets) < 1):
        raise ValueError(
            f"{file}: expected increasing {split} offsets from 0 to {len(tokens)}; "
            f"received {offsets[0]} to {offsets[-1]}."
        )
    if np.any(tokens[offsets[:-1]] != _FILE_START):
        raise ValueError(f"{file}: expected every {split} review to open with {_FILE_START}.")


def _reviews(arrays, split):
    tokens = arrays[f"{split}_tokens"].astype(np.int64)
    offsets = arrays[f"{split}_offsets"]
    # Drop the stored start marker; the caller's start_char is added back by _encode.
    return [tokens[a + 1 : b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]


def _encode(body, start_char, index_from):
    oov = body == _FILE_OOV
    values = body - _FILE_INDEX_FROM + index_from
    if start_char is not None:
        values = np.concatenate([[start_char], values]).astype(np.int64)
        oov = np.concatenate([[False], oov])
    return values, oov


def get_word_index(path=None):
    """The word -> frequency rank mapping of the IMDB reviews (`imdb_word_index.json`).

    The JSON file is MD5-checked and found like the other dataset files (`path`: the file or
    its folder; else `$STRATA_DATASETS_DIR/imdb/`, else strata's cache, downloaded once).
    Indices in `load_data`'s output are these ranks plus `index_from` (3 by default).

    Example:
        >>> from strata.datasets import imdb
        >>> index = imdb.get_word_index()  # doctest: +SKIP
        >>> index["the"]  # doctest: +SKIP
        1
    """
    return load_word_index("imdb", WORD_INDEX_FILENAME, WORD_INDEX_ORIGIN, WORD_INDEX_MD5, path)
