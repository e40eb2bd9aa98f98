"""strata.zoo across processes: simultaneous writers, saves killed midway, and SIGKILL.

The writers are real separate Python processes (tests/zoo/zoo_worker.py). Every model they
save has all its weights equal to the number recorded as the entry's metric "value", so each
check below also proves that an entry's record and its model file belong together.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import strata
from strata import zoo

WORKER = Path(__file__).with_name("zoo_worker.py")
SRC = Path(strata.__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process control")


def start(*args):
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def assert_consistent(folder, name):
    """The entry loads, and its weights are the value its record names.

    Another process may replace the entry meanwhile (values only grow then): the loaded value
    lies between the values of the records read just before and just after.
    """
    before = zoo.info(name, directory=folder).metrics["value"]
    weights = zoo.load(name, directory=folder).get_weights()
    after = zoo.info(name, directory=folder).metrics["value"]
    value = float(weights[0].flat[0])
    for array in weights:
        np.testing.assert_array_equal(array, np.full(array.shape, value))
    assert before <= value <= after
    return value


def saved_model(value):
    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3, name="dense")])
    model.set_weights([np.full(w.shape, value, dtype="float32") for w in model.get_weights()])
    return model


def test_simultaneous_writers(tmp_path):
    folder, sync = tmp_path / "zoo", tmp_path / "sync"
    sync.mkdir()
    workers = 3
    processes = [start("race", folder, sync, i) for i in range(workers)]
    try:
        wait_for(lambda: len(list(sync.glob("ready.*"))) == workers, "the workers to start")
        (sync / "go").touch()  # all start saving at the same moment
        outputs = [p.communicate(timeout=300) for p in processes]
    finally:
        for p in processes:
            p.kill()
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err
    lines = [line.split() for out, _ in outputs for line in out.splitlines()]

    names = [f"own-{i}" for i in range(workers)]
    assert zoo.list(directory=folder).names() == sorted([*names, "exclusive", "shared"])
    for i, name in enumerate(names):
        assert assert_consistent(folder, name) == i
    assert sorted(state for name, state in lines if name == "shared") == ["saved"] * workers
    assert assert_consistent(folder, "shared") in range(workers)
    # overwrite=False: exactly one of the simultaneous saves wins, the others are refused.
    exclusive = sorted(state for name, state in lines if name == "exclusive")
    assert exclusive == ["exists"] * (workers - 1) + ["saved"]
    assert assert_consistent(folder, "exclusive") in range(workers)
    assert zoo.verify(directory=folder) == []
    # Nothing left behind: one model file per entry, no temporary files.
    assert len(os.listdir(folder / "models")) == workers + 2
    assert sorted(os.listdir(folder / "entries")) == sorted(
        f"{n}.json" for n in [*names, "exclusive", "shared"]
    )


# The save's os.fsync calls: 1 the model's temporary file, 2 the models folder after its
# rename, 3 the record's temporary file, 4 the entries folder after the record's rename.
# Killed before 1, 2 or 3, the save leaves something in this folder and the old entry stands;
# killed before 4, the new entry is already committed.
LEFT_IN = {1: "models", 2: "models", 3: "entries"}


def test_saves_killed_at_each_step(tmp_path):
    folders, processes = {}, {}
    for crash_at in (1, 2, 3, 4):  # one process per step, all at once (each takes seconds)
        folders[crash_at] = folder = tmp_path / f"zoo{crash_at}"
        zoo.save(saved_model(7.0), "m", metrics={"value": 7.0}, directory=folder)
        processes[crash_at] = start("crash", folder, tmp_path, 0, crash_at)
    results = {n: p.communicate(timeout=300) for n, p in processes.items()}
    for crash_at, process in processes.items():
        assert process.returncode == 17, (crash_at, results[crash_at])  # died inside the save

    assert assert_consistent(folders[4], "m") == 1000.0  # committed just before: the new one
    for crash_at, leftover_folder in LEFT_IN.items():
        folder = folders[crash_at]
        assert len(os.listdir(folder / leftover_folder)) == 2, (crash_at, leftover_folder)
        assert zoo.list(directory=folder).names() == ["m"]
        assert assert_consistent(folder, "m") == 7.0, crash_at  # the old entry, whole
        assert zoo.verify(directory=folder) == []
        if crash_at == 1:  # the next save removes what the dead one left
            zoo.save(saved_model(8.0), "other", metrics={"value": 8.0}, directory=folder)
            expected = {"models": 2, "entries": 2}
        else:
            assert zoo.clean(directory=folder) != []
            expected = {"models": 1, "entries": 1}
        for name, count in expected.items():
            assert len(os.listdir(folder / name)) == count, (crash_at, os.listdir(folder / name))


def test_reads_during_repeated_saves_and_a_sigkill_at_any_moment(tmp_path):
    folder, sync = tmp_path / "zoo", tmp_path / "sync"
    sync.mkdir()
    process = start("loop", folder, sync, 0)

    def saves():
        return int((sync / "progress").read_text() or 0) if (sync / "progress").exists() else 0

    try:
        wait_for(lambda: saves() >= 1, "a first save")
        # Readers while the entry is being replaced again and again: always a whole entry.
        values = []
        while saves() < 3 or len(values) < 10:
            assert zoo.list(directory=folder).names() == ["m"]
            values.append(assert_consistent(folder, "m"))
        assert values == sorted(values)
        time.sleep(np.random.default_rng().uniform(0, 0.2))
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    assert zoo.list(directory=folder).names() == ["m"]
    assert assert_consistent(folder, "m") >= 3
    assert zoo.verify(directory=folder) == []
    zoo.clean(directory=folder)
    assert os.listdir(folder / "models") == [zoo.info("m", directory=folder).file]
    assert os.listdir(folder / "entries") == ["m.json"]
