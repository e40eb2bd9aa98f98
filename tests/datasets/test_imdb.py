import shutil

import numpy as np
import pytest

from strata.datasets import imdb


@pytest.fixture
def imdb_file(shared_datasets):
    path = shared_datasets / "imdb" / imdb.FILENAME
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path


def _raw(path, split):
    with np.load(path) as f:
        tokens, offsets, labels = (f[f"{split}_{k}"] for k in ("tokens", "offsets", "labels"))
    reviews = [tokens[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    return reviews, labels.astype(np.int64)


def test_default_load_gives_the_file_reviews_shuffled(imdb_file):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(imdb_file)
    assert x_train.dtype == object and len(x_train) == 5000 and len(x_test) == 1000
    assert y_train.dtype == np.int64 and y_train.shape == (5000,)
    assert isinstance(x_train[0], list) and isinstance(x_train[0][0], int)
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        reviews, labels = _raw(imdb_file, split)
        assert [list(r) for r in x] != reviews  # shuffled
        assert sorted(map(tuple, x)) == sorted(map(tuple, reviews))
        by_review = {tuple(r): label for r, label in zip(reviews, labels, strict=True)}
        assert all(by_review[tuple(r)] == label for r, label in zip(x, y, strict=True))
    assert int(y_train.sum()) == 2546 and int(y_test.sum()) == 474


def test_seed_controls_the_shuffle(imdb_file):
    (a, _), _ = imdb.load_data(imdb_file, seed=113)
    (b, _), _ = imdb.load_data(imdb_file, seed=113)
    (c, _), _ = imdb.load_data(imdb_file, seed=7)
    assert list(a) == list(b)
    assert list(a) != list(c)


def test_num_words_and_maxlen(imdb_file):
    (x_train, y_train), (x_test, _) = imdb.load_data(imdb_file, num_words=100, maxlen=200)
    reviews, _ = _raw(imdb_file, "train")
    assert len(x_train) == sum(len(r) < 200 for r in reviews) == len(y_train)
    assert all(len(r) < 200 for r in x_train)
    assert max(max(r) for r in x_train) == 99 and max(max(r) for r in x_test) == 99
    assert all(r[0] == 1 for r in x_train)
    # Words at 100 or above became the out-of-vocabulary index 2, keeping each length.
    lengths = sorted(len(r) for r in x_train)
    assert lengths == sorted(len(r) for r in reviews if len(r) < 200)
    assert sum(r.count(2) for r in x_train) > sum(r.count(2) for r in reviews if len(r) < 200)


def test_oov_none_skip_top_start_and_index_from(imdb_file):
    (base, _), _ = imdb.load_data(imdb_file)
    (dropped, _), _ = imdb.load_data(imdb_file, oov_char=None)
    assert [[w for w in r if w != 2] for r in base] == list(dropped)
    (shifted, _), _ = imdb.load_data(imdb_file, start_char=None, index_from=10, oov_char=0)
    expected = [[0 if w == 2 else w + 7 for w in r[1:]] for r in base]
    assert list(shifted) == expected
    (skipped, _), _ = imdb.load_data(imdb_file, skip_top=20)
    assert [[w if w >= 20 else 2 for w in r] for r in base] == list(skipped)


def test_maxlen_too_small_raises(imdb_file):
    with pytest.raises(ValueError, match="maxlen=5 keeps no review"):
        imdb.load_data(imdb_file, maxlen=5)


def test_folder_path_and_env_var(imdb_file, monkeypatch):
    (by_folder, _), _ = imdb.load_data(imdb_file.parent)
    monkeypatch.setenv("STRATA_DATASETS_DIR", str(imdb_file.parent.parent))
    (by_env, _), _ = imdb.load_data()
    assert list(by_folder) == list(by_env)


def test_missing_file_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("STRATA_DATASETS_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="imdb_5k_500words.npz"):
        imdb.load_data()


def test_corrupted_copy_fails_checksum(imdb_file, tmp_path):
    copy = tmp_path / imdb.FILENAME
    shutil.copy(imdb_file, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 3] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"expected sha256 {imdb.SHA256}"):
        imdb.load_data(copy)


def test_pickled_object_arrays_are_refused(tmp_path):
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 14, 22], [1, 5]
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=ragged, y_train=np.array([1, 0]))
    with pytest.raises(ValueError, match="pickled Python object arrays"):
        imdb.load_data(path)
