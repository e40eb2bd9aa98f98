import gzip
import shutil

import numpy as np
import pytest

from strata.datasets import mnist

# Published class counts of MNIST's 10,000 test images (digits 0 to 9).
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def mnist_dir(shared_datasets):
    folder = shared_datasets / "mnist"
    if not (folder / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST test files are not in {folder}")
    return folder


def test_load_test_split_on_real_files(mnist_dir):
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(mnist_dir, train_size=8000)
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert y_train.shape == (8000,) and y_test.shape == (2000,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    counts = np.bincount(y_train, minlength=10) + np.bincount(y_test, minlength=10)
    assert counts.tolist() == TEST_COUNTS
    assert counts.sum() == 10000
    assert x_train.min() == 0 and x_train.max() == 255
    # Positional split: the first test labels of MNIST are 7, 2, 1, 0, 4.
    assert y_train[:5].tolist() == [7, 2, 1, 0, 4]
    # Digits have ink in the middle and blank borders.
    assert x_train[:, 10:18, 10:18].mean() > 5 * x_train[:, :2, :].mean()


def test_load_test_split_sizes_and_bounds(mnist_dir):
    (x_train, _), (x_test, y_test) = mnist.load_test_split(mnist_dir, train_size=9500)
    assert len(x_train) == 9500 and len(x_test) == 500
    (_, _), (x_all, y_all) = mnist.load_test_split(mnist_dir, train_size=0)
    np.testing.assert_array_equal(x_all[9500:], x_test)
    np.testing.assert_array_equal(y_all[9500:], y_test)
    for bad in (-1, 10001, 0.5):
        with pytest.raises(ValueError, match="train_size expected"):
            mnist.load_test_split(mnist_dir, train_size=bad)


def test_load_data_without_train_files_points_to_test_split(mnist_dir):
    with pytest.raises(FileNotFoundError, match="load_test_split") as info:
        mnist.load_data(mnist_dir)
    assert "train-images-idx3-ubyte.gz" in str(info.value)


def test_env_var_folder_is_used(mnist_dir, monkeypatch):
    monkeypatch.setenv("STRATA_DATASETS_DIR", str(mnist_dir.parent))
    (_, y_train), _ = mnist.load_test_split(train_size=100)
    assert y_train[:5].tolist() == [7, 2, 1, 0, 4]


def test_cache_folder_used_without_download(mnist_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("STRATA_DATASETS_DIR", raising=False)
    monkeypatch.setenv("STRATA_HOME", str(tmp_path))
    cache = tmp_path / "datasets" / "mnist"
    cache.mkdir(parents=True)
    for name in mnist.TEST:
        shutil.copy(mnist_dir / name, cache / name)
    (x_train, _), _ = mnist.load_test_split(train_size=10)
    assert x_train.shape == (10, 28, 28)
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.TEST)


def test_corrupted_copy_fails_checksum(mnist_dir, tmp_path):
    for name in mnist.TEST:
        shutil.copy(mnist_dir / name, tmp_path / name)
    images = tmp_path / "t10k-images-idx3-ubyte.gz"
    data = bytearray(images.read_bytes())
    data[len(data) // 2] ^= 0xFF
    images.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="Checksum mismatch") as info:
        mnist.load_test_split(tmp_path)
    assert "9fb629c4189551a2d022fa330f9573f3" in str(info.value)


def _idx(path, magic, dims, payload):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    with gzip.open(path, "wb") as f:
        f.write(header + payload)
    return path


def test_read_idx_parses_a_valid_file(tmp_path):
    pixels = np.arange(2 * 28 * 28, dtype=np.uint8)
    path = _idx(tmp_path / "i.gz", 2051, (2, 28, 28), pixels.tobytes())
    out = mnist.read_idx(path, "images", 2)
    np.testing.assert_array_equal(out, pixels.reshape(2, 28, 28))
    labels = _idx(tmp_path / "l.gz", 2049, (3,), bytes([3, 1, 4]))
    assert mnist.read_idx(labels, "labels").tolist() == [3, 1, 4]


def test_read_idx_rejects_wrong_magic(tmp_path):
    path = _idx(tmp_path / "l.gz", 2049, (3,), bytes(3))
    with pytest.raises(ValueError, match="expected IDX magic number 2051 .*received 2049"):
        mnist.read_idx(path, "images")


def test_read_idx_rejects_wrong_sizes(tmp_path):
    path = _idx(tmp_path / "i.gz", 2051, (2, 28, 27), bytes(2 * 28 * 27))
    with pytest.raises(ValueError, match=r"shape \(2, 28, 28\); header says \(2, 28, 27\)"):
        mnist.read_idx(path, "images", 2)
    short = _idx(tmp_path / "s.gz", 2049, (5,), bytes(4))
    with pytest.raises(ValueError, match="expected 5 bytes of labels .*received 4"):
        mnist.read_idx(short, "labels")
    counted = _idx(tmp_path / "c.gz", 2049, (5,), bytes(5))
    with pytest.raises(ValueError, match=r"shape \(10000,\); header says \(5,\)"):
        mnist.read_idx(counted, "labels", 10000)


def test_read_idx_rejects_non_gzip(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="expected a gzip-compressed IDX file"):
        mnist.read_idx(path, "labels")
