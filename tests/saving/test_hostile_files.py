"""Loading hostile or foreign files: refused with a clear error, and nothing in them runs."""

import json
import pathlib
import pickle
import struct
import zipfile

import pytest
import saving_helpers as helpers
import torch

from strata.models import load_model
from strata.saving import archive

SUFFIXES = [".keras", ".h5", ".weights.h5", ".pt", ""]


class Trap:
    """Unpickling this creates `marker`: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _loaders():
    model = helpers.sequential_model()
    return {
        "load_model": load_model,
        "load_weights": model.load_weights,
        "load_weights_by_name": lambda path: model.load_weights(path, by_name=True),
    }


def _assert_refused(path, marker, match):
    for name, loader in _loaders().items():
        with pytest.raises(ValueError, match=match) as info:
            loader(path)
        assert "config.json" in str(info.value) or "strata" in str(info.value), name
        assert not marker.exists(), f"{name} ran code from {path.name}"


def test_the_trap_is_live(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(Trap(marker)))
    assert marker.exists()  # so its absence below means nothing was unpickled


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_plain_pickle_is_refused(tmp_path, suffix):
    marker = tmp_path / "ran"
    path = tmp_path / f"evil{suffix}"
    path.write_bytes(pickle.dumps({"weights": Trap(marker)}, protocol=4))
    _assert_refused(path, marker, "pickle")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_torch_save_files_are_refused(tmp_path, suffix):
    marker = tmp_path / "ran"
    modern, legacy = tmp_path / f"modern{suffix}", tmp_path / f"legacy{suffix}"
    torch.save({"w": torch.ones(2), "trap": Trap(marker)}, modern)
    torch.save({"trap": Trap(marker)}, legacy, _use_new_zipfile_serialization=False)
    _assert_refused(modern, marker, "data.pkl")
    _assert_refused(legacy, marker, "pickle")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_strata_zip_with_a_pickle_inside_is_refused(tmp_path, suffix):
    marker = tmp_path / "ran"
    good = tmp_path / "good.keras"
    helpers.sequential_model().save(good)
    path = tmp_path / f"evil{suffix}"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("data.pkl", pickle.dumps(Trap(marker)))
    _assert_refused(path, marker, "pickle")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_broken_hdf5_file_is_refused(tmp_path, suffix):
    path = tmp_path / f"keras2{suffix}"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(512))
    _assert_refused(path, tmp_path / "never", "HDF5")


@pytest.mark.parametrize("member", ["../escape.json", "/etc/cron.d/job", "sub/../../x", "C:evil"])
def test_path_traversal_member_is_refused(tmp_path, member):
    path = tmp_path / "traversal.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo(member), b"{}")
        zf.writestr("metadata.json", b"{}")
    with pytest.raises(ValueError, match="traversal"):
        load_model(path)
    assert not (tmp_path.parent / "escape.json").exists()


def test_unexpected_member_is_refused(tmp_path):
    path = tmp_path / "extra.keras"
    helpers.sequential_model().save(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("hook.py", b"import os")
    with pytest.raises(ValueError, match=r"unexpected members \['hook.py'\]"):
        load_model(path)


def test_repeated_member_is_refused(tmp_path):
    path = tmp_path / "twice.keras"
    helpers.sequential_model().save(path)
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as zf:
        zf.writestr("config.json", b"{}")  # zipfile warns: duplicate name
    with pytest.raises(ValueError, match="repeats members"):
        load_model(path)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """1.1 GiB of zeros deflated into about 5 MB, under a member name strata expects."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.keras"
    chunk = bytes(16 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("config.json", "w", force_zip64=True) as member:
            for _ in range(70):
                member.write(chunk)
    return path


def test_zip_bomb_is_refused_before_inflating(zip_bomb, monkeypatch):
    inflated = []
    real_read = zipfile.ZipFile.read
    monkeypatch.setattr(
        zipfile.ZipFile,
        "read",
        lambda self, name, pwd=None: inflated.append(name) or real_read(self, name, pwd),
    )
    assert zip_bomb.stat().st_size < 20 << 20
    with pytest.raises(ValueError, match="zip bomb"):
        load_model(zip_bomb)
    assert inflated == []


def test_archive_wide_inflation_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_INFLATED", 1 << 20)
    path = tmp_path / "spread.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", bytes(1 << 20))
        zf.writestr("optimizer.json", bytes(1 << 20))
    with pytest.raises(ValueError, match="members would inflate"):
        load_model(path)


def test_member_larger_than_declared_is_caught(tmp_path):
    path = tmp_path / "liar.keras"
    helpers.sequential_model().save(path)
    data = bytearray(path.read_bytes())
    # Declare config.json 10 bytes long in both headers; it really inflates to much more.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + 11] == b"config.json":
                data[start + offset : start + offset + 4] = struct.pack("<I", 10)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged|JSON"):
        load_model(path)


def test_encrypted_member_is_refused(tmp_path):
    path = tmp_path / "locked.keras"
    helpers.sequential_model().save(path)
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    data[start + 8] |= 0x1  # the central directory's "encrypted" flag of the first member
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="encrypted"):
        load_model(path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "empty file"),
        (b"PK\x03\x04garbage", "damaged"),
        (b'{"class_name": "Functional"}', "JSON file"),
        (b"PK\x05\x06" + bytes(18), "empty zip"),
        (b"\x00\x01\x02\x03\x04\x05\x06\x07\x08", "unrecognised"),
    ],
)
def test_other_foreign_files(tmp_path, content, match):
    path = tmp_path / "foreign.keras"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_model(path)


def test_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        load_model(tmp_path)


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.keras"
    helpers.sequential_model().save(path)
    members = archive.read_archive(path)
    members["config.json"] = b"[" * 200_000 + b"]" * 200_000
    archive.write_archive(path, members)
    with pytest.raises(ValueError, match="config.json expected UTF-8 JSON"):
        load_model(path)


def test_corrupt_safetensors_is_refused(tmp_path):
    path = tmp_path / "bad_weights.keras"
    helpers.sequential_model().save(path)
    members = archive.read_archive(path)
    members["model.weights.safetensors"] = struct.pack("<Q", 2) + b"{}" + b"junk"
    archive.write_archive(path, members)
    with pytest.raises(ValueError, match="safetensors"):
        load_model(path)


def test_config_must_describe_a_model(tmp_path):
    path = tmp_path / "list.keras"
    helpers.sequential_model().save(path)
    members = archive.read_archive(path)
    members["config.json"] = json.dumps(["not", "a", "model"]).encode()
    archive.write_archive(path, members)
    with pytest.raises(ValueError, match="expected a serialized model"):
        load_model(path)


def test_unknown_class_in_config_is_refused(tmp_path):
    path = tmp_path / "unknown.keras"
    helpers.sequential_model().save(path)
    members = archive.read_archive(path)
    config = json.loads(members["config.json"])
    config["config"]["layers"][0]["class_name"] = "os.system"
    config["config"]["layers"][0]["registered_name"] = "os.system"
    members["config.json"] = json.dumps(config).encode()
    archive.write_archive(path, members)
    with pytest.raises(ValueError, match="Unknown layer: 'os.system'.*register_keras_serializable"):
        load_model(path)


def test_not_a_file_at_all(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.keras")
