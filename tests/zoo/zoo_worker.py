"""A separate process that saves to a zoo, for the concurrency and crash tests.

Usage: python zoo_worker.py <mode> <zoo folder> <sync folder> <worker id> [crash at fsync N]

Every model it saves has all its weights equal to one number, also stored as the entry's
metric "value", so a test can check that an entry's record and model file belong together.

Modes:
    race: announce readiness, wait for the go signal, then save `own-<id>` (a name of its
        own), `shared` (overwrite=True, all workers) and `exclusive` (overwrite=False, all
        workers); print one line per save: the name and "saved" or "exists".
    crash: save `m` (overwrite=True) with value 1000, exiting abruptly (exit status 17, no
        cleanup) in place of the N-th `os.fsync` call of the save.
    loop: save `m` with overwrite=True and values 1, 2, 3, ... until killed.
"""

import os
import sys
import time


def build(value):
    import numpy as np

    import strata

    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3, name="dense")])
    model.set_weights([np.full(w.shape, value, dtype="float32") for w in model.get_weights()])
    return model


def race(zoo, folder, sync, worker):
    model = build(float(worker))
    metrics = {"value": float(worker)}
    open(os.path.join(sync, f"ready.{worker}"), "w").close()
    while not os.path.exists(os.path.join(sync, "go")):
        time.sleep(0.01)
    for name, overwrite in ((f"own-{worker}", False), ("shared", True), ("exclusive", False)):
        try:
            zoo.save(model, name, metrics=metrics, overwrite=overwrite, directory=folder)
            print(name, "saved", flush=True)
        except FileExistsError:
            print(name, "exists", flush=True)


def crash(zoo, folder, crash_at):
    model = build(1000.0)
    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync_or_die(fd):
        calls["n"] += 1
        if calls["n"] == crash_at:
            os._exit(17)  # as a kill would: no finally blocks, no cleanup
        return real_fsync(fd)

    os.fsync = fsync_or_die
    zoo.save(model, "m", metrics={"value": 1000.0}, overwrite=True, directory=folder)
    print("finished without crashing", flush=True)


def loop(zoo, folder, sync):
    value = 0
    while True:
        value += 1
        zoo.save(build(float(value)), "m", metrics={"value": float(value)}, overwrite=True,
                 directory=folder)  # fmt: skip
        with open(os.path.join(sync, "progress"), "w") as handle:
            handle.write(str(value))


def main():
    mode, folder, sync, worker = sys.argv[1:5]
    from strata import zoo

    if mode == "race":
        race(zoo, folder, sync, int(worker))
    elif mode == "crash":
        crash(zoo, folder, int(sys.argv[5]))
    elif mode == "loop":
        loop(zoo, folder, sync)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
