"""Files: a write killed mid-way leaves no lasting debris; links are written through."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import strata
from strata import layers
from strata.utils.file_io import atomic_write, remove_stale_temporaries


def small_model():
    model = strata.Sequential([strata.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    return model


def dead_pid() -> int:
    """The pid of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    import strata
    from strata import layers
    from strata.saving import archive

    real_writestr = archive.zipfile.ZipFile.writestr

    def die_mid_write(self, *args, **kwargs):
        real_writestr(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)  # killed after the first member is written

    archive.zipfile.ZipFile.writestr = die_mid_write
    model = strata.Sequential([strata.Input((4,)), layers.Dense(3)])
    model.save(sys.argv[1])
    """
)


def temporaries(folder, name):
    return [f for f in os.listdir(folder) if f.startswith(f".{name}.") and f.endswith(".tmp")]


def test_a_save_killed_mid_write_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path = tmp_path / "model.keras"
    small_model().save(path)
    before = path.read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)])
    assert killed.returncode == -9
    assert path.read_bytes() == before  # the file is whole: the old one
    assert len(temporaries(tmp_path, "model.keras")) == 1  # the killed write's debris
    small_model().save(path)
    assert temporaries(tmp_path, "model.keras") == []
    strata.models.load_model(path)


def test_backup_and_restore_clears_a_killed_backup_write_at_the_next_run(tmp_path):
    backup = strata.callbacks.BackupAndRestore(tmp_path / "backup", delete_checkpoint=False)
    os.makedirs(tmp_path / "backup")
    stale = tmp_path / "backup" / f".backup.safetensors.{dead_pid()}.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    model = small_model()
    model.fit(
        np.ones((8, 4), "float32"),
        np.ones((8, 3), "float32"),
        epochs=1,
        verbose=0,
        callbacks=[backup],
    )
    assert not stale.exists()
    assert os.path.exists(backup.backup_path)


def test_model_checkpoint_clears_killed_saves_of_per_epoch_files_at_the_next_run(tmp_path):
    stale = tmp_path / f".weights.03.keras.{dead_pid()}.q1w2e3.tmp"
    stale.write_bytes(b"x" * 1000)
    checkpoint = strata.callbacks.ModelCheckpoint(str(tmp_path / "weights.{epoch:02d}.keras"))
    small_model().fit(
        np.ones((8, 4), "float32"),
        np.ones((8, 3), "float32"),
        epochs=1,
        verbose=0,
        callbacks=[checkpoint],
    )
    assert not stale.exists() and (tmp_path / "weights.01.keras").exists()


def test_temporaries_of_running_writers_are_kept(tmp_path):
    target = tmp_path / "weights.keras"
    mine = tmp_path / f".weights.keras.{os.getpid()}.live.tmp"
    theirs = tmp_path / f".weights.keras.{dead_pid()}.dead.tmp"
    unrelated = tmp_path / ".other.keras.1.x.tmp"
    for file in (mine, theirs, unrelated):
        file.write_bytes(b"partial")
    assert remove_stale_temporaries(target) == [str(theirs)]
    assert mine.exists() and unrelated.exists() and not theirs.exists()


@pytest.mark.parametrize("how", ["model.save", "save_weights", "atomic_write"])
def test_a_symbolic_link_is_written_through(tmp_path, how):
    real = tmp_path / "store" / "real.keras"
    real.parent.mkdir()
    link = tmp_path / "link.keras"
    model = small_model()
    model.save(real)
    os.symlink(real, link)
    model.layers[0].set_weights([np.full((4, 3), 2.0, "float32"), np.zeros(3, "float32")])
    if how == "model.save":
        model.save(link)
    elif how == "save_weights":
        model.save_weights(link)
    else:
        with atomic_write(link, "wb") as handle:
            handle.write(real.read_bytes())
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    if how != "atomic_write":
        fresh = small_model()
        fresh.load_weights(real)
        np.testing.assert_array_equal(fresh.layers[0].get_weights()[0], 2.0)
