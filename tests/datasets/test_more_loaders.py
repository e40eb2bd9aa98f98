"""fashion_mnist, cifar10/100, boston/california housing and reuters, on small files made here
in each dataset's published format; the pinned checksums are swapped for the small files'."""

import gzip
import hashlib
import io
import json
import os
import tarfile

import numpy as np
import pytest

from strata.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    reuters,
)


def _digest(path, algorithm):
    return hashlib.new(algorithm, open(path, "rb").read()).hexdigest()


def _write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_reads_idx_files_after_their_md5(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    made = {}
    for images_name, labels_name, count in (
        (*fashion_mnist.TRAIN, 6),
        (*fashion_mnist.TEST, 4),
    ):
        images = rng.integers(0, 256, (count, 28, 28))
        labels = rng.integers(0, 10, count)
        _write_idx(tmp_path / images_name, images, 2051)
        _write_idx(tmp_path / labels_name, labels, 2049)
        made[images_name], made[labels_name] = images, labels
    files = {
        name: (_digest(tmp_path / name, "md5"), kind, len(made[name]))
        for name, (_, kind, _) in fashion_mnist.FILES.items()
    }
    monkeypatch.setattr(fashion_mnist, "FILES", files)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=tmp_path)
    assert x_train.dtype == np.uint8 and x_train.shape == (6, 28, 28)
    np.testing.assert_array_equal(x_train, made["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, made["t10k-labels-idx1-ubyte.gz"])
    assert len(fashion_mnist.LABEL_NAMES) == 10

    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"tampered")
    with pytest.raises(ValueError, match="(?i)checksum"):
        fashion_mnist.load_data(path=tmp_path)


def _cifar_archive(path, folder, members, label_bytes, rng):
    records = {}
    with tarfile.open(path, "w:gz") as archive:
        for member, rows in members.items():
            labels = rng.integers(0, 100, (rows, label_bytes))
            pixels = rng.integers(0, 256, (rows, 3 * 32 * 32))
            data = np.concatenate([labels, pixels], axis=1).astype(np.uint8).tobytes()
            info = tarfile.TarInfo(f"{folder}/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            records[member] = (labels, pixels)
    return records


def test_cifar10_reads_the_binary_archive_channels_last(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    members = {**{f"data_batch_{i}.bin": 2 for i in range(1, 6)}, "test_batch.bin": 3}
    path = tmp_path / cifar10.FILENAME
    records = _cifar_archive(path, "cifar-10-batches-bin", members, 1, rng)
    monkeypatch.setattr(cifar10, "MD5", _digest(path, "md5"))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(path=tmp_path)
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1)
    assert x_test.shape == (3, 32, 32, 3) and x_train.dtype == np.uint8
    labels, pixels = records["data_batch_2.bin"]
    assert y_train[2, 0] == labels[0, 0]
    # The first image of batch 2: its red plane is the first 1,024 pixel bytes, row-major.
    np.testing.assert_array_equal(x_train[2, :, :, 0], pixels[0, :1024].reshape(32, 32))
    np.testing.assert_array_equal(x_train[2, :, :, 2], pixels[0, 2048:].reshape(32, 32))


def test_cifar100_label_modes_and_a_refused_archive(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    path = tmp_path / cifar100.FILENAME
    records = _cifar_archive(path, "cifar-100-binary", {"train.bin": 4, "test.bin": 2}, 2, rng)
    monkeypatch.setattr(cifar100, "MD5", _digest(path, "md5"))
    (_, fine), _ = cifar100.load_data(path=path)
    (_, coarse), _ = cifar100.load_data(label_mode="coarse", path=path)
    labels, _ = records["train.bin"]
    np.testing.assert_array_equal(fine[:, 0], labels[:, 1])
    np.testing.assert_array_equal(coarse[:, 0], labels[:, 0])
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium", path=path)

    broken = tmp_path / "broken" / cifar100.FILENAME
    broken.parent.mkdir()
    with tarfile.open(broken, "w:gz") as archive:
        info = tarfile.TarInfo("cifar-100-binary/train.bin")
        info.size = 100  # not a whole record
        archive.addfile(info, io.BytesIO(b"\0" * 100))
    monkeypatch.setattr(cifar100, "MD5", _digest(broken, "md5"))
    with pytest.raises(ValueError, match="whole records"):
        cifar100.load_data(path=broken)


@pytest.mark.parametrize(
    "module, features, kwargs",
    [(boston_housing, 13, {}), (california_housing, 8, {"version": "large"})],
    ids=["boston", "california"],
)
def test_housing_split_follows_keras_shuffle(tmp_path, monkeypatch, module, features, kwargs):
    rng = np.random.default_rng(3)
    x = rng.random((50, features))
    y = rng.random(50)
    path = tmp_path / module.FILENAME
    np.savez(path, x=x, y=y)
    monkeypatch.setattr(module, "SHA256", _digest(path, "sha256"))
    (x_train, y_train), (x_test, y_test) = module.load_data(path=path, **kwargs)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)  # Keras's documented shuffle, then a 0.8 cut
    np.testing.assert_array_equal(x_train, x[order[:40]])
    np.testing.assert_array_equal(y_test, y[order[40:]])
    with pytest.raises(ValueError, match="test_split"):
        module.load_data(path=path, test_split=1.0)


def test_california_small_version_keeps_the_first_600_rows(tmp_path, monkeypatch):
    x = np.arange(700 * 8, dtype=float).reshape(700, 8)
    path = tmp_path / california_housing.FILENAME
    np.savez(path, x=x, y=np.arange(700.0))
    monkeypatch.setattr(california_housing, "SHA256", _digest(path, "sha256"))
    (x_train, _), (x_test, _) = california_housing.load_data(version="small", path=path)
    assert len(x_train) + len(x_test) == 600 and x_train.max() < 600 * 8
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="tiny", path=path)


def _reuters_file(path, xs, ys):
    objects = np.empty(len(xs), dtype=object)
    objects[:] = xs
    np.savez(path, x=objects, y=np.array(ys))  # Keras's format: a pickled object array


def test_reuters_reads_keras_ragged_npz_safely(tmp_path, monkeypatch):
    xs = [[5, 9, 2], [1, 1], [7, 30, 4, 4], [8], [3, 3, 3]]
    ys = [3, 4, 3, 19, 0]
    path = tmp_path / reuters.FILENAME
    _reuters_file(path, xs, ys)
    monkeypatch.setattr(reuters, "SHA256", _digest(path, "sha256"))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(path=path, num_words=10)
    order = np.arange(5)
    np.random.RandomState(113).shuffle(order)
    first = xs[order[0]]
    expected = [1] + [w + 3 if w + 3 < 10 else 2 for w in first]
    assert x_train[0] == expected
    assert list(y_train) + list(y_test) == [ys[i] for i in order]
    assert len(x_train) == 4 and len(x_test) == 1
    assert reuters.get_label_names()[3] == "earn" and len(reuters.get_label_names()) == 46


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_reuters_refuses_a_pickle_that_would_run_code(tmp_path, monkeypatch):
    objects = np.empty(1, dtype=object)
    objects[0] = _RunsCode()
    path = tmp_path / reuters.FILENAME
    np.savez(path, x=objects, y=np.array([1]))
    monkeypatch.setattr(reuters, "SHA256", _digest(path, "sha256"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="refused to load"):
        reuters.load_data(path=path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("module", [imdb, reuters], ids=["imdb", "reuters"])
def test_word_index_is_checksummed_json(tmp_path, monkeypatch, module):
    path = tmp_path / module.WORD_INDEX_FILENAME
    path.write_text(json.dumps({"the": 1, "of": 2}))
    monkeypatch.setattr(module, "WORD_INDEX_MD5", _digest(path, "md5"))
    assert module.get_word_index(path=path) == {"the": 1, "of": 2}
    path.write_text(json.dumps({"the": "1"}))
    with pytest.raises(ValueError, match="(?i)checksum"):
        module.get_word_index(path=path)
