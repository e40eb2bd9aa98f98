"""BackupAndRestore: a run killed with SIGKILL resumes and ends exactly like an unbroken run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from callback_helpers import binary_data, binary_model

import strata
from strata.callbacks import BackupAndRestore, EarlyStopping

CHILD = Path(__file__).with_name("backup_child.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def _run_child(mode, workdir, seed, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.Popen(
        [sys.executable, str(CHILD), mode, str(workdir), str(seed)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **kwargs,
    )


def _finish(process, what):
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, f"{what} failed:\n{output.decode(errors='replace')}"


def _result(workdir, mode):
    with np.load(workdir / f"{mode}.npz") as archive:
        weights = [archive[f"arr_{i}"] for i in range(len(archive.files))]
    return weights, json.loads((workdir / f"{mode}.json").read_text())


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkilled_run_resumes_to_the_same_result(tmp_path):
    _finish(_run_child("reference", tmp_path, seed=7), "reference run")

    killable = _run_child("killable", tmp_path, seed=7)
    deadline = time.monotonic() + 240
    while not (tmp_path / "ready").exists():
        assert killable.poll() is None, killable.communicate()[0].decode(errors="replace")
        assert time.monotonic() < deadline, "the child never reached epoch 2"
        time.sleep(0.05)
    killable.send_signal(signal.SIGKILL)
    killable.wait(timeout=60)
    assert killable.returncode == -signal.SIGKILL
    backup = tmp_path / "backup" / "backup.safetensors"
    assert backup.exists()
    assert not (tmp_path / "killable.json").exists()

    # Another seed: only the restored weights and random states can give the same result.
    _finish(_run_child("resume", tmp_path, seed=12345), "resumed run")
    reference_weights, reference = _result(tmp_path, "reference")
    resumed_weights, resumed = _result(tmp_path, "resume")
    # Killed during epoch 2: epochs 0 and 1 were backed up, so the resumed run starts at 2.
    assert resumed["epochs_run"] == [2, 3, 4, 5]
    assert reference["epochs_run"] == [0, 1, 2, 3, 4, 5]
    assert resumed["history"].keys() == reference["history"].keys()
    for key, values in reference["history"].items():
        np.testing.assert_allclose(resumed["history"][key], values, rtol=0, atol=1e-6)
    for got, expected in zip(resumed_weights, reference_weights, strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    # A finished run removes its backup (delete_checkpoint=True).
    assert not backup.exists()


def test_backup_holds_state_without_pickle_and_restores_callbacks(tmp_path):
    from safetensors import safe_open

    x, y = binary_data()
    model = binary_model()
    stop = EarlyStopping(monitor="val_loss", patience=10)
    backup = BackupAndRestore(tmp_path / "b", delete_checkpoint=False)
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[backup, stop])
    path = tmp_path / "b" / "backup.safetensors"
    with safe_open(str(path), framework="pt") as handle:
        keys = set(handle.keys())
        state = json.loads(handle.metadata()["state"])
    assert state["epoch"] == 2
    assert {"model/0", "random/2"} <= {k.rsplit("/", 1)[0] for k in keys} | keys
    assert set(state["callbacks"]) == {"EarlyStopping:0", "History:0"}
    assert b"pickle" not in path.read_bytes()[:64]

    # A new fit on a fresh model restores everything and only runs the remaining epochs.
    strata.backend.set_random_seed(99)
    fresh = binary_model()
    fresh_stop = EarlyStopping(monitor="val_loss", patience=10)
    history = fresh.fit(
        x,
        y,
        epochs=5,
        verbose=0,
        validation_split=0.25,
        callbacks=[BackupAndRestore(tmp_path / "b"), fresh_stop],
    )
    assert history.epoch == [0, 1, 2, 3, 4]
    assert fresh_stop.best <= stop.best
    assert fresh.optimizer.iterations == 5 * 2  # 48 training rows, batches of 32
    assert not (tmp_path / "b").exists()


def test_backup_restores_random_states(tmp_path):
    import random

    x, y = binary_data(n=16)
    model = binary_model()
    model.fit(
        x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path, delete_checkpoint=False)]
    )
    expected = (random.random(), np.random.random(), torch.rand(1).item())
    strata.backend.set_random_seed(5)
    callback = BackupAndRestore(tmp_path)
    callback.set_model(model)
    callback._set_callbacks([])
    callback._restore()
    assert (random.random(), np.random.random(), torch.rand(1).item()) == expected


def test_bad_arguments_and_foreign_files(tmp_path):
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(tmp_path, save_freq=0)
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(1)}, str(tmp_path / "backup.safetensors"), metadata={"a": "b"})
    x, y = binary_data(n=16)
    with pytest.raises(ValueError, match="no readable strata backup state"):
        binary_model().fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path)])


def test_integer_save_freq_backs_up_inside_the_epoch(tmp_path):
    x, y = binary_data(n=64)
    model = binary_model()
    writes = []
    callback = BackupAndRestore(tmp_path / "b", save_freq=3, delete_checkpoint=False)
    original = callback._write
    callback._write = lambda epoch: (writes.append(epoch), original(epoch))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[callback])
    # 8 batches in all: backups after the 3rd and 6th, marked as inside epochs 0 and 1.
    assert writes == [-1, 0]
