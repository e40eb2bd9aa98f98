import hashlib
import os

import pytest

from strata.utils import atomic_write, get_file
from strata.utils.file_io import verify_file


def _leftovers(folder, keep):
    return sorted(name for name in os.listdir(folder) if name not in keep)


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "weights.bin"
    target.write_bytes(b"old")
    with atomic_write(target) as f:
        f.write(b"new content")
    assert target.read_bytes() == b"new content"
    assert _leftovers(tmp_path, {"weights.bin"}) == []


def test_atomic_write_text_mode_creates_file(tmp_path):
    target = tmp_path / "log.csv"
    with atomic_write(str(target), mode="w") as f:
        f.write("epoch,loss\n0,1.5\n")
    assert target.read_text() == "epoch,loss\n0,1.5\n"


def test_atomic_write_keeps_old_file_when_writer_raises(tmp_path):
    target = tmp_path / "model.strata"
    target.write_bytes(b"good old model")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_write(target) as f:
            f.write(b"half a mod")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"good old model"
    assert _leftovers(tmp_path, {"model.strata"}) == []


def test_atomic_write_new_file_absent_after_failure(tmp_path):
    target = tmp_path / "new.bin"
    with pytest.raises(KeyError):
        with atomic_write(target) as f:
            f.write(b"x")
            raise KeyError("boom")
    assert os.listdir(tmp_path) == []


def test_atomic_write_keeps_mode_of_replaced_file(tmp_path):
    target = tmp_path / "shared.txt"
    target.write_text("a")
    os.chmod(target, 0o640)
    with atomic_write(target, "w") as f:
        f.write("b")
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_atomic_write_refuses_read_mode(tmp_path):
    with pytest.raises(ValueError, match="expected mode 'wb' or 'w'; received 'rb'"):
        with atomic_write(tmp_path / "x", mode="rb"):
            pass


def _source(tmp_path, payload=b"real dataset bytes"):
    src = tmp_path / "origin" / "data.bin"
    src.parent.mkdir()
    src.write_bytes(payload)
    return src, hashlib.sha256(payload).hexdigest(), hashlib.md5(payload).hexdigest()


def test_get_file_returns_cached_file_without_download(tmp_path):
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    cached = cache / "datasets" / "data.bin"
    cached.write_bytes(b"cached")
    digest = hashlib.sha256(b"cached").hexdigest()
    # An origin that cannot be opened proves no download was attempted.
    path = get_file("data.bin", "file:///nonexistent/nowhere.bin", digest, cache_dir=cache)
    assert path == str(cached)


def test_get_file_downloads_and_verifies(tmp_path):
    src, sha, md5 = _source(tmp_path)
    cache = tmp_path / "cache"
    for digest, sub in ((sha, "a"), (md5, "b")):
        path = get_file("data.bin", src.as_uri(), digest, cache_dir=cache, cache_subdir=sub)
        assert path == str(cache / sub / "data.bin")
        assert open(path, "rb").read() == b"real dataset bytes"


def test_get_file_bad_download_raises_and_leaves_user_file(tmp_path):
    src, _, _ = _source(tmp_path)
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    mine = cache / "datasets" / "data.bin"
    mine.write_bytes(b"the user's own file")
    wrong = "0" * 64
    with pytest.raises(ValueError, match="expected sha256 0{64}"):
        get_file("data.bin", src.as_uri(), wrong, cache_dir=cache)
    assert mine.read_bytes() == b"the user's own file"
    assert os.listdir(cache / "datasets") == ["data.bin"]


def test_get_file_replacing_stale_file_keeps_it_aside(tmp_path):
    src, sha, _ = _source(tmp_path)
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "data.bin").write_bytes(b"stale")
    path = get_file("data.bin", src.as_uri(), sha, cache_dir=cache)
    assert open(path, "rb").read() == b"real dataset bytes"
    assert (cache / "datasets" / "data.bin.mismatch").read_bytes() == b"stale"


def test_get_file_rejects_malformed_hash(tmp_path):
    with pytest.raises(ValueError, match="received 'abc' \\(3 characters\\)"):
        get_file("x", "file:///nowhere", file_hash="abc", cache_dir=tmp_path)


def test_verify_file_message(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    verify_file(f, "900150983cd24fb0d6963f7d28e17f72")
    with pytest.raises(ValueError, match="received 900150983cd24fb0d6963f7d28e17f72"):
        verify_file(f, "1" * 32)
